import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BuildStep } from '../../src/build/build-step';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { SourceBuildDeployPipeline } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { codeCommitSource, stagesOf } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthValidated } from '../util';
import { BETA_ENV, IMAGE_DIR, LAMBDA_V1, PIPELINE_ENV } from './fixtures';

type Extra = 'templates only' | 'a file asset' | 'an image asset';

/** A CDK stage of one stack holding a queue, plus (by `extra`) a file asset or a Docker image asset. */
class AppStage extends Stage {
  constructor(scope: App, id: string, extra: Extra) {
    super(scope, id, { env: BETA_ENV });
    const stack = new Stack(this, 'App');
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test fixture: the application under deployment, not a construct of this library' });
    if (extra === 'a file asset') new s3assets.Asset(stack, 'File', { path: LAMBDA_V1 });
    if (extra === 'an image asset') new ecrAssets.DockerImageAsset(stack, 'Image', { directory: IMAGE_DIR });
    exemptFixtureFromControlTower(this, 'the application under deployment, not a construct of this library');
  }
}

function synth(extra: Extra) {
  const app = createTestApp();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  new SourceBuildDeployPipeline(stack, 'Pipeline', {
    source: codeCommitSource(stack),
    buildStep: BuildStep.cdkSynth(),
    stages: [{ stageName: 'Deploy', targets: [DeployTarget.cdkStage(new AppStage(app, 'Beta', extra))] }],
  });
  const result = synthValidated(app);
  if (process.env.CDP_FOOTPRINT) console.log(extra, JSON.stringify({ resources: result.footprint.resources, roles: result.footprint.roles }));
  expect(formatFindings(result.findings)).toBe(formatFindings([]));
  const template = Template.fromJSON(result.templates.PipelineStack);
  const projects = Object.values<any>(template.findResources('AWS::CodeBuild::Project'));
  const publishing = projects.filter((p) => /Publishes the CDK assets/.test(p.Properties.Description ?? ''));
  const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  return { result, template, stages: stagesOf(template), publishing, policies };
}

describe('CDK asset publishing: only what needs publishing (stack templates are read from the cloud assembly)', () => {
  test('a stage whose only assets are its stack templates gets no Assets stage, no publishing project and no publishing role', () => {
    const { stages, publishing, policies, result } = synth('templates only');
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'Deploy']);
    expect(publishing).toEqual([]);
    expect(policies).not.toMatch(/publishing-role/);
    // The change set reads the template from the cloud assembly artifact (the build's output), not from the bootstrap bucket.
    const prepare = stages[2].Actions.find((a: any) => a.Name.endsWith('-Prepare'));
    expect(prepare.Configuration.TemplatePath).toMatch(/^CloudAssembly::assembly-Beta\/BetaApp[0-9A-F]+\.template\.json$/);
    expect(prepare.InputArtifacts).toEqual([{ Name: 'CloudAssembly' }]);
    // Measured on this app (CDP_FOOTPRINT=1, both stacks): 35 resources and 8 roles before (an Assets stage publishing the
    // template: project, its role and policy, the action's role and policy), 30 and 6 now; two CodeBuild runs fewer per execution.
    expect(result.footprint.resourcesByType['AWS::CodeBuild::Project']).toBe(1); // the synth build only
  });

  test('a stage with a file asset gets one Assets action whose project assumes only the file publishing role, unprivileged', () => {
    const { stages, publishing, policies } = synth('a file asset');
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'Assets', 'Deploy']);
    expect(stages[2].Actions.map((a: any) => a.Name)).toEqual([`Assets-${BETA_ENV.account}-${BETA_ENV.region}`]);
    expect(publishing).toHaveLength(1);
    expect(publishing[0].Properties.Environment.PrivilegedMode).toBe(false);
    expect(policies).toMatch(new RegExp(`cdk-hnb659fds-file-publishing-role-${BETA_ENV.account}-${BETA_ENV.region}`));
    expect(policies).not.toMatch(/image-publishing-role/);
  });

  test('a stage with an image asset gets one privileged Assets action that assumes the image publishing role', () => {
    const { stages, publishing, policies } = synth('an image asset');
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'Assets', 'Deploy']);
    expect(publishing).toHaveLength(1);
    expect(publishing[0].Properties.Environment.PrivilegedMode).toBe(true);
    expect(policies).toMatch(new RegExp(`cdk-hnb659fds-image-publishing-role-${BETA_ENV.account}-${BETA_ENV.region}`));
    // The template alone is not a file asset to publish: no file publishing role.
    expect(policies).not.toMatch(/file-publishing-role/);
  });
});
