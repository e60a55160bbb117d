/**
 * The example app the README's quick start synthesizes with the real `cdk` CLI, and the
 * consumer check synthesizes again from the packed tarball (with this import rewritten to
 * 'cdk-delivery-pipelines'). It mirrors the project's seed documents:
 *
 *   source -> build -> test -> staging -> load test -> approval -> prod        (SourceBuildDeployPipeline)
 *   build per-region templates once, then roll out to 3 regions in 2 accounts  (CrossRegionCfnPipeline)
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApprovalGate,
  ArtifactStores,
  CrossRegionCfnPipeline,
  DeployTarget,
  PipelineSource,
  SourceBuildDeployPipeline,
} from '../src';

/** Accounts and region of the example; any concrete values work, nothing is deployed. */
export const EXAMPLE_ENV = { account: '111111111111', region: 'eu-west-1' };
export const EXAMPLE_PROD_ACCOUNT = '222222222222';

/**
 * What CloudFormation may do when it deploys a stack of the example: its template defines one SNS topic,
 * named `<stack name>-events` (a named topic, so the statement names it exactly).
 */
function topicPolicy(stackName: string, regions: Array<[account: string, region: string]>): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({
    actions: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
    resources: regions.map(([account, region]) => `arn:aws:sns:${region}:${account}:${stackName}-events`),
  })];
}

/** Define the example stacks in `app`. */
export function defineExampleApp(app: App): void {
  defineServicePipeline(app);
  defineRegionalRollout(app);
}

/** Seeds 001-003: build, test, deploy to staging, load test, approve, deploy to prod. */
function defineServicePipeline(app: App): Stack {
  const stack = new Stack(app, 'ServicePipeline', { env: EXAMPLE_ENV });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'my-service');
  const releaseManagers = new iam.Role(stack, 'ReleaseManagers', {
    assumedBy: new iam.AccountPrincipal(EXAMPLE_ENV.account),
    description: 'People who may approve production releases of my-service',
  });
  const stagingErrors = new cloudwatch.Alarm(stack, 'StagingErrors', {
    metric: new cloudwatch.Metric({ namespace: 'MyService', metricName: 'Errors', dimensionsMap: { Stage: 'staging' } }),
    threshold: 1,
    evaluationPeriods: 1,
  });

  const prodGate = new ApprovalGate(stack, 'ProdGate', {
    emails: ['release@example.com'],
    message: 'Check the staging dashboard and the load test report first',
    reviewUrl: 'https://example.com/my-service/release-notes',
    timeout: Duration.days(2),
    approvers: [releaseManagers],
    alarms: [stagingErrors],
    deploymentWindow: { cron: 'cron(0 9-16 ? * MON-THU *)', timeZone: 'Europe/Berlin' },
  });

  const buildSpec = (command: string) => codebuild.BuildSpec.fromObject({
    version: '0.2',
    phases: { build: { commands: [command] } },
  });

  new SourceBuildDeployPipeline(stack, 'Pipeline', {
    source: PipelineSource.codeCommit(repo, { branch: 'main' }),
    buildStep: { buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml') },
    tests: [
      { name: 'Unit', buildSpec: buildSpec('npm test') },
      { name: 'Lint', buildSpec: buildSpec('npm run lint') },
    ],
    stages: [
      {
        stageName: 'Staging',
        targets: [DeployTarget.cloudFormation({
          stackName: 'my-service-staging',
          templatePath: 'template.yaml',
          executionPolicy: topicPolicy('my-service-staging', [[EXAMPLE_ENV.account, EXAMPLE_ENV.region]]),
        })],
        postDeployTests: [{ name: 'LoadTest', buildSpec: buildSpec('npm run load-test') }],
      },
      {
        stageName: 'Prod',
        gate: prodGate,
        targets: [DeployTarget.cloudFormation({
          stackName: 'my-service',
          templatePath: 'template.yaml',
          executionPolicy: topicPolicy('my-service', [[EXAMPLE_ENV.account, EXAMPLE_ENV.region]]),
        })],
      },
    ],
    notifications: { emails: ['team@example.com'] },
  });
  return stack;
}

/** Seed 003's cross-region case: template-<region>.yaml built once, deployed in waves to 3 regions and 2 accounts. */
function defineRegionalRollout(app: App): Stack {
  const stack = new Stack(app, 'RegionalRollout', { env: EXAMPLE_ENV });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'my-lambda');
  const stores = new ArtifactStores(stack, 'Stores', {
    trustedAccounts: [EXAMPLE_PROD_ACCOUNT],
  });
  const gate = new ApprovalGate(stack, 'RestGate', {
    emails: ['release@example.com'],
    message: 'Canary region is healthy?',
  });

  new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(repo, { branch: 'main' }),
    buildStep: { buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml') },
    stackName: 'my-lambda',
    // One policy for the execution role of each account: the topics of every region the stacks (and the test stack) deploy to.
    executionPolicy: [
      ...topicPolicy('my-lambda', [[EXAMPLE_ENV.account, 'eu-west-1'], [EXAMPLE_PROD_ACCOUNT, 'us-east-2'], [EXAMPLE_PROD_ACCOUNT, 'ap-southeast-2']]),
      ...topicPolicy('my-lambda-test', [[EXAMPLE_ENV.account, 'eu-west-1']]),
    ],
    testStack: {
      region: 'eu-west-1',
      stackName: 'my-lambda-test',
      tests: [{ name: 'Smoke', buildSpec: codebuild.BuildSpec.fromSourceFilename('smoke.yml') }],
    },
    waves: [
      { waveName: 'Canary', targets: [{ region: 'eu-west-1' }] },
      {
        waveName: 'Rest',
        gate,
        targets: [
          { region: 'us-east-2', account: EXAMPLE_PROD_ACCOUNT, parameterOverrides: { Size: 'L' } },
          { region: 'ap-southeast-2', account: EXAMPLE_PROD_ACCOUNT },
        ],
      },
    ],
    artifactStores: stores,
  });
  return stack;
}
