import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApprovalGate, DeployTarget, PipelineSource, SourceBuildDeployPipeline } from '../../src';
import { alarm } from '../gates/fixtures';
import { createTestApp, synthValidated } from '../util';

export const env = { account: '111111111111', region: 'eu-west-1' };

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Our pipeline, through the harness: CodeCommit source, build, Staging (pipeline region),
 * then Prod in us-east-1 behind a gate (manual approval, alarm + deployment window on entry,
 * rollback on a prod alarm), with the default failure notifications.
 */
export function ourAssembly(): string {
  const outdir = tempDir('cli-ours-');
  const app = createTestApp({ outdir });
  const stack = new Stack(app, 'Delivery', { env });
  const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'app' });
  new SourceBuildDeployPipeline(stack, 'Pipeline', {
    pipelineName: 'app-delivery',
    source: PipelineSource.codeCommit(repo),
    buildStep: { buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml') },
    stages: [
      { stageName: 'Staging', targets: [DeployTarget.cloudFormation({ stackName: 'app-staging', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })] },
      {
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'ProdGate', {
          manual: true,
          timeout: Duration.days(1),
          alarms: [alarm(stack, 'StagingErrors')],
          deploymentWindow: { cron: 'cron(0 9-16 ? * MON-THU *)', timeZone: 'Europe/Berlin' },
          rollbackOnAlarms: [alarm(stack, 'ProdErrors')],
        }),
        targets: [DeployTarget.cloudFormation({ stackName: 'app-prod', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, region: 'us-east-1' })],
      },
    ],
  });
  synthValidated(app);
  return outdir;
}

/**
 * Not ours: a hand-written aws-codepipeline V1 pipeline with crossAccountKeys, in a `Stage`
 * (so in a nested assembly): S3 source; Deploy = approval (runOrder 1), change sets in two
 * regions in parallel (runOrder 2), execute in another account (runOrder 3); a failure rule to SNS.
 * Beside it, an environment-agnostic stack with a second pipeline.
 */
export function l2Assembly(): string {
  const outdir = tempDir('cli-l2-');
  const app = new App({ outdir });
  const ops = new Stage(app, 'Ops');
  const stack = new Stack(ops, 'Release', { env });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineName: 'release', crossAccountKeys: true });
  const source = new codepipeline.Artifact('Src');
  const bucket = new s3.Bucket(stack, 'Source', { versioned: true });
  pipeline.addStage({ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Fetch', bucket, bucketKey: 'app.zip', output: source })] });
  const changeSet = (region: string) => new actions.CloudFormationCreateReplaceChangeSetAction({
    actionName: `Prepare-${region}`, stackName: 'app', changeSetName: 'release', adminPermissions: true, templatePath: source.atPath('t.yaml'), region, runOrder: 2,
  });
  pipeline.addStage({
    stageName: 'Deploy',
    actions: [
      new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }),
      changeSet('us-west-2'),
      changeSet('eu-central-1'),
      new actions.CloudFormationExecuteChangeSetAction({ actionName: 'Execute', stackName: 'app', changeSetName: 'release', region: 'us-west-2', account: '222222222222', runOrder: 3 }),
    ],
  });
  pipeline.onStateChange('Failed', { eventPattern: { detail: { state: ['FAILED'] } }, target: new targets.SnsTopic(new sns.Topic(stack, 'Alerts')) });

  const agnostic = new Stack(ops, 'Agnostic');
  const out = new codepipeline.Artifact('Out');
  new codepipeline.Pipeline(agnostic, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Fetch', bucket: new s3.Bucket(agnostic, 'Source', { versioned: true }), bucketKey: 'a.zip', output: out })] },
      { stageName: 'Check', actions: [new actions.ManualApprovalAction({ actionName: 'Look' })] },
    ],
  });
  app.synth();
  return outdir;
}
