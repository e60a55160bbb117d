import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { singleAction } from '../private/binder';
import { grantManagedComputeLogs, MANAGED_COMPUTE_LOGS } from '../private/managed-compute';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** Options of `EksDeployment.helm`. */
export interface EksHelmOptions {
  /** The Helm release name (`HelmReleaseName`). */
  readonly releaseName: string;

  /** The chart, in the input artifact: a directory or a `.tgz` (`HelmChartLocation`). */
  readonly chartLocation: string;

  /**
   * Values files within the chart location (`HelmValuesFiles`).
   *
   * @default - the chart's own values
   */
  readonly valuesFiles?: string[];
}

/** What the EKS deploy action applies: a Helm chart or kubectl manifests. */
export class EksDeployment {
  /** Install or upgrade a Helm chart from the input artifact. */
  public static helm(options: EksHelmOptions): EksDeployment {
    const where = 'EksDeployment.helm';
    v.checkProps(where, options, {
      releaseName: v.required(v.str("a Helm release name, e.g. 'app'")), chartLocation: v.required(v.str("the chart in the artifact, e.g. 'charts/app'")), valuesFiles: v.strings,
    }, 'options');
    if (!Token.isUnresolved(options.releaseName) && !/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(options.releaseName)) {
      fail(where, `releaseName '${options.releaseName}' is not a Helm release name; use 1-53 lowercase letters, digits and '-', starting and ending with a letter or digit.`);
    }
    if (options.chartLocation.trim() === '') fail(where, 'chartLocation is empty; pass the chart directory or .tgz in the input artifact.');
    if (options.valuesFiles !== undefined && options.valuesFiles.length === 0) {
      fail(where, 'valuesFiles is empty; list at least one file, or leave valuesFiles out to use the chart\'s values.');
    }
    return new EksDeployment({
      HelmReleaseName: options.releaseName,
      HelmChartLocation: options.chartLocation,
      HelmValuesFiles: options.valuesFiles?.join(','),
    });
  }

  /** Apply Kubernetes manifests from the input artifact with kubectl (`ManifestFiles`). */
  public static kubectl(manifestFiles: string[]): EksDeployment {
    v.checkArg('EksDeployment.kubectl', 'manifestFiles', manifestFiles, v.required(v.arrayOf(v.str(), "a list of manifest files, e.g. ['k8s/app.yaml']")));
    if (manifestFiles.length === 0 || manifestFiles.some((f) => f.trim() === '')) {
      fail('EksDeployment.kubectl', `manifestFiles is ${JSON.stringify(manifestFiles)}; list one or more manifest files of the input artifact.`);
    }
    return new EksDeployment({ ManifestFiles: manifestFiles.join(',') });
  }

  /** @internal The action's configuration for this deployment. */
  public readonly _configuration: { [key: string]: string };

  private constructor(configuration: { [key: string]: string | undefined }) {
    const defined: { [key: string]: string } = {};
    for (const [k, value] of Object.entries(configuration)) if (value !== undefined) defined[k] = value;
    this._configuration = defined;
  }
}

/** Options of `DeployTarget.eks`. */
export interface EksTargetOptions {
  /** What to apply. */
  readonly deployment: EksDeployment;

  /**
   * The cluster (its account and region are the action's, when known).
   *
   * @default - none: give `clusterName`
   */
  readonly cluster?: eks.ICluster;

  /**
   * Name of a cluster this app does not define (e.g. in another account: give `role` too).
   *
   * @default - none: give `cluster`
   */
  readonly clusterName?: string;

  /**
   * Kubernetes namespace to deploy to.
   *
   * @default - the namespace of the manifests or chart (kubectl/helm default)
   */
  readonly kubernetesNamespace?: string;

  /**
   * Role the action runs as. For a cluster in another account, a role of that account that
   * trusts the pipeline's account; it needs `eks:DescribeCluster`, the log permissions and an EKS
   * access entry on the cluster (nothing is added to a role you give).
   *
   * @default - a role defined for this action: `eks:DescribeCluster` on this cluster, the pipeline's log group
   */
  readonly role?: iam.IRole;

  /**
   * Subnets of the cluster's VPC for the action's compute (a private cluster); with `securityGroups`.
   *
   * @default - CodePipeline's default (the cluster's own subnets)
   */
  readonly subnets?: ec2.ISubnet[];

  /**
   * Security groups of the cluster's VPC for the action's compute; with `subnets`.
   *
   * @default - CodePipeline's default
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The artifact with the manifests or the chart: `'ArtifactName'`.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployEks'
   */
  readonly actionName?: string;
}

interface EksDeployActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly where: string;
  readonly options: EksTargetOptions;
  readonly clusterName: string;
  readonly input: codepipeline.Artifact;
}

