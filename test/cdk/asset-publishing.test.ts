import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CdkAssetPublishing } from '../../src/cdk/asset-publishing';
import { CdkSelfUpdate } from '../../src/cdk/self-update';
import { CdkStageDeployment } from '../../src/cdk/stage-deployment';
import { createTestApp, defaultsSnapshotTest, SynthResult, synthValidated } from '../util';
import { BETA_ENV, LAMBDA_V1, LAMBDA_V2, pipelineFixture, PROD_ENV, ServiceStage } from './fixtures';

interface Synthesized {
  readonly result: SynthResult;
  readonly template: Template;
  readonly publishing: CdkAssetPublishing;
  readonly update: CdkSelfUpdate;
  readonly stages: CdkStageDeployment[];
  readonly outdir: string;
}

/** The pipeline app: Beta (files only) in 222222222222/eu-west-1, Prod and ProdCanary (files and an image) in 333333333333/us-east-1. */
function synthesize(lambdaCode = LAMBDA_V1, context: Record<string, unknown> = {}): Synthesized {
  const app = createTestApp({ context });
  const { stack, pipeline, bucket, assembly } = pipelineFixture(app);
  const stages = [
    CdkStageDeployment.fromStage(new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false, lambdaCode })),
    CdkStageDeployment.fromStage(new ServiceStage(app, 'Prod', { env: PROD_ENV, lambdaCode })),
    CdkStageDeployment.fromStage(new ServiceStage(app, 'ProdCanary', { env: PROD_ENV, lambdaCode })),
  ];
  const publishing = new CdkAssetPublishing(stack, 'Assets', { stages, artifactBucket: bucket });
  const update = new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket });
  pipeline.addStage({ stageName: 'UpdatePipeline', actions: [update.action({ input: assembly })] });
  pipeline.addStage({ stageName: 'Assets', actions: publishing.actions({ input: assembly }) });
  const result = synthValidated(app);
  return { result, template: Template.fromJSON(result.templates.PipelineStack), publishing, update, stages, outdir: app.outdir };
}

/** The publishing projects (the self-update project aside). */
function projects(template: Template): Array<{ id: string; props: any }> {
  return Object.entries(template.findResources('AWS::CodeBuild::Project'))
    .filter(([id]) => id.startsWith('AssetsPublish'))
    .map(([id, r]: [string, any]) => ({ id, props: r.Properties }));
}

