import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildSpec, definePipeline, newStack } from './source-build-deploy-fixtures';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { CrossRegionCfnPipeline } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';

/**
 * Both pipelines run PipelineChecks on themselves at synth. The checks see what the caller adds
 * through the escape hatches too: here, an artifact consumed in 'Staging' that only 'Prod' produces,
 * which aws-cdk-lib's own artifact check misses (PipelineLocation.beforeOrEqual compares rhs with rhs).
 */
describe('PipelineChecks enforced by SourceBuildDeployPipeline', () => {
  function escapeHatchActions(stack: any) {
    const late = new codepipeline.Artifact('LateOutput');
    const project = new codebuild.PipelineProject(stack, 'Producer', { buildSpec });
    const bucket = s3.Bucket.fromBucketName(stack, 'Site', 'my-site-bucket');
    const consumer = new actions.S3DeployAction({ actionName: 'Publish', bucket, input: late });
    const producer = new actions.CodeBuildAction({ actionName: 'Produce', project, input: new codepipeline.Artifact('BuildOutput'), outputs: [late] });
    return { consumer, producer };
  }

  test('fails when an escape-hatch action consumes an artifact produced in a later stage', () => {
    const { app, stack } = newStack();
    const { consumer, producer } = escapeHatchActions(stack);
    definePipeline(stack, {
      stages: [
        { stageName: 'Staging', targets: [DeployTarget.action(consumer)] },
        { stageName: 'Prod', targets: [DeployTarget.action(producer)] },
      ],
    });

    expect(() => app.synth()).toThrow(/\[CDP-ARTIFACT-ORDER\] Stack\/Pipeline\/Pipeline: stage 'Staging' action 'Publish': input artifact 'LateOutput'/);
  });

  test('the same actions in producer-first order pass the checks', () => {
    const { app, stack } = newStack();
    const { consumer, producer } = escapeHatchActions(stack);
    definePipeline(stack, {
      stages: [
        { stageName: 'Staging', targets: [DeployTarget.action(producer)] },
        { stageName: 'Prod', targets: [DeployTarget.action(consumer)] },
      ],
    });

    // (the caller's own escape-hatch project and bucket carry their own cdk-nag findings: not judged here)
    expect(() => app.synth()).not.toThrow();
  });
});

describe('PipelineChecks enforced by CrossRegionCfnPipeline', () => {
  test('fails when a stage added through the escape hatch holds more than 50 actions', () => {
    const { app, stack } = newStack();
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    const xr = new CrossRegionCfnPipeline(stack, 'Deploy', {
      source: PipelineSource.codeCommit(repo, { branch: 'main' }),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    });
    xr.pipeline.addStage({
      stageName: 'Approvals',
      actions: Array.from({ length: 51 }, (_, i) => new actions.ManualApprovalAction({ actionName: `Approve${i}` })),
    });

    expect(() => app.synth()).toThrow(/\[CDP-STAGE-ACTIONS\] Stack\/Deploy\/Pipeline: stage 'Approvals': has 51 action\(s\)/);
  });
});
