/**
 * A CDK app deployed by its own pipeline: one stage (a Lambda from a directory, a file asset,
 * and a container image asset) deployed to Beta (account 222222222222, eu-west-1) and then,
 * behind an approval, to Prod (account 333333333333, us-east-1). The pipeline stack lives in
 * 111111111111/eu-west-1, synthesizes the app once (BuildStep.cdkSynth), publishes the assets
 * with one action per environment and updates itself only when its own template changes.
 *
 * The same app is deployed by SourceBuildDeployPipeline (a deploy stage per CDK stage, the
 * default) or by CrossRegionCfnPipeline (a wave per CDK stage: all change sets of the wave, the
 * gate, then all executions): `pipeline: 'cross-region'`, or `cdk synth -c pipeline=cross-region`.
 */
import * as path from 'path';
import { App, Stack, Stage, StageProps, Validations } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApprovalGate, BuildStep, CrossRegionCfnPipeline, DeployTarget, PipelineSource, SourceBuildDeployPipeline } from '../src';

export const CDK_APP_PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
export const CDK_APP_BETA_ENV = { account: '222222222222', region: 'eu-west-1' };
export const CDK_APP_PROD_ENV = { account: '333333333333', region: 'us-east-1' };
export const CDK_APP_LAMBDA_DIR = path.join(__dirname, 'cdk-app', 'lambda');

/** The application: one stack with a Lambda function (file asset) and a container image (image asset). */
export class OrdersStage extends Stage {
  public readonly service: Stack;

  constructor(scope: Construct, id: string, props: StageProps & { readonly lambdaCode?: string }) {
    super(scope, id, props);
    this.service = new Stack(this, 'Service');
    const fn = new lambda.Function(this.service, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.lambdaCode ?? CDK_APP_LAMBDA_DIR),
    });
    new ecrAssets.DockerImageAsset(this.service, 'Image', { directory: path.join(__dirname, 'cdk-app', 'image') });
    // The application under deployment is the example user's, not this library's: its choices are acknowledged as theirs.
    const theirs = 'example application deployed by the pipeline (not a construct of this library): a public hello-world function';
    Validations.of(fn).acknowledge({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: theirs });
    Validations.of(fn.role!).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: theirs });
  }
}

/** The pipelines that can deploy the example. */
export type CdkExamplePipeline = 'source-build-deploy' | 'cross-region';

/** Options of the example (the tests change the Lambda code). */
export interface CdkExampleOptions {
  readonly lambdaCode?: string;
  /** @default 'source-build-deploy' */
  readonly pipeline?: CdkExamplePipeline;
}

/** Define the pipeline stack and the two stages in `app`. */
export function defineCdkExampleApp(app: App, options: CdkExampleOptions = {}): { pipelineStack: Stack; beta: OrdersStage; prod: OrdersStage } {
  const pipelineStack = new Stack(app, 'OrdersPipeline', { env: CDK_APP_PIPELINE_ENV });
  const beta = new OrdersStage(app, 'Beta', { env: CDK_APP_BETA_ENV, lambdaCode: options.lambdaCode });
  const prod = new OrdersStage(app, 'Prod', { env: CDK_APP_PROD_ENV, lambdaCode: options.lambdaCode });
  const repo = codecommit.Repository.fromRepositoryName(pipelineStack, 'Repo', 'orders');
  if (options.pipeline === 'cross-region') {
    // Wave 'Beta': the Beta stage's change sets, then their execution; wave 'Prod': its change sets, the approval, then their execution.
    new CrossRegionCfnPipeline(pipelineStack, 'Pipeline', {
      source: PipelineSource.codeCommit(repo),
      buildStep: BuildStep.cdkSynth(),
      selfUpdate: true,
      waves: [
        { waveName: 'Beta', cdkStages: [beta] },
        { waveName: 'Prod', cdkStages: [prod], gate: new ApprovalGate(pipelineStack, 'ProdApproval', { manual: true }) },
      ],
    });
    return { pipelineStack, beta, prod };
  }
  new SourceBuildDeployPipeline(pipelineStack, 'Pipeline', {
    source: PipelineSource.codeCommit(repo),
    buildStep: BuildStep.cdkSynth(),
    selfUpdate: true,
    stages: [
      { stageName: 'Beta', targets: [DeployTarget.cdkStage(beta)] },
      { stageName: 'Prod', targets: [DeployTarget.cdkStage(prod)], gate: new ApprovalGate(pipelineStack, 'ProdApproval', { manual: true }) },
    ],
  });
  return { pipelineStack, beta, prod };
}