describe('CdkAssetPublishing', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  });

  test('one publishing project per target environment, whatever the number of stages and assets', () => {
    expect(s.publishing.environments.map((e) => `${e.account}/${e.region}`)).toEqual(['222222222222/eu-west-1', '333333333333/us-east-1']);
    expect(projects(s.template)).toHaveLength(2);
    const stage = (s.template.toJSON().Resources as any);
    const pipeline = Object.values(stage).find((r: any) => r.Type === 'AWS::CodePipeline::Pipeline') as any;
    const assets = pipeline.Properties.Stages.find((st: any) => st.Name === 'Assets');
    expect(assets.Actions.map((a: any) => a.Name)).toEqual(['Assets-222222222222-eu-west-1', 'Assets-333333333333-us-east-1']);
    expect(assets.Actions.every((a: any) => a.ActionTypeId.Provider === 'CodeBuild' && a.InputArtifacts[0].Name === 'CloudAssembly')).toBe(true);
  });

  test('privileged only where the environment has Docker image assets', () => {
    const byEnv = Object.fromEntries(projects(s.template).map((p) => [p.props.Description.match(/aws:\/\/(\d+\/[a-z0-9-]+)/)[1], p.props.Environment.PrivilegedMode]));
    expect(byEnv).toEqual({ '222222222222/eu-west-1': false, '333333333333/us-east-1': true });
  });

  test('the buildspec runs the publish script from the assembly and names no asset', () => {
    for (const env of s.publishing.environments) {
      const p = projects(s.template).find((x) => x.props.Description.includes(`aws://${env.account}/${env.region}`))!;
      const spec = JSON.parse(p.props.Source.BuildSpec);
      expect(spec.phases.build.commands).toEqual([`bash '${s.publishing.scriptPath(env.account, env.region)}'`]);
      expect(s.publishing.scriptPath(env.account, env.region)).toMatch(new RegExp(`^cdk-delivery-pipelines/[A-Za-z0-9]+/publish-${env.account}-${env.region}\\.sh$`));
      expect(p.props.Source.BuildSpec).not.toMatch(/[0-9a-f]{64}/);
    }
  });

  test('the publish scripts are written into the cloud assembly at synth, with every manifest of their environment that holds more than a template', () => {
    const beta = fs.readFileSync(path.join(s.outdir, s.publishing.scriptPath(BETA_ENV.account, BETA_ENV.region)), 'utf-8');
    const betaStage = s.stages[0];
    // Only the Api stack has an asset beside its template (its Lambda code).
    expect(beta.split('\n').filter((l) => l.startsWith('$CDK_ASSETS'))).toEqual(
      betaStage.stacks.filter((st) => st.stackName.endsWith('-Api')).map((st) => `$CDK_ASSETS --path 'assembly-Beta/${st.artifactId}.assets.json' --verbose publish`));
    expect(beta).toContain('CDK_ASSETS="npx --yes cdk-assets@4"');
    expect(beta).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(beta).toContain('set -euo pipefail');

    const prod = fs.readFileSync(path.join(s.outdir, s.publishing.scriptPath(PROD_ENV.account, PROD_ENV.region)), 'utf-8');
    const manifests = prod.split('\n').filter((l) => l.startsWith('$CDK_ASSETS')).map((l) => l.match(/--path '([^']+)'/)![1]);
    expect(manifests).toEqual([...s.stages[1].assetEnvironments[0].assetManifestPaths, ...s.stages[2].assetEnvironments[0].assetManifestPaths]);
    expect(manifests.every((m) => /^assembly-Prod(Canary)?\//.test(m))).toBe(true);
    for (const m of manifests) expect(fs.existsSync(path.join(s.outdir, m))).toBe(true);
    expect(prod).not.toContain('assembly-Beta');
    expect(() => fs.accessSync(path.join(s.outdir, s.publishing.scriptPath(PROD_ENV.account, PROD_ENV.region)), fs.constants.X_OK)).not.toThrow();
  });

  test('run with npx recorded, the publish script calls cdk-assets once per manifest, from the assembly root', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-npx-'));
    const log = path.join(bin, 'npx.log');
    fs.writeFileSync(path.join(bin, 'npx'), `#!/usr/bin/env bash\necho "$PWD $@" >> ${JSON.stringify(log)}\n`, { mode: 0o755 });
    execFileSync('bash', [path.join(s.outdir, s.publishing.scriptPath(PROD_ENV.account, PROD_ENV.region))], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const root = fs.realpathSync(s.outdir);
    const expected = [...s.stages[1].stacks, ...s.stages[2].stacks].filter((st) => st.stackName.endsWith('-Api')).map((st) =>
      `${root} --yes cdk-assets@4 --path assembly-${st.stackName.split('-')[0]}/${st.artifactId}.assets.json --verbose publish`);
    expect(fs.readFileSync(log, 'utf-8').trim().split('\n')).toEqual(expected);
  });

  test('each project role may only assume the bootstrap publishing roles of its environment', () => {
    const stack = new Stack();
    const arn = (kind: string, env: { account: string; region: string }) =>
      stack.resolve(`arn:${Aws.PARTITION}:iam::${env.account}:role/cdk-hnb659fds-${kind}-publishing-role-${env.account}-${env.region}`);
    const assumes = Object.values(s.template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('AssetsPublish'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement.map((st: any) => ({ role: p.Properties.Roles[0].Ref as string, st })))
      .filter(({ st }) => [].concat(st.Action).includes('sts:AssumeRole' as never));
    expect(Object.fromEntries(assumes.map(({ role, st }) => [role.replace(/Role[0-9A-F]{8}$/, ''), st.Resource]))).toEqual({
      AssetsPublish222222222222euwest1: arn('file', BETA_ENV),
      AssetsPublish333333333333useast1: [arn('file', PROD_ENV), arn('image', PROD_ENV)],
    });
    expect(assumes.every(({ st }) => [].concat(st.Action).length === 1 && st.Effect === 'Allow' && !st.Condition)).toBe(true);
    expect(JSON.stringify(assumes)).not.toContain('"*"');
  });

  test('no statement of a project role grants a * action or anything beyond logs, reports, artifacts and the publishing roles', () => {
    const services = new Set<string>();
    for (const [, policy] of Object.entries(s.template.findResources('AWS::IAM::Policy')) as any) {
      if (!JSON.stringify(policy.Properties.Roles).includes('AssetsPublish')) continue;
      for (const st of policy.Properties.PolicyDocument.Statement) {
        for (const a of [].concat(st.Action) as string[]) {
          expect(a).not.toBe('*');
          services.add(a.split(':')[0]);
        }
      }
    }
    expect([...services].sort()).toEqual(['codebuild', 'kms', 'logs', 's3', 'sts']);
  });

  test('projects encrypt with the artifact bucket key', () => {
    for (const p of projects(s.template)) {
      expect(p.props.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactKey/), 'Arn'] });
    }
  });

  test('the privileged-mode acknowledgment sits only on the project that builds images', () => {
    const cb3 = s.result.acknowledged.filter((a) => a.rule.startsWith('AwsSolutions-CB3'));
    expect(cb3.map((a) => a.constructPath).every((p) => p.includes('Publish-333333333333-us-east-1'))).toBe(true);
  });

  defaultsSnapshotTest('snapshot of the pipeline stack', () => {
    expect(s.template.toJSON()).toMatchSnapshot();
  });
});

