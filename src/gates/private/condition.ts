import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { fail } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import { MAX_RULES_PER_CONDITION } from '../../private/quotas';
import type { GateRule } from '../rules/gate-rule';

/**
 * The checks of one condition, with errors naming `owner` (`GateCondition`, or the
 * `ApprovalGate '<id>'` that defines the condition for you).
 */
export function checkCondition(owner: string, rules: GateRule[], result: codepipeline.Result | undefined): void {
  if (rules.length === 0) {
    fail(owner, 'no rules; a condition needs 1 to 5 rules.');
  }
  if (rules.length > MAX_RULES_PER_CONDITION) {
    fail(owner, `${rules.length} rules (${rules.map((r) => r.provider).join(', ')}); CodePipeline allows at most ${MAX_RULES_PER_CONDITION} rules in one condition. `
      + 'Combine alarms into one cloudwatch.CompositeAlarm, or merge Lambda checks into one function.');
  }
  for (const rule of rules) {
    if (rule.ruleName !== undefined && !Token.isUnresolved(rule.ruleName) && !CODEPIPELINE_NAME.test(rule.ruleName)) {
      fail(owner, `rule name '${rule.ruleName}' is invalid; use 1 to 100 of A-Z a-z 0-9 . @ _ -.`);
    }
  }
  if (result === codepipeline.Result.SKIP) {
    const unsupported = rules.filter((r) => !r.supportsSkip).map((r) => r.provider);
    if (unsupported.length > 0) {
      fail(owner, `result SKIP is used with ${[...new Set(unsupported)].join(', ')} rules; CodePipeline allows SKIP only with LambdaInvoke and VariableCheck rules. Use Result.FAIL.`);
    }
  }
}
