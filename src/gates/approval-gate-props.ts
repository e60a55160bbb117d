import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentWindowOptions } from './rules/deployment-window-rule';
import { GateRule } from './rules/gate-rule';

/** Properties of an `ApprovalGate`. */
export interface ApprovalGateProps {
  /**
   * Whether the gate holds a manual approval action.
   *
   * @default - true when any of emails, notificationTopic, approvers, message or reviewUrl is given
   */
  readonly manual?: boolean;

  /**
   * E-mail addresses told when an approval is waiting (subscribed to the notification topic).
   *
   * @default - none
   */
  readonly emails?: string[];

  /**
   * Topic CodePipeline publishes the approval request to.
   *
   * @default - an SSL-only topic is defined when emails are given; otherwise no notification
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * What the approver should check, shown with the approval request (CodePipeline `CustomData`).
   *
   * @default - no message
   */
  readonly message?: string;

  /**
   * Link shown to the approver, e.g. release notes or a dashboard (CodePipeline `ExternalEntityLink`).
   *
   * @default - no link
   */
  readonly reviewUrl?: string;

  /**
   * How long the approval waits before it fails: 5 minutes to 7 days.
   *
   * @default Duration.days(7) - CodePipeline's default; nothing is written to the template
   */
  readonly timeout?: Duration;

  /**
   * Principals allowed to approve or reject: each gets `codepipeline:PutApprovalResult` on this gate's
   * action only, and read access to this one pipeline (see `grantApprove`).
   *
   * @default - nobody is granted; call `grantApprove` or rely on your own IAM
   */
  readonly approvers?: iam.IGrantable[];

  /**
   * Name of the manual approval action in the stage.
   *
   * @default 'Approve'
   */
  readonly actionName?: string;

  /**
   * Alarms that block entry to the stage while any of them is in ALARM (CloudWatchAlarm rules
   * in the stage's entry condition).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * How long an entry check waits for an alarm in ALARM to return to OK before the stage fails.
   *
   * @default - CodePipeline's default
   */
  readonly alarmWaitTime?: Duration;

  /**
   * Only let executions enter the stage while this window is open (DeploymentWindow rule).
   *
   * @default - no window
   */
  readonly deploymentWindow?: DeploymentWindowOptions;

  /**
   * Functions that must succeed for an execution to enter the stage (LambdaInvoke rules).
   *
   * @default - none
   */
  readonly checks?: lambda.IFunction[];

  /**
   * More typed rules for the entry condition (e.g. a `VariableCheckRule`).
   *
   * @default - none
   */
  readonly rules?: GateRule[];

  /**
   * What happens when the entry condition is not met: FAIL, or SKIP (only with LambdaInvoke and
   * VariableCheck rules).
   *
   * @default codepipeline.Result.FAIL
   */
  readonly entryResult?: codepipeline.Result;

  /**
   * Roll the stage back when any of these alarms is in ALARM after the stage succeeded
   * (CloudWatchAlarm rules in an on-success condition with result ROLLBACK).
   *
   * @default - no rollback on alarms
   */
  readonly rollbackOnAlarms?: cloudwatch.IAlarm[];

  /**
   * How long the on-success check waits for a rollback alarm in ALARM to return to OK before rolling back.
   *
   * @default - CodePipeline's default
   */
  readonly rollbackWaitTime?: Duration;

  /**
   * More typed rules checked after the stage succeeded (e.g. a `LambdaInvokeRule`, `VariableCheckRule`,
   * `CodeBuildRule` or `CommandsRule` smoke test), in the same on-success condition as `rollbackOnAlarms`.
   *
   * @default - none
   */
  readonly successRules?: GateRule[];

  /**
   * What happens when the on-success condition is not met: ROLLBACK (to the last successful
   * execution) or FAIL (the stage fails, e.g. a smoke test failed; nothing is rolled back).
   *
   * @default codepipeline.Result.ROLLBACK when rollbackOnAlarms is given, else codepipeline.Result.FAIL
   */
  readonly successResult?: codepipeline.Result;

  /**
   * Typed rules checked when the stage fails (an on-failure condition, 1 to 5 rules): when a rule
   * fails (e.g. a `CloudWatchAlarmRule`'s alarm is in ALARM, a `LambdaInvokeRule` check fails),
   * `failureResult` engages; when every rule passes, the stage just fails. Not with
   * `rollbackOnFailure` or `retryOnFailure` (CodePipeline cannot retry a stage automatically when it
   * has on-failure conditions). V2 pipelines only.
   *
   * @default - no on-failure condition
   */
  readonly failureRules?: GateRule[];

  /**
   * What happens when the on-failure condition is not met: ROLLBACK (to the last successful
   * execution; rendered on the stage's `OnFailure` and on its condition) or FAIL (the stage stays
   * failed; rendered on the condition only, as CloudFormation takes only ROLLBACK or RETRY on
   * `OnFailure`). RETRY and SKIP are refused.
   *
   * @default codepipeline.Result.ROLLBACK
   */
  readonly failureResult?: codepipeline.Result;

  /**
   * Roll the stage back to the last successful execution when it fails (on-failure result ROLLBACK).
   *
   * @default false
   */
  readonly rollbackOnFailure?: boolean;

  /**
   * Retry the stage automatically once when it fails (on-failure result RETRY): only its failed
   * actions (`RetryMode.FAILED_ACTIONS`) or all of them from the first (`RetryMode.ALL_ACTIONS`).
   * V2 pipelines only; not together with `rollbackOnFailure` (a stage has one on-failure result).
   *
   * @default - no automatic retry
   */
  readonly retryOnFailure?: codepipeline.RetryMode;
}

/** Options for `ApprovalGate.attachTo`. */
export interface ApprovalGateAttachOptions {
  /** Name of the stage to add, guarded by the gate. */
  readonly stageName: string;

  /**
   * Where to put the stage.
   *
   * @default - after the last stage
   */
  readonly placement?: codepipeline.StagePlacement;

  /**
   * More actions for the stage, after the gate's manual approval (give them a runOrder above 1 to
   * run them after the approval).
   *
   * @default - only the gate's approval action
   */
  readonly actions?: codepipeline.IAction[];
}