describe('an asset-only change', () => {
  test('leaves the pipeline template, the projects and the publish scripts unchanged, and changes the asset hashes', () => {
    const v1 = synthesize(LAMBDA_V1);
    const v2 = synthesize(LAMBDA_V2);
    expect(v2.result.templates.PipelineStack).toEqual(v1.result.templates.PipelineStack);
    for (const env of v1.publishing.environments) {
      const script = v1.publishing.scriptPath(env.account, env.region);
      expect(v2.publishing.scriptPath(env.account, env.region)).toBe(script);
      expect(fs.readFileSync(path.join(v2.outdir, script), 'utf-8')).toBe(fs.readFileSync(path.join(v1.outdir, script), 'utf-8'));
    }
    expect(v2.update.scriptPath).toBe(v1.update.scriptPath);
    expect(fs.readFileSync(path.join(v2.outdir, v2.update.scriptPath), 'utf-8')).toBe(fs.readFileSync(path.join(v1.outdir, v1.update.scriptPath), 'utf-8'));
    const lambdaAssets = (outdir: string) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'assembly-Prod', `${v1.stages[1].stacks.find((x) => x.stackName === 'Prod-Api')!.artifactId}.assets.json`), 'utf-8'));
      return Object.entries<any>(manifest.files).filter(([, f]) => f.source.packaging === 'zip').map(([hash]) => hash);
    };
    expect(lambdaAssets(v1.outdir)).toHaveLength(1);
    expect(lambdaAssets(v2.outdir)).toHaveLength(1);
    expect(lambdaAssets(v2.outdir)).not.toEqual(lambdaAssets(v1.outdir));
    const apiTemplate = (r: SynthResult) => Object.entries(r.templates).find(([id]) => id.startsWith('ProdApi'))![1];
    expect(apiTemplate(v2.result)).not.toEqual(apiTemplate(v1.result));
  });
});

describe('under the feature flags cdk init writes', () => {
  test('the same app is clean and gets one privileged-only-with-images project per environment', () => {
    const r = synthesize(LAMBDA_V1, { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS });
    expect(r.result.findings).toEqual([]);
    expect(projects(r.template).map((p) => p.props.Environment.PrivilegedMode).sort()).toEqual([false, true]);
  });
});

describe('CdkAssetPublishing input errors', () => {
  function fixture() {
    const app = createTestApp();
    const f = pipelineFixture(app);
    const stage = CdkStageDeployment.fromStage(new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false }));
    return { ...f, stage };
  }

  test('fails when no stage is given', () => {
    const { stack, bucket } = fixture();
    expect(() => new CdkAssetPublishing(stack, 'Assets', { stages: [], artifactBucket: bucket }))
      .toThrow(/^CdkAssetPublishing 'Assets': stages is empty; pass the CdkStageDeployment of every CDK stage the pipeline deploys\.$/);
  });

  test('fails when cdkAssetsVersion is not a version', () => {
    const { stack, bucket, stage } = fixture();
    expect(() => new CdkAssetPublishing(stack, 'Assets', { stages: [stage], artifactBucket: bucket, cdkAssetsVersion: 'latest; rm -rf /' }))
      .toThrow(/^CdkAssetPublishing 'Assets': cdkAssetsVersion 'latest; rm -rf \/' is not a version; give a major \('4'\) or an exact version \('4\.7\.3'\)\.$/);
  });

  test('fails when asked for an environment no stage publishes to', () => {
    const { stack, bucket, stage } = fixture();
    const p = new CdkAssetPublishing(stack, 'Assets', { stages: [stage], artifactBucket: bucket });
    expect(() => p.action('999999999999', 'eu-west-1', { input: new codepipeline.Artifact('A') }))
      .toThrow(/^CdkAssetPublishing 'Assets': no stage has assets in 999999999999\/eu-west-1; use one of the environments with assets \(222222222222\/eu-west-1\)\.$/);
  });

  test('fails when one action name is given for several actions', () => {
    const { stack, bucket, stage } = fixture();
    const p = new CdkAssetPublishing(stack, 'Assets', { stages: [stage], artifactBucket: bucket });
    expect(() => p.actions({ input: new codepipeline.Artifact('A'), actionName: 'Publish' })).toThrow(/actionName 'Publish' cannot name several actions/);
  });

  test('a pinned exact cdk-assets version shows in the script', () => {
    const { stack, bucket, stage } = fixture();
    const p = new CdkAssetPublishing(stack, 'Assets', { stages: [stage], artifactBucket: bucket, cdkAssetsVersion: '4.7.3' });
    expect(p.scriptContent(BETA_ENV.account, BETA_ENV.region)).toContain('npx --yes cdk-assets@4.7.3');
  });
});
