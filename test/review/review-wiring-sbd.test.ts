import { CfnOutput, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sns from 'aws-cdk-lib/aws-sns';
import { changeSetsFound } from './declaration';
import { ApprovalGate, BuildStep, DeployTarget, ReviewPolicy, SourceBuildDeployPipeline } from '../../src';
import { BETA_ENV, PIPELINE_ENV, ServiceStage } from '../cdk/fixtures';
import { codeCommitSource, definePipeline, newStack, stage, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, synthValidated } from '../util';

const cfn = (stackName: string, extra = {}) => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, ...extra });
const OTHER = '222222222222';

/** The actions of a stage as [name, runOrder], by runOrder then name. */
const placed = (st: any) => st.Actions.map((a: any) => [a.Name, a.RunOrder ?? 1]).sort((x: any, y: any) => x[1] - y[1] || x[0].localeCompare(y[0]));
const byName = (st: any) => Object.fromEntries(st.Actions.map((a: any) => [a.Name, a]));
/** The review action's UserParameters, parsed (Fn::Join parts rendered as `<ref>`). */
function userParameters(action: any): any {
  const raw = action.Configuration.UserParameters;
  if (typeof raw === 'string') return JSON.parse(raw);
  const [sep, parts] = raw['Fn::Join'];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`)).join(sep));
}

describe('SourceBuildDeployPipeline change-set review wiring', () => {
  test('ALWAYS: change sets (1), review (2), approval (3), executions (4); UserParameters name every change set, its account, region and (in another account) role', () => {
    const { app, stack } = newStack();
    const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true });
    definePipeline(stack, {
      pipelineName: 'orders',
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { notificationTopic: topic }),
        reviewChangeSets: true,
        targets: [cfn('app'), cfn('db', { changeSetName: 'db-release' }), cfn('edge', { account: OTHER, region: 'eu-central-1' })],
      }],
    });
    const { template } = validatedTemplate(app);
    const prod = stage(template, 'Prod');
    expect(placed(prod)).toEqual([
      ['app-Prepare', 1], ['db-Prepare', 1], ['edge-Prepare', 1],
      ['ReviewChangeSets', 2],
      ['Approve', 3],
      ['app-Execute', 4], ['db-Execute', 4], ['edge-Execute', 4],
    ]);
    const review = byName(prod).ReviewChangeSets;
    expect(review.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'Lambda', Version: '1' });
    expect(review.Namespace).toBe('Review-Prod');
    const params = userParameters(review);
    expect(params).toMatchObject({ stage: 'Prod', changeSetStages: ['Prod'], reviewRoleName: expect.stringMatching(/^cdp-review-[0-9a-f]{16}$/), policy: 'always', reportPrefix: 'change-set-reviews/Review-Prod/' });
    expect(params.changeSets).toBeUndefined();
    // What the handler finds in the deployed pipeline's declaration (GetPipeline) from these parameters:
    expect(changeSetsFound(template.toJSON(), review, PIPELINE_ENV)).toEqual([
      { account: '111111111111', region: 'eu-west-1', stackName: 'app', changeSetName: 'app-changes' },
      { account: '111111111111', region: 'eu-west-1', stackName: 'db', changeSetName: 'db-release' },
      { account: OTHER, region: 'eu-central-1', stackName: 'edge', changeSetName: 'edge-changes', roleArn: expect.stringMatching(/^arn:.*:iam::222222222222:role\/cdp-review-[0-9a-f]{16}$/) },
    ]);
    expect(params.reportBucket).toMatch(/PipelineArtifactBucket/);
    expect(params.reportKmsKeyArn).toMatch(/Key/);
    expect(params.topicArn).toMatch(/Approvals/);
    // The approval shows the summary and links the report.
    expect(byName(prod).Approve.Configuration).toMatchObject({ CustomData: '#{Review-Prod.Summary}', ExternalEntityLink: '#{Review-Prod.ReportUrl}' });
    // One review function in the stack.
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: 'Describes and classifies the change sets a CodePipeline approval of this stack lets through' }, 1);
  });

  test('the user\'s message comes first, then the summary; the user\'s reviewUrl stays the link', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { message: 'Release train 42', reviewUrl: 'https://example.com/notes' }),
        reviewChangeSets: true,
        targets: [cfn('app')],
      }],
    });
    const prod = stage(validatedTemplate(app).template, 'Prod');
    expect(byName(prod).Approve.Configuration).toMatchObject({ CustomData: 'Release train 42\n#{Review-Prod.Summary}', ExternalEntityLink: 'https://example.com/notes' });
    expect(userParameters(byName(prod).ReviewChangeSets).topicArn).toBeUndefined();
  });

  test.each([
    [ReviewPolicy.SKIP_WHEN_EMPTY, 'skip-when-empty', { Variable: '#{Review-Prod.TotalChanges}', Value: '0', Operator: 'NE' }, 'Prod.AnyChange'],
    [ReviewPolicy.ON_RISK, 'on-risk', { Variable: '#{Review-Prod.NeedsApproval}', Value: 'true', Operator: 'EQ' }, 'Prod.RiskyChange'],
  ])('%s: change sets and review in Prod.Review, the approval in Prod.Approval behind a SKIP VariableCheck, executions in Prod', (policy, name, configuration, ruleName) => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true, alarms: [] }),
        reviewChangeSets: true,
        reviewPolicy: policy,
        targets: [cfn('app'), cfn('db')],
        postDeployTests: [{ name: 'Smoke' }],
      }],
    });
    const template = validatedTemplate(app).template;
    const names = template.findResources('AWS::CodePipeline::Pipeline');
    const stages = (Object.values(names)[0] as any).Properties.Stages.map((s: any) => s.Name);
    expect(stages.slice(-3)).toEqual(['Prod.Review', 'Prod.Approval', 'Prod']);
    expect(placed(stage(template, 'Prod.Review'))).toEqual([['app-Prepare', 1], ['db-Prepare', 1], ['ReviewChangeSets', 2]]);
    const approval = stage(template, 'Prod.Approval');
    expect(placed(approval)).toEqual([['Approve', 1]]);
    expect(approval.BeforeEntry).toEqual({
      Conditions: [{ Result: 'SKIP', Rules: [{ Name: ruleName, RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: configuration }] }],
    });
    expect(placed(stage(template, 'Prod'))).toEqual([['app-Execute', 1], ['db-Execute', 1], ['Smoke', 2]]);
    expect(stage(template, 'Prod').BeforeEntry).toBeUndefined();
    expect(userParameters(byName(stage(template, 'Prod.Review')).ReviewChangeSets).policy).toBe(name);
    expect(byName(approval).Approve.Configuration.CustomData).toBe('#{Review-Prod.Summary}');
  });

  test('FAIL_ON_STATEFUL_REPLACEMENT keeps one stage (the review fails the stage before the approval) and no condition', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'Approve', { manual: true }), reviewChangeSets: true, reviewPolicy: ReviewPolicy.FAIL_ON_STATEFUL_REPLACEMENT, targets: [cfn('app')] }],
    });
    const prod = stage(validatedTemplate(app).template, 'Prod');
    expect(placed(prod)).toEqual([['app-Prepare', 1], ['ReviewChangeSets', 2], ['Approve', 3], ['app-Execute', 4]]);
    expect(prod.BeforeEntry).toBeUndefined();
    expect(userParameters(byName(prod).ReviewChangeSets).policy).toBe('fail-on-stateful-replacement');
  });

  test('the gate\'s own conditions stay on the deploy stage when the approval has a stage of its own', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true, deploymentWindow: { cron: 'cron(0 9 ? * MON-FRI *)' }, rollbackOnFailure: true }),
        reviewChangeSets: true,
        reviewPolicy: ReviewPolicy.SKIP_WHEN_EMPTY,
        targets: [cfn('app')],
      }],
    });
    const template = validatedTemplate(app).template;
    expect(stage(template, 'Prod').BeforeEntry.Conditions[0].Rules[0].RuleTypeId.Provider).toBe('DeploymentWindow');
    expect(stage(template, 'Prod').OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(stage(template, 'Prod.Approval').BeforeEntry.Conditions[0].Result).toBe('SKIP');
  });

  test('CDK stages in a reviewed stage: every stack\'s change set before the review, executed after the approval in dependency order', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false });
    new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      stages: [{ stageName: 'Beta', targets: [DeployTarget.cdkStage(beta)], reviewChangeSets: true, gate: new ApprovalGate(stack, 'BetaGate', { manual: true }) }],
    });
    const result = synthValidated(app);
    const template = Template.fromJSON(result.templates.PipelineStack);
    const betaStage = stage(template, 'Beta');
    const d = beta.data.stackName; const a = beta.api.stackName; const j = beta.jobs.stackName;
    expect(placed(betaStage)).toEqual([
      ...[`${a}-Prepare`, `${d}-Prepare`, `${j}-Prepare`].sort().map((n) => [n, 1]),
      ['ReviewChangeSets', 2],
      ['Approve', 3],
      [`${d}-Execute`, 4],
      ...[`${a}-Execute`, `${j}-Execute`].sort().map((n) => [n, 5]),
    ]);
    const params = userParameters(byName(betaStage).ReviewChangeSets);
    const found = changeSetsFound(result.templates.PipelineStack, byName(betaStage).ReviewChangeSets, PIPELINE_ENV);
    expect(found.map((c) => [c.account, c.region, c.stackName, c.changeSetName]).sort()).toEqual(
      [d, a, j].map((n) => [BETA_ENV.account, BETA_ENV.region, n, 'PipelineChange']).sort());
    for (const c of found) expect(c.roleArn).toBe(`arn:aws:iam::222222222222:role/${params.reviewRoleName}`);
    // The review role of the target account lives in the pipeline's stack for that account.
    const rolesStack = Object.keys(result.templates).find((id) => id.endsWith(`-${BETA_ENV.account}`))!;
    Template.fromJSON(result.templates[rolesStack]).resourceCountIs('AWS::IAM::Role', 1);
  });
});

describe('SourceBuildDeployPipeline change-set review: stack outputs of a CDK stage', () => {
  test('an output read from a CDK stage in a reviewed stage puts the namespace on its -Execute action (after the approval), never on -Prepare', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const svc = new Stage(app, 'Svc', { env: PIPELINE_ENV });
    const data = new Stack(svc, 'Data');
    new CfnWaitConditionHandle(data, 'Keep');
    const api = new Stack(svc, 'Api');
    new CfnWaitConditionHandle(api, 'Keep');
    new CfnOutput(api, 'ApiUrl', { value: 'https://api.example.com' });
    api.addDependency(data);
    const target = DeployTarget.cdkStage(svc);
    new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      stages: [{
        stageName: 'Prod',
        targets: [target],
        reviewChangeSets: true,
        gate: new ApprovalGate(stack, 'ProdGate', { manual: true }),
        postDeployTests: [{ name: 'Smoke', buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['curl -f "$API_URL"'] } } }), environmentVariables: { API_URL: { value: target.output('ApiUrl', { stack: api }) } } }],
      }],
    });
    const result = synthValidated(app);
    const prod = byName(stage(Template.fromJSON(result.templates.PipelineStack), 'Prod'));
    const apiName = api.stackName;
    expect(prod[`${apiName}-Prepare`].Namespace).toBeUndefined();
    expect(prod[`${data.stackName}-Prepare`].Namespace).toBeUndefined();
    expect(prod[`${data.stackName}-Execute`].Namespace).toBeUndefined();
    const execute = prod[`${apiName}-Execute`];
    expect(execute.Namespace).toBe(`Prod-${apiName}`);
    expect(execute.RunOrder).toBeGreaterThan(prod.ProdGate?.RunOrder ?? Object.values<any>(prod).find((x) => x.ActionTypeId.Category === 'Approval').RunOrder);
    expect(execute.RunOrder).toBeGreaterThan(prod.ReviewChangeSets.RunOrder);
    expect(JSON.parse(prod.Smoke.Configuration.EnvironmentVariables)).toContainEqual({ name: 'API_URL', type: 'PLAINTEXT', value: `#{Prod-${apiName}.ApiUrl}` });
    expect(prod.Smoke.RunOrder).toBeGreaterThan(execute.RunOrder);
  });
});

