import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BuildStep } from '../../src/build/build-step';
import { CrossRegionCfnPipeline } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';
import { ServiceStage } from '../cdk/fixtures';
import { createTestApp, formatFindings, synthAndReport, synthValidated } from '../util';
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
    allowEmptyExecutionPolicy: true,
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

/**
 * The deploy role of a CDK bootstrap stack (aws-cdk's bootstrap-template.yaml, DeploymentActionRole):
 * its name, and its two statements on pipeline artifacts, verbatim. Buckets of its own account it
 * reads only through their bucket policies (the StringNotEquals condition).
 */
function bootstrapDeployRole(app: App, account: string, region: string): string {
  const stack = new Stack(app, `Bootstrap-${account}-${region}`, { env: { account, region } });
  new iam.Role(stack, 'DeployRole', {
    roleName: `cdk-hnb659fds-deploy-role-${account}-${region}`,
    assumedBy: new iam.AccountPrincipal(env.account),
    inlinePolicies: {
      Artifacts: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'PipelineCrossAccountArtifactsBucket',
            actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*', 's3:PutObject*'],
            resources: ['*'],
            conditions: { StringNotEquals: { 's3:ResourceAccount': account } },
          }),
          new iam.PolicyStatement({
            sid: 'PipelineCrossAccountArtifactsKey',
            actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
            resources: ['*'],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
          }),
        ],
      }),
    },
  });
  return `${stack.stackName}/DeployRole`;
}

/**
 * A CrossRegionCfnPipeline deploying CDK stages: the bootstrap deploy role of each stack's
 * environment reads that region's artifact store (another account: its identity policy and the
 * store's bucket and key policies; the pipeline account: the bucket policy alone), and no other.
 */
describe('IAM simulation: CrossRegionCfnPipeline with CDK stages', () => {
  const app = createTestApp();
  const stack = new Stack(app, 'Pipe', { env });
  const other = { account: '333333333333', region: 'us-east-1' };
  const home = { account: env.account, region: 'us-east-1' };
  const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app')),
    buildStep: BuildStep.cdkSynth(),
    waves: [
      { waveName: 'Home', cdkStages: [new ServiceStage(app, 'Home', { env: home, withImage: false })] },
      { waveName: 'Other', cdkStages: [new ServiceStage(app, 'Other', { env: other, withImage: false })] },
    ],
    failureNotifications: false,
  });
  const otherRole = bootstrapDeployRole(app, other.account, other.region);
  const homeRole = bootstrapDeployRole(app, home.account, home.region);
  const result = synthAndReport(app);
  const assembly = result.assembly;
  const stores = pipeline.artifactStores;
  const object = (region: string) => `arn:aws:s3:::${stores.forRegion(region).bucketName}/Pipe/CloudAssembly/a.zip`;
  const s3Context = { 'aws:SecureTransport': 'true', 's3:ResourceAccount': env.account };

  test('the pipeline\'s own templates are clean (the bootstrap roles are fixtures)', () => {
    expect(formatFindings(result.findings.filter((f) => !f.constructPath.startsWith('Bootstrap-') && !f.constructPath.startsWith('/Bootstrap-')))).toBe(formatFindings([]));
  });

  test('a deploy role of another account reads the artifacts of its region, object and key, and not those of another region', async () => {
    expect((await simulate(assembly, otherRole, { action: 's3:GetObject', resource: object('us-east-1'), context: s3Context })).reason).toMatch(/^Allowed/);
    const key = arnOfResource(assembly, `${stores.forRegion('us-east-1').stack.stackName}/ArtifactStore/Default/Key`);
    expect((await simulate(assembly, otherRole, { action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })).reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, otherRole, { action: 's3:GetObject', resource: object('eu-west-1'), context: s3Context })).allowed).toBe(false);
  });

  test('a deploy role of the pipeline account reads its region\'s artifacts through the bucket policy alone, and not another region\'s', async () => {
    const allowed = await simulate(assembly, homeRole, { action: 's3:GetObject', resource: object('us-east-1'), context: s3Context });
    expect(allowed.reason).toMatch(/^Allowed/);
    expect((await simulate(assembly, homeRole, { action: 's3:GetObject', resource: object('us-east-1'), context: s3Context, resourcePolicy: false })).allowed).toBe(false);
    expect((await simulate(assembly, homeRole, { action: 's3:GetObject', resource: object('eu-west-1'), context: s3Context })).allowed).toBe(false);
  });

  test('the publishing project of an environment may assume that environment\'s publishing roles only', async () => {
    const project = 'Pipe/Deploy/Assets/Publish-333333333333-us-east-1/Role';
    const role = (account: string, region: string) => `arn:aws:iam::${account}:role/cdk-hnb659fds-file-publishing-role-${account}-${region}`;
    // The bootstrap publishing roles trust the pipeline account (`cdk bootstrap --trust 111111111111`).
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${env.account}:root` }, Action: 'sts:AssumeRole' }] };
    const assume = (account: string, region: string) => simulate(assembly, project, { action: 'sts:AssumeRole', resource: role(account, region), resourcePolicy: trust, resourceAccount: account });
    expect((await assume(other.account, other.region)).reason).toMatch(/^Allowed/);
    expect((await assume(home.account, home.region)).allowed).toBe(false);
  });
});
