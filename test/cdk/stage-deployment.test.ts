import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Stack, Stage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CdkStageDeployment } from '../../src/cdk/stage-deployment';
import { createTestApp } from '../util';
import { BETA_ENV, LAMBDA_V1, PROD_ENV, ServiceStage } from './fixtures';

const P = Aws.PARTITION;
const role = (kind: string, env: { account: string; region: string }, qualifier = 'hnb659fds') =>
  `arn:${P}:iam::${env.account}:role/cdk-${qualifier}-${kind}-role-${env.account}-${env.region}`;

describe('CdkStageDeployment.fromStage', () => {
  let app: App;
  let prod: CdkStageDeployment;
  let beta: CdkStageDeployment;

  beforeAll(() => {
    app = createTestApp();
    prod = CdkStageDeployment.fromStage(new ServiceStage(app, 'Prod', { env: PROD_ENV }));
    beta = CdkStageDeployment.fromStage(new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false }));
  });

  test('stacks come in dependency order: Data first, then Api and Jobs together', () => {
    expect(prod.stacks.map((s) => [s.stackName, s.runOrder])).toEqual([['Prod-Data', 1], ['Prod-Api', 2], ['Prod-Jobs', 2]]);
    expect(prod.runOrders).toBe(2);
    expect(prod.stacksAt(2).map((s) => s.stackName)).toEqual(['Prod-Api', 'Prod-Jobs']);
    const api = prod.stacks.find((s) => s.stackName === 'Prod-Api')!;
    const data = prod.stacks.find((s) => s.stackName === 'Prod-Data')!;
    expect(api.dependsOn).toEqual([data.artifactId]);
    expect(data.dependsOn).toEqual([]);
  });

  test('a stack deeper in the chain gets the next runOrder', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Chain', { env: PROD_ENV });
    const one = new Stack(stage, 'One');
    const two = new Stack(stage, 'Two');
    const three = new Stack(stage, 'Three');
    for (const s of [one, two, three]) new sqs.Queue(s, 'Q');
    three.addStackDependency(two);
    two.addStackDependency(one);
    expect(CdkStageDeployment.fromStage(stage).stacks.map((s) => `${s.stackName}:${s.runOrder}`)).toEqual(['Chain-One:1', 'Chain-Two:2', 'Chain-Three:3']);
  });

  test('template paths are relative to the app assembly root and name the stack, not a hash', () => {
    expect(prod.assemblyPath).toBe('assembly-Prod');
    for (const s of prod.stacks) {
      expect(s.templatePath).toBe(`assembly-Prod/${s.artifactId}.template.json`);
      expect(fs.existsSync(path.join(app.outdir, s.templatePath))).toBe(true);
    }
  });

  test('environment, bootstrap roles and bootstrap version come from the synthesizer', () => {
    for (const s of prod.stacks) {
      expect([s.account, s.region]).toEqual([PROD_ENV.account, PROD_ENV.region]);
      expect(s.deployRoleArn).toBe(role('deploy', PROD_ENV));
      expect(s.executionRoleArn).toBe(role('cfn-exec', PROD_ENV));
      expect(s.requiresBootstrapStackVersion).toBe(6);
      expect(s.bootstrapStackVersionSsmParameter).toBe('/cdk-bootstrap/hnb659fds/version');
    }
  });

  test('a custom qualifier shows in every role and the SSM parameter', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Custom', { env: BETA_ENV });
    const s = new Stack(stage, 'S', { synthesizer: new DefaultStackSynthesizer({ qualifier: 'team42' }) });
    new sqs.Queue(s, 'Q');
    new s3assets.Asset(s, 'File', { path: LAMBDA_V1 }); // a file asset: the template alone publishes nothing
    const d = CdkStageDeployment.fromStage(stage);
    expect(d.stacks[0].deployRoleArn).toBe(role('deploy', BETA_ENV, 'team42'));
    expect(d.stacks[0].bootstrapStackVersionSsmParameter).toBe('/cdk-bootstrap/team42/version');
    expect(d.assetEnvironments[0].fileAssetPublishingRoleArns).toEqual([role('file-publishing', BETA_ENV, 'team42')]);
  });

  test('termination protection and tags are reported; tags go into a template configuration file', () => {
    const api = prod.stacks.find((s) => s.stackName === 'Prod-Api')!;
    const data = prod.stacks.find((s) => s.stackName === 'Prod-Data')!;
    expect(api.terminationProtection).toBe(true);
    expect(data.terminationProtection).toBe(false);
    expect(data.tags).toEqual({ service: 'orders', tier: 'data' });
    expect(data.templateConfigurationPath).toBe(`${data.templatePath}.config.json`);
    const config = JSON.parse(fs.readFileSync(path.join(app.outdir, data.templateConfigurationPath!), 'utf-8'));
    expect(config).toEqual({ Tags: { service: 'orders', tier: 'data' } });
    expect(api.templateConfigurationPath).toBeUndefined();
  });

  test('assets are grouped per environment with file and image publishing roles from the manifests', () => {
    expect(prod.assetEnvironments).toEqual([{
      account: PROD_ENV.account,
      region: PROD_ENV.region,
      // Only the Api stack has assets beside its template (Lambda code, an image): Data and Jobs publish nothing.
      assetManifestPaths: prod.stacks.filter((s) => s.stackName === 'Prod-Api').map((s) => `assembly-Prod/${s.artifactId}.assets.json`),
      hasFileAssets: true,
      hasDockerImageAssets: true,
      fileAssetPublishingRoleArns: [role('file-publishing', PROD_ENV)],
      imageAssetPublishingRoleArns: [role('image-publishing', PROD_ENV)],
    }]);
    expect(beta.assetEnvironments).toHaveLength(1);
    expect(beta.assetEnvironments[0]).toMatchObject({
      account: BETA_ENV.account, region: BETA_ENV.region, hasDockerImageAssets: false, imageAssetPublishingRoleArns: [],
    });
  });

  test('a stage spanning two environments gets one asset group per environment', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Multi');
    new s3assets.Asset(new Stack(stage, 'East', { env: PROD_ENV }), 'File', { path: LAMBDA_V1 });
    new s3assets.Asset(new Stack(stage, 'West', { env: BETA_ENV }), 'File', { path: LAMBDA_V1 });
    const d = CdkStageDeployment.fromStage(stage);
    expect(d.assetEnvironments.map((e) => `${e.account}/${e.region}`)).toEqual(['333333333333/us-east-1', '222222222222/eu-west-1']);
  });

  test('stack templates are not published: an environment whose stacks hold nothing else has no asset group', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Templates');
    new sqs.Queue(new Stack(stage, 'East', { env: PROD_ENV }), 'Q');
    new sqs.Queue(new Stack(stage, 'West', { env: BETA_ENV }), 'Q');
    new s3assets.Asset(new Stack(stage, 'WestFiles', { env: BETA_ENV }), 'File', { path: LAMBDA_V1 });
    const d = CdkStageDeployment.fromStage(stage);
    // Every manifest holds its stack's template; only WestFiles holds more.
    expect(d.stacks.map((st) => fs.existsSync(path.join(a.outdir, st.templatePath.replace(/\.template\.json$/, '.assets.json'))))).toEqual([true, true, true]);
    expect(d.assetEnvironments.map((e) => [`${e.account}/${e.region}`, e.assetManifestPaths])).toEqual([
      ['222222222222/eu-west-1', [`assembly-Templates/${d.stacks.find((st) => st.stackName === 'Templates-WestFiles')!.artifactId}.assets.json`]],
    ]);
  });

  test('fails when a stack is environment-agnostic', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Agnostic');
    new sqs.Queue(new Stack(stage, 'S'), 'Q');
    expect(() => CdkStageDeployment.fromStage(stage)).toThrow(/^Stage 'Agnostic': stack 'Agnostic-S' has no concrete account \(env-agnostic\); give the stage or stack env/);
  });

  test('fails when a stack has an account but no region', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'NoRegion', { env: { account: '222222222222' } });
    new sqs.Queue(new Stack(stage, 'S'), 'Q');
    expect(() => CdkStageDeployment.fromStage(stage)).toThrow(/stack 'NoRegion-S' has no concrete region \(env-agnostic\)/);
  });

  test('fails when the stage holds no stack', () => {
    const a = createTestApp();
    expect(() => CdkStageDeployment.fromStage(new Stage(a, 'Empty', { env: PROD_ENV }))).toThrow(/^Stage 'Empty': the stage holds no stack; define at least one Stack in it\.$/);
  });

  test('fails when given the App itself', () => {
    const a = createTestApp();
    expect(() => CdkStageDeployment.fromStage(a)).toThrow(/App '': the App itself cannot be deployed as a stage of its own pipeline/);
  });

  test('fails when a stack has no deploy role (legacy or CLI-credentials synthesizer)', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Legacy', { env: PROD_ENV });
    new sqs.Queue(new Stack(stage, 'S', { synthesizer: new CliCredentialsStackSynthesizer() }), 'Q');
    expect(() => CdkStageDeployment.fromStage(stage)).toThrow(/stack 'Legacy-S' names no deploy role .*; use DefaultStackSynthesizer \(the default\) and bootstrap aws:\/\/333333333333\/us-east-1/);
  });

  test('fails when the deploy role needs session tags CodePipeline cannot pass', () => {
    const a = createTestApp();
    const stage = new Stage(a, 'Tagged', { env: PROD_ENV });
    new sqs.Queue(new Stack(stage, 'S', { synthesizer: new DefaultStackSynthesizer({ deployRoleAdditionalOptions: { Tags: [{ Key: 'k', Value: 'v' }] } }) }), 'Q');
    expect(() => CdkStageDeployment.fromStage(stage)).toThrow(/stack 'Tagged-S' assumes its deploy role with session tags, which CodePipeline cannot pass/);
  });
});
