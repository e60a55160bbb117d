import { currentFlagSet, Finding, synthAndReport } from '../util';
import { CodeBlock, codeBlocksOf, docFiles, docSection } from '../util/docs';
import { runExample, typeCheckExamples } from '../util/examples';

/**
 * The README's examples run as users copy them: each TypeScript block is complete with its imports
 * (`cdk-delivery-pipelines` is this repository's src/) and its `new App()` is the test harness's App;
 * or it says which example it adds to (`// Add to the code of "<section>":`) and runs appended to it.
 * Every README example type-checks (strict) and synthesizes through the harness (CloudFormation engine,
 * cdk-nag, PipelineChecks, Control Tower, IAM audit) with no finding but those its own input causes.
 * The complete examples of docs/*.md type-check and run too; their fragments are reference snippets.
 */
const README = docFiles().find((d) => d.file === 'README.md')!;
const TS = ['ts', 'typescript'];

/** `// Add to the code of "The smallest pipeline":` on a block's first line names the section it continues. */
const CONTINUES = /^\/\/ Add to the code of "([^"]+)":/;
const isComplete = (b: CodeBlock) => /\bnew App\(/.test(b.code);

/** The first complete example of a README section (examples continue only README examples). */
function exampleOf(heading: string): CodeBlock {
  const block = codeBlocksOf(docSection(heading, [README]), TS).find(isComplete);
  if (!block) throw new Error(`section '${heading}' has no complete example (a block with its own \`new App()\`)`);
  return block;
}

interface Example {
  readonly name: string;
  readonly code: string;
  readonly blocks: CodeBlock[];
}

/** Each README block as it runs: complete, or appended to the example it continues. */
const README_EXAMPLES: Example[] = codeBlocksOf(README, TS).map((b) => {
  const name = `README.md:${b.line}`;
  if (isComplete(b)) return { name, code: b.code, blocks: [b] };
  const continued = CONTINUES.exec(b.code);
  if (!continued) throw new Error(`${name}: a README example either defines its App (new App()) or starts with // Add to the code of "<section>":`);
  const base = exampleOf(continued[1]);
  // Imports are hoisted by the transpiler, so a continuation may import what it uses.
  return { name: `${name} (after README.md:${base.line})`, code: `${base.code}\n${b.code}`, blocks: [base, b] };
});

/** The complete examples of docs/*.md. */
const PAGE_EXAMPLES: Example[] = docFiles().filter((d) => d.file !== 'README.md')
  .flatMap((d) => codeBlocksOf(d, TS).filter(isComplete).map((b) => ({ name: `${d.file}:${b.line}`, code: b.code, blocks: [b] })));

/** The example's string literals as patterns: a template literal's `${...}` stands for one ARN field. */
function literalsOf(code: string): RegExp[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...code.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    .map((s) => new RegExp(`^${s.split(/\$\{[^}]*\}/).map(escape).join('[^:/]+')}$`));
}

/**
 * Findings the example's own input causes: a wildcard resource the example writes as a string
 * (`AwsSolutions-IAM5[Resource::<resource>]`). Anything else is this library's, and must not be.
 */
function causedByOwnInput(f: Finding, code: string): boolean {
  const wildcard = /^AwsSolutions-IAM5\[Resource::(.+)\]$/.exec(f.rule);
  return wildcard !== null && literalsOf(code).some((literal) => literal.test(wildcard[1]));
}

const smallest = exampleOf('The smallest pipeline');
const [checkYourApp, acknowledgment] = codeBlocksOf(docSection('Check your app', [README]), TS);
const FINDING_ID = 'AwsSolutions-IAM5[Resource::arn:aws:sns:eu-west-1:111111111111:my-service-*]';

/**
 * The findings the smallest pipeline's section is about: cdk-nag's and PipelineChecks' on the deployment
 * roles (`<stage>/<action>/Role`, the role CloudFormation assumes, holding `executionPolicy`) or naming
 * the policy's resource.
 */
const aboutOwnPolicy = (findings: Finding[]) => findings.filter((f) =>
  (f.plugin === 'AwsSolutions' || f.plugin === 'PipelineChecks') &&
  (/^Delivery\/Pipeline\/Pipeline\/[^/]+\/[^/]+\/Role\//.test(f.constructPath) || f.rule.includes('my-service-*')));

/** Each example is synthesized once (they take seconds each): by the code it runs. */
const SYNTHESIZED = new Map<string, ReturnType<typeof synthAndReport>>();
function synthOf(code: string): ReturnType<typeof synthAndReport> {
  if (!SYNTHESIZED.has(code)) {
    const apps = runExample(code);
    if (apps.length !== 1) throw new Error(`the example defined ${apps.length} apps, not 1`);
    SYNTHESIZED.set(code, synthAndReport(apps[0]));
  }
  return SYNTHESIZED.get(code)!;
}

describe('README examples', () => {
  // The smallest pipeline as written.
  let withoutAcknowledgment: ReturnType<typeof synthAndReport>;
  beforeAll(() => {
    withoutAcknowledgment = synthOf(smallest.code);
  });

  test('the sections hold the blocks this test runs', () => {
    expect(smallest.code).toContain("from 'cdk-delivery-pipelines'");
    expect(checkYourApp.code).toContain('new AwsSolutionsChecks(app), new PipelineChecks()');
    expect(acknowledgment.code).toContain('Validations.of(pipeline).acknowledge(');
    expect(acknowledgment.code).toMatch(CONTINUES);
    expect(README.text).toContain(FINDING_ID);
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
    expect(README.text).toContain(`${FINDING_ID}\n   Delivery/Pipeline/Pipeline/Prod/my-service/Role/DefaultPolicy/Resource`);
  });

  test('"check your app" runs as written: an App with cdk-nag and PipelineChecks added', () => {
    const apps = runExample(checkYourApp.code);
    expect(apps).toHaveLength(1);
    expect(apps[0].node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('with the README acknowledgment appended, cdk-nag and PipelineChecks report nothing about the deployment roles', () => {
    expect(aboutOwnPolicy(synthOf(`${smallest.code}\n${acknowledgment.code}`).findings)).toEqual([]);
  });

  test('the README holds the examples of every path a user takes, each complete', () => {
    for (const heading of ['Deploying a CDK app', 'Waves of CDK stages', 'CloudFormation across regions and accounts', 'Approval gates', 'Failure notifications']) {
      expect(exampleOf(heading).code).toContain("from 'cdk-delivery-pipelines'");
    }
    expect(README_EXAMPLES.length).toBeGreaterThanOrEqual(8);
  });

  // Types do not depend on the feature flags: checked once, in the defaults set.
  (currentFlagSet() === 'defaults' ? test : test.skip)('every README example and every complete example of docs/*.md type-checks (strict), cdk-delivery-pipelines being src/', () => {
    const sources = Object.fromEntries([...README_EXAMPLES, ...PAGE_EXAMPLES].map((e) => [e.name, e.code]));
    // One wrong example in the same program proves the check sees this library's types.
    const WRONG = '(a deliberately wrong example)';
    sources[WRONG] = "import { DeployTarget } from 'cdk-delivery-pipelines';\nDeployTarget.cloudFormation({ stackName: 42, templatePath: 'template.yaml' });\n";
    const errors = typeCheckExamples(sources);
    expect(errors.filter((e) => !e.startsWith(WRONG))).toEqual([]);
    expect(errors.filter((e) => e.startsWith(WRONG))).toEqual([expect.stringMatching(/^\(a deliberately wrong example\):2: Type 'number' is not assignable to type 'string'/)]);
  });

  test.each(README_EXAMPLES.map((e) => [e.name, e] as const))('%s runs as written and synthesizes with no finding but its own input\'s', (_name, example) => {
    const { findings } = synthOf(example.code);
    const ours = findings.filter((f) => !causedByOwnInput(f, example.code)).map((f) => `${f.plugin} ${f.rule} at ${f.constructPath}`);
    expect(ours).toEqual([]);
  });

  test.each(PAGE_EXAMPLES.map((e) => [e.name, e] as const))('%s runs as written (defines one App)', (_name, example) => {
    expect(runExample(example.code)).toHaveLength(1);
  });

  test('the own-input allowance admits only a wildcard the example itself wrote', () => {
    const finding = (rule: string): Finding => ({ plugin: 'AwsSolutions', rule, severity: 'error', description: '', constructPath: 'S/R' });
    expect(causedByOwnInput(finding('AwsSolutions-IAM5[Resource::arn:aws:sns:*:*:app-*]'), "resources: ['arn:aws:sns:*:*:app-*']")).toBe(true);
    expect(causedByOwnInput(finding('AwsSolutions-IAM5[Resource::arn:aws:sns:eu-west-1:1:app-*]'), 'resources: [`arn:aws:sns:${stack.region}:${stack.account}:app-*`]')).toBe(true);
    expect(causedByOwnInput(finding('AwsSolutions-IAM5[Resource::*]'), "resources: ['arn:aws:sns:*:*:app-*']")).toBe(false);
    expect(causedByOwnInput(finding('AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]'), "resources: ['arn:aws:sns:*:*:app-*']")).toBe(false);
    expect(causedByOwnInput(finding('AwsSolutions-SNS2'), 'new sns.Topic(this, "T")')).toBe(false);
  });
});
