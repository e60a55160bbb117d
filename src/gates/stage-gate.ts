import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Where a gate is being placed: the stage it guards, in which pipeline.
 */
export interface StageGateBindOptions {
  /** The pipeline that holds the stage. */
  readonly pipeline: codepipeline.Pipeline;

  /** Name of the stage the gate guards (the stage is added right after `bind` returns). */
  readonly stageName: string;

  /**
   * runOrder for the gate's manual approval action inside that stage.
   *
   * @default 1
   */
  readonly runOrder?: number;

  /**
   * Set when a change-set review runs before the gate's approval: what the approval shows of it.
   *
   * @default - no review
   */
  readonly changeSetReview?: StageGateReview;
}

/**
 * What a change-set review gives the approval that follows it: variable references to the review
 * action's output variables (`#{<namespace>.Summary}`, `#{<namespace>.ReportUrl}`).
 */
export interface StageGateReview {
  /** The summary of the change sets, for the approval's custom data (it fits CodePipeline's limit). */
  readonly summary: string;

  /** The address of the review report, for the approval's link. */
  readonly reportUrl: string;
}

/**
 * What a gate contributes to the stage it guards: the actions to put first in the
 * stage (a manual approval, or nothing) and the V2 stage conditions to render.
 */
export interface StageGateBinding {
  /**
   * Actions to add to the stage, before everything else in it.
   *
   * @default - none
   */
  readonly actions?: codepipeline.IAction[];

  /**
   * Conditions checked before the stage is entered (alarms, deployment window, Lambda checks).
   *
   * @default - none
   */
  readonly beforeEntry?: codepipeline.Conditions;

  /**
   * Conditions checked after the stage succeeded (rollback on alarms).
   *
   * @default - none
   */
  readonly onSuccess?: codepipeline.Conditions;

  /**
   * What to do when the stage fails (rollback or retry).
   *
   * @default - none
   */
  readonly onFailure?: codepipeline.FailureConditions;

  /**
   * The topic the gate's approval request is published to (a change-set review publishes its full
   * summary there too).
   *
   * @default - none
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * A gate that a pipeline can put in front of a stage. `ApprovalGate` implements it;
 * the pipelines of this library accept any `IStageGate`.
 */
export interface IStageGate {
  /**
   * Bind the gate to one stage of one pipeline. Called once, by the pipeline, right
   * before it adds the stage; a second call throws (a gate guards one stage only).
   */
  bindToStage(options: StageGateBindOptions): StageGateBinding;
}
