/**
 * The validation harness every construct test runs through.
 *
 * ## Two flag sets, every test, always
 * A construct test builds its app with `createTestApp()` and checks it with `synthValidated(app)`;
 * nothing else. Which feature flags the app gets is chosen by the test *run*, not by the test:
 * - `defaults`: aws-cdk-lib's own defaults (no feature flags), what an old or hand-made app has;
 * - `cdk-init`: the flags `cdk init` writes into cdk.json, taken from aws-cdk-lib itself
 *   (`cx-api` `CURRENTLY_RECOMMENDED_FLAGS`, the same table the CLI's
 *   `.recommended-feature-flags.json` is generated from), never a copied list. Among them
 *   `@aws-cdk/core:enablePartitionLiterals` (ARNs render `arn:aws:`) and
 *   `@aws-cdk/core:annotationsInValidationReport` (construct warnings become report findings).
 * The jest config has two `projects` (`defaults`, `cdk-init`) that run the same test files; each
 * project's setup file sets `CDP_FLAG_SET` (see `flag-sets/`), and the `cdk-init` project keeps its
 * snapshots beside the others as `*.cdk-init.snap` (`flag-sets/snapshot-resolver*.js`). So
 * `npx jest test/x.test.ts` runs every test under both sets (`npm test` runs both;
 * `npx projen test:defaults` / `test:cdk-init` one), test files stay as they are, and a failure names its set
 * (`[cdk-init]` in jest's output). Assert through `canonical.ts` so an assertion holds under both. Run one set with
 * `npx jest --selectProjects cdk-init`. Outside those projects, `CDP_FLAG_SET` (default `defaults`)
 * chooses. Why not `forEachFlagSet(name, fn)` in every test: it would rewrite every test file and a
 * new test that forgets it would silently run one set only.
 *
 * ## Validators (all run at synth, offline; all findings count the same way)
 * - aws-cdk-lib's CloudFormation validation engine (`validateAgainstDefaultRules`),
 * - cdk-nag v3 `AwsSolutionsChecks`,
 * - this library's `PipelineChecks`,
 * - Control Tower proactive controls: `@cdklabs/cdk-validator-cfnguard` (CloudFormation Guard rules;
 *   the package ships the `cfn-guard` binary for linux/macos x64/arm64, no download). Only the rule
 *   files that name a resource type present in the assembly are run (same findings, ~5x faster).
 *   Acknowledge on the exact construct with the guard rule name and the plugin namespace:
 *   `Validations.of(c).acknowledge({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason })`.
 *   Control Tower's hooks have no suppression: an acknowledged finding still fails deployment in an
 *   account that enables that control, so the reason must say why that is acceptable.
 * - `IamAudit` (`iam.ts`): every policy document checked against the Service Authorization Reference.
 *   Acknowledge with `IamAudit::<rule>`.
 *
 * ## Env-agnostic stacks
 * `testStackEnvs()` gives the environments a construct test should build its stack in: the
 * test account/region, and no `env` at all (`Stack` without `env`, tokens for account and region).
 * Use it (`describe.each(testStackEnvs())`) for constructs that allow an env-agnostic stack; the
 * constructs that require a concrete environment say so and are tested with `TEST_ENV` only.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, AppProps, CfnResource, Environment, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { CloudAssembly, CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { IamAudit } from './iam';
import { PipelineChecks } from '../../src/checks';

/** The flag sets every construct test runs under. */
export const FLAG_SETS = ['defaults', 'cdk-init'] as const;
export type FlagSet = typeof FLAG_SETS[number];

/** Feature flags of a flag set (context an App gets from cdk.json). */
export function flagsOf(flagSet: FlagSet): Record<string, any> {
  return flagSet === 'cdk-init' ? { ...CURRENTLY_RECOMMENDED_FLAGS } : {};
}

/** The flag set this test run uses (`CDP_FLAG_SET`, set by the jest project). */
export function currentFlagSet(): FlagSet {
  const v = process.env.CDP_FLAG_SET ?? 'defaults';
  if (!(FLAG_SETS as readonly string[]).includes(v)) {
    throw new Error(`CDP_FLAG_SET='${v}': expected one of ${FLAG_SETS.join(', ')}`);
  }
  return v as FlagSet;
}

/**
 * A snapshot test of a file that keeps one snapshot (`__snapshots__/<test>.snap`, no `*.cdk-init.snap`):
 * runs under the `defaults` flag set, is reported skipped under `cdk-init` (the file's behaviour
 * assertions run under both).
 */
export function defaultsSnapshotTest(name: string, fn: () => void): void {
  (currentFlagSet() === 'defaults' ? test : test.skip)(name, fn);
}

