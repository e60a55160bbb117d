import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { StacksWavePlan, WaveItem } from './plan';
import { CrossRegionCfnPipelineProps } from './props';
import { ReviewedChangeSet } from '../../deploy/deploy-target';
import { StageGateBinding } from '../../gates/stage-gate';
import { fail } from '../../private/errors';
import { approvalEntryCondition, gateReview, reviewAction, reviewLayout, ReviewLayout } from '../../review/wiring/review-step';

/**
 * The change-set review of the waves of a CrossRegionCfnPipeline (`reviewChangeSets` on a wave).
 *
 * The wave's change sets are created in its `<wave>.ChangeSets` stage(s), in dependency order; the
 * review action follows them in the last of those stages (one runOrder after the last change set;
 * in a stage `<wave>.Review` of its own when that stage already holds 50 actions). Then, under
 * `ReviewPolicy.ALWAYS` and `FAIL_ON_STATEFUL_REPLACEMENT`, the wave's stage as without a review
 * (the approval at runOrder 1, the executions after it); under the policies that may skip the
 * approval, the approval in a stage `<wave>.Approval` of its own (entry condition: VariableCheck,
 * result SKIP), then the wave's stage with the executions and the gate's own conditions.
 */

/** Validate the review options of every wave. */
export function checkWaveReviews(scope: IConstruct, props: CrossRegionCfnPipelineProps): void {
  for (const wave of props.waves) {
    const where = `wave '${wave.waveName}'`;
    if (wave.reviewPolicy !== undefined && !wave.reviewChangeSets) {
      fail(scope, `${where} has reviewPolicy ${wave.reviewPolicy} but not reviewChangeSets; add reviewChangeSets: true (with a gate that has a manual approval), or drop reviewPolicy.`);
    }
    if (!wave.reviewChangeSets) continue;
    if (props.deployment?.stackSetOptions) {
      fail(scope, `${where} has reviewChangeSets but the pipeline deploys a stack set; CodePipeline's stack set actions create no change set to review (no preview of stack set operations): `
        + 'drop reviewChangeSets, or deploy the stacks with CfnDeployment.stacks() (the default).');
    }
    if (props.changeSets === false) {
      fail(scope, `${where} has reviewChangeSets but changeSets is false (the stacks are deployed directly, with nothing to review); drop changeSets: false, or drop reviewChangeSets.`);
    }
    if (!wave.gate) {
      fail(scope, `${where} has reviewChangeSets but no gate; give it a gate with a manual approval, e.g. new ApprovalGate(this, 'Approve', { emails: [...] }).`);
    }
  }
}

/** The review layout of wave `index` (undefined: not reviewed). */
export function planWaveReview(_scope: IConstruct, props: CrossRegionCfnPipelineProps, index: number): ReviewLayout | undefined {
  const wave = props.waves[index];
  return wave.reviewChangeSets ? reviewLayout(wave.waveName, wave.reviewPolicy) : undefined;
}

/** What the review of one wave renders. */
export interface WaveReviewContext {
  readonly owner: Construct;
  readonly pipeline: codepipeline.Pipeline;
  readonly reportBucket: s3.IBucket;
}

/** The change sets of a wave's items, for the review's UserParameters. */
function changeSetsOf(items: WaveItem[], changeSetName: string): ReviewedChangeSet[] {
  return items.map((item) => ('stack' in item
    ? { account: item.stack.account, region: item.stack.region, stackName: item.stack.stackName, changeSetName }
    : { account: item.account, region: item.region, stackName: item.stackName, changeSetName }));
}

/**
 * Bind the wave's gate for a review (in `<wave>.Approval` when the policy may skip the approval) and
 * build the review action for the end of the change-set stages (`runOrder` after the last change set).
 */
export function renderWaveReview(ctx: WaveReviewContext, wave: StacksWavePlan, review: ReviewLayout, changeSetName: string, runOrder: number) {
  const approvalStage = review.split ? `${wave.waveName}.Approval` : wave.waveName;
  const binding: StageGateBinding = wave.gate!.bindToStage({
    pipeline: ctx.pipeline, stageName: approvalStage, runOrder: 1, changeSetReview: gateReview(review.namespace),
  });
  if ((binding.actions ?? []).length === 0) {
    fail(ctx.owner, `wave '${wave.waveName}' has reviewChangeSets but its gate has no manual approval (only conditions); give the gate a manual approval, or drop reviewChangeSets.`);
  }
  const lastPart = wave.changeSetStages[wave.changeSetStages.length - 1];
  const ownStage = lastPart.items.length >= 50;
  const actionStage = ownStage ? `${wave.waveName}.Review` : lastPart.stageName;
  const action = reviewAction({
    owner: ctx.owner,
    pipeline: ctx.pipeline,
    stageName: wave.waveName,
    changeSetStages: [...wave.changeSetStages.map((s) => s.stageName), ...(ownStage ? [actionStage] : [])],
    actionStageName: actionStage,
    namespace: review.namespace,
    policy: review.policy,
    changeSets: changeSetsOf([...wave.targets, ...wave.cdkStacks], changeSetName),
    runOrder: ownStage ? 1 : runOrder,
    reportBucket: ctx.reportBucket,
    topic: binding.notificationTopic,
    errorPrefix: `${Stack.of(ctx.owner).node.path}/${ctx.owner.node.id}`,
  });
  return {
    binding,
    action,
    /** The stage the review action goes in, when not the last change-set stage. */
    ownStage: ownStage ? actionStage : undefined,
    /** The approval's own stage (policies that may skip it): its name, actions and entry condition. */
    approval: review.split
      ? {
        stageName: approvalStage, actions: binding.actions ?? [], beforeEntry: approvalEntryCondition(review.namespace, review.policy, wave.waveName),
      }
      : undefined,
  };
}
