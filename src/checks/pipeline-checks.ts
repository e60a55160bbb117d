import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
  PolicyViolationBeta1,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PipelineCheckEnvironment, PipelineFinding, PipelineRule } from './pipeline-rule';
import * as v from '../private/validate';
import { RULES, checkPipelineProperties, findingCollector, findingText, ruleById } from './private/rule-set';
import { checkTemplateLimits } from './private/rules/templates';
import { PIPELINE_TYPE, isPipelineResource, pipelinesByTemplate, readTemplate, resolvedProperties, stackEnvironment } from './private/template-reader';

const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

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
    v.checkArg('PipelineChecks.enforce', 'scope', scope, v.required(v.construct));
    scope.node.addValidation({ validate: () => PipelineChecks.errorsFor(scope) });
  }

  /**
   * The findings for every pipeline under `scope`, as error strings (what `enforce` reports).
   * Call it after the construct tree is complete (e.g. from a test).
   */
  public static errorsFor(scope: IConstruct): string[] {
    v.checkArg('PipelineChecks.errorsFor', 'scope', scope, v.required(v.construct));
    const errors: string[] = [];
    for (const c of scope.node.findAll()) {
      if (!isPipelineResource(c)) continue;
      const stack = Stack.of(c);
      let properties: unknown;
      try {
        properties = resolvedProperties(c);
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
        errors.push(`[${f.ruleId}] ${where}: ${findingText(f)}. Fix: ${f.fix}`);
      }
    }
    return errors;
  }

  /**
   * Check the `Properties` of one `AWS::CodePipeline::Pipeline` (CloudFormation JSON, already resolved).
   * Values that are intrinsics (`Ref`, `Fn::*`) are unknown and skipped. Throws only when `properties` is not an object;
   * never on an object of unexpected shape.
   *
   * @param properties the resource's `Properties`
   * @param environment account and region of the stack holding the pipeline
   */
  public static checkProperties(properties: any, environment: PipelineCheckEnvironment = {}): PipelineFinding[] {
    v.checkArg('PipelineChecks.checkProperties', 'properties', properties, v.required(v.object('the Properties of an AWS::CodePipeline::Pipeline resource')));
    v.checkProps('PipelineChecks.checkProperties', environment, { account: v.str(), region: v.str() }, 'environment');
    return checkPipelineProperties(properties, environment);
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
    // `appConstruct` is declared on the context type of newer aws-cdk-lib releases only (not on the
    // peer minimum's), so it is read as optional here.
    const root: IConstruct | undefined = (context as { readonly appConstruct?: IConstruct }).appConstruct;
    const pipelineConstructs = root ? pipelinesByTemplate(root) : new Map<string, IConstruct>();
    for (const templatePath of context.templatePaths) {
      const template = readTemplate(templatePath);
      const pipelines = Object.entries(template.resources).filter(([, r]) => r?.Type === PIPELINE_TYPE);
      if (pipelines.length === 0) continue;
      const env = stackEnvironment(context, templatePath);
      for (const [logicalId, resource] of pipelines) {
        const construct = pipelineConstructs.get(`${path.basename(templatePath)}|${logicalId}`);
        const constructPath: string | undefined = resource.Metadata?.['aws:cdk:path'] ?? construct?.node.path;
        const pipelineName = constructPath?.replace(/\/Resource$/, '') ?? logicalId;
        for (const f of checkPipelineProperties(resource.Properties, env)) {
          if (construct && isAcknowledged(construct, f.ruleId)) continue;
          addViolation(violations, f, pipelineName, { resourceLogicalId: logicalId, templatePath, locations: [f.location] });
        }
      }
      const [firstId] = pipelines[0];
      const limits = findingCollector();
      checkTemplateLimits(template, limits.emit);
      for (const f of limits.findings()) {
        addViolation(violations, f, path.basename(templatePath), { resourceLogicalId: firstId, templatePath, locations: [] });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

function addViolation(
  violations: PolicyViolationBeta1[],
  f: PipelineFinding,
  pipeline: string,
  resource: { resourceLogicalId: string; templatePath: string; locations: string[] },
) {
  const description = `${pipeline}: ${findingText(f)} (${ruleById(f.ruleId).description})`;
  const existing = violations.find((x) => x.ruleName === f.ruleId && x.description === description);
  if (existing) {
    existing.violatingResources.push(resource);
    return;
  }
  const metadata: { [key: string]: string } = { pipeline, message: f.message };
  if (f.stageName !== undefined) metadata.stage = f.stageName;
  if (f.actionName !== undefined) metadata.action = f.actionName;
  violations.push({ ruleName: f.ruleId, description, fix: f.fix, severity: 'error', ruleMetadata: metadata, violatingResources: [resource] });
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

function libraryVersion(): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
  } catch {
    return undefined;
  }
}
