import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { changeSetsFound } from './declaration';
import { ApprovalGate, BuildStep, CfnDeployment, CrossRegionCfnPipeline, CrossRegionCfnPipelineProps, ReviewPolicy } from '../../src';
import { PipelineSource } from '../../src/source/pipeline-source';
import { BETA_ENV, PIPELINE_ENV, ServiceStage } from '../cdk/fixtures';
import { createTestApp, synthValidated } from '../util';

const TARGET = '222222222222';
const buildSpec = codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make templates'] } }, artifacts: { files: ['template-*.yaml'] } });

function define(overrides: Partial<CrossRegionCfnPipelineProps> & { waves?: any[] }, withGate = true) {
  const app = createTestApp();
  const stack = new Stack(app, 'Pipe', { env: PIPELINE_ENV });
  const gate = withGate ? new ApprovalGate(stack, 'Approve', { manual: true }) : undefined;
  const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
    buildStep: { buildSpec },
    stackName: 'app',
    allowEmptyExecutionPolicy: true,
    waves: [{ waveName: 'Prod', gate, reviewChangeSets: true, targets: [{ region: 'eu-west-1' }, { region: 'us-east-2' }, { region: 'eu-central-1', account: TARGET }] }],
    failureNotifications: false,
    ...overrides,
  });
  return { app, stack, pipeline };
}

