import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { alarm, checkFunction, Fixture, pipelineFixture, synthGate } from './fixtures';
import { ApprovalGate, CloudWatchAlarmRule, LambdaInvokeRule, VariableCheckRule } from '../../src';

function template(f: Fixture): Template {
  return Template.fromJSON(synthGate(f).templates[f.stack.stackName]);
}

function stage(t: Template, name: string): any {
  const [pipeline] = Object.values<any>(t.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

const rule = (f: Fixture) => new CloudWatchAlarmRule({ alarm: alarm(f.stack, 'ProdErrors') });

describe('ApprovalGate on-failure conditions with rules (failureRules, failureResult)', () => {
  test('failureRules render the stage\'s OnFailure: result ROLLBACK on the block and its one condition, the typed rules in it', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { failureRules: [rule(f)] }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const t = template(f);
    expect(stage(t, 'Prod').OnFailure).toEqual({
      Result: 'ROLLBACK',
      Conditions: [{
        Result: 'ROLLBACK',
        Rules: [{
          Name: 'Prod.OnFailureAlarm1',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
          Configuration: { AlarmName: { Ref: expect.stringMatching(/^ProdErrors/) }, AlarmStates: 'ALARM' },
        }],
      }],
    });
    expect(stage(t, 'Prod').BeforeEntry).toBeUndefined();
    expect(stage(t, 'Prod').OnSuccess).toBeUndefined();
    // The pipeline role may read the alarm the rule checks (granted by the rule, as in every other condition).
    const statements = Object.values<any>(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.some((s) => [s.Action].flat().includes('cloudwatch:DescribeAlarms'))).toBe(true);
  });

  test('failureResult FAIL, with a Lambda check and a variable check in the same condition', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      manual: true,
      failureRules: [new LambdaInvokeRule({ function: checkFunction(f.stack, 'Triage') }), new VariableCheckRule({ variable: '#{SourceVariables.VersionId}', value: 'main' })],
      failureResult: codepipeline.Result.FAIL,
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const onFailure = stage(template(f), 'Prod').OnFailure;
    // The block's Result takes only ROLLBACK or RETRY (CloudFormation): FAIL is the condition's result alone.
    expect(onFailure.Result).toBeUndefined();
    expect(onFailure.Conditions).toHaveLength(1);
    expect(onFailure.Conditions[0].Result).toBe('FAIL');
    expect(onFailure.Conditions[0].Rules.map((r: any) => [r.Name, r.RuleTypeId.Provider])).toEqual([
      [expect.stringMatching(/^Prod\.OnFailure/), 'LambdaInvoke'], [expect.stringMatching(/^Prod\.OnFailure/), 'VariableCheck'],
    ]);
  });

  describe('fails', () => {
    const gate = (props: any) => {
      const f = pipelineFixture();
      return () => new ApprovalGate(f.stack, 'ProdGate', typeof props === 'function' ? props(f) : props);
    };
    test('when failureResult is RETRY or SKIP', () => {
      expect(gate((f: Fixture) => ({ failureRules: [rule(f)], failureResult: codepipeline.Result.RETRY })))
        .toThrow(/^ApprovalGate 'ProdGate': failureResult RETRY is not allowed on failure; use codepipeline\.Result\.ROLLBACK or codepipeline\.Result\.FAIL \(CodePipeline does not retry/);
      expect(gate((f: Fixture) => ({ failureRules: [rule(f)], failureResult: codepipeline.Result.SKIP })))
        .toThrow(/failureResult SKIP is not allowed on failure; .*\(a failed stage cannot be skipped\)/);
    });
    test('when failureResult is given without failureRules, or failureRules is empty', () => {
      expect(gate({ failureResult: codepipeline.Result.ROLLBACK, manual: true })).toThrow(/failureResult is given but the gate has no failureRules/);
      expect(gate({ failureRules: [], manual: true })).toThrow(/failureRules is empty; give 1 to 5 rules/);
    });
    test('when failureRules come with rollbackOnFailure or retryOnFailure (one on-failure result per stage)', () => {
      expect(gate((f: Fixture) => ({ failureRules: [rule(f)], rollbackOnFailure: true }))).toThrow(/rollbackOnFailure and failureRules are both given/);
      expect(gate((f: Fixture) => ({ failureRules: [rule(f)], retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS })))
        .toThrow(/retryOnFailure \(FAILED_ACTIONS\) and failureRules are both given; CodePipeline cannot retry a stage automatically when it has on-failure conditions/);
    });
    test('when failureRules hold more than 5 rules', () => {
      expect(gate(() => ({ failureRules: Array.from({ length: 6 }, (_, i) => new VariableCheckRule({ variable: '#{SourceVariables.VersionId}', value: `v${i}` })) })))
        .toThrow(/6 rules .*CodePipeline allows at most 5 rules in one condition/);
    });
    test('when failureRules is not a list of rules, or a key is misspelt', () => {
      expect(() => new ApprovalGate(new Stack(), 'ProdGate', { failureRules: ['alarm'] } as any)).toThrow(/^ApprovalGate 'ProdGate': failureRules\[0\] is a string \('alarm'\), not a GateRule; pass a rule/);
      expect(() => new ApprovalGate(new Stack(), 'ProdGate', { failureRule: [] } as any)).toThrow(/unknown key 'failureRule' \(did you mean 'failureRules'\?\)/);
    });
    test('when the pipeline is V1', () => {
      const f = pipelineFixture(codepipeline.PipelineType.V1);
      const g = new ApprovalGate(f.stack, 'ProdGate', { failureRules: [rule(f)] });
      expect(() => g.attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] })).toThrow(/stage conditions .* need a V2 pipeline/);
    });
  });
});
