import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CrossRegionCfnPipeline } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';
import { createTestApp, synthValidated } from '../util';
import { arnOfResource, findResource, IAM_AUDIT_TOTALS, simulate } from '../util/iam';

const env = { account: '111111111111', region: 'eu-west-1' };
const TARGET = '222222222222';

/**
 * The requests a CrossRegionCfnPipeline execution makes, simulated offline against the synthesized
 * policies: the pipeline role on the artifacts of every region and on the action roles, the action
 * role's change sets, PassRole of the execution role, and what must be denied.
 */
describe('IAM simulation: CrossRegionCfnPipeline', () => {
  const app = createTestApp();
  const stack = new Stack(app, 'Pipe', { env });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
  const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(repo, { branch: 'main' }),
    buildStep: { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } }, artifacts: { files: ['*.yaml'] } }) },
    stackName: 'app',
    waves: [{ waveName: 'All', targets: [{ region: 'eu-west-1' }, { region: 'us-east-2', account: TARGET }] }],
    failureNotifications: false,
  });
  const result = synthValidated(app);
  const assembly = result.assembly;
  const rolesStack = Object.keys(result.templates).find((id) => id.endsWith(TARGET))!;
  const actionRolePath = `${rolesStack}/CloudFormationActionRole`;
  const executionRoleArn = arnOfResource(assembly, `${rolesStack}/CloudFormationExecutionRole`);
  const stackArn = (name: string) => `arn:aws:cloudformation:us-east-2:${TARGET}:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
  const stores = pipeline.artifactStores;
  const kmsContext = { 'kms:ResourceAliases': [stores.keyAliasName] };

  test.each(['eu-west-1', 'us-east-2'])('the pipeline role reads and writes the artifacts and uses the key in %s', async (region) => {
    const store = stores.forRegion(region);
    const bucketArn = `arn:aws:s3:::${store.bucketName}`;
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect((await simulate(assembly, 'Pipe/Deploy/Role', { action, resource: `${bucketArn}/x/a.zip`, context: { 'aws:SecureTransport': 'true', 's3:ResourceAccount': env.account } })).reason).toMatch(/^Allowed/);
    }
    const key = arnOfResource(assembly, region === env.region ? 'Pipe/Deploy/ArtifactStores/eu-west-1/Key' : `${store.stack.stackName}/ArtifactStore/Default/Key`);
    expect((await simulate(assembly, 'Pipe/Deploy/Role', { action: 'kms:Decrypt', resource: key, context: kmsContext })).reason).toMatch(/^Allowed/);
  });

  test('the pipeline role may assume the action role of the target account, and the action role trusts exactly it', async () => {
    const actionRoleArn = arnOfResource(assembly, actionRolePath);
    const role = findResource(assembly, actionRolePath);
    const trust = role.resolver.resolve(role.template.Resources[role.logicalId].Properties.AssumeRolePolicyDocument);
    const assume = await simulate(assembly, 'Pipe/Deploy/Role', {
      action: 'sts:AssumeRole',
      resource: actionRoleArn,
      resourcePolicy: trust,
      resourceAccount: TARGET,
      context: { 'aws:PrincipalArn': arnOfResource(assembly, 'Pipe/Deploy/Role') },
    });
    expect(assume.reason).toMatch(/^Allowed/);
    // Another role of the pipeline account is not trusted (the trust policy pins aws:PrincipalArn).
    const other = await simulate(assembly, 'Pipe/Deploy/Build/Role', {
      action: 'sts:AssumeRole',
      resource: actionRoleArn,
      resourcePolicy: trust,
      resourceAccount: TARGET,
      context: { 'aws:PrincipalArn': arnOfResource(assembly, 'Pipe/Deploy/Build/Role') },
    });
    expect(other.allowed).toBe(false);
  });

  test('the action role creates, describes and executes the change set of its own stack, and polls it', async () => {
    const context = { 'cloudformation:ChangeSetName': 'PipelineChangeSet' };
    for (const action of ['cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet']) {
      expect((await simulate(assembly, actionRolePath, { action, resource: stackArn('app'), context })).reason).toMatch(/^Allowed/);
    }
    for (const action of ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents']) {
      expect((await simulate(assembly, actionRolePath, { action, resource: stackArn('app') })).reason).toMatch(/^Allowed/);
    }
    expect((await simulate(assembly, actionRolePath, { action: 'iam:PassRole', resource: executionRoleArn })).reason).toMatch(/^Allowed/);
  });

  test('the action role is denied another stack and another change set name', async () => {
    expect((await simulate(assembly, actionRolePath, { action: 'cloudformation:CreateChangeSet', resource: stackArn('other'), context: { 'cloudformation:ChangeSetName': 'PipelineChangeSet' } })).allowed).toBe(false);
    expect((await simulate(assembly, actionRolePath, { action: 'cloudformation:ExecuteChangeSet', resource: stackArn('app'), context: { 'cloudformation:ChangeSetName': 'Other' } })).allowed).toBe(false);
    expect((await simulate(assembly, actionRolePath, { action: 'cloudformation:DeleteStack', resource: stackArn('app') })).allowed).toBe(false);
  });

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`IAM figures (cross-region): ${JSON.stringify(IAM_AUDIT_TOTALS)}`);
  });
});