/** Account and region of concrete test stacks. */
export const TEST_ENV: Environment = { account: '111111111111', region: 'eu-west-1' };

/** Stack environments for constructs that allow an env-agnostic stack: `[name, env]` for `describe.each`. */
export function testStackEnvs(env: Environment = TEST_ENV): Array<[string, Environment | undefined]> {
  return [['env ' + `${env.account}/${env.region}`, env], ['env-agnostic', undefined]];
}

const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';
const GUARD_RULES_DIR = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
let guardRuleTypes: Array<{ file: string; rule: string; types: Set<string> }> | undefined;

/** Each bundled Control Tower guard rule file, the rule it reports (`rule <name> when is_cfn_template`) and the resource types it names. */
function controlTowerRules(): Array<{ file: string; rule: string; types: Set<string> }> {
  if (!guardRuleTypes) {
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d).forEach((f) => {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p); else files.push(p);
    });
    walk(GUARD_RULES_DIR);
    guardRuleTypes = files.map((file) => {
      const text = fs.readFileSync(file, 'utf-8');
      const rule = /^rule (\w+) when is_cfn_template/m.exec(text)?.[1] ?? path.parse(file).name;
      return { file, rule, types: new Set(text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []) };
    });
  }
  return guardRuleTypes;
}

/**
 * Control Tower proactive controls through `@cdklabs/cdk-validator-cfnguard`, running only the rule
 * files that name a resource type of the assembly (a rule on a type absent from every template
 * cannot fail). Same plugin name, so acknowledgments read `cdk-validator-cfnguard::<rule>`.
 */
export class ControlTowerChecks implements IPolicyValidationPlugin {
  public readonly name = 'cdk-validator-cfnguard';
  public readonly version: string;
  constructor(private readonly options: { readonly disabledRules?: string[] } = {}) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require('@cdklabs/cdk-validator-cfnguard/package.json').version;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const types = new Set<string>();
    for (const t of context.templatePaths) {
      for (const r of Object.values<any>(JSON.parse(fs.readFileSync(t, 'utf-8')).Resources ?? {})) types.add(r.Type);
    }
    const rules = controlTowerRules()
      .filter((r) => !(this.options.disabledRules ?? []).includes(path.parse(r.file).name))
      .filter((r) => [...r.types].some((t) => types.has(t)))
      .map((r) => r.file);
    if (rules.length === 0) return { success: true, violations: [] };
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context as any) as any;
  }
}

/**
 * Acknowledge the Control Tower rules on a test fixture: every CloudFormation resource under `scope`
 * (call it once the fixture is built) gets every guard rule that names its resource type, with
 * `test fixture: <why>` as reason, except IAM resources. Only for what a test builds as the caller's own
 * resources (an L2 pipeline, a bucket or alarm handed to a construct): never on this library's
 * constructs, whose findings are fixed or acknowledged in src.
 */
export function exemptFixtureFromControlTower(scope: IConstruct, why: string): void {
  for (const c of scope.node.findAll()) {
    // IAM policies are judged whoever wrote them: this library's grants land in the fixture's roles.
    if (!CfnResource.isCfnResource(c) || c.cfnResourceType.startsWith('AWS::IAM::')) continue;
    const rules = [...new Set(controlTowerRules().filter((r) => r.types.has(c.cfnResourceType)).map((r) => r.rule))];
    if (rules.length > 0) Validations.of(c).acknowledge(...rules.map((rule) => ({ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason: `test fixture: ${why}` })));
  }
}

/** One finding left in the validation report (not acknowledged). */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly constructPath: string;
}

/** What a synthesized app costs: counted over every template of the assembly (nested stages too). */
export interface Footprint {
  readonly templates: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
  readonly kmsKeys: number;
  readonly roles: number;
  readonly templateBytes: number;
  readonly largestTemplateBytes: number;
  readonly largestTemplateResources: number;
  /** Largest sum of inline policy bytes (AWS::IAM::Policy + Role.Policies) attached to one role. */
  readonly largestRolePolicyBytes: number;
  /** Largest number of actions in one stage of any AWS::CodePipeline::Pipeline. */
  readonly maxActionsPerStage: number;
}

export interface Acknowledgment {
  readonly constructPath: string;
  readonly rule: string;
  readonly reason: string;
}

