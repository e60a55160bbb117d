import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ApprovalGate, CommandsRule, DeployStrategy, DeployTarget, EksDeployment, InspectorScanSubject } from '../../src';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthAndReport } from '../util';
import { arnOfResource, simulate, SimulationRequest } from '../util/iam';

/**
 * The action roles of the newer CodePipeline actions against their action reference pages (issue 22
 * section 3; docs/permissions.md): what the reference's service-role policy lists is allowed, what it
 * lists only for the console user (logs:GetLogEvents) or what the action cannot use (artifact reads for
 * an image scan) is denied. Simulated offline against the synthesized policies.
 */
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const PIPELINE = 'app-pipeline';
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codepipeline/${PIPELINE}`;
const FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api`;
const EC2 = `arn:aws:ec2:${REGION}:${ACCOUNT}`;
const role = (stage: string, action: string) => `Stack/Pipeline/Pipeline/${stage}/${action}/CodePipelineActionRole`;

let assembly: CloudAssembly;
let bucketArn: string;
let keyArn: string;

async function expectRequest(principal: string, request: SimulationRequest, allowed: boolean) {
  const outcome = await simulate(assembly, principal, request);
  if (outcome.allowed !== allowed) {
    throw new Error(`${principal} ${request.action} on ${request.resource}: expected ${allowed ? 'Allowed' : 'denied'}, got ${outcome.reason}`);
  }
}

beforeAll(() => {
  const { app, stack } = newStack();
  const fn = lambda.Function.fromFunctionArn(stack, 'Fn', FN);
  const repo = ecr.Repository.fromRepositoryName(stack, 'Images', 'api');
  const subnet = ec2.Subnet.fromSubnetId(stack, 'Subnet', 'subnet-0123456789abcdef0');
  const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
  const gate = new ApprovalGate(stack, 'Gate', { successRules: [new CommandsRule({ commands: ['./smoke.sh'], inputs: ['Source'] })] });
  definePipeline(stack, {
    pipelineName: PIPELINE,
    failureNotifications: false,
    encryptionKey: new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true }),
    stages: [
      {
        stageName: 'Checks',
        targets: [
          DeployTarget.commands({ commands: ['npm test'], actionName: 'Test' }),
          DeployTarget.inspectorScan({ subject: InspectorScanSubject.ecrImage(repo, 'release'), actionName: 'ScanImage', output: 'ImageReport' }),
          DeployTarget.inspectorScan({ subject: InspectorScanSubject.sourceCode(), actionName: 'ScanCode', output: 'CodeReport' }),
        ],
      },
      {
        stageName: 'Prod',
        targets: [
          DeployTarget.lambdaDeploy({ function: fn, aliasName: 'live', deployStrategy: DeployStrategy.canary(10, Duration.minutes(5)), actionName: 'Lambda' }),
          DeployTarget.eks({ deployment: EksDeployment.kubectl(['k8s/app.yaml']), clusterName: 'public', actionName: 'EksDefault' }),
          DeployTarget.eks({ deployment: EksDeployment.kubectl(['k8s/app.yaml']), clusterName: 'private', subnets: [subnet], securityGroups: [sg], actionName: 'EksVpc' }),
        ],
        gate,
      },
    ],
  });
  ({ assembly } = synthAndReport(app));
  bucketArn = arnOfResource(assembly, 'Stack/Pipeline/ArtifactBucket');
  keyArn = arnOfResource(assembly, 'Stack/ArtifactKey');
});

