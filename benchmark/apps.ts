/**
 * The two apps the benchmark compares, for N regions in one account:
 * S3 source -> CodeBuild -> change sets in N regions -> one manual approval -> execute in N regions.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ApprovalGate } from '../src/gates/approval-gate';
import { CrossRegionCfnPipeline } from '../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../src/source/pipeline-source';

export const ENV = { account: '111111111111', region: 'eu-west-1' };

export const REGIONS = [
  'eu-west-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'eu-central-1',
  'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-central-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-3', 'ap-southeast-4', 'ap-east-1', 'af-south-1', 'me-south-1', 'me-central-1', 'il-central-1', 'sa-east-1', 'ca-west-1', 'mx-central-1',
];

export const buildSpec = () => codebuild.BuildSpec.fromObject({
  version: '0.2',
  phases: { build: { commands: ['./make-templates.sh'] } },
  artifacts: { files: ['template-*.yaml'] },
});

export function sourceBucket(stack: Stack, id = 'SourceBucket'): s3.Bucket {
  const bucket = new s3.Bucket(stack, id, { versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'benchmark fixture: the source bucket is the same in both apps' });
  return bucket;
}

/** Our construct. */
export function defineOurs(app: App, n: number): void {
  const stack = new Stack(app, 'Ours', { env: ENV });
  const regions = REGIONS.slice(0, n);
  new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.s3(sourceBucket(stack), 'source.zip'),
    buildStep: { buildSpec: buildSpec() },
    stackName: 'app',
    allowEmptyExecutionPolicy: true,
    waves: [{ waveName: 'All', gate: new ApprovalGate(stack, 'Gate', { manual: true }), targets: regions.map((region) => ({ region })) }],
  });
}

/** The hand-written aws-codepipeline L2 equivalent (crossAccountKeys: true, as the L2's docs recommend for cross-region). */
export function defineL2(app: App, n: number): void {
  const stack = new Stack(app, 'L2', { env: ENV });
  const regions = REGIONS.slice(0, n);
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { crossAccountKeys: true, pipelineType: codepipeline.PipelineType.V2 });
  const source = new codepipeline.Artifact('Source');
  const templates = new codepipeline.Artifact('BuildOutput');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new cpactions.S3SourceAction({ actionName: 'Source', bucket: sourceBucket(stack), bucketKey: 'source.zip', output: source, trigger: cpactions.S3Trigger.EVENTS })],
  });
  const project = new codebuild.PipelineProject(stack, 'Build', { buildSpec: buildSpec() });
  pipeline.addStage({ stageName: 'Build', actions: [new cpactions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [templates] })] });
  pipeline.addStage({
    stageName: 'ChangeSets',
    actions: regions.map((region) => new cpactions.CloudFormationCreateReplaceChangeSetAction({
      actionName: region, region, stackName: 'app', changeSetName: 'PipelineChangeSet', templatePath: templates.atPath(`template-${region}.yaml`), adminPermissions: false,
    })),
  });
  pipeline.addStage({
    stageName: 'Execute',
    actions: [
      new cpactions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }),
      ...regions.map((region) => new cpactions.CloudFormationExecuteChangeSetAction({
        actionName: region, region, stackName: 'app', changeSetName: 'PipelineChangeSet', runOrder: 2,
      })),
    ],
  });
}
