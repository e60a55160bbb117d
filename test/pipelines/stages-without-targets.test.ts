import { definePipeline, newStack, stage, stagesOf } from './source-build-deploy-fixtures';
import { ApprovalGate, DeployTarget } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';
import { alarm } from '../gates/fixtures';

const cfn = (stackName = 'app') => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true });

describe('SourceBuildDeployPipeline without deploy targets', () => {
  test('build-only pipeline: Source and Build, nothing else, clean under the harness', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [] });
    const t = harnessTemplate(app);
    expect(stagesOf(t).map((s) => s.Name)).toEqual(['Source', 'Build']);
    t.resourceCountIs('AWS::CodeBuild::Project', 1);
  });

  test('build-and-test pipeline: Source, Build, Test', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [], tests: [{ name: 'Unit' }, { name: 'Lint' }] });
    const t = harnessTemplate(app);
    expect(stagesOf(t).map((s) => s.Name)).toEqual(['Source', 'Build', 'Test']);
    expect(stage(t, 'Test').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Unit', 1], ['Lint', 1]]);
  });

  test('test-only pipeline (no build): the tests read the source output', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { buildStep: undefined, stages: [], tests: [{ name: 'Unit' }] });
    const t = harnessTemplate(app);
    expect(stagesOf(t).map((s) => s.Name)).toEqual(['Source', 'Test']);
    expect(stage(t, 'Test').Actions[0].InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('an approval-only stage holds just the manual approval; targets omitted', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [
        { stageName: 'Release', gate: new ApprovalGate(stack, 'Release', { manual: true, message: 'Release to prod?' }) },
        { stageName: 'Prod', targets: [cfn()] },
      ],
    });
    const t = harnessTemplate(app);
    expect(stagesOf(t).map((s) => s.Name)).toEqual(['Source', 'Build', 'Release', 'Prod']);
    expect(stage(t, 'Release').Actions.map((a: any) => [a.Name, a.ActionTypeId.Category, a.RunOrder])).toEqual([['Approve', 'Approval', 1]]);
  });

  test('a test-only stage runs its tests first, or right after its gate', () => {
    const { stack } = newStack();
    const p = definePipeline(stack, {
      stages: [
        { stageName: 'Integration', postDeployTests: [{ name: 'E2E' }] },
        { stageName: 'Soak', gate: new ApprovalGate(stack, 'Soak', { manual: true }), postDeployTests: [{ name: 'Load' }] },
      ],
    });
    const runOrders = (name: string) => p.pipeline.stages.find((s) => s.stageName === name)!.actions
      .map((a) => [a.actionProperties.actionName, a.actionProperties.runOrder]);
    expect(runOrders('Integration')).toEqual([['E2E', 1]]);
    expect(runOrders('Soak')).toEqual([['Approve', 1], ['Load', 2]]);
  });

  test('fails when a stage without targets or tests has a gate with only conditions (no action for the stage)', () => {
    const { stack } = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { alarms: [alarm(stack, 'Errors')] });
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', gate }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod' has no actions: no targets, no postDeployTests, and its gate adds no manual approval/);
  });

  test('fails when selfUpdate is on without deploy stages', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [], selfUpdate: true })).toThrow(/selfUpdate is on but the pipeline has no deploy stages/);
  });

  test('fails when reviewChangeSets is on a stage without targets', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'G', { manual: true }), reviewChangeSets: true }] }))
      .toThrow(/stage 'Prod' has reviewChangeSets but no targets/);
  });
});
