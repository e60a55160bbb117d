import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { checkCondition } from './condition';
import { fail } from '../../private/errors';
import type { ApprovalGateProps } from '../approval-gate-props';
import { GateCondition } from '../rules/gate-condition';

/** The results an on-failure condition may have (CodePipeline: automatic retry cannot be combined with on-failure conditions). */
const FAILURE_RESULTS = [codepipeline.Result.ROLLBACK, codepipeline.Result.FAIL];

/**
 * The on-failure condition of an `ApprovalGate` (`failureRules`, `failureResult`), checked against
 * CodePipeline's rules: ROLLBACK or FAIL only (no RETRY: CodePipeline cannot retry a stage
 * automatically when it has on-failure conditions; no SKIP: a failed stage cannot be skipped), one
 * condition of 1 to 5 rules, and not together with `rollbackOnFailure`/`retryOnFailure` (a stage has
 * one on-failure result). Undefined when the gate has no failure rules.
 */
export function defineFailureCondition(owner: string, props: ApprovalGateProps): GateCondition | undefined {
  const rules = props.failureRules ?? [];
  if (props.failureResult !== undefined && rules.length === 0) {
    fail(owner, 'failureResult is given but the gate has no failureRules; remove failureResult or add failureRules (e.g. new CloudWatchAlarmRule({ alarm })).');
  }
  if (props.failureRules !== undefined && rules.length === 0) {
    fail(owner, 'failureRules is empty; give 1 to 5 rules checked when the stage fails, or remove failureRules (rollbackOnFailure rolls back on every failure).');
  }
  if (rules.length === 0) return undefined;
  const result = props.failureResult ?? codepipeline.Result.ROLLBACK;
  if (!FAILURE_RESULTS.includes(result)) {
    fail(owner, `failureResult ${result} is not allowed on failure; use codepipeline.Result.ROLLBACK or codepipeline.Result.FAIL `
      + (result === codepipeline.Result.RETRY ? '(CodePipeline does not retry a stage automatically when it has on-failure conditions: use retryOnFailure without failureRules).' : '(a failed stage cannot be skipped).'));
  }
  if (props.rollbackOnFailure) {
    fail(owner, 'rollbackOnFailure and failureRules are both given; rollbackOnFailure rolls back on every failure, failureRules only as their rules decide: '
      + 'keep failureRules (failureResult ROLLBACK, the default) or rollbackOnFailure.');
  }
  if (props.retryOnFailure !== undefined) {
    fail(owner, `retryOnFailure (${props.retryOnFailure}) and failureRules are both given; CodePipeline cannot retry a stage automatically when it has on-failure conditions: keep one.`);
  }
  checkCondition(owner, rules, result);
  return new GateCondition({ rules, result });
}

/**
 * The stage's `OnFailure`: ROLLBACK on the block and on its one condition
 * (`OnFailure: { Result: ROLLBACK, Conditions: [{ Result: ROLLBACK, Rules }] }`, as the CodePipeline user guide
 * writes an on-failure condition); FAIL on the condition only, since the block's `Result` takes only
 * ROLLBACK or RETRY (CloudFormation's schema) and a stage that failed fails without one.
 */
export function renderFailureConditions(scope: Construct, condition: GateCondition, pipeline: codepipeline.Pipeline,
  stageName: string): codepipeline.FailureConditions {
  return {
    result: condition.result === codepipeline.Result.ROLLBACK ? codepipeline.Result.ROLLBACK : undefined,
    conditions: [condition.bind(scope, { pipeline, stageName, ruleNamePrefix: `${stageName}.OnFailure` })],
  };
}
