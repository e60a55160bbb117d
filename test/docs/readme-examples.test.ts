import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as lib from '../../src';
import { createTestApp, Finding, synthAndReport, TestAppOptions } from '../util';

/**
 * The README's first examples run as users copy them: each block is complete with its imports
 * (`cdk-delivery-pipelines` is this repository's src/), its `new App()` is the test harness's
 * App, and what the README says about the smallest pipeline's findings is what the validators
 * report.
 */
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

/** The ```ts blocks of the README section that starts with `heading`. */
function blocksOf(heading: string): string[] {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section '${heading}'`);
  const next = README.indexOf('\n## ', start + heading.length + 2);
  const section = README.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Run TypeScript source as a module; returns the apps it defined (harness Apps). */
function run(source: string, options: TestAppOptions = {}): cdk.App[] {
  const apps: cdk.App[] = [];
  // `new App(props)` returns the harness's App (validators registered), with the block's props.
  function App(props?: cdk.AppProps) {
    const app = createTestApp({ ...options, ...props, context: { ...props?.context } });
    apps.push(app);
    return app;
  }
  const cdkWithTestApp = new Proxy(cdk, { get: (target, key) => (key === 'App' ? App : (target as any)[key]) });
  const modules: Record<string, unknown> = { 'aws-cdk-lib': cdkWithTestApp, 'cdk-delivery-pipelines': lib };
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFor = (id: string) => modules[id] ?? require(id); // the block's other imports: aws-cdk-lib/aws-*, cdk-nag
  new Function('require', 'exports', 'module', js)(requireFor, {}, { exports: {} });
  return apps;
}

const [smallest] = blocksOf('## The smallest pipeline');
const [checkYourApp, acknowledgment] = blocksOf('## Check your app, and acknowledge findings your own policy causes');
const FINDING_ID = 'AwsSolutions-IAM5[Resource::arn:aws:sns:eu-west-1:111111111111:my-service-*]';

/**
 * The findings the README section is about: cdk-nag's and PipelineChecks' on the deployment roles
 * (`<stage>/<action>/Role`, the role CloudFormation assumes, holding `executionPolicy`) or naming the
 * policy's resource. What the library's own constructs cause is the business of their suites
 * (test/pipelines/source-build-deploy), which hold it to zero findings under both flag sets.
 */
const aboutOwnPolicy = (findings: Finding[]) => findings.filter((f) =>
  (f.plugin === 'AwsSolutions' || f.plugin === 'PipelineChecks') &&
  (/^Delivery\/Pipeline\/Pipeline\/[^/]+\/[^/]+\/Role\//.test(f.constructPath) || f.rule.includes('my-service-*')));

describe('README examples', () => {
  // The smallest pipeline as written, synthesized once.
  let withoutAcknowledgment: ReturnType<typeof synthAndReport>;
  beforeAll(() => {
    const [app] = run(smallest);
    withoutAcknowledgment = synthAndReport(app);
  });

  test('the sections hold the blocks this test runs', () => {
    expect(smallest).toContain("from 'cdk-delivery-pipelines'");
    expect(acknowledgment).toContain('Validations.of(pipeline).acknowledge(');
    expect(README).toContain(FINDING_ID);
  });

  test('the smallest pipeline runs as written (all its imports present) and gives each deployment role its executionPolicy', () => {
    const template = withoutAcknowledgment.templates.Delivery;
    const policies = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const topicStatements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s.Action).includes('sns:CreateTopic'));
    // Staging and Prod: the deployment role CloudFormation assumes holds what the stack needs, nothing wider.
    expect(topicStatements).toHaveLength(2);
    for (const s of topicStatements) expect(s.Resource).toBe('arn:aws:sns:eu-west-1:111111111111:my-service-*');
  });

  test('without the acknowledgment, cdk-nag reports exactly the finding the README shows, on the deployment roles', () => {
    const findings = aboutOwnPolicy(withoutAcknowledgment.findings);
    expect(findings.map((f) => [f.rule, f.constructPath]).sort()).toEqual([
      [FINDING_ID, 'Delivery/Pipeline/Pipeline/Prod/my-service/Role/DefaultPolicy/Resource'],
      [FINDING_ID, 'Delivery/Pipeline/Pipeline/Staging/my-service-staging/Role/DefaultPolicy/Resource'],
    ]);
    expect(README).toContain(`${FINDING_ID}\n   Delivery/Pipeline/Pipeline/Prod/my-service/Role/DefaultPolicy/Resource`);
  });

  test('"check your app" runs as written: an App with cdk-nag and PipelineChecks added', () => {
    const apps = run(checkYourApp);
    expect(apps).toHaveLength(1);
    expect(apps[0].node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('with the README acknowledgment appended, cdk-nag and PipelineChecks report nothing about the deployment roles', () => {
    const [app] = run(`${smallest}\n${acknowledgment}`);
    expect(aboutOwnPolicy(synthAndReport(app).findings)).toEqual([]);
  });
});
