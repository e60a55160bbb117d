import { App, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { BuildStep } from '../../src/build/build-step';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { SourceBuildDeployPipelineProps } from '../../src/pipelines/source-build-deploy/props';
import { SourceBuildDeployPipeline } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { codeCommitSource, stagesOf } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthValidated } from '../util';
import { BETA_ENV, PIPELINE_ENV } from './fixtures';

/** A CDK stage holding stacks named `stackNames` (one resource each, nothing to publish but the templates). */
class SmallStage extends Stage {
  constructor(scope: App, id: string, stackNames: string[]) {
    super(scope, id, { env: BETA_ENV });
    for (const name of stackNames) addStack(this, name);
    exemptFixtureFromControlTower(this, 'the application under deployment, not a construct of this library');
  }
}

function addStack(stage: Stage, name: string): Stack {
  const stack = new Stack(stage, name, { stackName: name });
  new CfnWaitConditionHandle(stack, 'Handle');
  return stack;
}

function pipeline(app: App, stages: SourceBuildDeployPipelineProps['stages'], more: Partial<SourceBuildDeployPipelineProps> = {}) {
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  return new SourceBuildDeployPipeline(stack, 'Pipeline', { source: codeCommitSource(stack), buildStep: BuildStep.cdkSynth(), stages, ...more });
}

describe('SourceBuildDeployPipeline holds CDK stages to the rules of CrossRegionCfnPipeline waves', () => {
  test('fails when the same CDK stage is given twice', () => {
    const app = createTestApp();
    const beta = new SmallStage(app, 'Beta', ['data']);
    expect(() => pipeline(app, [
      { stageName: 'DeployBeta', targets: [DeployTarget.cdkStage(beta)] },
      { stageName: 'DeployProd', targets: [DeployTarget.cdkStage(beta)] },
    ])).toThrow(/^SourceBuildDeployPipeline 'Pipeline': CDK stage 'Beta' is in stage 'DeployBeta' and in stage 'DeployProd'; deploy each stage once: define one Stage per environment/);

    const again = createTestApp();
    const target = DeployTarget.cdkStage(new SmallStage(again, 'Beta', ['data']));
    expect(() => pipeline(again, [{ stageName: 'DeployBeta', targets: [target, target] }]))
      .toThrow(/CDK stage 'Beta' is in stage 'DeployBeta' twice; deploy each stage once/);
  });

  test('fails when two CDK stages define the same stack in the same environment', () => {
    const app = createTestApp();
    const one = new SmallStage(app, 'One', ['shared']);
    const two = new SmallStage(app, 'Two', ['shared']);
    expect(() => pipeline(app, [
      { stageName: 'DeployOne', targets: [DeployTarget.cdkStage(one)] },
      { stageName: 'DeployTwo', targets: [DeployTarget.cdkStage(two)] },
    ])).toThrow(/^SourceBuildDeployPipeline 'Pipeline': stack 'shared' in aws:\/\/222222222222\/eu-west-1 is deployed by CDK stages 'One' and 'Two'; give the stacks distinct names \(stackName\) or the stages distinct environments\.$/);
  });

  test('a stack added to the stage after DeployTarget.cdkStage(stage), before the pipeline, is deployed', () => {
    const app = createTestApp();
    const beta = new SmallStage(app, 'Beta', ['data']);
    const target = DeployTarget.cdkStage(beta);
    addStack(beta, 'late');
    pipeline(app, [{ stageName: 'DeployBeta', targets: [target] }]);
    const result = synthValidated(app);
    expect(formatFindings(result.findings)).toBe(formatFindings([]));
    const deploy = stagesOf(Template.fromJSON(result.templates.PipelineStack)).find((st) => st.Name === 'DeployBeta');
    expect(deploy.Actions.map((a: any) => a.Name)).toEqual(['data-Prepare', 'data-Execute', 'late-Prepare', 'late-Execute']);
  });

  test('fails when a stack is added to the stage after the pipeline read it, naming the pipeline and its stage', () => {
    const app = createTestApp();
    const beta = new SmallStage(app, 'Beta', ['data']);
    pipeline(app, [{ stageName: 'DeployBeta', targets: [DeployTarget.cdkStage(beta)] }]);
    addStack(beta, 'late');
    expect(() => app.synth()).toThrow(/^SourceBuildDeployPipeline 'Pipeline', stage 'DeployBeta' \(DeployTarget\.cdkStage\): stack 'Beta\/late' was added to CDK stage 'Beta' after the pipeline read the stage, so the pipeline would not deploy it; add every stack to the stage before defining the pipeline/);
  });

  test('fails when a pipeline variable is declared twice, before aws-cdk-lib does', () => {
    const app = createTestApp();
    const beta = new SmallStage(app, 'Beta', ['data']);
    const variable = () => new codepipeline.Variable({ variableName: 'release', defaultValue: 'v1' });
    expect(() => pipeline(app, [{ stageName: 'DeployBeta', targets: [DeployTarget.cdkStage(beta)] }], { variables: [variable(), variable()] }))
      .toThrow(/^SourceBuildDeployPipeline 'Pipeline': pipeline variable 'release' is declared twice in variables; declare each variable once/);
  });
});