const stagesOf = (template: any): any[] => (Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')).Properties.Stages;
const stageNamed = (template: any, name: string) => stagesOf(template).find((s) => s.Name === name);
const placed = (st: any) => st.Actions.map((a: any) => [a.Name, a.RunOrder ?? 1]).sort((x: any, y: any) => x[1] - y[1] || x[0].localeCompare(y[0]));
const action = (st: any, name: string) => st.Actions.find((a: any) => a.Name === name);
function userParameters(a: any): any {
  const raw = a.Configuration.UserParameters;
  if (typeof raw === 'string') return JSON.parse(raw);
  const [sep, parts] = raw['Fn::Join'];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`)).join(sep));
}

describe('CrossRegionCfnPipeline change-set review wiring', () => {
  test('ALWAYS: the review follows every change set of the wave in Prod.ChangeSets; the approval (1) and executions (2) in Prod', () => {
    const { app } = define({});
    const t = synthValidated(app).templates.Pipe;
    expect(stagesOf(t).map((s) => s.Name).slice(-2)).toEqual(['Prod.ChangeSets', 'Prod']);
    expect(placed(stageNamed(t, 'Prod.ChangeSets'))).toEqual([['eu-central-1.222222222222', 1], ['eu-west-1', 1], ['us-east-2', 1], ['ReviewChangeSets', 2]]);
    expect(placed(stageNamed(t, 'Prod'))).toEqual([['Approve', 1], ['eu-central-1.222222222222', 2], ['eu-west-1', 2], ['us-east-2', 2]]);
    const params = userParameters(action(stageNamed(t, 'Prod.ChangeSets'), 'ReviewChangeSets'));
    expect(params).toMatchObject({ stage: 'Prod', changeSetStages: ['Prod.ChangeSets'], policy: 'always', reportPrefix: 'change-set-reviews/Review-Prod/' });
    expect(JSON.stringify(action(stageNamed(t, 'Prod.ChangeSets'), 'ReviewChangeSets').Configuration.UserParameters).length).toBeLessThan(1000);
    expect(changeSetsFound(t, action(stageNamed(t, 'Prod.ChangeSets'), 'ReviewChangeSets'), PIPELINE_ENV)).toEqual([
      { account: PIPELINE_ENV.account, region: 'eu-west-1', stackName: 'app', changeSetName: 'PipelineChangeSet' },
      { account: PIPELINE_ENV.account, region: 'us-east-2', stackName: 'app', changeSetName: 'PipelineChangeSet' },
      { account: TARGET, region: 'eu-central-1', stackName: 'app', changeSetName: 'PipelineChangeSet', roleArn: expect.stringMatching(/^arn:.*:iam::222222222222:role\/cdp-review-[0-9a-f]{16}$/) },
    ]);
    expect(action(stageNamed(t, 'Prod'), 'Approve').Configuration).toEqual({ CustomData: '#{Review-Prod.Summary}', ExternalEntityLink: '#{Review-Prod.ReportUrl}' });
  });

  test('SKIP_WHEN_EMPTY: the approval in Prod.Approval behind a SKIP VariableCheck on TotalChanges, the executions in Prod from runOrder 1', () => {
    const app2 = createTestApp();
    const stack = new Stack(app2, 'Pipe', { env: PIPELINE_ENV });
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Prod', gate: new ApprovalGate(stack, 'Approve', { manual: true }), reviewChangeSets: true, reviewPolicy: ReviewPolicy.SKIP_WHEN_EMPTY, targets: [{ region: 'eu-west-1' }] }],
      failureNotifications: false,
    });
    const t = synthValidated(app2).templates.Pipe;
    expect(stagesOf(t).map((s) => s.Name).slice(-3)).toEqual(['Prod.ChangeSets', 'Prod.Approval', 'Prod']);
    expect(stageNamed(t, 'Prod.Approval').BeforeEntry).toEqual({
      Conditions: [{ Result: 'SKIP', Rules: [{ Name: 'Prod.AnyChange', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: '#{Review-Prod.TotalChanges}', Value: '0', Operator: 'NE' } }] }],
    });
    expect(placed(stageNamed(t, 'Prod.Approval'))).toEqual([['Approve', 1]]);
    expect(placed(stageNamed(t, 'Prod'))).toEqual([['eu-west-1', 1]]);
  });

  test('CDK stages: the review follows the change sets of every level and names every stack', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env: PIPELINE_ENV });
    const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false });
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
      buildStep: BuildStep.cdkSynth(),
      waves: [{ waveName: 'Beta', cdkStages: [beta], gate: new ApprovalGate(stack, 'Approve', { manual: true }), reviewChangeSets: true, reviewPolicy: ReviewPolicy.ON_RISK }],
      failureNotifications: false,
    });
    const t = synthValidated(app).templates.Pipe;
    const changeSets = stageNamed(t, 'Beta.ChangeSets');
    const review = action(changeSets, 'ReviewChangeSets');
    const lastChangeSet = Math.max(...changeSets.Actions.filter((a: any) => a.Name !== 'ReviewChangeSets').map((a: any) => a.RunOrder ?? 1));
    expect(lastChangeSet).toBe(2);
    expect(review.RunOrder).toBe(lastChangeSet + 1);
    const params = userParameters(review);
    expect(params.policy).toBe('on-risk');
    const found = changeSetsFound(t, review, PIPELINE_ENV);
    expect(params.changeSetStages).toEqual(['Beta.ChangeSets']);
    expect(found.map((c) => c.stackName).sort()).toEqual([beta.api.stackName, beta.data.stackName, beta.jobs.stackName].sort());
    for (const c of found) expect(c).toMatchObject({ account: BETA_ENV.account, region: BETA_ENV.region, roleArn: expect.stringMatching(/^arn:.*:iam::222222222222:role\/cdp-review-[0-9a-f]{16}$/) });
    expect(stageNamed(t, 'Beta.Approval').BeforeEntry.Conditions[0].Rules[0].Configuration).toEqual({ Variable: '#{Review-Beta.NeedsApproval}', Value: 'true', Operator: 'EQ' });
  });
});

describe('CrossRegionCfnPipeline change-set review: wave size', () => {
  test('a wave of 12 regions in 3 accounts fits the 1000-character UserParameters; the handler finds all 36 change sets and their accounts\' review role', () => {
    const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1'];
    const accounts = [PIPELINE_ENV.account, TARGET, '333333333333'];
    const targets = accounts.flatMap((account) => regions.map((region) => ({ region, account })));
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env: PIPELINE_ENV });
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Prod', gate: new ApprovalGate(stack, 'Approve', { manual: true }), reviewChangeSets: true, targets }],
      failureNotifications: false,
    });
    const t = synthValidated(app).templates.Pipe;
    const changeSetStages = stagesOf(t).filter((s) => s.Name.startsWith('Prod.ChangeSets') || s.Name === 'Prod.Review');
    const review = changeSetStages.flatMap((s) => s.Actions).find((x: any) => x.Name === 'ReviewChangeSets');
    expect(JSON.stringify(review.Configuration.UserParameters).length).toBeLessThan(1000);
    const params = userParameters(review);
    expect(params.changeSetStages).toEqual(changeSetStages.filter((s) => s.Name.startsWith('Prod.ChangeSets')).map((s) => s.Name));
    const found = changeSetsFound(t, review, PIPELINE_ENV);
    expect(found.map((c) => `${c.account}/${c.region}`).sort()).toEqual(targets.map((x) => `${x.account}/${x.region}`).sort());
    for (const c of found) {
      expect(c).toMatchObject({ stackName: 'app', changeSetName: 'PipelineChangeSet' });
      expect(c.roleArn).toBe(c.account === PIPELINE_ENV.account ? undefined : `arn:aws:iam::${c.account}:role/${params.reviewRoleName}`);
    }
  });
});

describe('CrossRegionCfnPipeline change-set review validation', () => {
  test('fails without a gate', () => {
    expect(() => define({}, false)).toThrow(/wave 'Prod' has reviewChangeSets but no gate; give it a gate with a manual approval/);
  });

  test('fails with changeSets: false', () => {
    expect(() => define({ changeSets: false })).toThrow(/wave 'Prod' has reviewChangeSets but changeSets is false/);
  });

  test('fails with a stack set (no preview of stack set operations)', () => {
    expect(() => define({ deployment: CfnDeployment.stackSet({ templatePath: 'template.yaml' }), allowEmptyExecutionPolicy: undefined }))
      .toThrow(/wave 'Prod' has reviewChangeSets but the pipeline deploys a stack set; CodePipeline's stack set actions create no change set to review/);
  });

  test('fails with reviewPolicy but not reviewChangeSets', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Pipe', { env: PIPELINE_ENV });
    expect(() => new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app')),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Prod', gate: new ApprovalGate(stack, 'A', { manual: true }), reviewPolicy: ReviewPolicy.ALWAYS, targets: [{ region: 'eu-west-1' }] }],
    })).toThrow(/CrossRegionCfnPipeline 'Deploy'.*wave 'Prod' has reviewPolicy always but not reviewChangeSets/);
  });

  test('fails when a wave is named like the approval stage of a reviewed wave', () => {
    expect(() => define({
      waves: [
        { waveName: 'Prod', gate: undefined, targets: [{ region: 'eu-west-1' }] },
        { waveName: 'Prod.Approval', targets: [{ region: 'us-east-2' }] },
      ],
    }, false)).toThrow(/waveName 'Prod.Approval' is also the name of a stage of wave 'Prod'/);
  });
});
