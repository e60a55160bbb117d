import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { alarm, checkFunction, pipelineFixture, synthGate } from './fixtures';
import { ApprovalGate, CommandsRule, DeployTarget, GateCondition, LambdaInvokeRule, VariableCheckRule } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

function gateStage(t: Template, name: string): any {
  const stages: any[] = Object.values<any>(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  return stages.find((s) => s.Name === name);
}

describe('CommandsRule', () => {
  test('renders the Commands rule with its commands and input artifacts; the pipeline role writes only its own log group', () => {
    const f = pipelineFixture();
    const onSuccess = new GateCondition({
      result: codepipeline.Result.FAIL,
      rules: [new CommandsRule({ commands: ['./smoke-test.sh', 'echo done'], inputs: ['Source'], ruleName: 'Smoke' })],
    });
    f.pipeline.addStage({ stageName: 'Prod', actions: [f.deployAction()], onSuccess: { conditions: [onSuccess.bind(f.stack, { pipeline: f.pipeline, stageName: 'Prod' })] } });
    const result = synthGate(f);
    expect(result.findings).toEqual([]);
    const t = Template.fromJSON(result.templates.Gate);
    expect(gateStage(t, 'Prod').OnSuccess).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [{
          Name: 'Smoke',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'Commands', Version: '1' },
          Commands: ['./smoke-test.sh', 'echo done'],
          InputArtifacts: [{ Name: 'Source' }],
          Configuration: {},
        }],
      }],
    });
    const logs = Object.values<any>(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => [].concat(st.Action).some((a: string) => a.startsWith('logs:')));
    expect(logs.flatMap((st) => [].concat(st.Action)).sort()).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(logs.map((st) => st.Resource))).toMatch(/log-group:\/aws\/codepipeline\//);
    expect(JSON.stringify(logs.map((st) => st.Resource))).not.toMatch(/"\*"/);
  });

  test.each([
    ['no commands', { commands: [] }, /commands has 0 commands; the Commands rule takes 1 to 50/],
    ['51 commands', { commands: Array.from({ length: 51 }, (_, i) => `echo ${i}`) }, /commands has 51 commands/],
    ['a multi-line command', { commands: ['echo a\necho b'] }, /commands\[0\] spans several lines; the Commands rule takes single-line commands only/],
    ['an empty command', { commands: ['echo', '  '] }, /commands\[1\] is empty/],
    ['a command over 1000 characters', { commands: ['x'.repeat(1001)] }, /commands\[0\] is 1001 characters; each command has at most 1000/],
    ['an invalid input name', { commands: ['ls'], inputs: ['Build Output'] }, /inputs has 'Build Output', which is not an artifact name/],
    ['commands not a list', { commands: 'ls' }, /CommandsRule: commands is a string .*, not an array/],
  ])('fails on %s', (_name, props, message) => {
    expect(() => new CommandsRule(props as any)).toThrow(message);
  });

  test('fails in an entry condition with result SKIP (CodePipeline allows SKIP only with LambdaInvoke and VariableCheck)', () => {
    expect(() => new GateCondition({ rules: [new CommandsRule({ commands: ['ls'] })], result: codepipeline.Result.SKIP }))
      .toThrow(/result SKIP is used with Commands rules/);
  });
});

describe('ApprovalGate on-success rules with result FAIL', () => {
  test('successRules alone: an on-success condition with result FAIL (Lambda and variable rules), rule names Prod.Success*', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      successRules: [new LambdaInvokeRule({ function: checkFunction(f.stack, 'Smoke') }), new VariableCheckRule({ variable: '#{SourceVariables.VersionId}', value: 'main' })],
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const result = synthGate(f);
    expect(result.findings).toEqual([]);
    const prod = gateStage(Template.fromJSON(result.templates.Gate), 'Prod');
    expect(prod.OnSuccess.Conditions).toHaveLength(1);
    expect(prod.OnSuccess.Conditions[0].Result).toBe('FAIL');
    expect(prod.OnSuccess.Conditions[0].Rules.map((r: any) => [r.Name, r.RuleTypeId.Provider]))
      .toEqual([['Prod.SuccessCheck1', 'LambdaInvoke'], ['Prod.SuccessVariable1', 'VariableCheck']]);
  });

  test('rollbackOnAlarms and successRules share one on-success condition with result ROLLBACK', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      rollbackOnAlarms: [alarm(f.stack, 'Errors')],
      successRules: [new LambdaInvokeRule({ function: checkFunction(f.stack, 'Smoke') })],
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const prod = gateStage(Template.fromJSON(synthGate(f).templates.Gate), 'Prod');
    expect(prod.OnSuccess.Conditions[0].Result).toBe('ROLLBACK');
    expect(prod.OnSuccess.Conditions[0].Rules.map((r: any) => r.Name)).toEqual(['Prod.RollbackAlarm1', 'Prod.RollbackCheck1']);
  });

  test('a CommandsRule smoke test after a SourceBuildDeployPipeline stage passes the harness', () => {
    const { app, stack } = newStack();
    const gate = new ApprovalGate(stack, 'ProdGate', { successRules: [new CommandsRule({ commands: ['curl -fsS https://example.com/health'] })] });
    definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })], gate }] });
    const t = harnessTemplate(app);
    expect(stage(t, 'Prod').OnSuccess).toEqual({
      Conditions: [{ Result: 'FAIL', Rules: [expect.objectContaining({ Name: 'Prod.SuccessCommands1', Commands: ['curl -fsS https://example.com/health'] })] }],
    });
  });

  test('fails when successResult is not ROLLBACK or FAIL, or FAIL with rollbackOnAlarms, or without rules', () => {
    const s = new Stack();
    const rules = [new VariableCheckRule({ variable: '#{variables.x}', value: 'y' })];
    expect(() => new ApprovalGate(s, 'A', { successRules: rules, successResult: codepipeline.Result.SKIP }))
      .toThrow(/ApprovalGate 'A': successResult SKIP is not allowed on success; use codepipeline.Result.ROLLBACK or codepipeline.Result.FAIL/);
    expect(() => new ApprovalGate(s, 'B', { rollbackOnAlarms: [alarm(s, 'E')], successResult: codepipeline.Result.FAIL }))
      .toThrow(/ApprovalGate 'B': rollbackOnAlarms is given with successResult FAIL/);
    expect(() => new ApprovalGate(s, 'C', { manual: true, successResult: codepipeline.Result.FAIL }))
      .toThrow(/ApprovalGate 'C': successResult is given but the gate has no on-success rules/);
    expect(() => new ApprovalGate(s, 'D', { successRules: [{} as any] })).toThrow(/ApprovalGate 'D': successRules\[0\]/);
  });

  test('fails when the on-success condition would hold more than 5 rules', () => {
    const s = new Stack();
    expect(() => new ApprovalGate(s, 'G', {
      rollbackOnAlarms: [alarm(s, 'A1'), alarm(s, 'A2'), alarm(s, 'A3')],
      successRules: [1, 2, 3].map((i) => new VariableCheckRule({ variable: '#{variables.x}', value: String(i) })),
    })).toThrow(/the on-success condition would hold 6 rules \(3 rollbackOnAlarms, 3 successRules\)/);
  });
});
