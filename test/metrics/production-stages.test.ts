import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CrossRegionCfnPipeline, DeployTarget, PipelineSource } from '../../src';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, synthValidated } from '../util';

/** The production stages a pipeline of this library hands its notifier (the rule's input `delivery`). */
function productionStages(template: any): string[] {
  const rules = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
  const input = JSON.stringify(rules.map((r) => r.Properties.Targets?.[0]?.InputTransformer?.InputTemplate));
  const m = /\\"productionStages\\":(\[[^\]]*\])/.exec(input.replace(/\\\\/g, '\\'));
  if (!m) throw new Error(`no productionStages in ${input}`);
  return JSON.parse(m[1].replace(/\\"/g, '"'));
}

const target = (stackName: string) => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true });

describe('production stages of the pipelines (delivery metrics)', () => {
  test('SourceBuildDeployPipeline: the last deploy stage by default', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [{ stageName: 'Staging', targets: [target('staging')] }, { stageName: 'Prod', targets: [target('prod')] }] });
    expect(productionStages(synthValidated(app).templates.Stack)).toEqual(['Prod']);
  });

  test('SourceBuildDeployPipeline: the stages marked production: true', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      stages: [
        { stageName: 'ProdEu', targets: [target('eu')], production: true },
        { stageName: 'ProdUs', targets: [target('us')], production: true },
        { stageName: 'Smoke', targets: [target('smoke')] },
      ],
    });
    expect(productionStages(app.synth().getStackByName('Stack').template)).toEqual(['ProdEu', 'ProdUs']);
  });

  test('SourceBuildDeployPipeline: a build-only pipeline has no production stage', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [] });
    expect(productionStages(app.synth().getStackByName('Stack').template)).toEqual([]);
  });

  test('fails when the last stage is marked production: false and no other is marked true', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [target('prod')], production: false }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': no deploy stage is production: the last one, 'Prod', is marked production: false and no other is marked true; mark the production stage with production: true/);
  });

  test('fails when a stage is marked production with the delivery metrics off', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { notifications: { deliveryMetrics: false }, stages: [{ stageName: 'Prod', targets: [target('prod')], production: true }] }))
      .toThrow(/stage 'Prod' is marked production, but the delivery metrics are off \(notifications deliveryMetrics: false\); drop production, or turn the metrics on/);
  });

  test('fails when production is not a boolean (plain JavaScript)', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [target('prod')], production: 'yes' as any }] })).toThrow(/production/);
  });

  test('CrossRegionCfnPipeline: a wave\'s production stage is its last stage (the executions, not the change sets); default the last wave', () => {
    const build = { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } }, artifacts: { files: ['t.yaml'] } }) };
    const define = (waves: any[]) => {
      const app = createTestApp();
      const stack = new Stack(app, 'Pipe', { env: { account: '111111111111', region: 'eu-west-1' } });
      const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
        source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
        buildStep: build,
        stackName: 'app',
        allowEmptyExecutionPolicy: true,
        waves,
      });
      return { app, pipeline };
    };
    const one = define([{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }, { waveName: 'Prod', targets: [{ region: 'eu-west-1' }, { region: 'eu-central-1' }] }]);
    expect(one.pipeline.stageNames).toEqual(expect.arrayContaining(['Prod.ChangeSets', 'Prod']));
    expect(productionStages(one.app.synth().getStackByName('Pipe').template)).toEqual(['Prod']);

    const marked = define([{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }], production: true }, { waveName: 'Prod', targets: [{ region: 'eu-central-1' }] }]);
    expect(productionStages(marked.app.synth().getStackByName('Pipe').template)).toEqual(['Canary']);
  });
});
