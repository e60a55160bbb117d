/**
 * fast-check generators of pipeline shapes, valid and invalid, shared by the in-suite property
 * test (`property.test.ts`) and the long run (`scripts/fuzz.ts`).
 *
 * `pipelineJson` draws CloudFormation `Properties` of an `AWS::CodePipeline::Pipeline` (the L1 shape);
 * `l2Shape` draws a shape that `buildL2` turns into an aws-codepipeline L2 `Pipeline`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationValidatePlugin, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { ACCOUNT, OTHER_ACCOUNT, REGION } from './fixtures';

type Json = { [key: string]: any };
type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;

const ARTIFACTS = ['A0', 'A1', 'A2', 'A3', 'A4'];
const artifactName = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...ARTIFACTS) }, { weight: 1, arbitrary: fc.constantFrom('Bad.Name', '', 'x'.repeat(101)) });
const stageName = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('Source', 'Build', 'Test', 'Deploy', 'Prod', 'Stage-1', 'a.b@c_d') },
  { weight: 1, arbitrary: fc.constantFrom('Bad Name', 'x'.repeat(101), 'é') });
const actionName = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('Act', 'Build', 'Deploy', 'Check', 'Run.1', 'Do@2') },
  { weight: 1, arbitrary: fc.constantFrom('Bad Name', 'x'.repeat(101)) });
const OTHER_REGION = 'us-east-1';

interface ActionKind {
  readonly category: string;
  readonly provider: string;
  readonly owner?: string;
  readonly config: Json;
}

const KINDS: ActionKind[] = [
  { category: 'Source', provider: 'S3', config: { S3Bucket: 'b', S3ObjectKey: 'k.zip', PollForSourceChanges: 'false' } },
  { category: 'Source', provider: 'CodeCommit', config: { RepositoryName: 'repo', BranchName: 'main' } },
  { category: 'Source', provider: 'ECR', config: { RepositoryName: 'repo' } },
  { category: 'Source', provider: 'CodeStarSourceConnection', config: { ConnectionArn: `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/x`, FullRepositoryId: 'o/r', BranchName: 'main' } },
  { category: 'Build', provider: 'CodeBuild', config: { ProjectName: 'project' } },
  { category: 'Test', provider: 'CodeBuild', config: { ProjectName: 'project' } },
  { category: 'Deploy', provider: 'S3', config: { BucketName: 'deploy', Extract: 'true' } },
  { category: 'Deploy', provider: 'CloudFormation', config: { ActionMode: 'CREATE_UPDATE', StackName: 'stack', RoleArn: `arn:aws:iam::${ACCOUNT}:role/cfn` } },
  { category: 'Approval', provider: 'Manual', config: {} },
  { category: 'Invoke', provider: 'Lambda', config: { FunctionName: 'fn' } },
  { category: 'Compute', provider: 'Commands', config: {} },
  { category: 'Invoke', provider: 'StepFunctions', config: { StateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:sm` } },
];

const actionArb = fc.record({
  name: actionName,
  kind: fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...KINDS) },
    { weight: 1, arbitrary: fc.constantFrom<ActionKind>({ category: 'Magic', provider: 'S3', config: {} }, { category: 'Build', provider: 'CodeBuild', owner: 'Amazon', config: {} }) }),
  inputs: fc.array(artifactName, { maxLength: 3 }),
  outputs: fc.array(artifactName, { maxLength: 2 }),
  runOrder: fc.option(fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 999, 1000, 1.5) }), { freq: 2 }),
  region: fc.option(fc.constantFrom(REGION, OTHER_REGION), { freq: 6 }),
  crossAccount: fc.boolean(),
  timeout: fc.option(fc.constantFrom(4, 5, 60, 10080, 86400, 86401), { freq: 6 }),
  namespace: fc.option(fc.constantFrom('Vars', 'Ns@1', 'bad.ns'), { freq: 6 }),
  templatePath: fc.option(fc.constantFrom('A0::t.json', 'A1::t.json'), { freq: 3 }),
  longConfig: fc.option(fc.constantFrom(1000, 1001), { freq: 10 }),
  reference: fc.option(fc.constantFrom('#{Vars.x}', '#{Ns@1.CommitId}', '#{codepipeline.PipelineExecutionId}', '#{codepipeline.Nope}', '#{variables.Env}', '#{Nope.x}'), { freq: 4 }),
});

function renderAction(a: Infer<typeof actionArb>): Json {
  const ret: Json = {
    Name: a.name,
    ActionTypeId: { Category: a.kind.category, Owner: a.kind.owner ?? 'AWS', Provider: a.kind.provider, Version: '1' },
  };
  const config: Json = { ...a.kind.config };
  if (a.templatePath && a.kind.provider === 'CloudFormation') config.TemplatePath = a.templatePath;
  if (a.longConfig) config.Extra = 'v'.repeat(a.longConfig);
  if (a.reference) config.Reference = a.reference;
  if (a.kind.provider === 'Commands') ret.Commands = ['echo hi'];
  if (Object.keys(config).length) ret.Configuration = config;
  if (a.inputs.length) ret.InputArtifacts = a.inputs.map((n) => ({ Name: n }));
  if (a.outputs.length) ret.OutputArtifacts = a.outputs.map((n) => ({ Name: n }));
  if (a.runOrder !== null) ret.RunOrder = a.runOrder;
  if (a.region !== null) ret.Region = a.region;
  if (a.crossAccount) ret.RoleArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${OTHER_ACCOUNT}:role/deploy`]] };
  if (a.timeout !== null && a.kind.provider === 'Manual') ret.TimeoutInMinutes = a.timeout;
  if (a.namespace !== null) ret.Namespace = a.namespace;
  return ret;
}

const conditionArb = fc.record({
  result: fc.constantFrom('FAIL', 'ROLLBACK'),
  rules: fc.integer({ min: 0, max: 6 }),
});

const conditionsArb = fc.option(fc.array(conditionArb, { minLength: 0, maxLength: 2 }), { freq: 8 });

function renderConditions(conditions: Array<Infer<typeof conditionArb>>, kind: string): Json[] {
  return conditions.map((c) => {
    const ret: Json = {
      Rules: Array.from({ length: c.rules }, (_, i) => ({
        Name: `Rule${i}`,
        RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
        Configuration: { AlarmName: `alarm-${i}` },
      })),
    };
    ret.Result = kind === 'BeforeEntry' ? 'FAIL' : c.result;
    if (c.rules === 0) delete ret.Rules;
    return ret;
  });
}

const stageArb = fc.record({
  name: stageName,
  actions: fc.array(actionArb, { minLength: 0, maxLength: 4 }),
  beforeEntry: conditionsArb,
  onSuccess: conditionsArb,
  onFailure: fc.option(fc.constantFrom('ROLLBACK', 'FAIL'), { freq: 8 }),
});

const patterns = (max: number) => fc.array(fc.constantFrom('main', 'release/*', 'v*', 'src/**'), { minLength: 1, maxLength: max });

const triggerArb = fc.record({
  sourceActionName: actionName,
  push: fc.option(fc.array(fc.record({ branches: fc.option(patterns(9), { freq: 2 }), tags: fc.option(patterns(3), { freq: 2 }) }),
    { minLength: 0, maxLength: 4 }), { freq: 2 }),
  pullRequest: fc.option(fc.array(fc.record({ branches: fc.option(patterns(3), { freq: 4 }) }), { minLength: 0, maxLength: 4 }), { freq: 3 }),
});

export const pipelineArb = fc.record({
  stages: fc.oneof(
    { weight: 40, arbitrary: fc.array(stageArb, { minLength: 1, maxLength: 5 }) },
    { weight: 1, arbitrary: fc.array(stageArb, { minLength: 0, maxLength: 1 }) }),
  name: fc.option(fc.constantFrom('my-pipeline', 'bad name'), { freq: 3 }),
  pipelineType: fc.option(fc.constantFrom('V1', 'V2'), { freq: 4 }),
  executionMode: fc.option(fc.constantFrom('SUPERSEDED', 'QUEUED', 'PARALLEL'), { freq: 3 }),
  variables: fc.option(fc.array(fc.constantFrom('Env', 'Stage', 'bad name'), { minLength: 1, maxLength: 3 }), { freq: 6 }),
  triggers: fc.option(fc.array(triggerArb, { minLength: 1, maxLength: 2 }), { freq: 6 }),
  stores: fc.constantFrom<'single' | 'multi' | 'multi-other' | 'both'>('single', 'single', 'multi', 'multi', 'multi-other', 'both'),
  encrypted: fc.boolean(),
});

export type PipelineShape = Infer<typeof pipelineArb>;

function storeOf(location: string, encrypted: boolean): Json {
  const ret: Json = { Type: 'S3', Location: location };
  if (encrypted) ret.EncryptionKey = { Type: 'KMS', Id: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k` };
  return ret;
}

/** The CloudFormation `Properties` of the drawn pipeline. */
export function renderPipeline(p: PipelineShape): Json {
  const props: Json = { RoleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline` };
  if (p.name !== null) props.Name = p.name;
  if (p.pipelineType !== null) props.PipelineType = p.pipelineType;
  if (p.executionMode !== null) props.ExecutionMode = p.executionMode;
  if (p.stores === 'single' || p.stores === 'both') props.ArtifactStore = storeOf('artifacts', p.encrypted);
  if (p.stores !== 'single') {
    const regions = p.stores === 'multi-other' ? [OTHER_REGION] : [REGION, OTHER_REGION];
    props.ArtifactStores = regions.map((r) => ({ Region: r, ArtifactStore: storeOf(`artifacts-${r}`, p.encrypted) }));
  }
  if (p.variables) props.Variables = p.variables.map((n) => ({ Name: n }));
  if (p.triggers) {
    props.Triggers = p.triggers.map((t) => {
      const git: Json = { SourceActionName: t.sourceActionName };
      if (t.push) {
        git.Push = t.push.map((f) => ({
          ...(f.branches ? { Branches: { Includes: f.branches } } : {}),
          ...(f.tags ? { Tags: { Includes: f.tags } } : {}),
        }));
      }
      if (t.pullRequest) git.PullRequest = t.pullRequest.map((f) => ({ Events: ['OPEN'], ...(f.branches ? { Branches: { Includes: f.branches } } : {}) }));
      return { ProviderType: 'CodeStarSourceConnection', GitConfiguration: git };
    });
  }
  props.Stages = p.stages.map((s) => {
    const stage: Json = { Name: s.name, Actions: s.actions.map(renderAction) };
    if (s.beforeEntry) stage.BeforeEntry = { Conditions: renderConditions(s.beforeEntry, 'BeforeEntry') };
    if (s.onSuccess) stage.OnSuccess = { Conditions: renderConditions(s.onSuccess, 'OnSuccess') };
    if (s.onFailure) stage.OnFailure = { Result: s.onFailure };
    return stage;
  });
  return props;
}

/** Pipelines that are far more often valid: a source stage, then build/deploy stages over produced artifacts. */
export const mostlyValidPipelineArb = fc.record({
  stageCount: fc.integer({ min: 2, max: 6 }),
  perStage: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
  kinds: fc.array(fc.constantFrom(4, 5, 6, 7, 8, 9), { minLength: 18, maxLength: 18 }),
  pipelineType: fc.constantFrom(undefined, 'V2'),
  crossRegion: fc.boolean(),
}).map((s) => {
  const stages: Json[] = [{ Name: 'Source', Actions: [{ ...renderAction(fixedAction(KINDS[0], 'Source', [], ['Src'])) }] }];
  let produced = ['Src'];
  // Variable namespaces of earlier stages: CodeBuild actions declare one, approvals read the latest (a valid reference).
  let namespaces: string[] = [];
  let k = 0;
  for (let i = 1; i < s.stageCount; i++) {
    const acts: Json[] = [];
    const made: string[] = [];
    const declared: string[] = [];
    for (let j = 0; j < s.perStage[i]; j++) {
      const kind = KINDS[s.kinds[k++ % s.kinds.length]];
      const bounds = kind.provider === 'Manual' ? [0, 0] : kind.provider === 'CodeBuild' ? [1, 1] : kind.provider === 'S3' ? [1, 0] : [1, 1];
      const inputs = bounds[0] ? [produced[(i + j) % produced.length]] : [];
      const outputs = bounds[1] ? [`O${i}x${j}`] : [];
      made.push(...outputs);
      const a = renderAction(fixedAction(kind, `A${j}`, inputs, outputs));
      if (kind.provider === 'CloudFormation') a.Configuration.TemplatePath = `${inputs[0]}::t.json`;
      if (s.crossRegion && kind.category === 'Deploy' && kind.provider === 'S3') a.Region = OTHER_REGION;
      if (kind.provider === 'CodeBuild') {
        a.Namespace = `B${i}x${j}`;
        declared.push(a.Namespace);
      }
      if (kind.provider === 'Manual') {
        const latest = namespaces[namespaces.length - 1];
        a.Configuration = { CustomData: `run #{codepipeline.PipelineExecutionId}${latest ? ` image #{${latest}.IMAGE}` : ''}` };
      }
      acts.push(a);
    }
    namespaces = [...namespaces, ...declared];
    produced = [...produced, ...made];
    stages.push({ Name: `Stage${i}`, Actions: acts });
  }
  const props: Json = { RoleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`, Stages: stages };
  if (s.pipelineType) props.PipelineType = s.pipelineType;
  if (s.crossRegion) props.ArtifactStores = [REGION, OTHER_REGION].map((r) => ({ Region: r, ArtifactStore: storeOf(`artifacts-${r}`, false) }));
  else props.ArtifactStore = storeOf('artifacts', false);
  return props;
});

function fixedAction(kind: ActionKind, name: string, inputs: string[], outputs: string[]): Infer<typeof actionArb> {
  return {
    name,
    kind,
    inputs,
    outputs,
    runOrder: null,
    region: null,
    crossAccount: false,
    timeout: null,
    namespace: null,
    templatePath: null,
    longConfig: null,
    reference: null,
  };
}

// ---------------------------------------------------------------------------------------------
// The CloudFormation validation engine, run directly on templates (no synth)

let engine: CloudFormationValidatePlugin | undefined;
let scratch: string | undefined;

/** Errors (and warnings) the CloudFormation validation engine reports for a template holding these pipelines. */
export function engineFindings(pipelines: Json[]): Array<{ rule: string; severity: string; description: string; logicalId?: string }> {
  engine ??= new CloudFormationValidatePlugin();
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-fuzz-'));
  const file = path.join(scratch, 'template.json');
  const resources: Json = {};
  pipelines.forEach((p, i) => { resources[`Pipeline${i}`] = { Type: 'AWS::CodePipeline::Pipeline', Properties: p }; });
  fs.writeFileSync(file, JSON.stringify({ Resources: resources }));
  const report = engine.validate({ templatePaths: [file], stackTemplates: [{ stackConstructPath: 'Fuzz', templatePath: file, accountId: ACCOUNT, region: REGION }] } as any);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity ?? 'error', description: v.description, logicalId: r.resourceLogicalId })));
}

// ---------------------------------------------------------------------------------------------
// L2 shapes

const l2ActionArb = fc.record({
  kind: fc.oneof(
    { weight: 8, arbitrary: fc.constant('build') },
    { weight: 6, arbitrary: fc.constant('deploy') },
    { weight: 4, arbitrary: fc.constant('approval') },
    { weight: 1, arbitrary: fc.constant('source') }),
  badName: fc.integer({ min: 0, max: 40 }).map((n) => n === 0),
  inputPick: fc.nat({ max: 50 }),
  hasOutput: fc.boolean(),
  runOrder: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 2 }),
  timeoutMinutes: fc.option(fc.constantFrom(5, 60, 86400, 90000), { freq: 4 }),
});

export const l2ShapeArb = fc.record({
  stages: fc.array(fc.array(l2ActionArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
  stageNames: fc.array(stageName, { minLength: 4, maxLength: 4 }),
  v2: fc.boolean(),
});

export type L2Shape = Infer<typeof l2ShapeArb>;

/**
 * Define the drawn shape with the aws-codepipeline L2 in `stack` (may throw the L2's own errors).
 * Inputs are picked among every artifact of the pipeline, later ones included: the L2 misses those.
 */
export function buildL2(stack: Stack, shape: L2Shape): codepipeline.Pipeline {
  const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, versioned: true });
  const artifacts = new Map<string, codepipeline.Artifact>();
  const artifact = (n: string) => artifacts.get(n) ?? artifacts.set(n, new codepipeline.Artifact(n)).get(n)!;
  const outputName = (si: number, ai: number) => `Out${si}x${ai}`;
  const names = ['Src', ...shape.stages.flatMap((acts, si) => acts.flatMap((a, ai) => (a.kind === 'build' && a.hasOutput ? [outputName(si, ai)] : [])))];
  let projects = 0;
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: shape.v2 ? codepipeline.PipelineType.V2 : codepipeline.PipelineType.V1,
    stages: [{ stageName: 'Src', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'k.zip', output: artifact('Src') })] }],
  });
  shape.stages.forEach((acts, si) => {
    pipeline.addStage({
      stageName: `${shape.stageNames[si]}${si}`,
      actions: acts.map((a, ai) => {
        const runOrder = a.runOrder ?? undefined;
        const name = a.badName ? 'Bad Name' : `${a.kind}${ai}`;
        const input = artifact(names[a.inputPick % names.length]);
        switch (a.kind) {
          case 'build':
            return new actions.CodeBuildAction({
              actionName: name,
              runOrder,
              input,
              outputs: a.hasOutput ? [artifact(outputName(si, ai))] : [],
              project: new codebuild.PipelineProject(stack, `Project${projects++}`),
            });
          case 'deploy':
            return new actions.S3DeployAction({ actionName: name, runOrder, bucket, input });
          case 'source':
            return new actions.S3SourceAction({ actionName: name, runOrder, bucket, bucketKey: 'other.zip', output: artifact(`Late${si}x${ai}`) });
          default:
            return new actions.ManualApprovalAction({
              actionName: name, runOrder, timeout: a.timeoutMinutes ? Duration.minutes(a.timeoutMinutes) : undefined,
            });
        }
      }),
    });
  });
  return pipeline;
}

// ---------------------------------------------------------------------------------------------
// One mutation of a mostly-valid pipeline: when the engine rejects the result, our rules must too.

type Mutation = (p: Json, pick: number) => void;

const firstStage = (p: Json) => p.Stages[0];
const laterStage = (p: Json, pick: number) => p.Stages[1 + (pick % (p.Stages.length - 1))];
const someAction = (p: Json, pick: number) => laterStage(p, pick).Actions[pick % laterStage(p, pick).Actions.length];
const rules = (n: number) => Array.from({ length: n }, (_, i) => ({
  Name: `R${i}`, RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' }, Configuration: { AlarmName: 'a' },
}));
const toConnection = (p: Json) => {
  firstStage(p).Actions[0] = {
    ...firstStage(p).Actions[0],
    ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' },
    Configuration: KINDS[3].config,
  };
};
const trig = (git: Json) => [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'Source', ...git } }];

/** Named mutations; the name says what is broken (or `ok-` when the result should stay valid). */
export const MUTATIONS: { [name: string]: Mutation } = {
  'ok-none': () => undefined,
  'ok-v2-variables': (p) => { p.PipelineType = 'V2'; p.Variables = [{ Name: 'Env', DefaultValue: 'dev' }]; },
  'ok-v2-queued': (p) => { p.PipelineType = 'V2'; p.ExecutionMode = 'QUEUED'; },
  'ok-v2-conditions': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).BeforeEntry = { Conditions: [{ Result: 'FAIL', Rules: rules(1 + (i % 5)) }] }; },
  'ok-v2-rollback': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).OnFailure = { Result: 'ROLLBACK' }; },
  'ok-v2-trigger': (p) => { p.PipelineType = 'V2'; toConnection(p); p.Triggers = trig({ Push: [{ Branches: { Includes: ['main'] } }] }); },
  'ok-encrypted': (p) => { if (p.ArtifactStore) p.ArtifactStore.EncryptionKey = { Type: 'KMS', Id: 'arn:aws:kms:eu-west-1:111111111111:key/k' }; },
  'ok-source-variables': (p, i) => { firstStage(p).Actions[0].Namespace = 'SourceVariables'; laterStage(p, i).Actions.push(refJson('#{SourceVariables.VersionId}')); },
  'ok-pipeline-variable-ref': (p, i) => { p.PipelineType = 'V2'; p.Variables = [{ Name: 'Env', DefaultValue: 'dev' }]; laterStage(p, i).Actions.push(refJson('#{variables.Env}')); },
  'ok-condition-ref': (p, i) => {
    p.PipelineType = 'V2';
    firstStage(p).Actions[0].Namespace = 'SourceVariables';
    laterStage(p, i).BeforeEntry = { Conditions: [{ Result: 'FAIL', Rules: [variableRule('#{SourceVariables.ETag}')] }] };
  },
  'ok-timeout': (p, i) => { laterStage(p, i).Actions.push({ ...approvalJson(), TimeoutInMinutes: [5, 10080, 86400][i % 3], RunOrder: 9 }); },
  'one-stage': (p) => { p.Stages = [p.Stages[0]]; },
  'too-many-stages': (p) => { for (let i = p.Stages.length; i < 51; i++) p.Stages.push({ Name: `More${i}`, Actions: [approvalJson()] }); },
  'empty-stage': (p, i) => { laterStage(p, i).Actions = []; },
  'too-many-actions': (p, i) => { const s = laterStage(p, i); for (let j = s.Actions.length; j < 51; j++) s.Actions.push({ ...approvalJson(), Name: `Ap${j}` }); },
  'source-late': (p, i) => { laterStage(p, i).Actions.push({ ...firstStage(p).Actions[0], Name: 'Late', OutputArtifacts: [{ Name: 'Late' }] }); },
  'non-source-first': (p) => { firstStage(p).Actions.push(approvalJson()); },
  'dup-stage': (p, i) => { laterStage(p, i).Name = 'Source'; },
  'dup-action': (p, i) => { const s = laterStage(p, i); s.Actions.push({ ...approvalJson(), Name: s.Actions[0].Name }); },
  'bad-stage-name': (p, i) => { laterStage(p, i).Name = ['a b', 'x'.repeat(101), 'ü'][i % 3]; },
  'bad-action-name': (p, i) => { someAction(p, i).Name = ['a b', 'x'.repeat(101), 'a/b'][i % 3]; },
  'bad-pipeline-name': (p, i) => { p.Name = ['a b', 'x'.repeat(101)][i % 2]; },
  'bad-artifact-name': (p) => { firstStage(p).Actions[0].OutputArtifacts = [{ Name: 'Src.zip' }]; },
  'bad-namespace': (p, i) => { someAction(p, i).Namespace = ['a.b', 'a b', ''][i % 3]; },
  'run-order': (p, i) => { someAction(p, i).RunOrder = [0, 1000, -1][i % 3]; },
  'bad-category': (p, i) => { someAction(p, i).ActionTypeId.Category = 'Magic'; },
  'bad-owner': (p, i) => { someAction(p, i).ActionTypeId.Owner = 'Amazon'; },
  'bad-version': (p, i) => { someAction(p, i).ActionTypeId.Version = ['', '1.0'][i % 2]; },
  'dup-output': (p, i) => { laterStage(p, i).Actions.push({ ...buildJson('Src', 'Src'), Name: 'Dup' }); },
  'consume-later': (p) => { p.Stages.splice(1, 0, { Name: 'Early', Actions: [{ ...deployJson('LateOut'), Name: 'Early' }] }); p.Stages.push({ Name: 'Producer', Actions: [buildJson('Src', 'LateOut')] }); },
  'consume-same-run-order': (p, i) => { const s = laterStage(p, i); s.Actions.push(buildJson('Src', 'Same', 'B1'), { ...deployJson('Same'), Name: 'D1' }); },
  'consume-missing': (p, i) => { laterStage(p, i).Actions.push({ ...deployJson('Missing'), Name: 'D2' }); },
  'count-approval-input': (p, i) => { laterStage(p, i).Actions.push({ ...approvalJson(), InputArtifacts: [{ Name: 'Src' }] }); },
  'count-build-no-input': (p, i) => { laterStage(p, i).Actions.push({ ...buildJson('Src', 'NoIn', 'B2'), InputArtifacts: undefined }); },
  'count-source-two-outputs': (p) => { firstStage(p).Actions[0].OutputArtifacts = [{ Name: 'Src' }, { Name: 'Src2' }]; },
  'count-s3-deploy-output': (p, i) => { laterStage(p, i).Actions.push({ ...deployJson('Src'), Name: 'D3', OutputArtifacts: [{ Name: 'D3Out' }] }); },
  'template-path': (p, i) => { laterStage(p, i).Actions.push({ ...cfnJson('Src'), Configuration: { ...KINDS[7].config, TemplatePath: 'Other::t.json' } }); },
  'both-stores': (p) => { p.ArtifactStore ??= { Type: 'S3', Location: 'a' }; p.ArtifactStores ??= [{ Region: REGION, ArtifactStore: { Type: 'S3', Location: 'b' } }]; },
  'no-store': (p) => { delete p.ArtifactStore; delete p.ArtifactStores; },
  'region-without-store': (p, i) => { someAction(p, i).Region = 'ap-southeast-2'; },
  'source-other-region': (p) => { delete p.ArtifactStore; p.ArtifactStores = [REGION, OTHER_REGION].map((r) => ({ Region: r, ArtifactStore: { Type: 'S3', Location: `a-${r}` } })); firstStage(p).Actions[0].Region = OTHER_REGION; },
  'cross-account-no-key': (p, i) => { someAction(p, i).RoleArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/x`; },
  'v1-variables': (p, i) => { p.PipelineType = ['V1', undefined][i % 2]; p.Variables = [{ Name: 'Env' }]; },
  'v1-queued': (p) => { p.PipelineType = 'V1'; p.ExecutionMode = 'PARALLEL'; },
  'v1-conditions': (p, i) => { p.PipelineType = 'V1'; laterStage(p, i).OnSuccess = { Conditions: [{ Result: 'ROLLBACK', Rules: rules(1) }] }; },
  'v1-trigger': (p) => { p.PipelineType = 'V1'; toConnection(p); p.Triggers = trig({ Push: [{ Tags: { Includes: ['v*'] } }] }); },
  'v1-commands': (p, i) => { p.PipelineType = 'V1'; laterStage(p, i).Actions.push({ ...action2('Cmd', 'Compute', 'Commands', ['Src']), Commands: ['ls'] }); },
  'two-conditions': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).BeforeEntry = { Conditions: [{ Result: 'FAIL', Rules: rules(1) }, { Result: 'FAIL', Rules: rules(1) }] }; },
  'zero-conditions': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).OnSuccess = { Conditions: [] }; },
  'six-rules': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).BeforeEntry = { Conditions: [{ Result: 'FAIL', Rules: rules(6) }] }; },
  'no-rules': (p, i) => { p.PipelineType = 'V2'; laterStage(p, i).BeforeEntry = { Conditions: [{ Result: 'FAIL' }] }; },
  'rollback-source': (p) => { p.PipelineType = 'V2'; firstStage(p).OnFailure = { Result: 'ROLLBACK' }; },
  'rollback-parallel': (p, i) => { p.PipelineType = 'V2'; p.ExecutionMode = 'PARALLEL'; laterStage(p, i).OnFailure = { Result: 'ROLLBACK' }; },
  'trigger-4-push': (p) => { p.PipelineType = 'V2'; toConnection(p); p.Triggers = trig({ Push: [1, 2, 3, 4].map((n) => ({ Branches: { Includes: [`b${n}`] } })) }); },
  'trigger-9-patterns': (p) => { p.PipelineType = 'V2'; toConnection(p); p.Triggers = trig({ PullRequest: [{ Branches: { Includes: Array.from({ length: 9 }, (_, n) => `b${n}`) } }] }); },
  'trigger-filepaths-only': (p) => { p.PipelineType = 'V2'; toConnection(p); p.Triggers = trig({ Push: [{ FilePaths: { Includes: ['src/**'] } }] }); },
  'trigger-s3-source': (p) => { p.PipelineType = 'V2'; p.Triggers = trig({ Push: [{ Branches: { Includes: ['main'] } }] }); },
  'trigger-no-filter': (p) => { p.PipelineType = 'V2'; toConnection(p); p.Triggers = trig({}); },
  'approval-timeout': (p, i) => { laterStage(p, i).Actions.push({ ...approvalJson(), TimeoutInMinutes: [4, 86401, 0][i % 3] }); },
  'config-long-value': (p, i) => { const a = someAction(p, i); a.Configuration = { ...(a.Configuration ?? {}), Long: 'v'.repeat(1001) }; },
  'config-long-key': (p, i) => { const a = someAction(p, i); a.Configuration = { ...(a.Configuration ?? {}), ['K'.repeat(51)]: 'v' }; },
  'variable-bad-name': (p, i) => { p.PipelineType = 'V2'; p.Variables = [{ Name: ['a b', 'x'.repeat(129)][i % 2] }]; },
  'variable-dup': (p) => { p.PipelineType = 'V2'; p.Variables = [{ Name: 'V' }, { Name: 'V' }]; },
  // Broken variable references: CloudFormation accepts them (the action fails when it runs), CDP-VARIABLE-REFERENCE rejects them.
  'ref-undeclared-namespace': (p, i) => { laterStage(p, i).Actions.push(refJson('#{SourceVariables.CommitId}')); },
  'ref-later-namespace': (p) => { p.Stages[1].Actions.push(refJson('#{LaterVars.X}')); p.Stages.push({ Name: 'Later', Actions: [{ ...buildJson('Src', 'LaterOut', 'Later'), Namespace: 'LaterVars' }] }); },
  'ref-undeclared-variable': (p, i) => { p.PipelineType = 'V2'; p.Variables = [{ Name: 'Env' }]; laterStage(p, i).Actions.push(refJson('#{variables.releaseTag}')); },
  'ref-unknown-output': (p, i) => { firstStage(p).Actions[0].Namespace = 'SourceVariables'; laterStage(p, i).Actions.push(refJson('#{SourceVariables.CommitId}')); },
  'ref-unknown-builtin': (p, i) => { laterStage(p, i).Actions.push(refJson('#{codepipeline.PipelineName}')); },
  'ref-condition-own-stage': (p, i) => {
    p.PipelineType = 'V2';
    const s = laterStage(p, i);
    s.Actions.push({ ...buildJson('Src', 'OwnOut', 'Own'), Namespace: 'OwnVars' });
    s.BeforeEntry = { Conditions: [{ Result: 'FAIL', Rules: [variableRule('#{OwnVars.X}')] }] };
  },
};

