// The review handler finding its change sets in the pipeline (GetJobDetails, GetPipeline) through the real
// CodePipeline client over HTTP against the local endpoint; and end to end: the UserParameters of synthesized
// pipelines, run by the real handler against the synthesized pipeline's declaration.
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { declarationOf, render } from './declaration';
import { SCENARIOS, TARGET, change } from './fixtures';
import { ApprovalGate, BuildStep, CrossRegionCfnPipeline, DeployTarget, SourceBuildDeployPipeline } from '../../src';
import { handler } from '../../src/review/review.lambda';
import { PipelineSource } from '../../src/source/pipeline-source';
import { BETA_ENV, PIPELINE_ENV, ServiceStage } from '../cdk/fixtures';
import { codeCommitSource } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, synthValidated } from '../util';
import { FakeAwsEndpoint, FakeChangeSet, FakeWorld, setEnv } from '../util/aws-endpoint';
import { ACCOUNT } from '../util/aws-world';

let endpoint: FakeAwsEndpoint | undefined;
let restore: (() => void) | undefined;

afterEach(async () => {
  restore?.();
  await endpoint?.stop();
  endpoint = undefined;
});

const cfnAction = (name: string, config: Record<string, string>, extra: any = {}) => ({
  name, actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' }, configuration: config, ...extra,
});

/** The pipeline `orders` (us-east-1 of ACCOUNT) with the given stages; job `job-1` runs in stage `Prod`; change sets per account and region. */
async function serve(stages: any[], changeSets: Record<string, Record<string, Record<string, FakeChangeSet>>>, jobStage = 'Prod', homeRegion = 'us-east-1') {
  const regions = (account: string) => {
    const names = new Set([homeRegion, ...Object.keys(changeSets[account] ?? {})]);
    return [...names].map((name) => ({
      name,
      pipelines: name === homeRegion && account === ACCOUNT ? [{ name: 'orders', declaration: { name: 'orders', roleArn: 'x', stages }, stageStates: [], executions: [] }] : [],
      jobs: name === homeRegion && account === ACCOUNT ? { 'job-1': { pipelineName: 'orders', stage: jobStage, action: 'ReviewChangeSets', executionId: 'exec-7' } } : undefined,
      changeSets: changeSets[account]?.[name] ?? {},
    }));
  };
  const accounts = [...new Set([ACCOUNT, ...Object.keys(changeSets)])];
  const w: FakeWorld = { accounts: accounts.map((id) => ({ id, regions: regions(id) })) };
  endpoint = await FakeAwsEndpoint.start(w);
  restore = setEnv({ ...endpoint.env(), AWS_REGION: homeRegion, REVIEW_POLL_MS: '5', REVIEW_MAX_WAIT_MS: '2000' });
  return endpoint;
}

function job(params: any) {
  return { 'CodePipeline.job': { id: 'job-1', accountId: ACCOUNT, data: { actionConfiguration: { configuration: { FunctionName: 'review', UserParameters: JSON.stringify(params) } } } } };
}

function result(e: FakeAwsEndpoint) {
  const calls = e.calls.filter((c) => c.operation === 'PutJobSuccessResult' || c.operation === 'PutJobFailureResult');
  expect(calls).toHaveLength(1);
  return { operation: calls[0].operation, ...calls[0].input };
}

const cs = (stackName: string, changes: any[]): FakeChangeSet => ({ stackName, changes });

