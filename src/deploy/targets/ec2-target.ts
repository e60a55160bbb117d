import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { singleAction } from '../private/binder';
import { MANAGED_COMPUTE_LOGS } from '../private/managed-compute';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** Options of `DeployTarget.ec2`. */
export interface Ec2TargetOptions {
  /** Tag key of the instances to deploy to (`InstanceTagKey`). */
  readonly instanceTagKey: string;

  /**
   * Tag value of the instances (`InstanceTagValue`).
   *
   * @default - every instance with the tag key
   */
  readonly instanceTagValue?: string;

  /**
   * EC2 instances or SSM managed nodes (`InstanceType`); they need the SSM agent.
   *
   * @default actions.Ec2InstanceType.EC2
   */
  readonly instanceType?: actions.Ec2InstanceType;

  /** Absolute directory on the instances to deploy to (`TargetDirectory`), e.g. `/opt/app`. */
  readonly targetDirectory: string;

  /**
   * Script of the artifact run before the files are copied (`PreScript`).
   *
   * @default - none
   */
  readonly preScript?: string;

  /** Script of the artifact run after the files are copied (`PostScript`). */
  readonly postScript: string;

  /**
   * How many instances deploy at once (`MaxBatch`): `Ec2MaxInstances.targets(n)` or `.percentage(p)`.
   *
   * @default - CodePipeline's default
   */
  readonly maxBatch?: actions.Ec2MaxInstances;

  /**
   * How many instance failures stop the deployment (`MaxError`).
   *
   * @default - CodePipeline's default
   */
  readonly maxError?: actions.Ec2MaxInstances;

  /**
   * Target groups the instances leave during their deployment and rejoin after it.
   *
   * @default - none
   */
  readonly targetGroups?: elbv2.ITargetGroup[];

  /**
   * The artifact to copy: `'ArtifactName'`.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployEc2'
   */
  readonly actionName?: string;
}

/** aws-cdk-lib's `Ec2DeployAction`, refused on a V1 pipeline (CodePipeline runs it only in V2). */
class V2Ec2DeployAction extends actions.Ec2DeployAction {
  constructor(private readonly where: string, props: actions.Ec2DeployActionProps) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the EC2 deploy action');
    return super.bound(scope, stage, options);
  }
}

/** The `"*"` resources aws-cdk-lib's Ec2DeployAction grants: each call has no resource-level permissions. */
const EC2_DESCRIBE = [
  'ec2:DescribeInstances',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'ssm:CancelCommand',
  'ssm:DescribeInstanceInformation',
  'ssm:ListCommandInvocations',
];

/** The actions of `DeployTarget.ec2`. */
export function ec2Target(options: Ec2TargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployEc2', (b) => {
    const key = options.instanceTagKey;
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > 128 || key.startsWith('aws:'))) {
      fail(b.where, `instanceTagKey '${key}' is not a usable tag key; use 1-128 characters, not starting with 'aws:'.`);
    }
    const value = options.instanceTagValue;
    if (value !== undefined && !Token.isUnresolved(value) && value.length > 256) {
      fail(b.where, `instanceTagValue is ${value.length} characters; tag values have at most 256.`);
    }
    const dir = options.targetDirectory;
    if (!Token.isUnresolved(dir) && !dir.startsWith('/')) {
      fail(b.where, `targetDirectory '${dir}' is not absolute; pass a path such as '/opt/app'.`);
    }
    for (const [field, script] of [['preScript', options.preScript], ['postScript', options.postScript]] as const) {
      if (script !== undefined && !Token.isUnresolved(script) && script.trim() === '') {
        fail(b.where, `${field} is empty; pass the script's path in the artifact${field === 'preScript' ? ', or leave preScript out' : ''}.`);
      }
    }
    b.allow([
      {
        resource: '*',
        onlyActions: EC2_DESCRIBE,
        reason: 'The EC2 deploy action finds the tagged instances and follows its SSM commands: ec2:DescribeInstances, the ELB target group '
          + 'Describe* calls, ssm:DescribeInstanceInformation, ssm:ListCommandInvocations and ssm:CancelCommand (a command id is generated per run) '
          + 'take no resource ARN (aws-cdk-lib Ec2DeployAction). Sending commands is limited to instances with this tag.',
      },
      {
        resourcePattern: () => /:instance\/\*$/,
        onlyActions: ['ssm:SendCommand'],
        reason: `ssm:SendCommand on instances only with the tag ${key}${value === undefined ? '' : `=${value}`} (condition aws:ResourceTag); instance ids are not known at synth.`,
      },
      MANAGED_COMPUTE_LOGS,
    ]);
    return new V2Ec2DeployAction(b.where, {
      actionName: b.name,
      runOrder: b.runOrder,
      input: b.artifact(options.input, 'input'),
      instanceTagKey: key,
      instanceTagValue: value,
      instanceType: options.instanceType ?? actions.Ec2InstanceType.EC2,
      deploySpecifications: actions.Ec2DeploySpecifications.inline({
        targetDirectory: dir,
        preScript: options.preScript,
        postScript: options.postScript,
      }),
      maxBatch: options.maxBatch,
      maxError: options.maxError,
      targetGroups: options.targetGroups,
    });
  });
}
