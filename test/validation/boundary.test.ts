import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import {
  ApprovalGate, ArtifactStores, BuildStep, CdkAssetPublishing, CdkSelfUpdate, CdkStageDeployment, CrossRegionCfnPipeline,
  DeployStrategy, DeployTarget, EksDeployment, PipelineSource, SourceBuildDeployPipeline,
} from '../../src';

const ENV = { account: '111111111111', region: 'eu-west-1' };
function stack(env: any = ENV): Stack {
  return new Stack(new App(), 'S', { env });
}
let repoCount = 0;
const repo = (s: Stack) => codecommit.Repository.fromRepositoryName(s, `Repo${repoCount++}`, 'app');
const target = () => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true });
const sbdp = (s: Stack, props: any) => new SourceBuildDeployPipeline(s, 'Pipeline', props);
const valid = (s: Stack): any => ({ source: PipelineSource.codeCommit(repo(s)), buildStep: {}, stages: [{ stageName: 'Prod', targets: [target()] }] });

describe('clear errors at the construct boundary (issue 12 examples)', () => {
  test('fails when source is missing', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), source: undefined })).toThrow(/^SourceBuildDeployPipeline 'Pipeline': source is missing; pass a source, e.g. PipelineSource.codeCommit/);
  });
  test('fails when CrossRegionCfnPipeline has no buildStep', () => {
    const s = stack();
    expect(() => new CrossRegionCfnPipeline(s, 'X', { source: PipelineSource.codeCommit(repo(s)), stackName: 'app', waves: [] } as any))
      .toThrow(/^CrossRegionCfnPipeline 'X': buildStep is missing; pass build options/);
  });
  test('fails when stages is one object and when targets is not an array', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), stages: { stageName: 'Prod', targets: [target()] } })).toThrow(/stages is an object with stageName, targets, not an array; pass a list of stages/);
    const s2 = stack();
    expect(() => sbdp(s2, { ...valid(s2), stages: [{ stageName: 'Prod', targets: target() }] })).toThrow(/stages\[0\]\.targets is an instance of KindTarget, not an array/);
  });
  test('fails when timeout is a number', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), buildStep: { timeout: 30 } })).toThrow(/buildStep\.timeout is a number \(30\), not a Duration; pass e\.g\. Duration\.minutes\(30\)/);
  });
  test('fails when source is the repository itself', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), source: repo(s) })).toThrow(/source is an instance of Import, not a PipelineSource; pass a source, e\.g\. PipelineSource\.codeCommit\(repository\) \(not the repository itself\)/);
  });
  test('fails when DeployTarget.cloudFormation has no templatePath', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', allowEmptyExecutionPolicy: true } as any)).toThrow(/^DeployTarget\.cloudFormation: options\.templatePath is missing; pass the template in an artifact/);
  });
  test('fails when a gate is a plain object', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), stages: [{ stageName: 'Prod', targets: [target()], gate: { manual: true } }] }))
      .toThrow(/stages\[0\]\.gate is an object with manual, not an IStageGate; pass a gate, e.g. new ApprovalGate/);
    expect(() => new ApprovalGate(stack(), 'Gate', { timeout: 'PT1H' } as any)).toThrow(/^ApprovalGate 'Gate': timeout is a string \('PT1H'\), not a Duration/);
  });
  test('fails when there are no props at all', () => {
    expect(() => new (SourceBuildDeployPipeline as any)(stack(), 'Pipeline')).toThrow(/^SourceBuildDeployPipeline 'Pipeline': props is missing; pass an object with at least source, stages\./);
    expect(() => new (SourceBuildDeployPipeline as any)(undefined, 'Pipeline', {})).toThrow(/^SourceBuildDeployPipeline 'Pipeline': scope is undefined, not a construct/);
    expect(() => (DeployTarget as any).ecs()).toThrow(/^DeployTarget\.ecs: options is missing/);
    expect(() => new ArtifactStores(stack(), 'Stores', 'eu-west-1' as any)).toThrow(/^ArtifactStores 'Stores': props is a string \('eu-west-1'\), not an object/);
  });
  test('fails when a target is in another region and the stack has no env', () => {
    const s = new Stack(new App(), 'NoEnv');
    const t = DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true, region: 'us-west-2' });
    expect(() => sbdp(s, { ...valid(s), stages: [{ stageName: 'Prod', targets: [t] }] }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action '.*' deploys to region 'us-west-2' but stack 'NoEnv' has no region; .*give the stack an env/);
  });
});

