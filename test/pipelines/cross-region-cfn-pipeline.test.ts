import { App, CfnParameter, Stack, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactStores } from '../../src/artifacts/artifact-stores';
import { ApprovalGate } from '../../src/gates/approval-gate';
import { IStageGate, StageGateBindOptions, StageGateBinding } from '../../src/gates/stage-gate';
import { CfnDeployment, CrossRegionCfnPipeline, CrossRegionCfnPipelineProps } from '../../src/pipelines/cross-region-cfn';
import { planPipeline, splitIntoStages } from '../../src/pipelines/cross-region-cfn/plan';
import { PipelineSource } from '../../src/source/pipeline-source';
import { canonicalTemplate, createTestApp, synthAndReport, synthValidated } from '../util';

const env = { account: '111111111111', region: 'eu-west-1' };
const buildSpec = codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make templates'] } }, artifacts: { files: ['template-*.yaml'] } });

/** A test-only gate: one manual approval action, recording the stage it was bound to. */
class FakeGate implements IStageGate {
  public bound?: StageGateBindOptions;
  public bindToStage(options: StageGateBindOptions): StageGateBinding {
    this.bound = options;
    return { actions: [new cpactions.ManualApprovalAction({ actionName: 'Approve', runOrder: options.runOrder })] };
  }
}

function acknowledgeFixture(bucket: s3.Bucket) {
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: source bucket' });
  for (const rule of ['s3_bucket_level_public_access_prohibited_check', 's3_bucket_default_encryption_kms_check', 's3_bucket_logging_enabled_check', 's3_version_lifecycle_policy_check',
    's3_event_notifications_enabled_check', 's3_lifecycle_policy_check', 's3_bucket_object_lock_enabled_check']) {
    Validations.of(bucket).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason: 'test fixture: the source bucket of the test app, not defined by this library' });
  }
}

type Overrides = Partial<CrossRegionCfnPipelineProps>;
const EXECUTION_OPTIONS = ['executionPolicy', 'executionManagedPolicies', 'allowEmptyExecutionPolicy'];

function setup(overrides: Overrides = {}, app: App = createTestApp()) {
  const stack = new Stack(app, 'Pipe', { env });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
  const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(repo, { branch: 'main' }),
    buildStep: { buildSpec },
    stackName: 'app',
    waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    // Tests about other things deploy templates that need no permissions (the opt-out), stack sets use their own role.
    ...(overrides.deployment?.stackSetOptions || EXECUTION_OPTIONS.some((o) => o in overrides) ? {} : { allowEmptyExecutionPolicy: true }),
    ...overrides,
  });
  return { app, stack, pipeline };
}

function stagesOf(template: any): any[] {
  const pipelines = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  expect(pipelines).toHaveLength(1);
  return pipelines[0].Properties.Stages;
}

function stage(template: any, name: string): any {
  const found = stagesOf(template).find((s) => s.Name === name);
  expect(found).toBeDefined();
  return found;
}

/** Stack dependencies of a stack, without the asset manifests. */
function stackDeps(result: { assembly: any }, id: string): string[] {
  return result.assembly.getStackArtifact(id).dependencies.map((d: any) => d.id).filter((d: string) => !d.endsWith('.assets')).sort();
}

const REGIONS_30 = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'ap-southeast-4', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1', 'mx-central-1',
];

