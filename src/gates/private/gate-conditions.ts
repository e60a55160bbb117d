import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { checkCondition } from './condition';
import { normalizeDeploymentWindowCron, validateTimeZone } from './schedule';
import { fail } from '../../private/errors';
import { MAX_RULES_PER_CONDITION } from '../../private/quotas';
import type { ApprovalGateProps } from '../approval-gate-props';
import { CloudWatchAlarmRule } from '../rules/cloudwatch-alarm-rule';
import { DeploymentWindowRule } from '../rules/deployment-window-rule';
import { GateCondition } from '../rules/gate-condition';
import { GateRule } from '../rules/gate-rule';
import { LambdaInvokeRule } from '../rules/lambda-invoke-rule';

/**
 * The two stage conditions of an `ApprovalGate`, from its props: entry (alarms, deployment
 * window, Lambda checks, rules) and on-success (rollback on alarms, success rules), each checked
 * against CodePipeline's rules for conditions. Undefined when the gate has no such rule.
 */

export function defineEntryCondition(owner: string, props: ApprovalGateProps): GateCondition | undefined {
  const rules: GateRule[] = [];
  for (const alarm of props.alarms ?? []) {
    rules.push(new CloudWatchAlarmRule({ alarm, waitTime: props.alarmWaitTime }));
  }
  if (props.deploymentWindow) {
    const { cron, timeZone } = props.deploymentWindow;
    if (!Token.isUnresolved(cron)) normalizeDeploymentWindowCron(owner, cron);
    if (timeZone !== undefined && !Token.isUnresolved(timeZone)) validateTimeZone(owner, timeZone);
    rules.push(new DeploymentWindowRule({ cron, timeZone }));
  }
  for (const fn of props.checks ?? []) {
    rules.push(new LambdaInvokeRule({ function: fn }));
  }
  rules.push(...(props.rules ?? []));
  if (props.alarmWaitTime && (props.alarms ?? []).length === 0) {
    fail(owner, 'alarmWaitTime is given but alarms is empty; remove alarmWaitTime or list the alarms that block entry.');
  }
  if (props.entryResult !== undefined && rules.length === 0) {
    fail(owner, 'entryResult is given but the gate has no entry rules; remove entryResult or add alarms, deploymentWindow, checks or rules.');
  }
  if (rules.length === 0) return undefined;
  const result = props.entryResult ?? codepipeline.Result.FAIL;
  if (result !== codepipeline.Result.FAIL && result !== codepipeline.Result.SKIP) {
    fail(owner, `entryResult ${result} is not allowed before entry; use codepipeline.Result.FAIL or codepipeline.Result.SKIP.`);
  }
  if (rules.length > MAX_RULES_PER_CONDITION) {
    fail(owner, `the entry condition would hold ${rules.length} rules (${describeRules(props)}); CodePipeline allows at most ${MAX_RULES_PER_CONDITION} rules in one condition. `
      + 'Combine alarms into one cloudwatch.CompositeAlarm, or merge checks into one function.');
  }
  checkCondition(owner, rules, result);
  return new GateCondition({ rules, result });
}

export function defineSuccessCondition(owner: string, props: ApprovalGateProps): GateCondition | undefined {
  const alarms = props.rollbackOnAlarms ?? [];
  const extra = props.successRules ?? [];
  if (props.rollbackWaitTime && alarms.length === 0) {
    fail(owner, 'rollbackWaitTime is given but rollbackOnAlarms is empty; remove rollbackWaitTime or list the alarms to watch.');
  }
  if (props.successResult !== undefined && alarms.length === 0 && extra.length === 0) {
    fail(owner, 'successResult is given but the gate has no on-success rules; remove successResult or add rollbackOnAlarms or successRules.');
  }
  if (alarms.length === 0 && extra.length === 0) return undefined;
  if (alarms.length > MAX_RULES_PER_CONDITION) {
    fail(owner, `rollbackOnAlarms lists ${alarms.length} alarms; CodePipeline allows at most ${MAX_RULES_PER_CONDITION} rules in one condition. `
      + 'Combine them into one cloudwatch.CompositeAlarm.');
  }
  const result = props.successResult ?? (alarms.length > 0 ? codepipeline.Result.ROLLBACK : codepipeline.Result.FAIL);
  if (result !== codepipeline.Result.ROLLBACK && result !== codepipeline.Result.FAIL) {
    fail(owner, `successResult ${result} is not allowed on success; use codepipeline.Result.ROLLBACK or codepipeline.Result.FAIL.`);
  }
  if (alarms.length > 0 && result !== codepipeline.Result.ROLLBACK) {
    fail(owner, `rollbackOnAlarms is given with successResult ${result}; the alarms roll the stage back: drop successResult, or move the alarms `
      + 'into successRules as CloudWatchAlarmRules.');
  }
  const rules = [...alarms.map((alarm) => new CloudWatchAlarmRule({ alarm, waitTime: props.rollbackWaitTime })), ...extra];
  if (rules.length > MAX_RULES_PER_CONDITION) {
    fail(owner, `the on-success condition would hold ${rules.length} rules (${alarms.length} rollbackOnAlarms, ${extra.length} successRules); `
      + `CodePipeline allows at most ${MAX_RULES_PER_CONDITION} rules in one condition. Combine alarms into one cloudwatch.CompositeAlarm.`);
  }
  checkCondition(owner, rules, result);
  return new GateCondition({ rules, result });
}


function describeRules(props: ApprovalGateProps): string {
  const parts: string[] = [];
  const count = (n: number, word: string) => { if (n > 0) parts.push(`${n} ${word}${n === 1 ? '' : 's'}`); };
  count((props.alarms ?? []).length, 'alarm');
  count(props.deploymentWindow ? 1 : 0, 'deployment window');
  count((props.checks ?? []).length, 'check');
  count((props.rules ?? []).length, 'rule');
  return parts.join(', ');
}
