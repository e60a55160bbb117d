import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
  PolicyViolationBeta1,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  RULES,
  RULES_BY_ID,
  RawFinding,
  checkPipelineProperties,
  concrete,
  findingText,
} from './private/rules';
import { MAX_TEMPLATE_BYTES, MAX_TEMPLATE_RESOURCES } from '../private/quotas';

const PIPELINE_TYPE = 'AWS::CodePipeline::Pipeline';
const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

/**
 * One CodePipeline rule that `PipelineChecks` enforces.
 */
export interface PipelineRule {
  /** Rule id, e.g. `CDP-ARTIFACT-ORDER`. */
  readonly id: string;
  /** What the rule checks, in one line. */
  readonly description: string;
  /** How to fix a finding. */
  readonly fix: string;
}

/**
 * One finding of `PipelineChecks` on one pipeline.
 */
export interface PipelineFinding {
  /** Rule id, e.g. `CDP-ARTIFACT-ORDER`. */
  readonly ruleId: string;
  /** What is wrong, with the values found. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * Name of the stage the finding is about.
   *
   * @default - the finding is about the whole pipeline
   */
  readonly stageName?: string;
  /**
   * Name of the action the finding is about.
   *
   * @default - the finding is not about one action
   */
  readonly actionName?: string;
  /** Where in the resource, e.g. `Properties/Stages/1/Actions/0/InputArtifacts/0/Name`. */
  readonly location: string;
}

/**
 * The account and region of the stack that holds a pipeline, when known.
 */
export interface PipelineCheckEnvironment {
  /**
   * Account of the pipeline stack.
   *
   * @default - unknown: cross-account rules are skipped
   */
  readonly account?: string;
  /**
   * Region of the pipeline stack.
   *
   * @default - unknown: region rules report cross-region actions as unverifiable
   */
  readonly region?: string;
}

/**
 * CodePipeline rules and quotas, checked at synth time on every `AWS::CodePipeline::Pipeline`
 * (L1 `CfnPipeline`, L2 `Pipeline`, and this library's pipelines), so a pipeline CloudFormation
 * would reject minutes into a deployment fails `cdk synth` instead.
 *
 * Two ways to use it:
 * - as a validation plugin for a whole app: `Validations.of(app).addPlugins(new PipelineChecks())`
 *   (aws-cdk-lib >= 2.25x; on older releases `new App({ policyValidationBeta1: [new PipelineChecks()] })`);
 *   the report lists rule id, pipeline, stage, action, message and fix;
 * - on a construct: `PipelineChecks.enforce(scope)` makes synthesis fail with one error per finding
 *   for every pipeline under `scope`.
 *
 * A finding can be acknowledged on the pipeline construct (or a parent) with
 * `Validations.of(pipeline).acknowledge({ id: 'CDP-ARTIFACT-ORDER', reason })`.
 */
export class PipelineChecks implements IPolicyValidationPluginBeta1 {
  /** The plugin name shown in validation reports. */
  public static readonly PLUGIN_NAME = 'PipelineChecks';

  /** Every rule this plugin enforces. */
  public static readonly RULES: PipelineRule[] = RULES.map((r) => ({ id: r.id, description: r.description, fix: r.fix }));

  /**
   * Fail synthesis when any pipeline under `scope` breaks a rule: adds a validation to `scope`
   * that finds every `AWS::CodePipeline::Pipeline` below it, resolves it, and returns one error per finding:
   * `[CDP-ARTIFACT-ORDER] App/Stack/Pipeline: stage 'Deploy' action 'Deploy': input artifact 'Build' is produced later, ... Fix: ...`.
   */
  public static enforce(scope: IConstruct): void {
    scope.node.addValidation({ validate: () => PipelineChecks.errorsFor(scope) });
  }

  /**
   * The findings for every pipeline under `scope`, as error strings (what `enforce` reports).
   * Call it after the construct tree is complete (e.g. from a test).
   */
  public static errorsFor(scope: IConstruct): string[] {
    const errors: string[] = [];
    for (const c of scope.node.findAll()) {
      if (!CfnResource.isCfnResource(c) || c.cfnResourceType !== PIPELINE_TYPE) continue;
      const stack = Stack.of(c);
      let properties: unknown;
      try {
        const rendered = stack.resolve((c as any)._toCloudFormation());
        properties = rendered?.Resources?.[stack.resolve(c.logicalId)]?.Properties;
      } catch {
        // A pipeline that cannot be resolved yet fails synthesis with its own error; nothing to check here.
        continue;
      }
      const env = {
        account: Token.isUnresolved(stack.account) ? undefined : stack.account,
        region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      };
      const where = c.node.id === 'Resource' && c.node.scope ? c.node.scope.node.path : c.node.path;
      for (const f of checkPipelineProperties(properties, env)) {
        if (isAcknowledged(c, f.ruleId)) continue;
        errors.push(`[${f.ruleId}] ${where}: ${findingText(f)}. Fix: ${RULES_BY_ID[f.ruleId].fix}`);
      }
    }
    return errors;
  }

  /**
   * Check the `Properties` of one `AWS::CodePipeline::Pipeline` (CloudFormation JSON, already resolved).
   * Values that are intrinsics (`Ref`, `Fn::*`) are unknown and skipped. Never throws.
   *
   * @param properties the resource's `Properties`
   * @param environment account and region of the stack holding the pipeline
   */
  public static checkProperties(properties: any, environment: PipelineCheckEnvironment = {}): PipelineFinding[] {
    return checkPipelineProperties(properties, environment).map(toFinding);
  }

