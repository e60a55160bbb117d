import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DeployStageOptions } from './props';
import type { DeployTargetBinding, ReviewedChangeSet } from '../../deploy/deploy-target';
import type { StageGateReview } from '../../gates/stage-gate';
import { fail } from '../../private/errors';
import { policySkipsApproval, ReviewPolicy } from '../../review/review-policy';
import { approvalEntryCondition, gateReview, reviewAction, reviewLayout, ReviewLayout } from '../../review/wiring/review-step';

/**
 * The change-set review of one deploy stage of a SourceBuildDeployPipeline (`reviewChangeSets`).
 *
 * Under `ReviewPolicy.ALWAYS` and `FAIL_ON_STATEFUL_REPLACEMENT`, one stage: the change sets at
 * runOrder 1, the review action at 2, the gate's approval at 3, the executions and other targets
 * from 4. Under the policies that may skip the approval (`SKIP_WHEN_EMPTY`, `ON_RISK`), three
 * stages, since CodePipeline skips stages, not actions: `<stage>.Review` (change sets at 1, review
 * at 2), `<stage>.Approval` (the approval, behind a VariableCheck entry condition with result SKIP),
 * then `<stage>` (executions, other targets, tests; the gate's own conditions).
 */
export type StageReviewPlan = ReviewLayout;

/** Validate the review options of a stage (the stage's own checks live in plan.ts) and plan its review. */
export function planStageReview(me: string, stage: DeployStageOptions, v2: boolean): StageReviewPlan | undefined {
  if (stage.reviewPolicy !== undefined && !stage.reviewChangeSets) {
    fail(me, `stage '${stage.stageName}' has reviewPolicy ${stage.reviewPolicy} but not reviewChangeSets; add reviewChangeSets: true (with a gate that has a manual approval), or drop reviewPolicy.`);
  }
  if (!stage.reviewChangeSets) return undefined;
  const policy = stage.reviewPolicy ?? ReviewPolicy.ALWAYS;
  const split = policySkipsApproval(policy);
  if (split && !v2) {
    fail(me, `stage '${stage.stageName}' has reviewPolicy ${policy}, which skips the approval with a V2 stage condition, but the pipeline is V1; `
      + 'use PipelineType.V2 (the default), or ReviewPolicy.ALWAYS.');
  }
  if (split && !Token.isUnresolved(stage.stageName) && `${stage.stageName}.Approval`.length > 100) {
    fail(me, `stage '${stage.stageName}' is too long for its review stages ('<stage>.Review', '<stage>.Approval': at most 100 characters); use a stage name of at most 91 characters.`);
  }
  return reviewLayout(stage.stageName, policy);
}

/** The stage names a review adds before its stage (none in one-stage layout). */
export function reviewStageNames(stageName: string, review: StageReviewPlan | undefined): string[] {
  return review?.split ? [`${stageName}.Review`, `${stageName}.Approval`] : [];
}

/** Renders one reviewed stage's review: collects the change sets as the targets bind, then places the review and the approval. */
export class StageReviewRenderer {
  /** What the approval shows of the review. */
  public readonly gateReview: StageGateReview;
  private readonly prepares: codepipeline.IAction[] = [];
  private readonly changeSets: ReviewedChangeSet[] = [];

  constructor(private readonly owner: Construct, private readonly me: string,
    private readonly stageName: string, private readonly review: StageReviewPlan) {
    this.gateReview = gateReview(review.namespace);
  }

  /** The stage the gate's approval goes in. */
  public get approvalStageName(): string {
    return this.review.split ? `${this.stageName}.Approval` : this.stageName;
  }

  /** The actions of a bound target that stay in the stage (in the split layout, the change sets move to `<stage>.Review`). */
  public take(binding: DeployTargetBinding): codepipeline.IAction[] {
    this.changeSets.push(...binding.changeSets ?? []);
    if (!this.review.split) return binding.actions;
    const prepare = new Set(binding.reviewActions ?? []);
    this.prepares.push(...binding.actions.filter((a) => prepare.has(a.actionProperties.actionName)));
    return binding.actions.filter((a) => !prepare.has(a.actionProperties.actionName));
  }

  /**
   * Place the review: one-stage layout, return the review action (runOrder 2) for the stage; split
   * layout, add the `.Review` and `.Approval` stages to the pipeline and return nothing.
   */
  public finish(pipeline: codepipeline.Pipeline, bucket: s3.IBucket, gateActions: codepipeline.IAction[],
    topic: sns.ITopic | undefined): codepipeline.IAction[] {
    const reviewStage = this.review.split ? `${this.stageName}.Review` : this.stageName;
    const action = reviewAction({
      owner: this.owner,
      pipeline,
      stageName: this.stageName,
      changeSetStages: [reviewStage],
      actionStageName: reviewStage,
      namespace: this.review.namespace,
      policy: this.review.policy,
      changeSets: this.changeSets,
      runOrder: 2,
      reportBucket: bucket,
      topic,
      errorPrefix: this.me,
    });
    if (!this.review.split) return [action];
    pipeline.addStage({ stageName: reviewStage, actions: [...this.prepares, action] });
    pipeline.addStage({
      stageName: this.approvalStageName,
      actions: gateActions,
      beforeEntry: approvalEntryCondition(this.review.namespace, this.review.policy, this.stageName),
    });
    return [];
  }
}
