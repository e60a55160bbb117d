import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ChangeSetReviewer, REPORT_PREFIX } from './change-set-reviewer';
import { ReviewRoles } from './review-roles';
import type { ReviewedChangeSet } from '../../deploy/deploy-target';
import type { StageGateReview } from '../../gates/stage-gate';
import { fail } from '../../private/errors';
import { acknowledgeWildcards, escapeRegExp } from '../../private/wildcard-allowances';
import { policySkipsApproval, ReviewPolicy } from '../review-policy';

/**
 * CodePipeline's limit for one action configuration value (the UserParameters JSON). The parameters
 * name the stages holding the change sets, not the change sets (the handler finds those in the
 * pipeline's declaration), so they stay far below it whatever the number of targets; the check is a
 * guard against a regression.
 */
const MAX_CONFIGURATION_VALUE = 1000;
/** What a reference (a bucket name, a role, key or topic ARN) is counted as until deployment resolves it. */
const REFERENCE_LENGTH = 80;
/** The pseudo parameters, as long as they get. */
const PSEUDO_LENGTH: { [name: string]: number } = { 'AWS.Partition': 10, 'AWS.Region': 14, 'AWS.AccountId': 12, 'AWS.URLSuffix': 16 };

/** The length of the UserParameters JSON, each unresolved reference counted as long as it may get. */
function estimatedLength(parameters: ReviewParameters): number {
  return JSON.stringify(parameters).replace(/\$\{Token\[([^\]]*)\]\}/g, (_m, id: string) => {
    const pseudo = Object.keys(PSEUDO_LENGTH).find((k) => id.startsWith(`${k}.`));
    return 'x'.repeat(pseudo ? PSEUDO_LENGTH[pseudo] : REFERENCE_LENGTH);
  }).length;
}

/** Name of the review action in its stage. */
export const REVIEW_ACTION_NAME = 'ReviewChangeSets';

/** The output variables the review action emits (all strings). */
export const REVIEW_VARIABLES = ['TotalChanges', 'Added', 'Modified', 'Removed', 'Replacements', 'StatefulReplacements',
  'SecurityChanges', 'Broadening', 'NeedsApproval', 'Summary', 'ReportUrl'] as const;

/** The review action's `UserParameters` (the contract with the review handler, `src/review/parameters.ts`). */
export interface ReviewParameters {
  readonly stage: string;
  /** The stages whose CloudFormation CHANGE_SET_REPLACE actions the handler reviews (read with GetPipeline). */
  readonly changeSetStages: string[];
  /** The review role's name in every target account other than the pipeline's (absent: none). */
  readonly reviewRoleName?: string;
  readonly policy: ReviewPolicy;
  readonly reportBucket?: string;
  readonly reportPrefix?: string;
  readonly reportKmsKeyArn?: string;
  readonly topicArn?: string;
}

/**
 * How a reviewed stage or wave is laid out: under a policy that may skip the approval (`split`), the
 * approval gets a stage of its own (`<name>.Approval`), since CodePipeline skips stages, not actions.
 */
export interface ReviewLayout {
  readonly policy: ReviewPolicy;
  /** The approval in a stage of its own (a policy that may skip it). */
  readonly split: boolean;
  /** The review action's variables namespace. */
  readonly namespace: string;
}

/** The layout of the review of stage (or wave) `stageName` under `policy` (default `ALWAYS`). */
export function reviewLayout(stageName: string, policy: ReviewPolicy = ReviewPolicy.ALWAYS): ReviewLayout {
  return { policy, split: policySkipsApproval(policy), namespace: reviewNamespace(stageName) };
}

/**
 * The variables namespace of a stage's (or wave's) review action: `Review-<stage>`, the stage name's
 * characters a namespace cannot hold (`.`) written as `_`.
 */
export function reviewNamespace(stageName: string): string {
  return `Review-${stageName.replace(/[^A-Za-z0-9@_-]/g, '_')}`.slice(0, 100);
}

/** What the gate's approval shows of the review (`StageGateBindOptions.changeSetReview`). */
export function gateReview(namespace: string): StageGateReview {
  return { summary: `#{${namespace}.Summary}`, reportUrl: `#{${namespace}.ReportUrl}` };
}

/**
 * The entry condition of the approval's own stage under a policy that may skip it: a VariableCheck
 * rule on the review's output, result SKIP (the stage shows as skipped when the rule fails).
 * `SKIP_WHEN_EMPTY`: enter when `TotalChanges` is not `0`; `ON_RISK`: enter when `NeedsApproval` is
 * `true` (the review sets it when a change set replaces a resource or changes a security-relevant one).
 */
