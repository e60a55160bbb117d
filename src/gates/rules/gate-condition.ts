import { createHash } from 'crypto';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions } from './gate-rule';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { checkCondition } from '../private/condition';

/** Properties of a `GateCondition`. */
export interface GateConditionProps {
  /** The rules of the condition (1 to 5); the condition is met when every rule passes. */
  readonly rules: GateRule[];

  /**
   * What happens when the condition is not met: FAIL or SKIP before entry, ROLLBACK or FAIL on success.
   *
   * @default - CodePipeline's default for where the condition is used
   */
  readonly result?: codepipeline.Result;
}

/** Options for rendering a `GateCondition`. */
export interface GateConditionBindOptions extends GateRuleBindOptions {
  /**
   * Prefix of the default rule names.
   *
   * @default - `<stageName>.`
   */
  readonly ruleNamePrefix?: string;
}

/**
 * A typed stage condition: up to 5 typed rules and a result. `bind` renders the aws-codepipeline
 * `Condition` (with the L2 `Rule`s) and grants the pipeline role what each rule needs, so a condition
 * can go on any stage of any V2 `codepipeline.Pipeline`:
 *
 * ```ts
 * const entry = new GateCondition({ rules: [new CloudWatchAlarmRule({ alarm })], result: codepipeline.Result.FAIL });
 * pipeline.addStage({ stageName: 'Prod', actions, beforeEntry: { conditions: [entry.bind(this, { pipeline, stageName: 'Prod' })] } });
 * ```
 */
export class GateCondition {
  /** The rules of the condition. */
  public readonly rules: GateRule[];

  /** The result when the condition is not met. */
  public readonly result?: codepipeline.Result;

  constructor(props: GateConditionProps) {
    v.checkProps('GateCondition', props, { rules: v.required(v.arrayOf(v.instance(GateRule, 'a rule, e.g. new CloudWatchAlarmRule({ alarm })'))), result: v.oneOf('a codepipeline.Result', Object.values(codepipeline.Result), 'e.g. codepipeline.Result.FAIL') });
    checkCondition('GateCondition', props.rules, props.result);
    this.rules = [...props.rules];
    this.result = props.result;
  }

  /** Render the condition for one stage and grant the pipeline role what its rules need. */
  public bind(scope: Construct, options: GateConditionBindOptions): codepipeline.Condition {
    v.checkProps('GateCondition.bind', options, v.GATE_BIND_SPEC, 'options');
    const prefix = options.ruleNamePrefix ?? `${options.stageName}.`;
    const counters: { [kind: string]: number } = {};
    const names = new Set<string>();
    const rules = this.rules.map((rule) => {
      const config = rule.bind(scope, { pipeline: options.pipeline, stageName: options.stageName });
      counters[rule.kind] = (counters[rule.kind] ?? 0) + 1;
      const name = rule.ruleName ?? defaultRuleName(`${prefix}${rule.kind}${counters[rule.kind]}`);
      if (names.has(name)) {
        fail('GateCondition', `two rules of stage '${options.stageName}' are named '${name}'; give each rule a unique ruleName.`);
      }
      names.add(name);
      return new codepipeline.Rule({
        name,
        provider: rule.provider,
        version: rule.version,
        configuration: config.configuration,
        region: config.region,
        commands: config.commands,
        inputArtifacts: config.inputArtifacts,
      });
    });
    return { rules, result: this.result };
  }
}

/** A valid rule name from a stage-based name: invalid characters replaced, long names shortened with a hash. */
function defaultRuleName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9.@_-]/g, '-');
  if (safe.length <= 100) return safe;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${safe.slice(0, 91)}-${hash}`;
}
