import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { CDK_APP_BETA_ENV, CDK_APP_PROD_ENV, CdkExamplePipeline, defineCdkExampleApp } from '../../examples/cdk-app';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthAndReport } from '../util';

const ASSET_ENVS = [CDK_APP_BETA_ENV, CDK_APP_PROD_ENV].map((e) => `Assets-${e.account}-${e.region}`);

function synthesize(pipeline: CdkExamplePipeline, lambdaCode?: string) {
  const app = createTestApp();
  const { prod } = defineCdkExampleApp(app, { pipeline, lambdaCode });
  // The example's own application function: under the cdk-init flags it gets a log group of its own (no KMS key, the app's choice).
  for (const handler of app.node.findAll().filter((c) => /\/Service\/Handler$/.test(c.node.path))) {
    exemptFixtureFromControlTower(handler, 'the example application\'s own function and log group');
  }
  const result = synthAndReport(app);
  const template = Template.fromJSON(result.templates.OrdersPipeline);
  const codePipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'assembly-Prod', `${prod.service.artifactId}.assets.json`), 'utf-8'));
  const assets = { files: Object.keys(manifest.files), images: Object.keys(manifest.dockerImages) };
  return { result, template, stages: codePipeline.Properties.Stages as any[], assets };
}

function privilegedProjects(template: Template): string[] {
  const projects = Object.entries(template.findResources('AWS::CodeBuild::Project'));
  return projects.filter(([, p]: [string, any]) => p.Properties.Environment.PrivilegedMode === true).map(([id]) => id);
}

/** The example CDK app (examples/cdk-app.ts, synthesized by the real cdk CLI in scripts/synth-example.sh), under the harness. */
describe('examples/cdk-app.ts', () => {
  const s = synthesize('source-build-deploy');

  test('held to the harness: no finding in any template', () => {
    expect(formatFindings(s.result.findings)).toBe(formatFindings([]));
  });

  test('assets of both environments are published before the first deployment, by one action each', () => {
    expect(s.stages.map((st) => st.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Beta', 'Prod']);
    expect(s.stages.find((st) => st.Name === 'Assets').Actions.map((a: any) => a.Name)).toEqual(ASSET_ENVS);
  });

  test('both environments build the container image: their publishing projects, and only those, are privileged', () => {
    const privileged = privilegedProjects(s.template);
    expect(privileged).toHaveLength(2);
    for (const id of privileged) expect(id).toMatch(/^PipelineAssetsPublish/);
  });
});

/** The same app through CrossRegionCfnPipeline: 2 accounts, 2 regions, 2 waves (`cdk synth -c pipeline=cross-region`). */
describe('examples/cdk-app.ts with CrossRegionCfnPipeline', () => {
  const s = synthesize('cross-region');

  test('held to the harness: no finding in any template', () => {
    expect(formatFindings(s.result.findings)).toBe(formatFindings([]));
  });

  test('assets of both environments first, then per wave: change sets, (gate), execution', () => {
    expect(s.stages.map((st) => st.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Beta.ChangeSets', 'Beta', 'Prod.ChangeSets', 'Prod']);
    expect(s.stages.find((st) => st.Name === 'Assets').Actions.map((a: any) => a.Name)).toEqual(ASSET_ENVS);
    const prod = s.stages.find((st) => st.Name === 'Prod');
    expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['Prod-Service', 2]]);
    expect(prod.Actions[1].Region).toBe(CDK_APP_PROD_ENV.region);
    expect(JSON.stringify(prod.Actions[1].RoleArn)).toContain(`:iam::${CDK_APP_PROD_ENV.account}:role/cdk-hnb659fds-deploy-role-`);
    expect(privilegedProjects(s.template)).toHaveLength(2);
  });

  test('the stage has a file asset (the Lambda) and an image asset, described at synth (never built here)', () => {
    expect(s.assets.files.length).toBeGreaterThanOrEqual(1);
    expect(s.assets.images).toHaveLength(1);
  });

  test('synthesized again with other Lambda code: the same pipeline templates, other asset hashes', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-lambda-'));
    fs.writeFileSync(path.join(other, 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "v2" });\n');
    const changed = synthesize('cross-region', other);
    expect(changed.assets.files).not.toEqual(s.assets.files);
    expect(changed.assets.images).toEqual(s.assets.images);
    const pipelineTemplates = (r: typeof s.result) => Object.fromEntries(Object.entries(r.templates).filter(([id]) => id.startsWith('OrdersPipeline')));
    expect(Object.keys(pipelineTemplates(s.result)).length).toBeGreaterThanOrEqual(2);
    expect(pipelineTemplates(changed.result)).toEqual(pipelineTemplates(s.result));
  });
});
