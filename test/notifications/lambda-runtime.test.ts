import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagRuleCompliance, rules } from 'cdk-nag';
import { BUNDLE_NODE_MAJOR, latestNodeRuntime } from '../../src/private/lambda-runtime';

/** cdk-nag's own AwsSolutions-L1 check on a function with this runtime. */
function l1(runtime: lambda.Runtime): NagRuleCompliance {
  const fn = new lambda.CfnFunction(new Stack(), 'Fn', { code: { zipFile: 'x' }, role: 'arn:aws:iam::111111111111:role/r', runtime: runtime.name });
  return (rules.lambda.LambdaLatestVersion as unknown as (node: lambda.CfnFunction) => NagRuleCompliance)(fn);
}

/** A runtime the app defines (`new lambda.Runtime` adds it to `Runtime.ALL`), taken out again after the test. */
const defined: lambda.Runtime[] = [];
function defineRuntime(name: string, family?: lambda.RuntimeFamily): lambda.Runtime {
  const runtime = new lambda.Runtime(name, family);
  defined.push(runtime);
  return runtime;
}
afterEach(() => {
  for (const runtime of defined.splice(0)) lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(runtime), 1);
});

describe('latestNodeRuntime', () => {
  test('on the pinned aws-cdk-lib it is the newest NODEJS_<N>_X static member, and cdk-nag AwsSolutions-L1 accepts it', () => {
    const majors = Object.keys(lambda.Runtime).map((key) => /^NODEJS_(\d+)_X$/.exec(key)).filter((m) => m !== null).map((m) => Number(m![1]));
    const newest = Math.max(...majors);
    expect(newest).toBeGreaterThanOrEqual(24);
    expect(latestNodeRuntime().name).toBe(`nodejs${newest}.x`);
    expect(latestNodeRuntime().isVariable).toBe(false);
    expect(l1(latestNodeRuntime())).toBe(NagRuleCompliance.COMPLIANT);
    // What the fixed runtime of projen's generated construct would be reported as, once a newer one exists.
    expect(l1(lambda.Runtime.NODEJS_22_X)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('a newer Node.js runtime the app\'s aws-cdk-lib knows is chosen, and cdk-nag AwsSolutions-L1 accepts it, not the older one', () => {
    const before = latestNodeRuntime();
    const newer = defineRuntime('nodejs99.x', lambda.RuntimeFamily.NODEJS);
    expect(latestNodeRuntime()).toBe(newer);
    expect(l1(newer)).toBe(NagRuleCompliance.COMPLIANT);
    expect(l1(before)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('a runtime the bundle does not support is never chosen: not Node.js, not a nodejs<N>.x line, or older than the bundle target', () => {
    defineRuntime('nodejs99.x', lambda.RuntimeFamily.OTHER);
    defineRuntime('nodejs99.x-preview', lambda.RuntimeFamily.NODEJS);
    expect(latestNodeRuntime().name).toMatch(/^nodejs2\d\.x$/);
    // Older than the bundle's target: nodejs20.x is skipped even when it is the only one.
    expect(() => latestNodeRuntime([lambda.Runtime.NODEJS_20_X], 22)).toThrow(/knows no Lambda Node.js runtime nodejs22.x or newer \(known: nodejs20.x\).*aws-cdk-lib 2.201.0 or later/);
    expect(latestNodeRuntime([lambda.Runtime.NODEJS_20_X, lambda.Runtime.NODEJS_22_X], 22)).toBe(lambda.Runtime.NODEJS_22_X);
    // A newer runtime is chosen only when the bundle supports it.
    const newer = defineRuntime('nodejs99.x', lambda.RuntimeFamily.NODEJS);
    expect(latestNodeRuntime(lambda.Runtime.ALL, 99)).toBe(newer);
    expect(() => latestNodeRuntime(lambda.Runtime.ALL, 100)).toThrow(/no Lambda Node.js runtime nodejs100.x or newer/);
  });

  test('prefers the fixed member over NODEJS_LATEST (a variable alias) of the same version', () => {
    expect(latestNodeRuntime([lambda.Runtime.NODEJS_LATEST, lambda.Runtime.NODEJS_24_X])).toBe(lambda.Runtime.NODEJS_24_X);
    expect(latestNodeRuntime([lambda.Runtime.NODEJS_24_X, lambda.Runtime.NODEJS_LATEST])).toBe(lambda.Runtime.NODEJS_24_X);
  });

  test('BUNDLE_NODE_MAJOR is the esbuild target the notifier bundle is built for', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.projen', 'tasks.json'), 'utf-8'));
    const args: string[] = tasks.tasks['bundle:notifications/notify.lambda'].steps[0].execArgs;
    expect(args).toContain(`--target=node${BUNDLE_NODE_MAJOR}`);
  });
});
