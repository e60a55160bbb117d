import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { IStageGate, StageGateBindOptions, StageGateBinding } from '../../src/gates/stage-gate';
import { SourceBuildDeployPipeline, SourceBuildDeployPipelineProps } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { PipelineSource } from '../../src/source/pipeline-source';
import { createTestApp, synthValidated, SynthResult } from '../util';

export const env = { account: '111111111111', region: 'eu-west-1' };
export const buildSpec = codebuild.BuildSpec.fromSourceFilename('buildspec.yml');

/** A stack in a validated test app. */
export function newStack(id = 'Stack'): { app: App; stack: Stack } {
  const app = createTestApp();
  const stack = new Stack(app, id, { env });
  return { app, stack };
}

/** Synthesize through the harness (CloudFormation engine + cdk-nag) and return one stack's template. */
export function validatedTemplate(app: App, stackId = 'Stack'): { template: Template; result: SynthResult } {
  const result = synthValidated(app);
  return { template: Template.fromJSON(result.templates[stackId]), result };
}

/** A CodeCommit source on a repository defined in `stack`. */
export function codeCommitSource(stack: Stack, options = {}): PipelineSource {
  const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'app' });
  return PipelineSource.codeCommit(repo, options);
}

/** The smallest pipeline, with overrides. */
export function minimalProps(stack: Stack, overrides: Partial<SourceBuildDeployPipelineProps> = {}): SourceBuildDeployPipelineProps {
  return {
    source: overrides.source ?? codeCommitSource(stack),
    buildStep: { buildSpec },
    stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })] }],
    ...overrides,
  };
}

export function definePipeline(stack: Stack, overrides: Partial<SourceBuildDeployPipelineProps> = {}, id = 'Pipeline'): SourceBuildDeployPipeline {
  return new SourceBuildDeployPipeline(stack, id, minimalProps(stack, overrides));
}

/** A test-only gate: a manual approval action named 'FakeApproval', and it records how it was bound. */
export class FakeGate implements IStageGate {
  public readonly calls: StageGateBindOptions[] = [];

  public bindToStage(options: StageGateBindOptions): StageGateBinding {
    this.calls.push(options);
    return { actions: [new actions.ManualApprovalAction({ actionName: 'FakeApproval', runOrder: options.runOrder })] };
  }
}

/** The Stages of the (only) pipeline in a template. */
export function stagesOf(template: Template): any[] {
  const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
  const [pipeline] = Object.values(pipelines);
  return (pipeline as any).Properties.Stages;
}

export function stage(template: Template, name: string): any {
  return stagesOf(template).find((s) => s.Name === name);
}
