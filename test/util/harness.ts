import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PipelineChecks } from '../../src/checks';

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
const PLUGINS_ADDED = new WeakSet<App>();

export interface TestAppOptions extends AppProps {
  /** More validation plugins to run beside the CloudFormation engine and cdk-nag. */
  readonly plugins?: IPolicyValidationPlugin[];
}

/**
 * An App set up the way every construct test in this project runs:
 * - aws-cdk-lib's CloudFormation validation engine (`CloudFormationValidatePlugin`,
 *   bundled `@aws/cloudformation-validate`) with `validateAgainstDefaultRules` on,
 * - cdk-nag v3 `AwsSolutionsChecks` as a validation plugin,
 * - this library's `PipelineChecks` (CodePipeline rules and quotas) as a validation plugin,
 * - synth does not throw on findings: `synthValidated` reads the report and fails the
 *   test with a readable list instead (so warnings fail too, not only errors).
 */
export function createTestApp(options: TestAppOptions = {}): App {
  const { plugins, ...appProps } = options;
  const app = new App({
    ...appProps,
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...appProps.context,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PipelineChecks(), ...(plugins ?? []));
  PLUGINS_ADDED.add(app);
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
  for (const plugin of report.pluginReports ?? []) {
    if (plugin.conclusion === 'failure' && (plugin.violations ?? []).length === 0 && plugin.metadata?.error) {
      findings.push({ plugin: plugin.pluginName, rule: 'PLUGIN-FAILED', severity: 'error', description: String(plugin.metadata.error), constructPath: '' });
    }
    for (const v of plugin.violations ?? []) {
      if (!FAILING_SEVERITIES.has(String(v.severity).toLowerCase())) continue;
      for (const c of v.violatingConstructs ?? [{ constructPath: '' }]) {
        findings.push({ plugin: plugin.pluginName, rule: v.ruleName, severity: v.severity, description: v.description, constructPath: c.constructPath ?? '' });
      }
    }
  }

  const templates: Record<string, any> = {};
  const sizes: number[] = [];
  for (const stack of assembly.stacksRecursively) {
    templates[stack.id] = stack.template;
    sizes.push(fs.statSync(path.join(stack.assembly.directory, stack.templateFile)).size);
  }
  return { assembly, templates, footprint: footprintOf(Object.values(templates), sizes), findings, acknowledged: acknowledgmentsIn(app), synthMs };
}

/**
 * Synthesize an app made by `createTestApp` and fail with a readable list when the
 * CloudFormation validation engine reports any ERROR or WARN, or cdk-nag reports any
 * finding not acknowledged on its construct. Returns the templates and their footprint.
 */
export function synthValidated(app: App): SynthResult {
  const result = synthAndReport(app);
  if (result.findings.length > 0) {
    throw new Error(`${result.findings.length} validation finding(s):\n${formatFindings(result.findings)}`);
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