describe('escapes the boundary fuzz found (test/validation/fuzz-table.ts), one example each', () => {
  test('src/cdk constructs check their props and action options', () => {
    expect(() => new (CdkAssetPublishing as any)(stack(), 'Assets', { stages: [] })).toThrow(/^CdkAssetPublishing 'Assets': artifactBucket is missing; pass a bucket/);
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'B', 'artifacts');
    expect(() => new CdkSelfUpdate(s, 'Update', { artifactBucket: bucket, pipelineStack: s, timeout: 30 } as any))
      .toThrow(/^CdkSelfUpdate 'Update': timeout is a number \(30\), not a Duration/);
    expect(() => new CdkSelfUpdate(s, 'Update2', { artifactBucket: bucket, pipelineStack: s }).action({} as any))
      .toThrow(/^CdkSelfUpdate 'Update2'\.action: options\.input is missing; pass an artifact/);
    expect(() => CdkStageDeployment.fromStage(s as any)).toThrow(/^CdkStageDeployment\.fromStage: stage is an instance of \w+, not a Stage/);
  });
  test('factories that took anything now check it', () => {
    expect(() => EksDeployment.kubectl('k8s/app.yaml' as any)).toThrow(/^EksDeployment\.kubectl: manifestFiles is a string \('k8s\/app\.yaml'\), not an array/);
    expect(() => DeployStrategy.canary(10, 5 as any)).toThrow(/^DeployStrategy\.canary: interval is a number \(5\), not a Duration/);
    expect(() => DeployTarget.commands({ commands: 'npm test' } as any)).toThrow(/^DeployTarget\.commands: options\.commands is a string \('npm test'\), not an array/);
    expect(() => DeployTarget.stepFunctions({ stateMachine: { stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:m' } as any, executionNamePrefix: 'a{b' }))
      .toThrow(/^DeployTarget\.stepFunctions: options\.executionNamePrefix is a string \('a\{b'\), not an execution name prefix/);
  });
  test('a name that is an Object.prototype member is no artifact', () => {
    const s = stack();
    const artifact = new codepipeline.Artifact('BuildOutput');
    const t = DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'valueOf::app.json', allowEmptyExecutionPolicy: true });
    expect(() => t.bind(s, { stageName: 'Prod', runOrder: 1, defaultInput: artifact, artifacts: { BuildOutput: artifact } }))
      .toThrow(/^Stack 'S': stage 'Prod', action 'app': templatePath 'valueOf' is an artifact nobody produces before this stage; use one of 'BuildOutput'/);
  });
  test('an artifact named after an Object.prototype member is reserved (aws-cdk-lib\'s pipeline validation threw a TypeError on it)', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), buildStep: { outputs: ['constructor'] } }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': output artifact name of 'Build' 'constructor' is reserved/);
  });
  test('failure notification logRetention is one of logs.RetentionDays', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), notifications: { logRetention: 4 } }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': notifications\.logRetention is a number \(4\), not a logs\.RetentionDays/);
  });
  test('grantApprove before the gate is attached, to a principal that cannot hold policies, does not fail', () => {
    const s = stack();
    const gate = new ApprovalGate(s, 'Gate', { manual: true });
    expect(() => gate.grantApprove(lambda.Function.fromFunctionArn(s, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:f'))).not.toThrow();
    expect(() => gate.grantApprove(undefined as any)).toThrow(/^ApprovalGate 'Gate'\.grantApprove: grantee is missing; pass a role or user/);
  });
});

describe('variables', () => {
  test('source.variable gives the default namespace and checks the provider outputs', () => {
    const s = stack();
    expect(PipelineSource.codeCommit(repo(s)).variable('CommitId')).toBe('#{SourceVariables.CommitId}');
    expect(PipelineSource.codeCommit(repo(s), { variablesNamespace: 'Src' }).variable('BranchName')).toBe('#{Src.BranchName}');
    expect(() => PipelineSource.codeCommit(repo(s)).variable('VersionId')).toThrow(/^PipelineSource\.variable\('VersionId'\): this source outputs no variable 'VersionId'; use one of AuthorDate, BranchName, CommitId/);
  });
  test('BuildStep.variable gives #{BuildVariables.NAME} and rejects names that are not variables', () => {
    expect(BuildStep.variable('IMAGE_TAG')).toBe('#{BuildVariables.IMAGE_TAG}');
    expect(() => BuildStep.variable('not a name')).toThrow(/^BuildStep\.variable\('not a name'\): the name is not an environment variable name/);
  });
});

/** Random JavaScript values of every kind a user could pass by mistake. */
const anyValue = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.string(), fc.boolean(),
  fc.array(fc.anything(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), fc.constant(Duration.minutes(5)),
  fc.constant(new Date()), fc.constant(() => 1), fc.constant(Symbol('x')),
);

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

describe('property: random values in any prop give only our clear errors', () => {
  const entries: [string, RegExp, (value: unknown, prop: string) => void][] = [
    ['SourceBuildDeployPipeline', /^SourceBuildDeployPipeline 'Pipeline': /, (value, prop) => { const s = stack(); sbdp(s, { ...valid(s), [prop]: value }); }],
    ['DeployTarget.cloudFormation', /^DeployTarget\.cloudFormation/, (value, prop) => { DeployTarget.cloudFormation({ stackName: 'a', templatePath: 'B::t.json', allowEmptyExecutionPolicy: true, [prop]: value } as any); }],
    ['ApprovalGate', /^ApprovalGate 'Gate': /, (value, prop) => { new ApprovalGate(stack(), 'Gate', { [prop]: value } as any); }],
    ['PipelineSource.codeCommit', /^PipelineSource\.codeCommit/, (value, prop) => { const s = stack(); PipelineSource.codeCommit(repo(s), { [prop]: value } as any); }],
  ];
  const props: { [entry: string]: string[] } = {
    'SourceBuildDeployPipeline': ['source', 'buildStep', 'tests', 'stages', 'pipelineName', 'pipelineType', 'executionMode', 'variables', 'artifactBucket', 'artifactExpiration', 'encryptionKey', 'notifications', 'failureNotifications', 'restartExecutionOnUpdate'],
    'DeployTarget.cloudFormation': ['stackName', 'templatePath', 'changeSet', 'changeSetName', 'extraInputs', 'capabilities', 'executionRole', 'executionPolicy', 'allowEmptyExecutionPolicy', 'account', 'region', 'actionName'],
    'ApprovalGate': ['manual', 'emails', 'notificationTopic', 'message', 'reviewUrl', 'timeout', 'approvers', 'actionName', 'alarms', 'checks', 'rules', 'deploymentWindow', 'rollbackOnFailure'],
    'PipelineSource.codeCommit': ['branch', 'trigger', 'fullClone', 'actionName', 'variablesNamespace'],
  };
  test.each(entries)('%s', (name, prefix, make) => {
    fc.assert(fc.property(fc.constantFrom(...props[name]), anyValue, (prop, value) => {
      try {
        make(value, prop);
      } catch (e) {
        if (!(e instanceof Error) || e instanceof TypeError || !prefix.test(e.message)) {
          throw new Error(`escape for ${prop}=${String(typeof value === 'symbol' ? 'symbol' : JSON.stringify(value))}: ${e}`);
        }
      }
    }), { seed: 12, numRuns: RUNS });
  });
});
