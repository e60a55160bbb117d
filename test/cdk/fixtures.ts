import * as path from 'path';
import { App, RemovalPolicy, Stack, Stage, StageProps, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { artifactBucketAllowances } from '../../src/build/private/build-step';
import { acknowledgeWildcards } from '../../src/private/wildcard-allowances';
import { createTestApp, exemptFixtureFromControlTower } from '../util';

export const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
export const BETA_ENV = { account: '222222222222', region: 'eu-west-1' };
export const PROD_ENV = { account: '333333333333', region: 'us-east-1' };

export const LAMBDA_V1 = path.join(__dirname, 'fixtures', 'lambda');
export const LAMBDA_V2 = path.join(__dirname, 'fixtures', 'lambda-v2');
export const IMAGE_DIR = path.join(__dirname, 'fixtures', 'image');

export interface ServiceStageProps extends StageProps {
  /** Directory of the Lambda code (a file asset). */
  readonly lambdaCode?: string;
  /** Whether the Api stack holds a Docker image asset. */
  readonly withImage?: boolean;
}

/**
 * The application a user deploys: a Data stack (a queue), an Api stack (a Lambda from a
 * directory, optionally a container image) and a Jobs stack, both depending on Data.
 */
export class ServiceStage extends Stage {
  public readonly data: Stack;
  public readonly api: Stack;
  public readonly jobs: Stack;

  constructor(scope: Construct, id: string, props: ServiceStageProps = {}) {
    super(scope, id, props);
    this.data = new Stack(this, 'Data', { tags: { service: 'orders', tier: 'data' } });
    const queue = new sqs.Queue(this.data, 'Queue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test fixture: the application under deployment, not a construct of this library' });
    Validations.of(queue).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'test fixture: the application under deployment, not a construct of this library' });

    this.api = new Stack(this, 'Api', { terminationProtection: true });
    this.api.addStackDependency(this.data);
    const fn = new lambda.Function(this.api, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.lambdaCode ?? LAMBDA_V1),
    });
    Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: 'test fixture: the application under deployment pins its runtime' });
    Validations.of(fn).acknowledge({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: 'test fixture: the application under deployment, not a construct of this library' });
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'test fixture: the application under deployment, not a construct of this library',
    });
    if (props.withImage ?? true) {
      new ecrAssets.DockerImageAsset(this.api, 'Image', { directory: IMAGE_DIR });
    }

    this.jobs = new Stack(this, 'Jobs');
    this.jobs.addStackDependency(this.data);
    new sqs.Queue(this.jobs, 'Dlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(this.jobs.node.findChild('Dlq')).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test fixture: this queue is a dead-letter queue itself' });
    Validations.of(this.jobs.node.findChild('Dlq')).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'test fixture: this queue is a dead-letter queue itself' });
    exemptFixtureFromControlTower(this, 'the application under deployment, not a construct of this library');
  }
}

export interface PipelineFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: codepipeline.Pipeline;
  readonly bucket: s3.IBucket;
  /** The cloud assembly artifact (stands in for the `cdk synth` build's output). */
  readonly assembly: codepipeline.Artifact;
}

/** An app with a pipeline stack in PIPELINE_ENV: a KMS-encrypted artifact bucket and an S3 source standing in for the synth output. */
export function pipelineFixture(app: App = createTestApp()): PipelineFixture {
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const key = new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const bucket = new s3.Bucket(stack, 'Artifacts', {
    encryptionKey: key,
    encryption: s3.BucketEncryption.KMS,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
    versioned: true,
  });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: access logs are out of scope of the CDK asset tests' });
  const assembly = new codepipeline.Artifact('CloudAssembly');
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    artifactBucket: bucket,
    stages: [{
      stageName: 'Source',
      actions: [new actions.S3SourceAction({ actionName: 'Synth', bucket, bucketKey: 'cdk.out.zip', output: assembly, trigger: actions.S3Trigger.NONE })],
    }],
  });
  // Stands in for this library's pipelines, which acknowledge the same artifact-bucket grants.
  acknowledgeWildcards(pipeline, [
    ...artifactBucketAllowances(bucket),
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((action) => ({
      action, resources: [bucket.bucketArn, bucket.arnForObjects('cdk.out.zip')], reason: 'test fixture: the source action reads the one synth output object',
    })),
  ]);
  exemptFixtureFromControlTower(stack, 'the caller\'s L2 pipeline, artifact bucket and key the CDK constructs under test are added to');
  return { app, stack, pipeline, bucket, assembly };
}
