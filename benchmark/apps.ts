/**
 * The two apps the benchmark compares, for N regions in one account:
 * S3 source -> CodeBuild -> change sets in N regions -> one manual approval -> execute in N regions.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { DeployTarget, SourceBuildDeployPipeline } from '../src';
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

/** What CloudFormation may do in the smallest pipeline's stacks: an SNS topic named my-service-* (README). */
function topicAdmin(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource', 'sns:ListTagsForResource'],
    resources: [`arn:aws:sns:${stack.region}:${stack.account}:my-service-*`],
  });
}

/** README's smallest pipeline: CodeCommit -> build -> unit tests -> Staging -> approval -> Prod, failure e-mails. */
export function defineSmallestOurs(app: App): void {
  const stack = new Stack(app, 'Delivery', { env: ENV });
  new SourceBuildDeployPipeline(stack, 'Pipeline', {
    source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'my-service'), { branch: 'main' }),
    buildStep: { buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml') },
    tests: [{ name: 'Unit', buildSpec: codebuild.BuildSpec.fromSourceFilename('test.yml') }],
    stages: [
      { stageName: 'Staging', targets: [DeployTarget.cloudFormation({ stackName: 'my-service-staging', templatePath: 'template.yaml', executionPolicy: [topicAdmin(stack)] })] },
      {
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'ProdGate', { emails: ['release@example.com'] }),
        targets: [DeployTarget.cloudFormation({ stackName: 'my-service', templatePath: 'template.yaml', executionPolicy: [topicAdmin(stack)] })],
      },
    ],
    notifications: { emails: ['team@example.com'] },
  });
}

/** The same pipeline hand-written with aws-codepipeline: the L2's defaults, a deployment role per stage, failure e-mails. */
export function defineSmallestL2(app: App): void {
  const stack = new Stack(app, 'DeliveryL2', { env: ENV });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.SUPERSEDED });
  const source = new codepipeline.Artifact('Source');
  const built = new codepipeline.Artifact('Build');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new cpactions.CodeCommitSourceAction({ actionName: 'Source', repository: codecommit.Repository.fromRepositoryName(stack, 'Repo', 'my-service'), branch: 'main', output: source })],
  });
  const project = (id: string, file: string) => new codebuild.PipelineProject(stack, id, { buildSpec: codebuild.BuildSpec.fromSourceFilename(file) });
  pipeline.addStage({ stageName: 'Build', actions: [new cpactions.CodeBuildAction({ actionName: 'Build', project: project('Build', 'buildspec.yml'), input: source, outputs: [built] })] });
  pipeline.addStage({ stageName: 'Test', actions: [new cpactions.CodeBuildAction({ actionName: 'Unit', project: project('Unit', 'test.yml'), input: source, type: cpactions.CodeBuildActionType.TEST })] });
  const deploy = (id: string, stackName: string, runOrder = 1) => {
    const role = new iam.Role(stack, `${id}DeploymentRole`, { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    role.addToPolicy(topicAdmin(stack));
    return new cpactions.CloudFormationCreateUpdateStackAction({
      actionName: 'Deploy', stackName, templatePath: built.atPath('template.yaml'), adminPermissions: false, deploymentRole: role, runOrder,
    });
  };
  pipeline.addStage({ stageName: 'Staging', actions: [deploy('Staging', 'my-service-staging')] });
  const approvals = new sns.Topic(stack, 'ApprovalTopic', { enforceSSL: true });
  pipeline.addStage({
    stageName: 'Prod',
    actions: [new cpactions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: approvals, notifyEmails: ['release@example.com'] }), deploy('Prod', 'my-service', 2)],
  });
  const failures = new sns.Topic(stack, 'Failures', { enforceSSL: true });
  failures.addSubscription(new subscriptions.EmailSubscription('team@example.com'));
  pipeline.notifyOn('Failures', failures, { events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED, codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED] });
}