export interface SynthResult {
  readonly assembly: CloudAssembly;
  /** The flag set the app was synthesized under. */
  readonly flagSet: FlagSet;
  /** Reported but not failing (severity info etc.), e.g. IamAudit's `s3:GetObject*` prefixes. */
  readonly notices: Finding[];
  /** Templates by stack artifact id. */
  readonly templates: Record<string, any>;
  readonly footprint: Footprint;
  /** Findings of any plugin with severity error/fatal/warning that no acknowledgment covers. */
  readonly findings: Finding[];
  /** Every acknowledgment made in the app (`Validations.of(c).acknowledge`), where and why. */
  readonly acknowledged: Acknowledgment[];
  /** Milliseconds `app.synth()` took (validation included). */
  readonly synthMs: number;
}

const FAILING_SEVERITIES = new Set(['error', 'fatal', 'warning']);

/**
 * Control Tower proactive controls (cdk-validator-cfnguard) run in every synth and their findings fail
 * the test like any other validator's: this library's constructs are clean under every bundled control
 * (fixed, or acknowledged on the exact construct with the reason), and test fixtures are exempted in
 * their tests (`exemptFixtureFromControlTower`). `CDP_CONTROL_TOWER=report` turns them into notices
 * (`SynthResult.notices`, for catalogue runs with `CDP_FINDINGS_LOG`), never hidden.
 */
function controlTowerStrict(): boolean {
  return process.env.CDP_CONTROL_TOWER !== 'report';
}
const PLUGINS_ADDED = new WeakSet<App>();

export interface TestAppOptions extends AppProps {
  /** More validation plugins to run beside the CloudFormation engine and cdk-nag. */
  readonly plugins?: IPolicyValidationPlugin[];
  /** @default currentFlagSet() (the jest project's) */
  readonly flagSet?: FlagSet;
}

const FLAG_SET_OF = new WeakMap<App, FlagSet>();

/**
 * An App set up the way every construct test in this project runs:
 * - the feature flags of the run's flag set (`defaults` or `cdk-init`, see the header),
 * - aws-cdk-lib's CloudFormation validation engine (`CloudFormationValidatePlugin`,
 *   bundled `@aws/cloudformation-validate`) with `validateAgainstDefaultRules` on,
 * - cdk-nag v3 `AwsSolutionsChecks`, this library's `PipelineChecks`, Control Tower proactive
 *   controls (`ControlTowerChecks`) and the IAM audit (`IamAudit`) as validation plugins,
 * - synth does not throw on findings: `synthValidated` reads the report and fails the
 *   test with a readable list instead (so warnings fail too, not only errors).
 */
export function createTestApp(options: TestAppOptions = {}): App {
  const { plugins, flagSet, ...appProps } = options;
  const set = flagSet ?? currentFlagSet();
  const app = new App({
    ...appProps,
    context: {
      ...flagsOf(set),
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...appProps.context,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PipelineChecks(), new ControlTowerChecks(), new IamAudit(), ...(plugins ?? []));
  PLUGINS_ADDED.add(app);
  FLAG_SET_OF.set(app, set);
  return app;
}

/** Synthesize and report, without judging. Use `synthValidated` in construct tests. */
export function synthAndReport(app: App): SynthResult {
  if (!PLUGINS_ADDED.has(app)) {
    throw new Error('synthAndReport: create the App with createTestApp() so the validators are registered');
  }
  const started = Date.now();
  const assembly = app.synth({ force: true });
  const synthMs = Date.now() - started;
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : { pluginReports: [] };

  const findings: Finding[] = [];
  const notices: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    if (plugin.conclusion === 'failure' && (plugin.violations ?? []).length === 0 && plugin.metadata?.error) {
      findings.push({ plugin: plugin.pluginName, rule: 'PLUGIN-FAILED', severity: 'error', description: String(plugin.metadata.error), constructPath: '' });
    }
    for (const v of plugin.violations ?? []) {
      const failing = FAILING_SEVERITIES.has(String(v.severity).toLowerCase())
        && (controlTowerStrict() || plugin.pluginName !== CONTROL_TOWER_PLUGIN);
      for (const c of v.violatingConstructs ?? [{ constructPath: '' }]) {
        (failing ? findings : notices).push({ plugin: plugin.pluginName, rule: v.ruleName, severity: v.severity, description: v.description, constructPath: c.constructPath ?? '' });
      }
    }
  }

  if (process.env.CDP_TEST_PROFILE) {
    // Test-time profile (`npx projen test:profile`, scripts/test-profile.ts): one JSON line per synth.
    const state = (globalThis as any).expect?.getState?.() ?? {};
    fs.appendFileSync(process.env.CDP_TEST_PROFILE, JSON.stringify({
      testPath: path.relative(process.cwd(), state.testPath ?? ''), test: state.currentTestName ?? '', flagSet: FLAG_SET_OF.get(app), synthMs,
    }) + '\n');
  }

  if (process.env.CDP_FINDINGS_LOG) {
    // Catalogue runs (notes/harness-findings.md): every finding and notice of every synth, one JSON line each.
    const test = (globalThis as any).expect?.getState?.().currentTestName ?? '';
    const lines = [...findings.map((f) => ({ ...f, failing: true })), ...notices.map((f) => ({ ...f, failing: false }))]
      .map((f) => JSON.stringify({ flagSet: FLAG_SET_OF.get(app), testPath: (globalThis as any).expect?.getState?.().testPath, test, ...f }));
    if (lines.length > 0) fs.appendFileSync(process.env.CDP_FINDINGS_LOG, lines.join('\n') + '\n');
  }

  const templates: Record<string, any> = {};
  const sizes: number[] = [];
  for (const stack of assembly.stacksRecursively) {
    templates[stack.id] = stack.template;
    sizes.push(fs.statSync(path.join(stack.assembly.directory, stack.templateFile)).size);
  }
  return { assembly, flagSet: FLAG_SET_OF.get(app) ?? 'defaults', notices, templates, footprint: footprintOf(Object.values(templates), sizes), findings, acknowledged: acknowledgmentsIn(app), synthMs };
}

/**
 * Synthesize an app made by `createTestApp` and fail with a readable list when the
 * CloudFormation validation engine reports any ERROR or WARN, or cdk-nag reports any
 * finding not acknowledged on its construct. Returns the templates and their footprint.
 */
export function synthValidated(app: App): SynthResult {
  const result = synthAndReport(app);
  if (result.findings.length > 0) {
    throw new Error(`${result.findings.length} validation finding(s) [flag set ${result.flagSet}]:\n${formatFindings(result.findings)}`);
  }
  return result;
}

/** Acknowledgments recorded as construct metadata by `Validations.of(scope).acknowledge`. */
export function acknowledgmentsIn(scope: IConstruct): Acknowledgment[] {
  const out: Acknowledgment[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ constructPath: c.node.path, rule: rule.replace(/^[^:]+::/, ''), reason });
      }
    }
  }
  return out;
}