function action2(name: string, category: string, provider: string, inputs: string[] = [], outputs: string[] = []): Json {
  const ret: Json = { Name: name, ActionTypeId: { Category: category, Owner: 'AWS', Provider: provider, Version: '1' } };
  if (inputs.length) ret.InputArtifacts = inputs.map((n) => ({ Name: n }));
  if (outputs.length) ret.OutputArtifacts = outputs.map((n) => ({ Name: n }));
  return ret;
}
function approvalJson(): Json { return action2('Approve', 'Approval', 'Manual'); }
/** An approval (run last in its stage) whose CustomData reads `reference`. */
function refJson(reference: string): Json { return { ...action2('Ref', 'Approval', 'Manual'), RunOrder: 10, Configuration: { CustomData: reference } }; }
function variableRule(reference: string): Json {
  return { Name: 'Var', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: reference, Value: 'x', Operator: 'EQ' } };
}
function buildJson(input: string, output: string, name = 'Bld'): Json { return { ...action2(name, 'Build', 'CodeBuild', [input], [output]), Configuration: { ProjectName: 'p' } }; }
function deployJson(input: string): Json { return { ...action2('Dep', 'Deploy', 'S3', [input]), Configuration: { BucketName: 'b', Extract: 'true' } }; }
function cfnJson(input: string): Json { return { ...action2('Cfn', 'Deploy', 'CloudFormation', [input]), Configuration: { ...KINDS[7].config, TemplatePath: `${input}::t.json` } }; }

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** A mostly-valid pipeline with one named mutation applied. */
export const mutatedPipelineArb = fc.record({
  base: mostlyValidPipelineArb,
  mutation: fc.constantFrom(...MUTATION_NAMES),
  pick: fc.nat({ max: 1000 }),
}).map(({ base, mutation, pick }) => {
  const props = JSON.parse(JSON.stringify(base));
  MUTATIONS[mutation](props, pick);
  return { mutation, props: JSON.parse(JSON.stringify(props)) as Json };
});