export function approvalEntryCondition(namespace: string, policy: ReviewPolicy, stageName: string): codepipeline.Conditions {
  const [variable, operator, value] = policy === ReviewPolicy.SKIP_WHEN_EMPTY
    ? ['TotalChanges', 'NE', '0']
    : ['NeedsApproval', 'EQ', 'true'];
  return {
    conditions: [{
      result: codepipeline.Result.SKIP,
      rules: [new codepipeline.Rule({
        name: `${stageName}.${policy === ReviewPolicy.SKIP_WHEN_EMPTY ? 'AnyChange' : 'RiskyChange'}`.slice(0, 100),
        provider: 'VariableCheck',
        version: '1',
        configuration: { Variable: `#{${namespace}.${variable}}`, Value: value, Operator: operator },
      })],
    }],
  };
}

/** Options of `reviewAction`. */
export interface ReviewActionOptions {
  /** The pipeline construct (owner of the review roles of other accounts). */
  readonly owner: Construct;
  /** The pipeline (the function may read its declaration, GetPipeline). */
  readonly pipeline: codepipeline.Pipeline;
  /** The stage or wave reviewed (named in the report). */
  readonly stageName: string;
  /** The stages holding the change-set actions of the stage or wave. */
  readonly changeSetStages: string[];
  /** The stage the action is placed in (for the acknowledgment of its role). */
  readonly actionStageName: string;
  readonly namespace: string;
  readonly policy: ReviewPolicy;
  readonly changeSets: ReviewedChangeSet[];
  readonly runOrder: number;
  readonly reportBucket: s3.IBucket;
  readonly topic?: sns.ITopic;
  /** How errors name the pipeline. */
  readonly errorPrefix: string;
}

/**
 * The review action of one stage or wave: a Lambda invoke action of the stack's review function,
 * with the stages holding the change sets (the handler reads their actions with GetPipeline), the
 * review role name of the other accounts, the policy, the report location and the approval topic as
 * `UserParameters`; the function's role is granted exactly the change sets `changeSets` lists.
 */
export function reviewAction(o: ReviewActionOptions): actions.LambdaInvokeAction {
  if (o.changeSets.length === 0) {
    fail(o.errorPrefix, `stage '${o.stageName}' reviews its change sets but none of its targets creates one; add a target that deploys through a change set, or drop the review.`);
  }
  const reviewer = ChangeSetReviewer.of(o.owner);
  const here = Stack.of(o.owner);
  const roles = ReviewRoles.of(o.owner, reviewer.role);
  let crossAccount = false;
  for (const cs of o.changeSets) {
    const account = cs.account ?? here.account;
    const region = cs.region ?? here.region;
    if (Token.isUnresolved(account) || account === here.account) {
      reviewer.allowDescribe(region, cs.stackName);
    } else {
      reviewer.allowAssume(roles.forStack(account, region, cs.stackName).roleArn);
      crossAccount = true;
    }
  }
  reviewer.allowGetPipeline(o.pipeline);
  const key = o.reportBucket.encryptionKey;
  reviewer.allowReports(o.reportBucket, key);
  if (o.topic) reviewer.allowPublish(o.topic);
  const parameters: ReviewParameters = {
    stage: o.stageName,
    changeSetStages: o.changeSetStages,
    reviewRoleName: crossAccount ? roles.roleName : undefined,
    policy: o.policy,
    reportBucket: o.reportBucket.bucketName,
    reportPrefix: `${REPORT_PREFIX}${o.namespace}/`,
    reportKmsKeyArn: key?.keyArn,
    topicArn: o.topic?.topicArn,
  };
  const estimate = estimatedLength(parameters);
  if (estimate > MAX_CONFIGURATION_VALUE) {
    fail(o.errorPrefix, `stage '${o.stageName}': the review action's UserParameters would be about ${estimate} characters, `
      + `over CodePipeline's ${MAX_CONFIGURATION_VALUE}-character limit for an action configuration value; use shorter stage names.`);
  }
  acknowledgeWildcards(o.owner, [{
    resource: '*',
    onlyActions: ['lambda:ListFunctions'],
    onlyUnder: `/${o.actionStageName}/${REVIEW_ACTION_NAME}/`,
    reason: 'aws-cdk-lib grants the Lambda invoke action lambda:ListFunctions, which has no resource-level permissions; invoking is granted on the review function only.',
  }, {
    resourcePattern: (flatten) => new RegExp(`^${escapeRegExp(flatten(reviewer.function.functionArn))}:\\*$`),
    onlyUnder: `/${o.actionStageName}/${REVIEW_ACTION_NAME}/`,
    reason: 'Versions and aliases of the review function (aws-cdk-lib Function.grantInvoke).',
  }]);
  return new actions.LambdaInvokeAction({
    actionName: REVIEW_ACTION_NAME,
    lambda: reviewer.function,
    runOrder: o.runOrder,
    variablesNamespace: o.namespace,
    userParameters: JSON.parse(JSON.stringify(parameters)),
  });
}