/** CodePipeline's EKS deploy action (Deploy/AWS/EKS, V2 only); aws-cdk-lib has no L2. */
class EksDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: EksDeployActionProps) {
    super();
    const o = props.options;
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'EKS',
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      role: o.role,
      resource: o.cluster,
      account: o.role?.env.account,
    };
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.props.where, 'the EKS deploy action');
    const o = this.props.options;
    const stack = Stack.of(scope);
    const clusterArn = o.cluster?.clusterArn ?? stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: this.props.clusterName });
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [clusterArn] }));
    grantManagedComputeLogs(scope, stage, options.role);
    // The EKS action reference grants these for every EKS action: without `subnets` the action
    // runs in the cluster's own subnets, which it looks up (the describe calls have no resource-level permissions).
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: EKS_EC2_DESCRIBE, resources: ['*'] }));
    // Its network interfaces: in the given subnets and security groups, or (without them) in any of
    // the account's subnets and security groups in this region, as the cluster's are not known at synth.
    const given = !!o.subnets?.length;
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: EKS_EC2_INTERFACES,
      resources: [
        stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
        ...(given ? o.subnets! : [undefined]).map((s) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: s?.subnetId ?? '*' })),
        ...(given ? o.securityGroups ?? [] : [undefined]).map((g) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: g?.securityGroupId ?? '*' })),
      ],
    }));
    options.bucket.grantRead(options.role);
    return {
      configuration: {
        ClusterName: this.props.clusterName,
        ...this.props.options.deployment._configuration,
        Namespace: o.kubernetesNamespace,
        Subnets: o.subnets?.map((s) => s.subnetId).join(','),
        SecurityGroupIds: o.securityGroups?.map((g) => g.securityGroupId).join(','),
      },
    };
  }
}

/** The EC2 describe calls the EKS action reference grants for every EKS action. */
const EKS_EC2_DESCRIBE = [
  'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
];
/** The network-interface calls of the EKS action's compute in the cluster's VPC. */
const EKS_EC2_INTERFACES = ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:CreateNetworkInterfacePermission'];

/** The actions of `DeployTarget.eks`. */
export function eksTarget(options: EksTargetOptions): TargetKind {
  const kind = singleAction(options.actionName ?? 'DeployEks', (b) => {
    if ((options.cluster === undefined) === (options.clusterName === undefined)) {
      fail(b.where, `${options.cluster ? 'both cluster and clusterName are' : 'neither cluster nor clusterName is'} given; give exactly one.`);
    }
    const clusterName = options.cluster?.clusterName ?? options.clusterName!;
    if (!Token.isUnresolved(clusterName) && !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(clusterName)) {
      fail(b.where, `clusterName '${clusterName}' is not an EKS cluster name; use 1-100 characters of A-Za-z0-9-_, starting with a letter or digit.`);
    }
    if (options.kubernetesNamespace !== undefined && !Token.isUnresolved(options.kubernetesNamespace) && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.kubernetesNamespace)) {
      fail(b.where, `kubernetesNamespace '${options.kubernetesNamespace}' is not a Kubernetes namespace; use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.`);
    }
    if (!!options.subnets?.length !== !!options.securityGroups?.length) {
      fail(b.where, `${options.subnets?.length ? 'subnets are' : 'securityGroups are'} given without ${options.subnets?.length ? 'securityGroups' : 'subnets'}; `
        + 'give both (the action\'s compute joins the cluster\'s VPC with both), or neither.');
    }
    b.allow([
      MANAGED_COMPUTE_LOGS,
      {
        resource: '*',
        onlyActions: EKS_EC2_DESCRIBE,
        reason: 'The EKS action runs in the cluster\'s VPC (the given subnets, else the cluster\'s own) and looks it up, as the EKS action reference '
          + 'grants for every EKS action: the ec2:Describe* calls for subnets, route tables, security groups, VPCs, DHCP options and network interfaces have no resource-level permissions.',
      },
      {
        resourcePattern: () => /:network-interface\/\*$/,
        onlyActions: EKS_EC2_INTERFACES,
        reason: 'Network interfaces the EKS action\'s compute attaches in the cluster\'s VPC: their ids are generated per run.',
      },
      ...(options.subnets?.length ? [] : [{
        resourcePattern: () => /:(subnet|security-group)\/\*$/,
        onlyActions: EKS_EC2_INTERFACES,
        reason: 'Without subnets the EKS action attaches its network interfaces in the cluster\'s own subnets and security groups, which an imported '
          + 'cluster does not name at synth: any of this account\'s in this region (give subnets and securityGroups to name them).',
      }]),
    ]);
    return new EksDeployAction({
      actionName: b.name, runOrder: b.runOrder, where: b.where, options, clusterName, input: b.artifact(options.input, 'input'),
    });
  });
  return { ...kind, account: options.role?.env.account ?? options.cluster?.env.account };
}
