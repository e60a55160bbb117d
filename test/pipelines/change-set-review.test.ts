import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { definePipeline, newStack, stage } from './source-build-deploy-fixtures';
import { ApprovalGate, DeployTarget, IStageGate } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';

const cfn = (stackName: string, extra = {}) => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, ...extra });

describe('SourceBuildDeployPipeline reviewChangeSets', () => {
  test('change sets are created first, then the review, then the approval, then they are executed and the other targets deploy', () => {
    const { app, stack } = newStack();
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:eu-west-1:111111111111:stateMachine:migrate');
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true, message: 'Review the change sets of app and db' }),
        reviewChangeSets: true,
        targets: [cfn('app'), cfn('db', { changeSet: true, changeSetName: 'db-release' }), DeployTarget.stepFunctions({ stateMachine: machine, actionName: 'Migrate' })],
      }],
    });
    const t = harnessTemplate(app);
    const prod = stage(t, 'Prod');
    const placed = prod.Actions.map((a: any) => [a.Name, a.RunOrder ?? 1]).sort((x: any, y: any) => x[1] - y[1] || x[0].localeCompare(y[0]));
    expect(placed).toEqual([
      ['app-Prepare', 1], ['db-Prepare', 1],
      ['ReviewChangeSets', 2],
      ['Approve', 3],
      ['app-Execute', 4], ['db-Execute', 4], ['Migrate', 4],
    ]);
    const byName = Object.fromEntries(prod.Actions.map((a: any) => [a.Name, a]));
    expect(byName['app-Prepare'].Configuration).toMatchObject({ ActionMode: 'CHANGE_SET_REPLACE', ChangeSetName: 'app-changes', StackName: 'app' });
    expect(byName['app-Execute'].Configuration).toMatchObject({ ActionMode: 'CHANGE_SET_EXECUTE', ChangeSetName: 'app-changes', StackName: 'app' });
    expect(byName['db-Execute'].Configuration.ChangeSetName).toBe('db-release');
    expect(byName.Approve.ActionTypeId.Provider).toBe('Manual');
  });

  test('without reviewChangeSets the gate still runs first (unchanged order)', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [{ stageName: 'Prod', gate: new ApprovalGate(stack, 'Approve', { manual: true }), targets: [cfn('app', { changeSet: true })] }] });
    const prod = stage(harnessTemplate(app), 'Prod');
    expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['app-Prepare', 2], ['app-Execute', 3]]);
  });

  test('post-deploy tests run after the executions (the review action is added last, at runOrder 2)', () => {
    const { stack } = newStack();
    const p = definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true }),
        reviewChangeSets: true,
        targets: [cfn('app')],
        postDeployTests: [{ name: 'Smoke' }],
      }],
    });
    const prod = p.pipeline.stages.find((s) => s.stageName === 'Prod')!;
    expect(prod.actions.map((a) => [a.actionProperties.actionName, a.actionProperties.runOrder])).toEqual([
      ['Approve', 3], ['app-Prepare', 1], ['app-Execute', 4], ['Smoke', 5], ['ReviewChangeSets', 2],
    ]);
  });

  test('fails without a gate, or with a gate that has no manual approval', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', reviewChangeSets: true, targets: [cfn('app')] }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod' has reviewChangeSets but no gate; give it a gate with a manual approval/);
    const other = newStack();
    const gate = new ApprovalGate(other.stack, 'Gate', { rollbackOnFailure: true });
    expect(() => definePipeline(other.stack, { stages: [{ stageName: 'Prod', reviewChangeSets: true, gate, targets: [cfn('app')] }] }))
      .toThrow(/ApprovalGate 'Gate': stage 'Prod' reviews its change sets but the gate has no manual approval to show the review in; give the gate a manual approval/);
  });

  test('fails when a CloudFormation target of the stage sets changeSet: false', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', reviewChangeSets: true, gate: new ApprovalGate(stack, 'A', { manual: true }), targets: [cfn('app', { changeSet: false })] }],
    })).toThrow(/stage 'Prod', action 'app': changeSet is false in a stage that reviews change sets \(reviewChangeSets\)/);
  });

  test('fails when no target creates a change set', () => {
    const { stack } = newStack();
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:eu-west-1:111111111111:stateMachine:migrate');
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', reviewChangeSets: true, gate: new ApprovalGate(stack, 'A', { manual: true }), targets: [DeployTarget.stepFunctions({ stateMachine: machine })] }],
    })).toThrow(/stage 'Prod' has reviewChangeSets but none of its targets creates a change set to review; add a DeployTarget.cloudFormation target/);
  });

  test('fails when a custom gate ignores the runOrder it is given', () => {
    const { stack } = newStack();
    const gate: IStageGate = { bindToStage: () => ({ actions: [new actions.ManualApprovalAction({ actionName: 'Mine', runOrder: 1 })] }) };
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', reviewChangeSets: true, gate, targets: [cfn('app')] }] }))
      .toThrow(/its gate put action 'Mine' at runOrder 1; the gate must place its actions at the runOrder bindToStage passes \(3/);
  });

  test('fails when reviewChangeSets is not a boolean', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', reviewChangeSets: 'yes' as any, targets: [cfn('app')] }] }))
      .toThrow(/reviewChangeSets is a string .*true or false/);
  });
});
