import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { fail } from '../../private/errors';

/**
 * Reject an action that CodePipeline runs only in V2 pipelines (Lambda deploy, EKS, EC2,
 * Commands, ECRBuildAndPublish, InspectorScan, pipeline invoke) when its stage belongs to a V1
 * `codepipeline.Pipeline`: aws-cdk-lib does not check this, and CloudFormation would only fail
 * at deployment.
 */
export function requireV2Pipeline(stage: codepipeline.IStage, where: string, what: string): void {
  const pipeline = stage.pipeline;
  if (!(pipeline instanceof codepipeline.Pipeline)) return;
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline | undefined;
  const type = cfn?.pipelineType ?? codepipeline.PipelineType.V1;
  if (type !== codepipeline.PipelineType.V2) {
    fail(where, `${what} runs only in V2 pipelines, and ${pipeline.node.path} is ${type}; use pipelineType: codepipeline.PipelineType.V2.`);
  }
}
