import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BuildStep } from '../../src/build/build-step';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { ApprovalGate } from '../../src/gates';
import { SourceBuildDeployPipeline } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { codeCommitSource, stagesOf } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, formatFindings, synthAndReport } from '../util';
import { BETA_ENV, LAMBDA_V1, LAMBDA_V2, PIPELINE_ENV, PROD_ENV, ServiceStage } from './fixtures';

function synthesize(options: { lambdaCode?: string; selfUpdate?: boolean } = {}) {
  const app = createTestApp();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false, lambdaCode: options.lambdaCode ?? LAMBDA_V1 });
  const prod = new ServiceStage(app, 'Prod', { env: PROD_ENV, lambdaCode: options.lambdaCode ?? LAMBDA_V1 });
  const pipeline = new SourceBuildDeployPipeline(stack, 'Pipeline', {
    source: codeCommitSource(stack),
    buildStep: BuildStep.cdkSynth(),
    selfUpdate: options.selfUpdate ?? true,
    stages: [
      { stageName: 'Beta', targets: [DeployTarget.cdkStage(beta)] },
      { stageName: 'Prod', targets: [DeployTarget.cdkStage(prod)], gate: new ApprovalGate(stack, 'ProdGate', { manual: true }) },
    ],
  });
  const result = synthAndReport(app);
  // The file asset of the Prod Api stack (its hash is the Lambda code's).
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'assembly-Prod', `${prod.api.artifactId}.assets.json`), 'utf-8'));
  const fileAssets = Object.keys(manifest.files).filter((hash) => manifest.files[hash].source.packaging === 'zip');
  return { app, pipeline, result, fileAssets, template: Template.fromJSON(result.templates.PipelineStack) };
}

describe('SourceBuildDeployPipeline with CDK stages', () => {
  let s: ReturnType<typeof synthesize>;
  beforeAll(() => {
    s = synthesize();
  });

  test('held to the harness: no finding in any template', () => {
    expect(formatFindings(s.result.findings)).toBe(formatFindings([]));
  });

  test('a Lambda code change alters the assets, not the pipeline', () => {
    const changed = synthesize({ lambdaCode: LAMBDA_V2 });
    expect(changed.fileAssets).toHaveLength(1);
    expect(changed.fileAssets).not.toEqual(s.fileAssets);
    expect(changed.result.templates.PipelineStack).toEqual(s.result.templates.PipelineStack);
  });

  test('stages: Source, Build (synth), UpdatePipeline, Assets, then the deploy stages', () => {
    expect(stagesOf(s.template).map((st) => st.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Beta', 'Prod']);
    const assets = stagesOf(s.template).find((st) => st.Name === 'Assets');
    expect(assets.Actions.map((a: any) => a.Name)).toEqual(['Assets-222222222222-eu-west-1', 'Assets-333333333333-us-east-1']);
    for (const a of assets.Actions) expect(a.InputArtifacts).toEqual([{ Name: 'CloudAssembly' }]);
  });

  test('the synth build outputs the whole cloud assembly', () => {
    const build = stagesOf(s.template).find((st) => st.Name === 'Build').Actions[0];
    expect(build.OutputArtifacts).toEqual([{ Name: 'CloudAssembly' }]);
    const project = Object.values(s.template.findResources('AWS::CodeBuild::Project'))
      .find((p: any) => String(p.Properties.Description ?? '').startsWith('Runs \'Synth\'')) as any;
    const spec = JSON.parse(project.Properties.Source.BuildSpec);
    expect(spec.artifacts).toEqual({ 'base-directory': 'cdk.out', 'files': ['**/*'] });
  });

  test('each stack: change set created then executed in dependency order, with the bootstrap roles', () => {
    const prod = stagesOf(s.template).find((st) => st.Name === 'Prod');
    const order = prod.Actions.map((a: any) => [a.Name, a.RunOrder]);
    // The gate takes runOrder 1; Data at 2-3, Api and Jobs at 4-5.
    expect(order).toEqual(expect.arrayContaining([
      ['Prod-Data-Prepare', 2], ['Prod-Data-Execute', 3], ['Prod-Api-Prepare', 4], ['Prod-Api-Execute', 5], ['Prod-Jobs-Prepare', 4], ['Prod-Jobs-Execute', 5],
    ]));
    const prepare = prod.Actions.find((a: any) => a.Name === 'Prod-Api-Prepare');
    expect(prepare.Region).toBe('us-east-1');
    expect(prepare.Configuration.Capabilities).toBe('CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND');
    expect(prepare.Configuration.TemplatePath).toMatch(/^CloudAssembly::assembly-Prod\/ProdApi[0-9A-F]+\.template\.json$/);
    expect(JSON.stringify(prepare.RoleArn)).toContain(':iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1');
    expect(JSON.stringify(prepare.Configuration.RoleArn)).toContain(':iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-us-east-1');
    const data = prod.Actions.find((a: any) => a.Name === 'Prod-Data-Prepare');
    expect(data.Configuration.TemplateConfiguration).toMatch(/^CloudAssembly::assembly-Prod\/ProdData[0-9A-F]+\.template\.json\.config\.json$/);
  });

  test('artifacts are KMS-encrypted and each region\'s key is readable by the deploy roles of that region\'s stacks', () => {
    const keys = s.template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(1);
    const policy = JSON.stringify(Object.values(keys)[0]);
    expect(policy).toContain('cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
    expect(policy).not.toContain('cdk-hnb659fds-deploy-role-333333333333-us-east-1');
    // Prod (us-east-1) reads the replication bucket of its region: that bucket's key lets its deploy role decrypt.
    const support = Object.entries(s.result.templates).filter(([id]) => id.includes('us-east-1')).map(([, t]) => t);
    expect(support).toHaveLength(1);
    const supportKeys = Object.values(Template.fromJSON(support[0]).findResources('AWS::KMS::Key'));
    expect(JSON.stringify(supportKeys)).toContain('cdk-hnb659fds-deploy-role-333333333333-us-east-1');
  });

  test('the pipeline does not restart on update', () => {
    const pipeline = Object.values(s.template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(pipeline.Properties.RestartExecutionOnUpdate).not.toBe(true);
  });

  test('selfUpdate with restartExecutionOnUpdate is refused', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false });
    expect(() => new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      selfUpdate: true,
      restartExecutionOnUpdate: true,
      stages: [{ stageName: 'Beta', targets: [DeployTarget.cdkStage(beta)] }],
    })).toThrow(/SourceBuildDeployPipeline 'Pipeline'.*selfUpdate is on with restartExecutionOnUpdate/);
  });
});