export function formatFindings(findings: Finding[]): string {
  return findings
    .map((f) => `  [${f.plugin}] ${f.rule} (${f.severity}) at ${f.constructPath || '<stack>'}: ${f.description}`)
    .join('\n');
}

export function footprintOf(templates: any[], templateBytes: number[] = []): Footprint {
  const resourcesByType: Record<string, number> = {};
  let resources = 0;
  let largestTemplateResources = 0;
  let largestRolePolicyBytes = 0;
  let maxActionsPerStage = 0;
  for (const template of templates) {
    const entries = Object.entries<any>(template.Resources ?? {});
    resources += entries.length;
    largestTemplateResources = Math.max(largestTemplateResources, entries.length);
    const policyBytesByRole: Record<string, number> = {};
    for (const [logicalId, resource] of entries) {
      resourcesByType[resource.Type] = (resourcesByType[resource.Type] ?? 0) + 1;
      if (resource.Type === 'AWS::IAM::Role') {
        policyBytesByRole[logicalId] = (policyBytesByRole[logicalId] ?? 0) + JSON.stringify(resource.Properties?.Policies ?? []).length;
      }
      if (resource.Type === 'AWS::IAM::Policy') {
        for (const role of resource.Properties?.Roles ?? []) {
          const id = role?.Ref ?? JSON.stringify(role);
          policyBytesByRole[id] = (policyBytesByRole[id] ?? 0) + JSON.stringify(resource.Properties.PolicyDocument).length;
        }
      }
      if (resource.Type === 'AWS::CodePipeline::Pipeline') {
        for (const stage of resource.Properties?.Stages ?? []) {
          maxActionsPerStage = Math.max(maxActionsPerStage, (stage.Actions ?? []).length);
        }
      }
    }
    largestRolePolicyBytes = Math.max(largestRolePolicyBytes, 0, ...Object.values(policyBytesByRole));
  }
  const bytes = templateBytes.length === templates.length ? templateBytes : templates.map((t) => JSON.stringify(t).length);
  return {
    templates: templates.length,
    resources,
    resourcesByType,
    kmsKeys: resourcesByType['AWS::KMS::Key'] ?? 0,
    roles: resourcesByType['AWS::IAM::Role'] ?? 0,
    templateBytes: bytes.reduce((a, b) => a + b, 0),
    largestTemplateBytes: Math.max(0, ...bytes),
    largestTemplateResources,
    largestRolePolicyBytes,
    maxActionsPerStage,
  };
}