describe('SourceBuildDeployPipeline change-set review footprint', () => {
  /** Resources by type of every template of the app. */
  function counts(review: boolean) {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true }),
        reviewChangeSets: review,
        targets: [cfn('app', { changeSet: true }), cfn('edge', { account: OTHER, changeSet: true })],
      }],
    });
    const result = synthValidated(app);
    const types = (t: any) => Object.values<any>(t.Resources ?? {}).map((r) => r.Type).sort();
    return Object.fromEntries(Object.entries(result.templates).map(([id, t]: [string, any]) => [id, types(t)]));
  }

  test('the review adds 7 resources to the pipeline stack (function, its role, policy, GetPipeline policy, log group; the action\'s role and policy) and a role with its policy in the other account', () => {
    const without = counts(false);
    const withReview = counts(true);
    const added = (id: string) => {
      const rest = [...(without[id] ?? [])];
      return withReview[id].filter((type: string) => { const i = rest.indexOf(type); if (i < 0) return true; rest.splice(i, 1); return false; });
    };
    expect(added('Stack').sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Policy', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup']);
    const rolesStack = Object.keys(withReview).find((id) => !(id in without))!;
    expect(rolesStack).toMatch(new RegExp(`-${OTHER}$`));
    expect(withReview[rolesStack].sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role']);
  });
});

