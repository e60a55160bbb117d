/**
 * The CodePipeline rule set: every rule family under `rules/`, in report order, run over the
 * resolved `Properties` of one `AWS::CodePipeline::Pipeline` (CloudFormation JSON, so it reads
 * L1, L2 and our own pipelines alike).
 *
 * Input may be any JSON: a rule never throws on a shape it does not expect, it skips it (the
 * schema checks of CloudFormation report those).
 */
import { Emit, RuleFamily, readStages } from './pipeline-model';
import { ACTION_RULES } from './rules/actions';
import { ARTIFACT_RULES } from './rules/artifacts';
import { CONDITION_RULES } from './rules/conditions';
import { CROSS_REGION_RULES } from './rules/cross-region';
import { NAME_RULES } from './rules/names';
import { PIPELINE_TYPE_RULES } from './rules/pipeline-type';
import { QUOTA_RULES } from './rules/quotas';
import { REVIEW_RULES } from './rules/review';
import { STAGE_RULES } from './rules/stages';
import { TEMPLATE_RULES } from './rules/templates';
import { TRIGGER_RULES } from './rules/triggers';
import { VARIABLE_RULES } from './rules/variables';
import { isObject } from './template-reader';
import { PipelineCheckEnvironment, PipelineFinding, PipelineRule } from '../pipeline-rule';

const FAMILIES: RuleFamily[] = [
  STAGE_RULES, NAME_RULES, ACTION_RULES, ARTIFACT_RULES, CROSS_REGION_RULES, PIPELINE_TYPE_RULES,
  CONDITION_RULES, TRIGGER_RULES, QUOTA_RULES, TEMPLATE_RULES, VARIABLE_RULES, REVIEW_RULES,
];

/** Every rule, in the order findings are reported. */
export const RULES: PipelineRule[] = FAMILIES.flatMap((f) => f.rules);

const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
const ORDER = new Map(RULES.map((r, i) => [r.id, i]));

/** The rule with this id (every id a family emits is one of its rules). */
export function ruleById(id: string): PipelineRule {
  const rule = RULES_BY_ID.get(id);
  if (!rule) throw new Error(`PipelineChecks: no rule '${id}'`);
  return rule;
}

/** An `Emit` that collects findings (fix included), and the findings in report order. */
export function findingCollector(): { emit: Emit; findings: () => PipelineFinding[] } {
  const found: PipelineFinding[] = [];
  const emit: Emit = (ruleId, message, location, where = {}) => {
    found.push({ ruleId, message, fix: ruleById(ruleId).fix, location, stageName: where.stageName, actionName: where.actionName });
  };
  return { emit, findings: () => [...found].sort((x, y) => ORDER.get(x.ruleId)! - ORDER.get(y.ruleId)!) };
}

/**
 * Run every rule on the resolved `Properties` of one `AWS::CodePipeline::Pipeline`.
 * Never throws: a properties object it cannot read yields no findings.
 */
export function checkPipelineProperties(properties: unknown, env: PipelineCheckEnvironment = {}): PipelineFinding[] {
  const { emit, findings } = findingCollector();
  if (!isObject(properties)) return findings();
  const stages = readStages(properties);
  const ctx = { props: properties, stagesListed: !!stages, stages: stages ?? [], actions: (stages ?? []).flatMap((s) => s.actions), env, emit };
  for (const family of FAMILIES) family.check(ctx);
  return findings();
}

/** The text of one finding: `stage 'Deploy' action 'Deploy': <message>`. */
export function findingText(f: PipelineFinding): string {
  const where = [f.stageName !== undefined ? `stage '${f.stageName}'` : undefined, f.actionName !== undefined ? `action '${f.actionName}'` : undefined]
    .filter((x) => x !== undefined).join(' ');
  return where ? `${where}: ${f.message}` : f.message;
}
