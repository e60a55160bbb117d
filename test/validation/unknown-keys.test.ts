import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import { apiSurface } from './api-surface';
import { ENTRIES, runUnknownKey, structPoints, World } from './fuzz-table';
import * as lib from '../../src';
import { closest, editDistance } from '../../src/private/validate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const stack = () => new Stack(new App(), 'S', { env: ENV });
let repos = 0;
const repo = (s: Stack) => codecommit.Repository.fromRepositoryName(s, `Repo${repos++}`, 'app');
const target = () => lib.DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true });
const valid = (s: Stack): any => ({ source: lib.PipelineSource.codeCommit(repo(s)), buildStep: {}, stages: [{ stageName: 'Prod', targets: [target()] }] });
const sbdp = (s: Stack, props: any) => new lib.SourceBuildDeployPipeline(s, 'Pipeline', props);

describe('unknown keys fail naming the key, the closest known key and the valid keys (issue 22 examples)', () => {
  test('fails when notifications has emial instead of emails', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), notifications: { emial: ['ops@example.com'] } }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': notifications has an unknown key 'emial' \(did you mean 'emails'\?\); the valid keys are topic, emails, /);
  });
  test('fails when ApprovalGate has rollbackOnAlarm instead of rollbackOnAlarms', () => {
    expect(() => new lib.ApprovalGate(stack(), 'Gate', { rollbackOnAlarm: [] } as any))
      .toThrow(/^ApprovalGate 'Gate': props has an unknown key 'rollbackOnAlarm' \(did you mean 'rollbackOnAlarms'\?\); the valid keys are manual, .*rollbackOnAlarms/);
  });
  test('fails when approvers is on a stage instead of its gate', () => {
    const s = stack();
    const releasers = iam.Role.fromRoleName(s, 'Releasers', 'releasers');
    expect(() => sbdp(s, { ...valid(s), stages: [{ stageName: 'Prod', targets: [target()], approvers: [releasers] }] }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': stages\[0\] has an unknown key 'approvers'; the valid keys are stageName, targets, gate/);
  });
  test('fails when build is given instead of buildStep', () => {
    const s = stack();
    const { buildStep, ...rest } = valid(s);
    expect(() => sbdp(s, { ...rest, build: buildStep })).toThrow(/^SourceBuildDeployPipeline 'Pipeline': props has an unknown key 'build' \(did you mean 'buildStep'\?\)/);
  });
  test('fails when approval is given instead of gate (the key first, not "gate not attached")', () => {
    const s = stack();
    const gate = new lib.ApprovalGate(s, 'Gate', { manual: true });
    expect(() => sbdp(s, { ...valid(s), stages: [{ stageName: 'Prod', targets: [target()], approval: gate }] }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': stages\[0\] has an unknown key 'approval'; the valid keys are stageName, targets, gate/);
  });
  test('fails for a misspelt key of a nested option struct and of a factory\'s options', () => {
    const s = stack();
    expect(() => sbdp(s, { ...valid(s), buildStep: { timout: 1 } })).toThrow(/buildStep has an unknown key 'timout' \(did you mean 'timeout'\?\)/);
    expect(() => lib.PipelineSource.codeCommit(repo(s), { brnch: 'main' } as any)).toThrow(/^PipelineSource\.codeCommit: options has an unknown key 'brnch' \(did you mean 'branch'\?\)/);
    const alarm = cloudwatch.Alarm.fromAlarmArn(s, 'A', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors');
    expect(() => new lib.CloudWatchAlarmRule({ alarm, alarmState: ['ALARM'] } as any)).toThrow(/^CloudWatchAlarmRule: props has an unknown key 'alarmState' \(did you mean 'alarmStates'\?\)/);
  });
  test('fails for Object.prototype names as keys, which are never known keys', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const props: any = { manual: true };
      Object.defineProperty(props, key, { value: 1, enumerable: true });
      expect(() => new lib.ApprovalGate(stack(), 'Gate', props)).toThrow(new RegExp(`^ApprovalGate 'Gate': props has an unknown key '${key}'; the valid keys are`));
    }
  });
  test('several unknown keys are named together', () => {
    expect(() => new lib.ApprovalGate(stack(), 'Gate', { manul: true, emial: [] } as any))
      .toThrow(/props has unknown keys 'manul' \(did you mean 'manual'\?\), 'emial' \(did you mean 'emails'\?\)/);
  });
  test('a key set to undefined is still unknown; known keys set to undefined are fine', () => {
    expect(() => new lib.ApprovalGate(stack(), 'Gate', { manual: true, emial: undefined } as any)).toThrow(/unknown key 'emial'/);
    expect(() => new lib.ApprovalGate(stack(), 'Gate', { manual: true, emails: undefined })).not.toThrow();
  });
  test('open objects (an event pattern, a pipeline\'s CloudFormation properties) keep their own keys', () => {
    const s = stack();
    const gate = new lib.ApprovalGate(s, 'Gate', { manual: true });
    expect(() => gate.onApproved('Approved', { eventPattern: { detail: { anything: ['x'] } } })).not.toThrow();
    expect(() => lib.PipelineChecks.checkProperties({ PipelineType: 'V2', Stages: [], Anything: 1 }, ENV)).not.toThrow();
  });
});

describe('closest known key', () => {
  test('edit distance counts a transposition as one edit', () => {
    expect(editDistance('emial', 'email')).toBe(1);
    expect(editDistance('emial', 'emails')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });
  test('suggests the closest key within reach, a key the typo is a prefix of, and nothing when none is close', () => {
    expect(closest('rollbackOnAlarm', ['rollbackOnAlarms', 'rollbackOnFailure'])).toBe('rollbackOnAlarms');
    expect(closest('build', ['buildStep', 'source', 'stages'])).toBe('buildStep');
    expect(closest('Timeout', ['timeout'])).toBe('timeout');
    expect(closest('approval', ['stageName', 'targets', 'gate'])).toBeUndefined();
    expect(closest('constructor', ['manual'])).toBeUndefined();
  });
});

/**
 * Every struct of every public callable (API.md: each props interface and nested option struct)
 * rejects a key it does not have, and the valid keys our message lists are exactly the
 * interface's members: a prop added to an interface and forgotten in its spec fails here.
 */
describe('each spec is the interface: unknown key rejected, valid keys = API.md struct members', () => {
  const cases = ENTRIES.flatMap((entry) => structPoints(entry, entry.args(new World()))
    .map((point) => [`${entry.name} ${point.struct} at ${point.arg}:${point.path.join('.')}`, entry, point] as const));

  test('there are struct points to check (the props of every construct among them)', () => {
    const structs = new Set(cases.map(([, , p]) => p.struct));
    for (const s of ['SourceBuildDeployPipelineProps', 'CrossRegionCfnPipelineProps', 'ApprovalGateProps', 'DeployStageOptions', 'TestOptions', 'BuildOptions', 'FailureNotificationsOptions']) {
      expect([...structs]).toContain(s);
    }
  });

  test('every struct of API.md is checked here, unless it is something we return or a base interface (with why)', () => {
    const OUTPUT_OR_BASE: { [struct: string]: string } = {
      CdkAssetEnvironment: 'returned by CdkStageDeployment',
      CdkStackDeployment: 'returned by CdkStageDeployment.stacksAt',
      DeployTargetBinding: 'returned by DeployTarget.bind',
      ReviewedChangeSet: 'returned by DeployTarget.bind (DeployTargetBinding.changeSets)',
      GateRuleConfig: 'returned by GateRule.bind',
      StageGateBinding: 'returned by IStageGate.bindToStage',
      PipelineFinding: 'returned by PipelineChecks',
      PipelineRule: 'PipelineChecks.RULES',
      RegionalArtifactStore: 'returned by ArtifactStores.forRegion',
      SourceBinding: 'returned by PipelineSource.bind',
      GateRuleOptions: 'base of every rule\'s props (checked through each)',
      SourceCommonOptions: 'base of every source\'s options (checked through each)',
    };
    const covered = new Set(cases.map(([, , p]) => p.struct));
    expect([...apiSurface().structs.keys()].filter((s) => !covered.has(s) && !(s in OUTPUT_OR_BASE))).toEqual([]);
  });

  test.each(cases)('%s', (_name, entry, point) => {
    const result = runUnknownKey(entry, point, 'zzUnknownKey');
    expect(result.problem).toBeUndefined();
    expect([...result.validKeys!].sort()).toEqual([...apiSurface().structs.get(point.struct)!.map((p) => p.name)].sort());
  });
});
