import * as sns from 'aws-cdk-lib/aws-sns';
import { ApprovalGate, DeployTarget } from '../../src';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { arnOfResource, findResource, IAM_AUDIT_TOTALS, simulate } from '../util/iam';

const HOME = '111111111111';
const TARGET = '222222222222';
const cfn = (stackName: string, extra = {}) => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, ...extra });

/**
 * The requests the change-set review makes, simulated offline against the synthesized policies: the
 * review function's role describes this pipeline's change sets in its own account and assumes the
 * review role of the target account, which describes exactly this pipeline's stacks there; writes
 * the report and publishes the summary. Everything else (other stacks, executing, any write) denied.
 */
describe('IAM simulation: change-set review', () => {
  const { app, stack } = newStack();
  const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true });
  const pipeline = definePipeline(stack, {
    stages: [{
      stageName: 'Prod',
      gate: new ApprovalGate(stack, 'Approve', { notificationTopic: topic }),
      reviewChangeSets: true,
      targets: [cfn('app'), cfn('edge', { account: TARGET, region: 'us-east-2' })],
    }],
  });
  const result = synthValidated(app);
  const assembly = result.assembly;
  const fnRole = 'Stack/CdpChangeSetReviewer/Role';
  const rolesStack = Object.keys(result.templates).find((id) => id.endsWith(`-${TARGET}`))!;
  const reviewRole = `${rolesStack}/ChangeSetReviewRole`;
  const stackArn = (account: string, region: string, name: string) => `arn:aws:cloudformation:${region}:${account}:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
  const changeSet = { 'cloudformation:ChangeSetName': 'app-changes' };

  test('the function describes the change sets and stacks of this pipeline in its own account', async () => {
    for (const action of ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks']) {
      expect((await simulate(assembly, fnRole, { action, resource: stackArn(HOME, 'eu-west-1', 'app'), context: changeSet })).reason).toMatch(/^Allowed/);
    }
  });

  test('the function is denied other stacks, other regions of the stack, executing and any write', async () => {
    expect((await simulate(assembly, fnRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(HOME, 'eu-west-1', 'other'), context: changeSet })).allowed).toBe(false);
    expect((await simulate(assembly, fnRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(HOME, 'us-east-1', 'app'), context: changeSet })).allowed).toBe(false);
    for (const action of ['cloudformation:ExecuteChangeSet', 'cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack']) {
      expect((await simulate(assembly, fnRole, { action, resource: stackArn(HOME, 'eu-west-1', 'app'), context: changeSet })).allowed).toBe(false);
    }
  });

  test('nested stacks of this pipeline\'s stacks (<parent>-<NestedLogicalId>-<suffix>) are described; unrelated stacks are not', async () => {
    const nested = stackArn(HOME, 'eu-west-1', 'app-DataNestedStack-1ABCDEF');
    expect((await simulate(assembly, fnRole, { action: 'cloudformation:DescribeChangeSet', resource: nested, context: changeSet })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, fnRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(HOME, 'eu-west-1', 'apple-DataNestedStack-1ABCDEF'), context: changeSet })).allowed).toBe(false);
    expect((await simulate(assembly, fnRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(HOME, 'eu-west-1', 'payroll-app-1ABCDEF'), context: changeSet })).allowed).toBe(false);
    const context = { 'cloudformation:ChangeSetName': 'edge-changes' };
    expect((await simulate(assembly, reviewRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(TARGET, 'us-east-2', 'edge-Nested-9XYZ'), context })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, reviewRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(TARGET, 'us-east-2', 'edges-Nested-9XYZ'), context })).allowed).toBe(false);
    expect((await simulate(assembly, reviewRole, { action: 'cloudformation:ExecuteChangeSet', resource: stackArn(TARGET, 'us-east-2', 'edge-Nested-9XYZ'), context })).allowed).toBe(false);
  });

  test('the function reads its job (GetJobDetails) and the declaration of this pipeline only (GetPipeline)', async () => {
    const pipelineArn = arnOfResource(assembly, pipeline.pipeline.node.path);
    expect((await simulate(assembly, fnRole, { action: 'codepipeline:GetJobDetails', resource: '*' })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, fnRole, { action: 'codepipeline:GetPipeline', resource: pipelineArn })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, fnRole, { action: 'codepipeline:GetPipeline', resource: `arn:aws:codepipeline:eu-west-1:${HOME}:payroll` })).allowed).toBe(false);
    for (const action of ['codepipeline:UpdatePipeline', 'codepipeline:StartPipelineExecution', 'codepipeline:PutApprovalResult']) {
      expect((await simulate(assembly, fnRole, { action, resource: pipelineArn })).allowed).toBe(false);
    }
  });

  test('the function may assume the review role of the target account, and that role trusts exactly the function\'s role', async () => {
    const roleArn = arnOfResource(assembly, reviewRole);
    const role = findResource(assembly, reviewRole);
    const trust = role.resolver.resolve(role.template.Resources[role.logicalId].Properties.AssumeRolePolicyDocument);
    const request = (principal: string) => ({
      action: 'sts:AssumeRole',
      resource: roleArn,
      resourcePolicy: trust,
      resourceAccount: TARGET,
      context: { 'aws:PrincipalArn': arnOfResource(assembly, principal) },
    });
    expect((await simulate(assembly, fnRole, request(fnRole))).reason).toMatch(/^Allowed/);
    // The pipeline role (or any other role of the pipeline account) is not trusted.
    expect((await simulate(assembly, 'Stack/Pipeline/Pipeline/Role', request('Stack/Pipeline/Pipeline/Role'))).allowed).toBe(false);
  });

  test('the review role describes only this pipeline\'s stack in its account and region, and never writes', async () => {
    const edge = stackArn(TARGET, 'us-east-2', 'edge');
    const context = { 'cloudformation:ChangeSetName': 'edge-changes' };
    for (const action of ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks']) {
      expect((await simulate(assembly, reviewRole, { action, resource: edge, context })).reason).toMatch(/^Allowed/);
    }
    expect((await simulate(assembly, reviewRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(TARGET, 'us-east-2', 'payroll'), context })).allowed).toBe(false);
    expect((await simulate(assembly, reviewRole, { action: 'cloudformation:DescribeChangeSet', resource: stackArn(TARGET, 'eu-west-1', 'edge'), context })).allowed).toBe(false);
    for (const action of ['cloudformation:ExecuteChangeSet', 'cloudformation:CreateChangeSet', 'cloudformation:DeleteStack', 'cloudformation:SetStackPolicy']) {
      expect((await simulate(assembly, reviewRole, { action, resource: edge, context })).allowed).toBe(false);
    }
    expect((await simulate(assembly, reviewRole, { action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/x' })).allowed).toBe(false);
  });

  test('the function writes the report under change-set-reviews/ only, with the artifact key, and publishes to the approval topic', async () => {
    const bucket = pipeline.artifactBucket;
    const bucketArn = arnOfResource(assembly, bucket.node.path);
    const ctx = { 'aws:SecureTransport': 'true', 's3:ResourceAccount': HOME };
    expect((await simulate(assembly, fnRole, { action: 's3:PutObject', resource: `${bucketArn}/change-set-reviews/Review-Prod/exec-1.md`, context: ctx })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, fnRole, { action: 's3:PutObject', resource: `${bucketArn}/Source/app.zip`, context: ctx })).allowed).toBe(false);
    expect((await simulate(assembly, fnRole, { action: 's3:GetObject', resource: `${bucketArn}/Source/app.zip`, context: ctx })).allowed).toBe(false);
    const key = arnOfResource(assembly, bucket.encryptionKey!.node.path);
    expect((await simulate(assembly, fnRole, { action: 'kms:GenerateDataKey', resource: key })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, fnRole, { action: 'kms:Decrypt', resource: key })).allowed).toBe(false);
    expect((await simulate(assembly, fnRole, { action: 'sns:Publish', resource: arnOfResource(assembly, 'Stack/Approvals') })).reason).toMatch(/^Allowed/);
  });

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`IAM figures (change-set review): ${JSON.stringify(IAM_AUDIT_TOTALS)}`);
  });
});