describe('discovery (GetJobDetails, GetPipeline)', () => {
  const stages = [
    { name: 'Source', actions: [{ name: 'Code', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeCommit', version: '1' }, configuration: {} }] },
    {
      name: 'Prod',
      actions: [
        cfnAction('app-Prepare', { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'app', ChangeSetName: 'app-changes' }, { region: 'eu-west-1', runOrder: 1 }),
        cfnAction('edge-Prepare', { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'edge', ChangeSetName: 'edge-changes', RoleArn: `arn:aws:iam::${TARGET}:role/deploy` },
          { region: 'eu-west-1', roleArn: `arn:aws:iam::${TARGET}:role/action`, runOrder: 1 }),
        cfnAction('home-Prepare', { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'home', ChangeSetName: 'home-changes' }, { runOrder: 1 }),
        { name: 'ReviewChangeSets', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' }, configuration: {}, runOrder: 2 },
        cfnAction('app-Execute', { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'app', ChangeSetName: 'app-changes' }, { region: 'eu-west-1', runOrder: 4 }),
        cfnAction('other-Deploy', { ActionMode: 'CREATE_UPDATE', StackName: 'other' }, { runOrder: 4 }),
      ],
    },
  ];
  const base = { stage: 'Prod', changeSetStages: ['Prod'], reviewRoleName: 'cdp-review-0123456789abcdef', policy: 'always', reportBucket: 'artifacts', reportPrefix: 'change-set-reviews/Review-Prod/' };

  test('every CHANGE_SET_REPLACE action of the stage is described, in its region (else the pipeline\'s) and account (through the review role), nothing else', async () => {
    const e = await serve(stages, {
      [ACCOUNT]: { 'eu-west-1': { 'app-changes': cs('app', SCENARIOS.additions) }, 'us-east-1': { 'home-changes': cs('home', []) } },
      [TARGET]: { 'eu-west-1': { 'edge-changes': cs('edge', SCENARIOS.iamStar) } },
    });
    await handler(job(base));
    expect(e.calls.find((c) => c.operation === 'GetJobDetails')!.input).toEqual({ jobId: 'job-1' });
    expect(e.calls.find((c) => c.operation === 'GetPipeline')!.input).toMatchObject({ name: 'orders' });
    const describes = e.calls.filter((c) => c.operation === 'DescribeChangeSet').map((c) => [c.account, c.region, c.input.StackName, c.input.ChangeSetName]).sort();
    expect(describes).toEqual([
      [ACCOUNT, 'eu-west-1', 'app', 'app-changes'],
      [ACCOUNT, 'us-east-1', 'home', 'home-changes'],
      [TARGET, 'eu-west-1', 'edge', 'edge-changes'],
    ]);
    expect(e.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.input.RoleArn)).toEqual([`arn:aws:iam::${TARGET}:role/cdp-review-0123456789abcdef`]);
    const r = result(e);
    expect(r.outputVariables).toMatchObject({ TotalChanges: '3', Added: '2', SecurityChanges: '1' });
    // The report is named by the pipeline's real name and the execution GetJobDetails gives.
    const report = e.objects.get('artifacts/change-set-reviews/Review-Prod/exec-7/Prod.md')!;
    expect(report.body).toMatch(/^# Change-set review: orders \/ Prod\n/);
  });

  test('a stage without change-set actions, a missing stage, and another account without reviewRoleName are configuration errors', async () => {
    let e = await serve(stages, {});
    await handler(job({ ...base, changeSetStages: ['Source'] }));
    expect(result(e).failureDetails).toMatchObject({ type: 'ConfigurationError', message: expect.stringMatching(/stage\(s\) Source of pipeline orders hold no CloudFormation action creating a change set/) });
    restore!(); await e.stop();
    e = await serve(stages, {});
    endpoint = e;
    await handler(job({ ...base, changeSetStages: ['Prod.ChangeSets'] }));
    expect(result(e).failureDetails.message).toMatch(/pipeline orders has no stage 'Prod.ChangeSets' \(stages: Source, Prod\)/);
    restore!(); await e.stop();
    e = await serve(stages, {});
    endpoint = e;
    await handler(job({ ...base, reviewRoleName: undefined }));
    expect(result(e).failureDetails.message).toMatch(new RegExp(`action 'edge-Prepare' of stage 'Prod' creates a change set in account ${TARGET}, and the review action names no reviewRoleName`));
    expect(e.count('DescribeChangeSet')).toBe(0);
  });

  test('a nested stack\'s change set is followed in the discovered change set', async () => {
    const nestedArn = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:changeSet/app-changes-Data-1ABC/0002`;
    const e = await serve([{ name: 'Prod', actions: [stages[1].actions[0]] }], {
      [ACCOUNT]: { 'eu-west-1': { 'app-changes': cs('app', [change('Modify', 'AWS::CloudFormation::Stack', 'Data', { changeSetId: nestedArn })]), [nestedArn]: cs('app-Data-1ABC', SCENARIOS.statefulReplacement) } },
    });
    await handler(job(base));
    expect(result(e).outputVariables).toMatchObject({ StatefulReplacements: '1' });
  });
});

/** The review action (by namespace) of a synthesized pipeline, its stage, and the stage's change sets as deployed. */
function reviewOf(template: any, namespace: string) {
  const decl = declarationOf(template, 'orders', PIPELINE_ENV);
  for (const s of decl.stages) {
    const a = s.actions.find((x: any) => x.namespace === namespace);
    if (a) return { decl, stage: s, action: a, params: JSON.parse(render(a.configuration.UserParameters, PIPELINE_ENV)) };
  }
  throw new Error(`no action with namespace ${namespace}`);
}

/** Run the real handler with the synthesized UserParameters against the synthesized declaration; every change set it may describe adds one bucket. */
async function runSynthesized(template: any, namespace: string) {
  const { decl, stage, params } = reviewOf(template, namespace);
  const prepares = decl.stages.filter((s: any) => params.changeSetStages.includes(s.name)).flatMap((s: any) => s.actions)
    .filter((a: any) => a.configuration?.ActionMode === 'CHANGE_SET_REPLACE');
  const sets: Record<string, Record<string, Record<string, FakeChangeSet>>> = {};
  const expected: string[] = [];
  for (const a of prepares) {
    const account = /:iam::(\d{12}):/.exec(a.roleArn ?? '')?.[1] ?? PIPELINE_ENV.account;
    const region = a.region ?? PIPELINE_ENV.region;
    ((sets[account] ??= {})[region] ??= {})[`${a.configuration.StackName}/${a.configuration.ChangeSetName}`] = cs(a.configuration.StackName,
      [change('Add', 'AWS::S3::Bucket', `B${expected.length}`)]);
    expected.push(`${account}/${region}/${a.configuration.StackName}`);
  }
  // The pipeline runs in PIPELINE_ENV (eu-west-1): its job and declaration live there.
  const e = await serve(decl.stages, sets, stage.name, PIPELINE_ENV.region);
  await handler(job(params));
  const described = e.calls.filter((c) => c.operation === 'DescribeChangeSet').map((c) => `${c.account}/${c.region}/${c.input.StackName}`);
  return { e, params, decl, expected, described };
}

describe('end to end: synthesized UserParameters, the real handler, the synthesized declaration', () => {
  test('SourceBuildDeployPipeline: a CloudFormation target and a CDK stage in one reviewed stage', async () => {
    const app = createTestApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false });
    new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      stages: [{
        stageName: 'Beta',
        targets: [DeployTarget.cdkStage(beta), DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })],
        reviewChangeSets: true,
        gate: new ApprovalGate(stack, 'BetaGate', { manual: true }),
      }],
    });
    const template = synthValidated(app).templates.PipelineStack;
    const { e, expected, described, decl } = await runSynthesized(template, 'Review-Beta');
    expect(expected).toHaveLength(4);
    expect(described.sort()).toEqual(expected.sort());
    expect(expected).toContain(`${PIPELINE_ENV.account}/${PIPELINE_ENV.region}/app`);
    const r = result(e);
    expect(r.failureDetails).toBeUndefined();
    const vars = r.outputVariables;
    expect(vars).toMatchObject({ TotalChanges: '4', Added: '4', NeedsApproval: 'true' });
    // The approval reads Summary and ReportUrl of this namespace: the handler emits them.
    const approval = decl.stages.flatMap((s: any) => s.actions).find((a: any) => a.actionTypeId.category === 'Approval');
    const referenced = [...JSON.stringify(approval.configuration).matchAll(/#\{Review-Beta\.(\w+)\}/g)].map((m) => m[1]);
    expect(referenced.sort()).toEqual(['ReportUrl', 'Summary']);
    for (const v of referenced) expect(vars[v]).toEqual(expect.any(String));
    expect(vars.ReportUrl).toMatch(/^https:\/\//);
  });

  test('CrossRegionCfnPipeline: a wave of 3 regions in 2 accounts under skip-when-empty; the skip condition reads TotalChanges', async () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env: PIPELINE_ENV });
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
      buildStep: { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } }, artifacts: { files: ['template.yaml'] } }) },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [
        { waveName: 'Beta', targets: [{ region: 'eu-west-1' }] },
        {
          waveName: 'Prod',
          gate: new ApprovalGate(stack, 'Approve', { manual: true }),
          reviewChangeSets: true,
          reviewPolicy: 'skip-when-empty' as any,
          targets: [{ region: 'eu-west-1' }, { region: 'us-east-2' }, { region: 'eu-central-1', account: TARGET }],
        },
      ],
      failureNotifications: false,
    });
    const template = synthValidated(app).templates.Pipe;
    const { e, expected, described, decl } = await runSynthesized(template, 'Review-Prod');
    expect(expected.sort()).toEqual([`${PIPELINE_ENV.account}/eu-west-1/app`, `${PIPELINE_ENV.account}/us-east-2/app`, `${TARGET}/eu-central-1/app`].sort());
    expect(described.sort()).toEqual(expected);
    expect(e.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.input.RoleArn)).toEqual([expect.stringMatching(new RegExp(`^arn:aws:iam::${TARGET}:role/cdp-review-[0-9a-f]{16}$`))]);
    const vars = result(e).outputVariables;
    expect(vars).toMatchObject({ TotalChanges: '3', NeedsApproval: 'true' });
    const approvalStage = (Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')).Properties.Stages.find((s: any) => s.Name === 'Prod.Approval');
    expect(approvalStage.BeforeEntry.Conditions[0].Rules[0].Configuration.Variable).toBe('#{Review-Prod.TotalChanges}');
    void decl;
  });
});