describe('SourceBuildDeployPipeline change-set review validation', () => {
  test('any number of change sets fits CodePipeline\'s 1000-character limit for the review action\'s UserParameters (they name the stage, not the change sets)', () => {
    const { stack } = newStack();
    const accounts = ['222222222222', '333333333333', '444444444444'];
    const regions = ['eu-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'us-east-2'];
    const targets = accounts.flatMap((account) => regions.map((region) => cfn(`service-with-a-long-name-${account}-${region}`, { account, region })));
    definePipeline(stack, { stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'A', { manual: true }), reviewChangeSets: true, targets }] });
    const template = Template.fromStack(stack);
    const review = byName(stage(template, 'Prod')).ReviewChangeSets;
    expect(JSON.stringify(review.Configuration.UserParameters).length).toBeLessThan(1000);
    const found = changeSetsFound(template.toJSON(), review, PIPELINE_ENV);
    expect(found).toHaveLength(15);
    expect(new Set(found.map((c) => c.roleArn?.split(':')[4]))).toEqual(new Set(accounts));
  });

  test('fails when reviewPolicy is given without reviewChangeSets', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'A', { manual: true }), reviewPolicy: ReviewPolicy.ON_RISK, targets: [cfn('app')] }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod' has reviewPolicy on-risk but not reviewChangeSets; add reviewChangeSets: true/);
  });

  test('fails when a skip policy is used in a V1 pipeline', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      pipelineType: codepipeline.PipelineType.V1,
      stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'A', { manual: true }), reviewChangeSets: true, reviewPolicy: ReviewPolicy.SKIP_WHEN_EMPTY, targets: [cfn('app')] }],
    })).toThrow(/stage 'Prod' has reviewPolicy skip-when-empty, which skips the approval with a V2 stage condition, but the pipeline is V1/);
  });

  test('fails when reviewPolicy is not a ReviewPolicy', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', reviewChangeSets: true, reviewPolicy: 'sometimes' as any, targets: [cfn('app')] }] }))
      .toThrow(/reviewPolicy .*'sometimes'.*ReviewPolicy/);
  });

  test('fails when a stage added by the review collides with a stage of the pipeline', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      stages: [
        { stageName: 'Prod.Review', targets: [cfn('other')] },
        { stageName: 'Prod', gate: new ApprovalGate(stack, 'A', { manual: true }), reviewChangeSets: true, reviewPolicy: ReviewPolicy.ON_RISK, targets: [cfn('app')] },
      ],
    })).toThrow(/stage name 'Prod.Review' appears twice \(stage 'Prod' adds it for its change-set review\)/);
  });

  test('fails when a CDK stage of a reviewed stage sets changeSet: false', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false });
    expect(() => new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      stages: [{ stageName: 'Beta', targets: [DeployTarget.cdkStage(beta, { changeSet: false })], reviewChangeSets: true, gate: new ApprovalGate(stack, 'G', { manual: true }) }],
    })).toThrow(/stage 'Beta': DeployTarget.cdkStage\('Beta'\) has changeSet: false in a stage that reviews change sets/);
  });
});
