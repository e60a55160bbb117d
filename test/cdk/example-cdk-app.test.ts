import { Template } from 'aws-cdk-lib/assertions';
import { CDK_APP_BETA_ENV, CDK_APP_PROD_ENV, defineCdkExampleApp } from '../../examples/cdk-app';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthAndReport } from '../util';

/** The example CDK app (examples/cdk-app.ts, synthesized by the real cdk CLI in scripts/synth-example.sh), under the harness. */
describe('examples/cdk-app.ts', () => {
  const app = createTestApp();
  defineCdkExampleApp(app);
  // The example's own application function: under the cdk-init flags it gets a log group of its own (no KMS key, the app's choice).
  for (const handler of app.node.findAll().filter((c) => /\/Service\/Handler$/.test(c.node.path))) {
    exemptFixtureFromControlTower(handler, 'the example application\'s own function and log group');
  }
  const result = synthAndReport(app);
  const pipeline = Object.values(Template.fromJSON(result.templates.OrdersPipeline).findResources('AWS::CodePipeline::Pipeline'))[0] as any;

  test('held to the harness: no finding in any template', () => {
    expect(formatFindings(result.findings)).toBe(formatFindings([]));
  });

  test('assets of both environments are published before the first deployment, by one action each', () => {
    expect(pipeline.Properties.Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Beta', 'Prod']);
    const assets = pipeline.Properties.Stages.find((s: any) => s.Name === 'Assets');
    expect(assets.Actions.map((a: any) => a.Name)).toEqual([
      `Assets-${CDK_APP_BETA_ENV.account}-${CDK_APP_BETA_ENV.region}`,
      `Assets-${CDK_APP_PROD_ENV.account}-${CDK_APP_PROD_ENV.region}`,
    ]);
  });

  test('both environments build the container image: their publishing projects, and only those, are privileged', () => {
    const projects = Object.entries(Template.fromJSON(result.templates.OrdersPipeline).findResources('AWS::CodeBuild::Project'));
    const privileged = projects.filter(([, p]: [string, any]) => p.Properties.Environment.PrivilegedMode === true).map(([id]) => id);
    expect(privileged).toHaveLength(2);
    for (const id of privileged) expect(id).toMatch(/^PipelineAssetsPublish/);
  });
});