describe('CrossRegionCfnPipeline', () => {
  test('snapshot: 3 regions, 2 accounts, test stack, gated second wave', () => {
    const { app } = setup({
      testStack: { stackName: 'app-test', tests: [{ name: 'Smoke', buildSpec }] },
      waves: [
        { waveName: 'Canary', targets: [{ region: 'eu-west-1' }] },
        {
          waveName: 'Rest',
          gate: new FakeGate(),
          targets: [
            { region: 'us-east-2', account: '222222222222', parameterOverrides: { Size: 'L' } },
            { region: 'ap-southeast-2' },
          ],
        },
      ],
    });
    const result = synthValidated(app);
    expect(Object.keys(result.templates).sort()).toEqual(['Pipe', 'Pipe-Deploy-222222222222', 'Pipe-Deploy-ArtifactStores-ap-southeast-2', 'Pipe-Deploy-ArtifactStores-us-east-2']);
    for (const id of Object.keys(result.templates).sort()) {
      expect(result.templates[id]).toMatchSnapshot(id);
    }
  });

  test('snapshot: one account, change sets, no test stack', () => {
    const { app } = setup({ waves: [{ waveName: 'All', targets: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] }] });
    const result = synthValidated(app);
    expect(result.templates.Pipe).toMatchSnapshot();
  });

  test('per wave: change sets in every target in parallel, then the gate, then execution in parallel', () => {
    const gate = new FakeGate();
    const { app } = setup({ waves: [{ waveName: 'Prod', gate, targets: [{ region: 'eu-west-1' }, { region: 'us-east-2' }] }] });
    const template = synthValidated(app).templates.Pipe;
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Prod.ChangeSets', 'Prod']);
    const changeSets = stage(template, 'Prod.ChangeSets').Actions;
    expect(changeSets.map((a: any) => [a.Name, a.Region, a.RunOrder, a.Configuration?.ActionMode])).toEqual([
      ['eu-west-1', 'eu-west-1', 1, 'CHANGE_SET_REPLACE'],
      ['us-east-2', 'us-east-2', 1, 'CHANGE_SET_REPLACE'],
    ]);
    const execute = stage(template, 'Prod').Actions;
    expect(execute.map((a: any) => [a.Name, a.RunOrder, a.ActionTypeId.Provider, a.Configuration?.ActionMode])).toEqual([
      ['Approve', 1, 'Manual', undefined],
      ['eu-west-1', 2, 'CloudFormation', 'CHANGE_SET_EXECUTE'],
      ['us-east-2', 2, 'CloudFormation', 'CHANGE_SET_EXECUTE'],
    ]);
    expect(gate.bound?.stageName).toBe('Prod');
    expect(gate.bound?.runOrder).toBe(1);
  });

  test('the gate\'s stage conditions are rendered on the execute stage', () => {
    const gate: IStageGate = {
      bindToStage: () => ({
        beforeEntry: { conditions: [{ result: codepipeline.Result.FAIL, rules: [new codepipeline.Rule({ name: 'Window', provider: 'DeploymentWindow', version: '1', configuration: { Cron: '0 9 ? * MON-FRI *' } })] }] },
      }),
    };
    const { app } = setup({ waves: [{ waveName: 'Prod', gate, targets: [{ region: 'eu-west-1' }] }] });
    const prod = stage(synthValidated(app).templates.Pipe, 'Prod');
    expect(prod.BeforeEntry.Conditions[0].Rules[0].Name).toBe('Window');
    expect(prod.Actions.map((a: any) => a.RunOrder)).toEqual([1]);
  });

  test('works with ApprovalGate from this library', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    const gate = new ApprovalGate(stack, 'Gate', { manual: true });
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Prod', gate, targets: [{ region: 'us-east-2' }] }],
    });
    const prod = stage(synthValidated(app).templates.Pipe, 'Prod');
    expect(prod.Actions[0].ActionTypeId.Category).toBe('Approval');
    expect(prod.Actions[1].Configuration.ActionMode).toBe('CHANGE_SET_EXECUTE');
  });

  test('an S3 source passes validation (PipelineSource.s3 acknowledges its own read grant)', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    const bucket = new s3.Bucket(stack, 'Src', { versioned: true, enforceSSL: true });
    acknowledgeFixture(bucket);
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.s3(bucket, 'app.zip'), buildStep: { buildSpec }, stackName: 'app', allowEmptyExecutionPolicy: true, waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }] }],
    });
    const result = synthValidated(app);
    const acks = result.acknowledged.filter((a) => a.rule === 'AwsSolutions-IAM5[Action::s3:GetObject*]').map((a) => a.constructPath);
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.every((path) => path.startsWith('Pipe/Deploy/Pipeline/Source/Source/'))).toBe(true);
  });

  test('changeSets: false deploys each target directly with CREATE_UPDATE after the gate', () => {
    const { app } = setup({ changeSets: false, waves: [{ waveName: 'Prod', gate: new FakeGate(), targets: [{ region: 'eu-west-1' }, { region: 'us-east-2' }] }] });
    const template = synthValidated(app).templates.Pipe;
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Prod']);
    expect(stage(template, 'Prod').Actions.map((a: any) => [a.Name, a.RunOrder, a.Configuration?.ActionMode])).toEqual([
      ['Approve', 1, undefined], ['eu-west-1', 2, 'CREATE_UPDATE'], ['us-east-2', 2, 'CREATE_UPDATE'],
    ]);
  });

  test('templatePath defaults to template-{region}.yaml and fills {region} and {account}', () => {
    const a = setup({ waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }] }] });
    expect(stage(synthValidated(a.app).templates.Pipe, 'W.ChangeSets').Actions[0].Configuration.TemplatePath).toBe('BuildOutput::template-us-east-2.yaml');
    const b = setup({ templatePath: 'out/{account}/{region}.json', waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }] }] });
    expect(stage(synthValidated(b.app).templates.Pipe, 'W.ChangeSets').Actions[0].Configuration.TemplatePath).toBe('BuildOutput::out/111111111111/us-east-2.json');
  });

  test('parameterOverrides, stackName and changeSetName are set per target', () => {
    const { app } = setup({
      changeSetName: 'Release',
      waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', parameterOverrides: { Size: 'L' }, stackName: 'app-big' }, { region: 'eu-west-1' }] }],
    });
    const actions = stage(synthValidated(app).templates.Pipe, 'W.ChangeSets').Actions;
    expect(actions[0].Configuration).toMatchObject({ StackName: 'app-big', ChangeSetName: 'Release', ParameterOverrides: '{"Size":"L"}' });
    expect(actions[1].Configuration).toMatchObject({ StackName: 'app', ChangeSetName: 'Release' });
    expect(actions[1].Configuration.ParameterOverrides).toBeUndefined();
  });

  test('capabilities default to NAMED_IAM and AUTO_EXPAND', () => {
    const { app } = setup();
    const actions = stage(synthValidated(app).templates.Pipe, 'Canary.ChangeSets').Actions;
    expect(actions[0].Configuration.Capabilities).toBe('CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND');
  });

  test('test stack: CREATE_UPDATE, then the tests with the stack outputs, then DELETE_ONLY, before the first wave', () => {
    const { app } = setup({ testStack: { stackName: 'app-test', region: 'us-east-2', tests: [{ name: 'Smoke', buildSpec }, { name: 'Load', buildSpec }] } });
    const template = synthValidated(app).templates.Pipe;
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Test', 'Canary.ChangeSets', 'Canary']);
    const actions = stage(template, 'Test').Actions;
    expect(actions.map((a: any) => [a.Name, a.RunOrder, a.ActionTypeId.Provider, a.Configuration?.ActionMode])).toEqual([
      ['Deploy', 1, 'CloudFormation', 'CREATE_UPDATE'],
      ['Smoke', 2, 'CodeBuild', undefined],
      ['Load', 2, 'CodeBuild', undefined],
      ['Delete', 3, 'CloudFormation', 'DELETE_ONLY'],
    ]);
    expect(actions[0]).toMatchObject({ Region: 'us-east-2', Configuration: { StackName: 'app-test', TemplatePath: 'BuildOutput::template-us-east-2.yaml', OutputFileName: 'outputs.json' } });
    expect(actions[1].InputArtifacts).toEqual([{ Name: 'BuildOutput' }, { Name: 'TestStackOutputs' }]);
  });

  test('test stack with retain keeps the stack', () => {
    const { app } = setup({ testStack: { stackName: 'app-test', retain: true, tests: [{ name: 'Smoke', buildSpec }] } });
    expect(stage(synthValidated(app).templates.Pipe, 'Test').Actions.map((a: any) => a.Name)).toEqual(['Deploy', 'Smoke']);
  });

  test('one account: no KMS key, a bucket per region in support stacks the pipeline depends on', () => {
    const { app } = setup({ waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1' }, { region: 'us-east-2' }, { region: 'ap-southeast-2' }] }] });
    const result = synthValidated(app);
    expect(result.footprint.kmsKeys).toBe(0);
    expect(result.footprint.resourcesByType['AWS::S3::Bucket']).toBe(3);
    expect(stackDeps(result, 'Pipe')).toEqual(['Pipe-Deploy-ArtifactStores-ap-southeast-2', 'Pipe-Deploy-ArtifactStores-us-east-2']);
    const pipelineResource = Object.values<any>(result.templates.Pipe.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const stores = pipelineResource.Properties.ArtifactStores;
    expect(stores.map((s: any) => s.Region).sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-2']);
    for (const s of stores) {
      expect(s.ArtifactStore.Location).toMatch(new RegExp(`^cdp-artifacts-111111111111-${s.Region}-[0-9a-f]{8}$`));
      expect(s.ArtifactStore.EncryptionKey).toBeUndefined();
    }
  });

  test('the pipeline role reaches all regional stores with one constant-size statement pinned to the stores\' account', () => {
    const { app } = setup({ waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }, { region: 'ap-southeast-2' }] }] });
    const template = Template.fromJSON(synthValidated(app).templates.Pipe);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^DeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'ArtifactStores',
          Condition: { StringEquals: { 's3:ResourceAccount': '111111111111' } },
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp(':s3:::cdp-artifacts-111111111111-\\*-[0-9a-f]{8}$')]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp(':s3:::cdp-artifacts-111111111111-\\*-[0-9a-f]{8}/\\*$')]] },
          ],
        })]),
      },
    });
  });

  test('cross-account: KMS keys, action and execution roles in a stack of the target account trusted by exactly the pipeline role', () => {
    const { app } = setup({
      executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue', 'sqs:DeleteQueue'], resources: ['arn:aws:sqs:us-east-2:222222222222:app-queue'] })],
      waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', account: '222222222222' }] }],
    });
    const result = synthValidated(app);
    expect(result.footprint.kmsKeys).toBe(2);
    const account = canonicalTemplate(result.templates['Pipe-Deploy-222222222222']);
    account.hasResourceProperties('AWS::IAM::Role', {
      RoleName: Match.anyValue(),
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: { ArnEquals: { 'aws:PrincipalArn': Match.stringLikeRegexp('^arn:aws:iam::111111111111:role/pipe') } },
        }],
      },
    });
    account.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] },
      Policies: [{ PolicyName: 'Deploy', PolicyDocument: { Statement: [Match.objectLike({ Action: ['sqs:CreateQueue', 'sqs:DeleteQueue'] })] } }],
    });
    const deps = stackDeps(result, 'Pipe');
    expect(deps).toEqual(['Pipe-Deploy-222222222222', 'Pipe-Deploy-ArtifactStores-us-east-2']);
    expect(stackDeps(result, 'Pipe-Deploy-222222222222')).toEqual([]);
    // the store trusts the target account's roles by ARN, so it deploys after their stack
    expect(stackDeps(result, 'Pipe-Deploy-ArtifactStores-us-east-2')).toEqual(['Pipe-Deploy-222222222222']);
  });

  test('an acknowledgment on the pipeline covers the roles it defines in the stack of another account', () => {
    // A wildcard in the caller's executionPolicy: cdk-nag reports it on the execution role, in the support stack of account 222222222222.
    const make = () => setup({
      executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue', 'sqs:DeleteQueue'], resources: ['arn:aws:sqs:us-east-2:222222222222:app-*'] })],
      waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', account: '222222222222' }] }],
    });
    const isOurs = (rule: string) => rule.startsWith('AwsSolutions-IAM5') && rule.includes('arn:aws:sqs:us-east-2:222222222222:app-*');
    const bare = make();
    const reported = synthAndReport(bare.app).findings.filter((f) => isOurs(f.rule));
    expect(reported.map((f) => f.constructPath)).toEqual([expect.stringMatching(/^Pipe-Deploy-222222222222\/CloudFormationExecutionRole\//)]);
    const finding = reported[0].rule;

    const acknowledged = make();
    Validations.of(acknowledged.pipeline).acknowledge({ id: finding, reason: 'CloudFormation names the queues of app with this prefix' });
    const result = synthValidated(acknowledged.app);
    const where = result.acknowledged.filter((a) => isOurs(a.rule)).map((a) => a.constructPath).sort();
    expect(where).toEqual(expect.arrayContaining(['Pipe/Deploy', 'Pipe-Deploy-222222222222/CloudFormationExecutionRole']));
  });

  test('no role gets administrator access: no "*" action anywhere', () => {
    const { app } = setup({ waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', account: '222222222222' }, { region: 'eu-west-1' }] }] });
    const result = synthValidated(app);
    for (const template of Object.values<any>(result.templates)) {
      const json = JSON.stringify(template);
      expect(json).not.toMatch(/"Action":"\*"/);
      expect(json).not.toMatch(/"Action":\["\*"\]/);
    }
  });

  test('with allowEmptyExecutionPolicy (no executionPolicy) the execution role can only read the templates', () => {
    const { app } = setup();
    const template = Template.fromJSON(synthValidated(app).templates.Pipe);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    expect(roles[roleId].Properties.Policies).toBeUndefined();
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const actions = Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)));
    expect(actions.sort()).toEqual(['s3:GetBucketLocation', 's3:GetBucketVersioning', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
  });

  test('executionRole on a target replaces the pipeline\'s execution role for that target', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    const mine = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', executionRole: mine }] }],
    });
    const actions = stage(synthValidated(app).templates.Pipe, 'W.ChangeSets').Actions;
    expect(JSON.stringify(actions[0].Configuration.RoleArn)).toMatch(/Mine/);
  });

  test('shared ArtifactStores: two pipelines reference the same support stacks and add nothing to them', () => {
    const app = createTestApp();
    const shared = new Stack(app, 'Shared', { env });
    const stores = new ArtifactStores(shared, 'Stores', { trustedAccounts: ['222222222222'] });
    for (const name of ['One', 'Two']) {
      const stack = new Stack(app, name, { env });
      const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', name.toLowerCase());
      new CrossRegionCfnPipeline(stack, 'Deploy', {
        source: PipelineSource.codeCommit(repo),
        buildStep: { buildSpec },
        stackName: name.toLowerCase(),
        allowEmptyExecutionPolicy: true,
        artifactStores: stores,
        waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }, { region: 'ap-southeast-2', account: '222222222222' }] }],
      });
    }
    const result = synthValidated(app);
    expect(Object.keys(result.templates).sort()).toEqual(['One', 'One-Deploy-222222222222', 'Shared', 'Shared-Stores-ap-southeast-2', 'Shared-Stores-us-east-2', 'Two', 'Two-Deploy-222222222222']);
    // one key per region, shared: 3 regions (home + 2)
    expect(result.footprint.kmsKeys).toBe(3);
    for (const name of ['One', 'Two']) {
      const deps = stackDeps(result, name);
      expect(deps).toEqual([`${name}-Deploy-222222222222`, 'Shared', 'Shared-Stores-ap-southeast-2', 'Shared-Stores-us-east-2'].sort());
      expect(Template.fromJSON(result.templates[name]).findResources('AWS::S3::Bucket')).toEqual({});
    }
    // the stores' stacks reference no pipeline stack (no exports/imports); the regional store that trusts the
    // cross-account roles by ARN deploys after those roles' stacks, nothing else
    for (const id of ['Shared', 'Shared-Stores-ap-southeast-2', 'Shared-Stores-us-east-2']) {
      expect(stackDeps(result, id).every((d) => /^(One|Two)-Deploy-222222222222$/.test(d))).toBe(true);
      expect(JSON.stringify(result.templates[id])).not.toMatch(/Fn::ImportValue/);
    }
  });

  test('two pipelines in one stack, each with its own stores, get separate support stacks', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    for (const id of ['A', 'B']) {
      const scope = new Construct(stack, id);
      const repo = codecommit.Repository.fromRepositoryName(scope, 'Repo', `app-${id}`);
      new CrossRegionCfnPipeline(scope, 'Deploy', {
        source: PipelineSource.codeCommit(repo),
        buildStep: { buildSpec },
        stackName: `app-${id}`,
        allowEmptyExecutionPolicy: true,
        waves: [{ waveName: 'W', targets: [{ region: 'us-east-2' }, { region: 'eu-west-1', account: '222222222222' }] }],
      });
    }
    const result = synthValidated(app);
    expect(Object.keys(result.templates).sort()).toEqual([
      'Pipe', 'Pipe-A-Deploy-222222222222', 'Pipe-A-Deploy-ArtifactStores-us-east-2', 'Pipe-B-Deploy-222222222222', 'Pipe-B-Deploy-ArtifactStores-us-east-2',
    ]);
  });

  test('a wave of more than 50 targets is split into stages of at most 50 actions', () => {
    const accounts = ['111111111111', '222222222222'];
    const targets = accounts.flatMap((account) => REGIONS_30.map((region) => ({ region, account })));
    const { app } = setup({ waves: [{ waveName: 'All', gate: new FakeGate(), targets }] });
    const result = synthValidated(app);
    const template = result.templates.Pipe;
    expect(stagesOf(template).map((s) => [s.Name, s.Actions.length])).toEqual([
      ['Source', 1], ['Build', 1], ['All.ChangeSets', 50], ['All.ChangeSets.2', 10], ['All', 50], ['All.2', 11],
    ]);
    expect(result.footprint.maxActionsPerStage).toBeLessThanOrEqual(50);
    expect(stage(template, 'All').Actions[0].Name).toBe('Approve');
    expect(stage(template, 'All').Actions[1].Name).toBe('us-east-1');
    expect(stage(template, 'All.2').Actions.map((a: any) => a.Name)).toContain('mx-central-1.222222222222');
  });

  test('30 regions synthesize within CloudFormation and CodePipeline limits', () => {
    const { app } = setup({ waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }, { waveName: 'World', gate: new FakeGate(), targets: REGIONS_30.filter((r) => r !== 'eu-west-1').map((region) => ({ region })) }] });
    const result = synthValidated(app);
    expect(result.footprint.templates).toBe(30);
    expect(result.footprint.kmsKeys).toBe(0);
    expect(result.footprint.maxActionsPerStage).toBeLessThanOrEqual(50);
    expect(result.footprint.largestTemplateBytes).toBeLessThan(1024 * 1024);
    expect(result.footprint.largestTemplateResources).toBeLessThan(500);
    expect(result.footprint.largestRolePolicyBytes).toBeLessThan(10240);
    expect(stagesOf(result.templates.Pipe)).toHaveLength(6);
  });

  test('StackSet, self-managed, in accounts: the first wave creates the stack set, later waves add instances', () => {
    const { app } = setup({
      deployment: CfnDeployment.stackSet({ failureTolerancePercentage: 10, maxAccountConcurrencyPercentage: 25 }),
      waves: [
        { waveName: 'First', targets: [{ region: 'eu-west-1', account: '222222222222' }] },
        { waveName: 'Rest', gate: new FakeGate(), targets: [{ region: 'us-east-2', account: '333333333333' }, { region: 'eu-west-1', account: '333333333333' }] },
      ],
    });
    const result = synthValidated(app);
    const template = result.templates.Pipe;
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'First', 'Rest']);
    const first = stage(template, 'First').Actions[0];
    expect(first.ActionTypeId.Provider).toBe('CloudFormationStackSet');
    expect(first.Configuration).toMatchObject({
      StackSetName: 'app',
      TemplatePath: 'BuildOutput::template.yaml',
      PermissionModel: 'SELF_MANAGED',
      DeploymentTargets: '222222222222',
      Regions: 'eu-west-1',
      FailureTolerancePercentage: 10,
      MaxConcurrentPercentage: 25,
    });
    const rest = stage(template, 'Rest').Actions;
    expect(rest[0].Name).toBe('Approve');
    expect(rest[1].ActionTypeId.Provider).toBe('CloudFormationStackInstances');
    expect(rest[1].Configuration).toMatchObject({ DeploymentTargets: '333333333333', Regions: 'us-east-2,eu-west-1' });
    // StackSets run from the pipeline account: no cross-account stack, no KMS key
    expect(Object.keys(result.templates)).toEqual(['Pipe']);
    expect(result.footprint.kmsKeys).toBe(0);
  });

  test('StackSet, service-managed, in organizational units', () => {
    const { app } = setup({
      deployment: CfnDeployment.stackSet({
        stackSetName: 'org-baseline', deploymentModel: cpactions.StackSetDeploymentModel.organizations(), parameters: { Env: 'prod' }, description: 'Org baseline',
      }),
      waves: [{ waveName: 'Org', organizationalUnits: ['ou-ab12-cdefgh34'], targets: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] }],
    });
    const action = stage(synthValidated(app).templates.Pipe, 'Org').Actions[0];
    expect(action.Configuration.Description).toBe('Org baseline');
    expect(JSON.stringify(action.Configuration.Parameters)).toMatch(/Env.*prod/);
    expect(action.Configuration).toMatchObject({ StackSetName: 'org-baseline', PermissionModel: 'SERVICE_MANAGED', DeploymentTargets: 'ou-ab12-cdefgh34', Regions: 'eu-west-1,us-east-1' });
  });

  test('a token stackName (a CfnParameter) synthesizes and validates', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    const name = new CfnParameter(stack, 'AppStackName', { type: 'String', default: 'app' });
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo, { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: name.valueAsString,
      allowEmptyExecutionPolicy: true,
      changeSetName: name.valueAsString,
      waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    });
    const execute = stage(synthValidated(app).templates.Pipe, 'Canary').Actions[0];
    expect(execute.Configuration.StackName).toEqual({ Ref: 'AppStackName' });
  });

  test('a token stackName (a CfnParameter) names a stack set that synthesizes and validates', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env });
    const name = new CfnParameter(stack, 'AppStackName', { type: 'String', default: 'app' });
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo, { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: name.valueAsString,
      deployment: CfnDeployment.stackSet(),
      waves: [{ waveName: 'First', targets: [{ region: 'eu-west-1', account: '222222222222' }] }],
    });
    const action = stage(synthValidated(app).templates.Pipe, 'First').Actions[0];
    expect(action.Configuration.StackSetName).toEqual({ Ref: 'AppStackName' });
  });

  test('failure notifications by default, none with failureNotifications: false', () => {
    const a = setup();
    expect(a.pipeline.failureNotifications).toBeDefined();
    expect(Template.fromJSON(synthValidated(a.app).templates.Pipe).findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { 'detail-type': Match.arrayWith(['CodePipeline Pipeline Execution State Change']) } },
    })).not.toEqual({});
    const b = setup({ failureNotifications: false });
    expect(b.pipeline.failureNotifications).toBeUndefined();
    Template.fromJSON(synthValidated(b.app).templates.Pipe).resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('exposes the pipeline, stores, build project and the roles per account', () => {
    const { pipeline } = setup();
    expect(pipeline.pipeline).toBeInstanceOf(codepipeline.Pipeline);
    expect(pipeline.artifactStores.regions).toEqual(['eu-west-1']);
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Canary.ChangeSets', 'Canary']);
    expect(pipeline.executionRole('111111111111')).toBe(pipeline.executionRole('111111111111'));
    expect(pipeline.actionRole('111111111111')).toBeDefined();
  });

  describe('plan', () => {
    /** The plan of the default setup with `overrides`, from a construct that names the pipeline in errors. */
    function plan(overrides: Overrides = {}) {
      const stack = new Stack(new App(), 'Pipe', { env });
      const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
      const scope = new Construct(stack, 'Deploy');
      return planPipeline(scope, {
        source: PipelineSource.codeCommit(repo),
        buildStep: { buildSpec },
        stackName: 'app',
        waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
        ...(overrides.deployment?.stackSetOptions || EXECUTION_OPTIONS.some((o) => o in overrides) ? {} : { allowEmptyExecutionPolicy: true }),
        ...overrides,
      });
    }

    test('carries every target with its account, stack, template, action name and execution role', () => {
      const gate = new FakeGate();
      const role = iam.Role.fromRoleName(new Stack(new App(), 'Other', { env }), 'Exec', 'exec');
      const p = plan({
        templatePath: 'out/{account}/{region}.json',
        waves: [{ waveName: 'W', gate, targets: [{ region: 'us-east-2', account: '222222222222', stackName: 'big', executionRole: role }, { region: 'eu-west-1' }] }],
      });
      expect(p.stackSet).toBeUndefined();
      expect(p.stacks!.changeSetName).toBe('PipelineChangeSet');
      const [wave] = p.stacks!.waves;
      expect(wave.gate).toBe(gate);
      expect(wave.targets).toEqual([
        { region: 'us-east-2', account: '222222222222', crossAccount: true, stackName: 'big', templatePath: 'out/222222222222/us-east-2.json', actionName: 'us-east-2.222222222222', parameterOverrides: undefined, executionRole: role },
        { region: 'eu-west-1', account: '111111111111', crossAccount: false, stackName: 'app', templatePath: 'out/111111111111/eu-west-1.json', actionName: 'eu-west-1', parameterOverrides: undefined, executionRole: undefined },
      ]);
      expect(wave.changeSetStages.map((s) => [s.stageName, s.items.length])).toEqual([['W.ChangeSets', 2]]);
      expect(p.crossAccounts).toEqual(['222222222222']);
      expect(p.storeRegions).toEqual(['eu-west-1', 'us-east-2']);
    });

    test('direct deployment has no change set stages; a stack set plans regions, accounts and OUs per wave', () => {
      expect(plan({ changeSets: false }).stacks).toMatchObject({ changeSetName: undefined, waves: [{ changeSetStages: [] }] });
      const p = plan({
        deployment: CfnDeployment.stackSet({ deploymentModel: cpactions.StackSetDeploymentModel.organizations() }),
        waves: [
          { waveName: 'Org', organizationalUnits: ['ou-ab12-cdefgh34'], targets: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] },
          { waveName: 'More', targets: [{ region: 'us-east-2', account: '333333333333' }] },
        ],
      });
      expect(p.stacks).toBeUndefined();
      expect(p.stackSet).toMatchObject({ stackSetName: 'app', templatePath: 'template.yaml', failureTolerancePercentage: 0, maxAccountConcurrencyPercentage: 1 });
      expect(p.stackSet!.waves.map((w) => [w.action, w.regions, w.accounts, w.organizationalUnits])).toEqual([
        ['StackSet', ['eu-west-1', 'us-east-1'], ['111111111111'], ['ou-ab12-cdefgh34']],
        ['StackInstances', ['us-east-2'], ['333333333333'], undefined],
      ]);
      // stack sets run from the pipeline account: no store in the targets' regions, no trusted account
      expect(p.crossAccounts).toEqual([]);
      expect(p.storeRegions).toEqual(['eu-west-1']);
    });

    test('stages hold at most 50 actions, the first one also the gate\'s', () => {
      const items = Array.from({ length: 101 }, (_, i) => i);
      expect(splitIntoStages('W', items, 0).map((s) => [s.stageName, s.items.length])).toEqual([['W', 50], ['W.2', 50], ['W.3', 1]]);
      expect(splitIntoStages('W', items, 1).map((s) => [s.stageName, s.items.length])).toEqual([['W', 49], ['W.2', 50], ['W.3', 2]]);
      expect(splitIntoStages('W', [1], 0)).toEqual([{ stageName: 'W', items: [1] }]);
    });

    test('errors name the pipeline construct', () => {
      expect(() => plan({ waves: [] })).toThrow(/^Construct 'Deploy': waves is empty/);
    });
  });

  describe('bad input', () => {
    test('fails when waves is empty', () => {
      expect(() => setup({ waves: [] })).toThrow(/CrossRegionCfnPipeline 'Deploy': waves is empty; pass at least one wave/);
    });

    test('fails when a wave has no targets', () => {
      expect(() => setup({ waves: [{ waveName: 'Prod', targets: [] }] })).toThrow(/CrossRegionCfnPipeline 'Deploy': wave 'Prod' has no targets/);
    });

    test('fails when a region appears twice in a wave', () => {
      expect(() => setup({ waves: [{ waveName: 'prod', targets: [{ region: 'eu-west-1' }, { region: 'eu-west-1', account: '111111111111' }] }] }))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': region 'eu-west-1' appears twice in wave 'prod'; list each region once per wave\./);
    });

    test('fails when a region is a token', () => {
      expect(() => setup({ waves: [{ waveName: 'W', targets: [{ region: Token.asString({ Ref: 'AWS::Region' }) }] }] }))
        .toThrow(/target 1 of wave 'W' has an unresolved region \(a token: .*\); pass a concrete region/);
    });

    test('fails when an account is a token', () => {
      expect(() => setup({ waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', account: Token.asString({ Ref: 'AWS::AccountId' }) }] }] }))
        .toThrow(/target 1 of wave 'W' has an unresolved account \(a token: .*\); pass a concrete 12-digit account id/);
    });

    test('fails when the execution roles the pipeline defines get neither executionPolicy nor executionManagedPolicies', () => {
      const stacks = (more: Overrides) => setup({ waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', account: '222222222222' }] }], allowEmptyExecutionPolicy: undefined, ...more });
      expect(() => stacks({})).toThrow(new RegExp("^CrossRegionCfnPipeline 'Deploy': neither executionPolicy \\(or executionManagedPolicies\\) nor executionRole on each target is given, " +
        'so the CloudFormation execution role the pipeline defines in account 222222222222 \\(for the target in us-east-2 of account 222222222222 and every other target without executionRole\\) ' +
        "could only read the pipeline's artifacts and create no resource \\(the first deploy would fail with AccessDenied\\); give it the permissions .*e\\.g\\. executionPolicy: \\[new iam\\.PolicyStatement.*" +
        'or allowEmptyExecutionPolicy: true if the template needs no permissions\\.$'));
      expect(() => stacks({ executionPolicy: [] })).toThrow(/executionPolicy \(or executionManagedPolicies\) is empty and no executionRole on each target is given/);
      expect(() => stacks({ executionPolicy: [], allowEmptyExecutionPolicy: true })).not.toThrow();
      const managed = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSQSFullAccess');
      expect(() => stacks({ executionManagedPolicies: [managed] })).not.toThrow();
      expect(() => stacks({ executionManagedPolicies: [managed], allowEmptyExecutionPolicy: true }))
        .toThrow(/allowEmptyExecutionPolicy is true, but executionPolicy \(or executionManagedPolicies\) has 1 statement\(s\); remove allowEmptyExecutionPolicy/);
    });

    test('fails for the test stack too, and not when every target has its own executionRole', () => {
      const app = createTestApp();
      const testStack = { stackName: 'app-test', tests: [{ name: 'Smoke', buildSpec }] };
      const mine = (s: Stack) => iam.Role.fromRoleArn(s, 'Mine', 'arn:aws:iam::111111111111:role/mine', { mutable: false });
      const { stack } = setup({ executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue'], resources: ['arn:aws:sqs:eu-west-1:111111111111:app'] })] }, app);
      expect(() => new CrossRegionCfnPipeline(stack, 'WithTest', {
        source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo2', 'app')),
        buildStep: { buildSpec },
        stackName: 'app',
        testStack,
        waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', executionRole: mine(stack) }] }],
      })).toThrow(/^CrossRegionCfnPipeline 'WithTest': neither executionPolicy .* so the CloudFormation execution role the pipeline defines for the test stack could only read/);
      expect(() => new CrossRegionCfnPipeline(stack, 'OwnRoles', {
        source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo3', 'app')),
        buildStep: { buildSpec },
        stackName: 'app',
        waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', executionRole: iam.Role.fromRoleArn(stack, 'Mine2', 'arn:aws:iam::111111111111:role/mine2', { mutable: false }) }] }],
      })).not.toThrow();
    });

    test('fails when a stack set is given execution role options, which its own execution role would ignore', () => {
      expect(() => setup({ deployment: CfnDeployment.stackSet(), executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue'], resources: ['*'] })] }))
        .toThrow(/^CrossRegionCfnPipeline 'Deploy': executionPolicy is set, but the deployment is a stack set, whose instances run with the stack set's execution role .*remove executionPolicy/);
      expect(() => setup({ deployment: CfnDeployment.stackSet(), allowEmptyExecutionPolicy: true })).toThrow(/allowEmptyExecutionPolicy is set, but the deployment is a stack set/);
      expect(() => setup({ deployment: CfnDeployment.stackSet() })).not.toThrow();
    });

    test('fails when the pipeline stack has no concrete env', () => {
      const app = new App();
      const stack = new Stack(app, 'NoEnv');
      const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
      expect(() => new CrossRegionCfnPipeline(stack, 'Deploy', {
        source: PipelineSource.codeCommit(repo), buildStep: { buildSpec }, stackName: 'app', allowEmptyExecutionPolicy: true, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1' }] }],
      })).toThrow(/CrossRegionCfnPipeline 'Deploy': stack 'NoEnv' has no concrete env .*define it with env: \{ account/);
    });

    test('fails when a target account is not trusted by KMS-capable stores', () => {
      const app = createTestApp();
      const shared = new Stack(app, 'Shared', { env });
      const stores = new ArtifactStores(shared, 'Stores');
      expect(() => setup({ artifactStores: stores, waves: [{ waveName: 'W', targets: [{ region: 'us-east-2', account: '222222222222' }] }] }, app))
        .toThrow(/target account '222222222222' is another account, but artifactStores 'Shared\/Stores' have no KMS keys .*add '222222222222' to the ArtifactStores trustedAccounts/);
    });

    test('fails when the source is in another region', () => {
      const app = createTestApp();
      const stack = new Stack(app, 'Pipe', { env });
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'Src', { bucketName: 'src-bucket', region: 'us-east-1' });
      expect(() => new CrossRegionCfnPipeline(stack, 'Deploy', {
        source: PipelineSource.s3(bucket, 'app.zip'), buildStep: { buildSpec }, stackName: 'app', allowEmptyExecutionPolicy: true, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1' }] }],
      })).toThrow(/the source action 'Source' is in region 'us-east-1', but CodePipeline runs source actions in the pipeline's region 'eu-west-1'/);
    });

    test('fails when templatePath has an unknown placeholder', () => {
      expect(() => setup({ templatePath: 'template-{stage}.yaml' }))
        .toThrow(/templatePath 'template-\{stage\}.yaml' has the unknown placeholder '\{stage\}'; use only \{region\} and \{account\}/);
    });

    test('fails when a stack set templatePath has placeholders', () => {
      expect(() => setup({ deployment: CfnDeployment.stackSet({ templatePath: 'template-{region}.yaml' }) }))
        .toThrow(/a stack set deploys one template everywhere/);
    });

    test('fails when a stack set percentage is out of range', () => {
      expect(() => CfnDeployment.stackSet({ failureTolerancePercentage: 120 })).toThrow(/failureTolerancePercentage 120 is not a whole percentage; pass 0-100/);
    });

    test('fails when a wave name is not a stage name or is used twice', () => {
      expect(() => setup({ waves: [{ waveName: 'Pro d', targets: [{ region: 'eu-west-1' }] }] })).toThrow(/waveName 'Pro d' is not a valid stage name/);
      expect(() => setup({ waves: [{ waveName: 'P', targets: [{ region: 'eu-west-1' }] }, { waveName: 'P', targets: [{ region: 'us-east-1' }] }] }))
        .toThrow(/waveName 'P' is used by two waves/);
    });

    test('fails when the test stack has no tests', () => {
      expect(() => setup({ testStack: { stackName: 't', tests: [] } })).toThrow(/testStack.tests is empty/);
    });

    test('fails when a wave has no targets property (JavaScript callers)', () => {
      expect(() => setup({ waves: [{ waveName: 'Prod' } as any] })).toThrow(/CrossRegionCfnPipeline 'Deploy': waves\[0\]\.targets is missing/);
    });

    test('fails when a wave name is a stage name the pipeline defines itself', () => {
      for (const name of ['Source', 'Build']) {
        expect(() => setup({ waves: [{ waveName: name, targets: [{ region: 'eu-west-1' }] }] }))
          .toThrow(new RegExp(`CrossRegionCfnPipeline 'Deploy': waveName '${name}' is the name of a stage the pipeline defines itself`));
      }
      expect(() => setup({ testStack: { stackName: 'app-test', tests: [{ name: 'Smoke', buildSpec }] }, waves: [{ waveName: 'Test', targets: [{ region: 'eu-west-1' }] }] }))
        .toThrow(/waveName 'Test' is the name of a stage the pipeline defines itself \(Source, Build, Test\)/);
      // Without a test stack, 'Test' is free.
      expect(setup({ waves: [{ waveName: 'Test', targets: [{ region: 'eu-west-1' }] }] }).pipeline.stageNames).toContain('Test');
    });

    test('fails when a wave name is a stage name of another wave', () => {
      expect(() => setup({ waves: [{ waveName: 'A', targets: [{ region: 'eu-west-1' }] }, { waveName: 'A.ChangeSets', targets: [{ region: 'us-east-1' }] }] }))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': waveName 'A.ChangeSets' is also the name of a stage of wave 'A'/);
      expect(() => setup({ waves: [{ waveName: 'A.2', targets: [{ region: 'eu-west-1' }] }, { waveName: 'A', targets: [{ region: 'us-east-1' }] }] }))
        .toThrow(/waveName 'A.2' is also the name of a stage of wave 'A'/);
    });

    test('fails when a test of the test stack is named Deploy or Delete, or two tests share a name', () => {
      for (const name of ['Deploy', 'Delete']) {
        expect(() => setup({ testStack: { stackName: 'app-test', tests: [{ name, buildSpec }] } }))
          .toThrow(new RegExp(`CrossRegionCfnPipeline 'Deploy': test '${name}' of testStack has the name of the test stack's own '${name}' action`));
      }
      expect(() => setup({ testStack: { stackName: 'app-test', tests: [{ name: 'Smoke', buildSpec }, { name: 'Smoke', buildSpec }] } }))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': test name 'Smoke' is used by two tests of testStack/);
    });

    test('fails when a stack name or change set name is not a CloudFormation name', () => {
      expect(() => setup({ stackName: 'my_stack!' })).toThrow(/CrossRegionCfnPipeline 'Deploy': the pipeline has the stack name 'my_stack!', which CloudFormation rejects/);
      expect(() => setup({ waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', stackName: '1bad name' }] }] }))
        .toThrow(/target 1 of wave 'W' has the stack name '1bad name', which CloudFormation rejects; use 1-128 characters/);
      expect(() => setup({ changeSetName: 'bad name!' })).toThrow(/CrossRegionCfnPipeline 'Deploy': changeSetName 'bad name!' is not a CloudFormation change set name/);
      expect(() => setup({ testStack: { stackName: 'bad name', tests: [{ name: 'Smoke', buildSpec }] } }))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': testStack has the stack name 'bad name', which CloudFormation rejects/);
      expect(() => setup({ deployment: CfnDeployment.stackSet({ stackSetName: 'bad_set' }) }))
        .toThrow(/the stack set has the stack set name 'bad_set', which CloudFormation rejects/);
    });

    test('fails when organizationalUnits are given without a service-managed stack set', () => {
      const waves = [{ waveName: 'Org', organizationalUnits: ['ou-ab12-cdefgh34'], targets: [{ region: 'eu-west-1' }] }];
      expect(() => setup({ waves })).toThrow(/CrossRegionCfnPipeline 'Deploy': wave 'Org' has organizationalUnits, which only a stack set deploys to/);
      expect(() => setup({ waves, deployment: CfnDeployment.stackSet() }))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': wave 'Org' has organizationalUnits, but the stack set is self-managed .*StackSetDeploymentModel.organizations\(\)/);
      expect(() => setup({ waves, deployment: CfnDeployment.stackSet({ deploymentModel: cpactions.StackSetDeploymentModel.selfManaged() }) }))
        .toThrow(/but the stack set is self-managed/);
      const app = createTestApp();
      const admin = iam.Role.fromRoleName(new Stack(app, 'Admin', { env }), 'Admin', 'stackset-admin');
      const deploymentModel = cpactions.StackSetDeploymentModel.selfManaged({ administrationRole: admin });
      expect(() => setup({ waves, deployment: CfnDeployment.stackSet({ deploymentModel }) }, app))
        .toThrow(/but the stack set is self-managed/);
    });

    test('fails when a stack set target has an executionRole, parameterOverrides or stackName', () => {
      const app = createTestApp();
      const other = new Stack(app, 'Other', { env });
      const executionRole = iam.Role.fromRoleName(other, 'Exec', 'exec');
      const deployment = CfnDeployment.stackSet();
      expect(() => setup({ deployment, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', executionRole }] }] }, app))
        .toThrow(/CrossRegionCfnPipeline 'Deploy': target 1 of wave 'W' has an executionRole, which a stack set does not use/);
      expect(() => setup({ deployment, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', parameterOverrides: { A: 'b' } }] }] }))
        .toThrow(/target 1 of wave 'W' has parameterOverrides, which a stack set does not use.*CfnDeployment.stackSet\(\{ parameters \}\)/);
      expect(() => setup({ deployment, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1', stackName: 'other' }] }] }))
        .toThrow(/target 1 of wave 'W' has a stackName, which a stack set does not use/);
    });

    test('fails when there are more than 50 stages', () => {
      const waves = Array.from({ length: 25 }, (_, i) => ({ waveName: `W${i}`, targets: [{ region: 'eu-west-1' }] }));
      expect(() => setup({ waves })).toThrow(/the pipeline needs 52 stages but CodePipeline allows 50; merge waves, or deploy through CfnDeployment.stackSet/);
    });
  });
});