describe('action roles against the CodePipeline action reference pages, simulated', () => {
  test('Lambda deploy: reads the provisioned concurrency of the function\'s alias and versions (action-reference-LambdaDeploy)', async () => {
    const r = role('Prod', 'Lambda');
    // An alias ARN and a version ARN have the same shape (function:<name>:<qualifier>): the simulator takes
    // the qualifier as a pattern to tell them apart, so ask for any qualifier of this function and of another.
    await expectRequest(r, { action: 'lambda:GetProvisionedConcurrencyConfig', resource: `${FN}:*` }, true);
    await expectRequest(r, { action: 'lambda:GetProvisionedConcurrencyConfig', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other:*` }, false);
    await expectRequest(r, { action: 'lambda:PutProvisionedConcurrencyConfig', resource: `${FN}:*` }, false);
    await expectRequest(r, { action: 'lambda:UpdateAlias', resource: `${FN}:live` }, true);
    await expectRequest(r, { action: 'lambda:DeleteFunction', resource: FN }, false);
  });

  test('EKS without subnets: the EC2 describe calls of every EKS action, and network interfaces in the account\'s VPCs of the region', async () => {
    const r = role('Prod', 'EksDefault');
    for (const action of ['ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs']) {
      await expectRequest(r, { action, resource: '*' }, true);
    }
    await expectRequest(r, { action: 'eks:DescribeCluster', resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/public` }, true);
    await expectRequest(r, { action: 'eks:DescribeCluster', resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/private` }, false);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:subnet/subnet-0fedcba9876543210` }, true);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/subnet-0fedcba9876543210` }, false);
    await expectRequest(r, { action: 'ec2:DeleteVpc', resource: `${EC2}:vpc/vpc-0123` }, false);
    await expectRequest(r, { action: 'ec2:RunInstances', resource: `${EC2}:instance/*` }, false);
  });

  test('EKS with subnets: DescribeRouteTables too, and network interfaces in the given subnets and security groups only', async () => {
    const r = role('Prod', 'EksVpc');
    await expectRequest(r, { action: 'ec2:DescribeRouteTables', resource: '*' }, true);
    await expectRequest(r, { action: 'ec2:DescribeVpcs', resource: '*' }, true);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:subnet/subnet-0123456789abcdef0` }, true);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:security-group/sg-0123456789abcdef0` }, true);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:network-interface/eni-0123` }, true);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:subnet/subnet-0fedcba9876543210` }, false);
    await expectRequest(r, { action: 'ec2:CreateNetworkInterface', resource: `${EC2}:security-group/sg-0fedcba9876543210` }, false);
  });

  test('managed compute (Commands, InspectorScan, EKS) writes the pipeline\'s log group but does not read it back (GetLogEvents is the console user\'s)', async () => {
    for (const r of [role('Checks', 'Test'), role('Checks', 'ScanImage'), role('Checks', 'ScanCode'), role('Prod', 'EksDefault')]) {
      await expectRequest(r, { action: 'logs:CreateLogStream', resource: `${LOG_GROUP}:log-stream:run-1` }, true);
      await expectRequest(r, { action: 'logs:PutLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, true);
      await expectRequest(r, { action: 'logs:GetLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, false);
    }
  });

  test('CommandsRule: the pipeline role writes the pipeline\'s log group, no GetLogEvents', async () => {
    const r = 'Stack/Pipeline/Pipeline/Role';
    await expectRequest(r, { action: 'logs:PutLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, true);
    await expectRequest(r, { action: 'logs:GetLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, false);
  });

  test('InspectorScan of an image: no artifact read (it has no input); writes its report only', async () => {
    const image = role('Checks', 'ScanImage');
    const code = role('Checks', 'ScanCode');
    const object = `${bucketArn}/${PIPELINE}/BuildOutpu/abc123`;
    const via = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
    for (const action of ['s3:GetObject', 's3:GetObjectVersion']) await expectRequest(image, { action, resource: object }, false);
    await expectRequest(image, { action: 's3:ListBucket', resource: bucketArn }, false);
    await expectRequest(image, { action: 's3:PutObject', resource: object }, true);
    await expectRequest(image, { action: 'kms:GenerateDataKey', resource: keyArn, context: via }, true);
    await expectRequest(image, { action: 'ecr:BatchGetImage', resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/api` }, true);
    // the source-code scan reads its input artifact
    await expectRequest(code, { action: 's3:GetObject', resource: object }, true);
    await expectRequest(code, { action: 'kms:Decrypt', resource: keyArn, context: via }, true);
  });
});