  /** The plugin name shown in validation reports. */
  public readonly name = PipelineChecks.PLUGIN_NAME;
  /** Version of the plugin (this library's version). */
  public readonly version?: string;
  /** Ids of every rule this plugin enforces. */
  public readonly ruleIds?: string[];

  constructor() {
    this.version = libraryVersion();
    this.ruleIds = RULES.map((r) => r.id);
  }

  /**
   * Called by the CDK validation framework with the synthesized templates.
   */
  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const violations: PolicyViolationBeta1[] = [];
    const stackEnvs = new Map<string, { account?: string; region?: string }>();
    for (const s of ((context as any).stackTemplates ?? []) as Array<{ templatePath: string; accountId?: string; region?: string }>) {
      stackEnvs.set(path.resolve(s.templatePath), { account: s.accountId, region: s.region });
    }
    const root: IConstruct | undefined = (context as any).appConstruct;
    const pipelineConstructs = root ? pipelinesByTemplate(root) : new Map<string, IConstruct>();
    for (const templatePath of context.templatePaths) {
      const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
      const resources: { [id: string]: any } = template?.Resources ?? {};
      const pipelines = Object.entries(resources).filter(([, r]) => r?.Type === PIPELINE_TYPE);
      if (pipelines.length === 0) continue;
      const env = stackEnvs.get(path.resolve(templatePath)) ?? environmentFromManifest(templatePath);
      const checkEnv = { account: concrete(env.account), region: concrete(env.region) };
      for (const [logicalId, resource] of pipelines) {
        const construct = pipelineConstructs.get(`${path.basename(templatePath)}|${logicalId}`);
        const constructPath: string | undefined = resource.Metadata?.['aws:cdk:path'] ?? construct?.node.path;
        const pipelineName = constructPath?.replace(/\/Resource$/, '') ?? logicalId;
        for (const f of checkPipelineProperties(resource.Properties, checkEnv)) {
          if (construct && isAcknowledged(construct, f.ruleId)) continue;
          addViolation(violations, f, pipelineName, { resourceLogicalId: logicalId, templatePath, locations: [f.location] });
        }
      }
      const bytes = fs.statSync(templatePath).size;
      const count = Object.keys(resources).length;
      const [firstId] = pipelines[0];
      const limits: RawFinding[] = [];
      if (bytes > MAX_TEMPLATE_BYTES) {
        limits.push({ ruleId: 'CDP-TEMPLATE-LIMITS', message: `the stack template is ${bytes} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BYTES}`, location: '' });
      }
      if (count > MAX_TEMPLATE_RESOURCES) {
        limits.push({ ruleId: 'CDP-TEMPLATE-LIMITS', message: `the stack has ${count} resources; CloudFormation takes at most ${MAX_TEMPLATE_RESOURCES}`, location: '' });
      }
      for (const f of limits) {
        addViolation(violations, f, path.basename(templatePath), { resourceLogicalId: firstId, templatePath, locations: [] });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

function toFinding(f: RawFinding): PipelineFinding {
  return {
    ruleId: f.ruleId, message: f.message, fix: RULES_BY_ID[f.ruleId].fix, stageName: f.stageName, actionName: f.actionName, location: f.location,
  };
}

function addViolation(
  violations: PolicyViolationBeta1[],
  f: RawFinding,
  pipeline: string,
  resource: { resourceLogicalId: string; templatePath: string; locations: string[] },
) {
  const rule = RULES_BY_ID[f.ruleId];
  const description = `${pipeline}: ${findingText(f)} (${rule.description})`;
  const existing = violations.find((v) => v.ruleName === f.ruleId && v.description === description);
  if (existing) {
    existing.violatingResources.push(resource);
    return;
  }
  const metadata: { [key: string]: string } = { pipeline, message: f.message };
  if (f.stageName !== undefined) metadata.stage = f.stageName;
  if (f.actionName !== undefined) metadata.action = f.actionName;
  violations.push({ ruleName: f.ruleId, description, fix: rule.fix, severity: 'error', ruleMetadata: metadata, violatingResources: [resource] });
}

/** Whether `construct` or one of its parents acknowledges `ruleId` (`CDP-X`, `PipelineChecks::CDP-X` or `Annotation::CDP-X`). */
function isAcknowledged(construct: IConstruct, ruleId: string): boolean {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type !== ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      if (Object.keys(entry.data).some((id) => id.replace(/^[^:]+::/, '') === ruleId)) return true;
    }
  }
  return false;
}

/** Every pipeline resource under `root`, keyed `<template file>|<logical id>`. */
function pipelinesByTemplate(root: IConstruct): Map<string, IConstruct> {
  const ret = new Map<string, IConstruct>();
  for (const c of root.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || c.cfnResourceType !== PIPELINE_TYPE) continue;
    try {
      const stack = Stack.of(c);
      ret.set(`${stack.templateFile}|${stack.resolve(c.logicalId)}`, c);
    } catch {
      // Not in a stack we can resolve: the finding is reported without a construct path.
    }
  }
  return ret;
}

/** Account and region of a template's stack, read from the cloud assembly manifest next to it. */
function environmentFromManifest(templatePath: string): { account?: string; region?: string } {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(templatePath), 'manifest.json'), 'utf-8'));
    const file = path.basename(templatePath);
    for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
      if (artifact?.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile !== file) continue;
      const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(String(artifact.environment ?? ''));
      return match ? { account: match[1], region: match[2] } : {};
    }
  } catch {
    // No manifest (a template checked on its own): the environment is unknown.
  }
  return {};
}

function libraryVersion(): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
  } catch {
    return undefined;
  }
}
