import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { pipelineFixture, synthGate } from './fixtures';
import { ApprovalGate, CrossRegionCfnPipeline, DeployTarget, PipelineSource } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';
import { buildSpec, definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

function gateStage(t: Template, name: string): any {
  const stages: any[] = Object.values<any>(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  return stages.find((s) => s.Name === name);
}

describe('stage retry on failure', () => {
  test.each([codepipeline.RetryMode.FAILED_ACTIONS, codepipeline.RetryMode.ALL_ACTIONS])(
    'ApprovalGate retryOnFailure %s: on-failure result RETRY with that retry mode, clean under the validation engine', (mode) => {
      const f = pipelineFixture();
      new ApprovalGate(f.stack, 'ProdGate', { retryOnFailure: mode }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
      const result = synthGate(f);
      expect(result.findings).toEqual([]);
      const prod = gateStage(Template.fromJSON(result.templates.Gate), 'Prod');
      expect(prod.OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: mode } });
      expect(prod.BeforeEntry).toBeUndefined();
    });

  test('a manual gate with retryOnFailure: the approval first, the retry on the stage', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { manual: true, retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS })
      .attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction('Ship')] });
    const prod = gateStage(Template.fromJSON(synthGate(f).templates.Gate), 'Prod');
    expect(prod.Actions.map((a: any) => a.Name)).toEqual(['Approve', 'Ship']);
    expect(prod.OnFailure.Result).toBe('RETRY');
  });

  test('SourceBuildDeployPipeline stage retryOnFailure renders RETRY on that stage only', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [
        { stageName: 'Staging', targets: [cfn('staging')], retryOnFailure: codepipeline.RetryMode.ALL_ACTIONS },
        { stageName: 'Prod', targets: [cfn('prod')] },
      ],
    });
    const t = harnessTemplate(app);
    expect(stage(t, 'Staging').OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'ALL_ACTIONS' } });
    expect(stage(t, 'Prod').OnFailure).toBeUndefined();
  });

  test('CrossRegionCfnPipeline: a wave gate with retryOnFailure renders RETRY on the wave\'s stage', () => {
    const { app, stack } = newStack('Pipe');
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo, { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }], gate: new ApprovalGate(stack, 'Gate', { manual: true, retryOnFailure: codepipeline.RetryMode.ALL_ACTIONS }) }],
    });
    const template = app.synth().getStackByName(stack.stackName).template;
    const pipeline: any = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const canary = pipeline.Properties.Stages.find((st: any) => st.Name === 'Canary');
    expect(canary.OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'ALL_ACTIONS' } });
  });

  test('a stage retry and a gate with only entry conditions combine', () => {
    const { stack } = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { manual: true });
    const p = definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [cfn('prod')], gate, retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS }] });
    const cfnPipeline = p.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const stages = stack.resolve(cfnPipeline.stages) as any[];
    expect(stages.find((s) => s.name === 'Prod').onFailure).toEqual({ result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' } });
  });

  test('fails when retryOnFailure and rollbackOnFailure are both given to a gate', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { rollbackOnFailure: true, retryOnFailure: codepipeline.RetryMode.ALL_ACTIONS }))
      .toThrow(/ApprovalGate 'ProdGate': rollbackOnFailure and retryOnFailure \(ALL_ACTIONS\) are both given; a stage has one on-failure result/);
  });

  test('fails when a gate with retryOnFailure is attached to a V1 pipeline', () => {
    const f = pipelineFixture(codepipeline.PipelineType.V1);
    const gate = new ApprovalGate(f.stack, 'ProdGate', { retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS });
    expect(() => gate.attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] })).toThrow(/stage conditions .*retry.* need a V2 pipeline/);
  });

  test('fails when the stage retries and its gate rolls back on failure', () => {
    const { stack } = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { manual: true, rollbackOnFailure: true });
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [cfn('prod')], gate, retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod' has retryOnFailure \(FAILED_ACTIONS\) and its gate sets an on-failure result \(ROLLBACK\)/);
  });

  test('fails when a stage retries in a V1 pipeline', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      pipelineType: codepipeline.PipelineType.V1,
      stages: [{ stageName: 'Prod', targets: [cfn('prod')], retryOnFailure: codepipeline.RetryMode.FAILED_ACTIONS }],
    })).toThrow(/stage 'Prod' has retryOnFailure, which is a V2 stage condition, but pipelineType is V1; use PipelineType.V2/);
  });

  test('fails when retryOnFailure is not a RetryMode', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [cfn('prod')], retryOnFailure: 'FAILED' as any }] }))
      .toThrow(/retryOnFailure .*codepipeline.RetryMode/);
    expect(() => new ApprovalGate(new Stack(), 'G', { retryOnFailure: true as any })).toThrow(/retryOnFailure .*codepipeline.RetryMode/);
  });
});

function cfn(stackName: string): DeployTarget {
  return DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true });
}
