import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { harnessTemplate } from './actions-harness';
import { DeployTarget, EksDeployment } from '../../src/deploy';
import { buildSpec, definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

/** Statements of the policies of the role whose path contains `part`. */
function roleStatements(stack: Stack, template: Template, part: string): any[] {
  const role = stack.node.findAll().find((c) => c instanceof iam.Role && c.node.path.includes(part)) as iam.Role;
  expect(role).toBeDefined();
  const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('DeployTarget.eks', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    const made = newStack();
    stack = made.stack;
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'shop' });
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'Subnet', { subnetId: 'subnet-0abc', routeTableId: 'rtb-0abc' });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0abc');
    definePipeline(stack, {
      buildStep: { buildSpec, outputs: ['BuildOutput', 'Chart'] },
      stages: [{
        stageName: 'Prod',
        targets: [
          DeployTarget.eks({
            cluster,
            kubernetesNamespace: 'shop',
            input: 'Chart',
            subnets: [subnet],
            securityGroups: [sg],
            deployment: EksDeployment.helm({ releaseName: 'shop', chartLocation: 'chart/', valuesFiles: ['values.yaml', 'prod.yaml'] }),
          }),
          DeployTarget.eks({ clusterName: 'batch', deployment: EksDeployment.kubectl(['k8s/deploy.yaml', 'k8s/svc.yaml']), actionName: 'DeployBatch' }),
        ],
      }],
    });
    template = harnessTemplate(made.app);
  });

  test('renders a Helm deployment with namespace and VPC', () => {
    const action = stage(template, 'Prod').Actions.find((a: any) => a.Name === 'DeployEks');
    expect(action.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'EKS', Version: '1' });
    expect(action.Configuration).toEqual({
      ClusterName: 'shop',
      HelmReleaseName: 'shop',
      HelmChartLocation: 'chart/',
      HelmValuesFiles: 'values.yaml,prod.yaml',
      Namespace: 'shop',
      Subnets: 'subnet-0abc',
      SecurityGroupIds: 'sg-0abc',
    });
    expect(action.InputArtifacts).toEqual([{ Name: 'Chart' }]);
  });

  test('renders kubectl manifests for a cluster given by name', () => {
    const action = stage(template, 'Prod').Actions.find((a: any) => a.Name === 'DeployBatch');
    expect(action.Configuration).toEqual({ ClusterName: 'batch', ManifestFiles: 'k8s/deploy.yaml,k8s/svc.yaml' });
  });

  test('the role may describe only its cluster; without subnets it still has the EC2 describe calls and ENIs of the region (EKS action reference)', () => {
    const statements = roleStatements(stack, template, '/Prod/DeployBatch/');
    const describe = statements.find((s) => s.Action === 'eks:DescribeCluster');
    expect(JSON.stringify(describe.Resource)).toContain(':cluster/batch');
    const ec2Describe = statements.find((s) => ([] as string[]).concat(s.Action).includes('ec2:DescribeRouteTables'));
    expect([].concat(ec2Describe.Action).sort()).toEqual(['ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs']);
    const eni = statements.find((s) => ([] as string[]).concat(s.Action).includes('ec2:CreateNetworkInterface'));
    expect(JSON.stringify(eni.Resource)).toContain(':subnet/*');
    expect(JSON.stringify(eni.Resource)).toContain(':security-group/*');
    const logs = statements.find((s) => ([] as string[]).concat(s.Action).includes('logs:PutLogEvents'));
    expect(JSON.stringify(logs.Resource)).toContain('log-group:/aws/codepipeline/');
  });

  test('in a VPC, network interfaces may be created only in the given subnets and security groups', () => {
    const statements = roleStatements(stack, template, '/Prod/DeployEks/');
    const eni = statements.find((s) => ([] as string[]).concat(s.Action).includes('ec2:CreateNetworkInterface'));
    const text = JSON.stringify(eni.Resource);
    expect(text).toContain(':network-interface/*');
    expect(text).toContain(':subnet/subnet-0abc');
    expect(text).toContain(':security-group/sg-0abc');
  });

  test('a cluster in another account runs as the given role, and the pipeline key is customer-managed', () => {
    const { app, stack: s } = newStack();
    const role = iam.Role.fromRoleArn(s, 'Remote', 'arn:aws:iam::222222222222:role/eks-deployer', { mutable: false });
    definePipeline(s, { stages: [{ stageName: 'Prod', targets: [DeployTarget.eks({ clusterName: 'shop', role, deployment: EksDeployment.kubectl(['app.yaml']) })] }] });
    const t = harnessTemplate(app, { crossAccount: true });
    const action = stage(t, 'Prod').Actions[0];
    expect(action.RoleArn).toBe('arn:aws:iam::222222222222:role/eks-deployer');
    t.resourceCountIs('AWS::KMS::Key', 1);
  });
});

describe('DeployTarget.eks validation', () => {
  function define(options: Partial<Parameters<typeof DeployTarget.eks>[0]>) {
    const { stack } = newStack();
    definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.eks({ deployment: EksDeployment.kubectl(['a.yaml']), ...options })] }] });
  }

  test('fails when neither cluster nor clusterName is given', () => {
    expect(() => define({})).toThrow(/stage 'Prod', action 'DeployEks': neither cluster nor clusterName is given; give exactly one\./);
  });

  test('fails when the namespace is not a Kubernetes name', () => {
    expect(() => define({ clusterName: 'c', kubernetesNamespace: 'Prod_NS' })).toThrow(/kubernetesNamespace 'Prod_NS' is not a Kubernetes namespace/);
  });

  test('fails when subnets come without security groups', () => {
    const { stack } = newStack();
    const subnet = ec2.Subnet.fromSubnetId(stack, 'S', 'subnet-1');
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.eks({ clusterName: 'c', subnets: [subnet], deployment: EksDeployment.kubectl(['a.yaml']) })] }] }))
      .toThrow(/subnets are given without securityGroups; give both/);
  });

  test('fails on a bad Helm release name or no manifests', () => {
    expect(() => EksDeployment.helm({ releaseName: 'My_Release', chartLocation: 'c' })).toThrow(/EksDeployment.helm: releaseName 'My_Release' is not a Helm release name/);
    expect(() => EksDeployment.kubectl([])).toThrow(/EksDeployment.kubectl: manifestFiles is \[\]; list one or more manifest files/);
  });
});
