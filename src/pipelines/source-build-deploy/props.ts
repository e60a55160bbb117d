import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuildOptions, TestOptions } from '../../build/build-options';
import { DeployTarget } from '../../deploy/deploy-target';
import { IStageGate } from '../../gates/stage-gate';
import { FailureNotificationsOptions } from '../../notifications/failure-notifications';
import { ReviewPolicy } from '../../review/review-policy';
import { PipelineSource } from '../../source/pipeline-source';

/** One deploy stage: optional gate, targets in parallel, then post-deploy tests in parallel. */
export interface DeployStageOptions {
  /** Name of the stage (1-100 of A-Za-z0-9.@_-, unique in the pipeline). */
  readonly stageName: string;

  /**
   * Where the stage deploys; the targets run in parallel (same runOrder).
   *
   * @default - none: the stage holds only its gate's approval and/or its post-deploy tests
   * (an approval-only or test-only stage)
   */
  readonly targets?: DeployTarget[];

  /**
   * Gate in front of the stage (an `ApprovalGate`, or any `IStageGate`): its actions come
   * first in the stage, its conditions are rendered on the stage.
   *
   * @default - no gate
   */
  readonly gate?: IStageGate;

  /**
   * Tests run after the targets, in parallel (e.g. a load test against staging).
   *
   * @default - none
   */
  readonly postDeployTests?: TestOptions[];

  /**
   * Retry the stage automatically once when it fails (on-failure result RETRY): its failed
   * actions only, or all of them from the first. V2 pipelines only; not with a gate that has an
   * on-failure result of its own (`rollbackOnFailure` / `retryOnFailure` on the `ApprovalGate`).
   *
   * @default - no automatic retry
   */
  readonly retryOnFailure?: codepipeline.RetryMode;

  /**
   * Let the gate's approver review the change sets: the CloudFormation targets and the stacks of
   * the CDK stages create their change sets first (runOrder 1), the change-set review describes them
   * all (2: counts, replacements, security changes, in the approval's custom data, a report in the
   * artifact bucket, the full summary on the gate's topic), then the gate's manual approval runs (3),
   * then the change sets are executed and the other targets deploy (4). Needs a gate with a manual
   * approval; CloudFormation targets and CDK stages of the stage deploy through change sets.
   * See docs/change-set-review-setup.md.
   *
   * @default false: the gate runs first, then the targets
   */
  readonly reviewChangeSets?: boolean;

  /**
   * When the reviewed stage asks for the approval (with `reviewChangeSets` only). The policies that
   * may skip the approval (`SKIP_WHEN_EMPTY`, `ON_RISK`) put the change sets and the review in a
   * stage `<stage>.Review` and the approval in a stage `<stage>.Approval` (skipped by a V2 entry
   * condition), before this stage.
   *
   * @default ReviewPolicy.ALWAYS
   */
  readonly reviewPolicy?: ReviewPolicy;

  /**
   * A production stage: its successes and failures are the deployments and failed deployments
   * of the delivery metrics (`notifications` `deliveryMetrics`, see `DeliveryDashboard`).
   *
   * @default - when no stage is marked true: the last deploy stage
   */
  readonly production?: boolean;
}

/** Properties of `SourceBuildDeployPipeline`. */
export interface SourceBuildDeployPipelineProps {
  /** Where the pipeline gets its source. */
  readonly source: PipelineSource;

  /**
   * The build step (stage 'Build').
   *
   * @default - no build stage; targets deploy the source output
   */
  readonly buildStep?: BuildOptions;

  /**
   * Tests run in parallel after the build (stage 'Test').
   *
   * @default - no test stage
   */
  readonly tests?: TestOptions[];

  /**
   * Tests run beside the build, in the 'Build' stage at the same runOrder (e.g. lint or unit tests
   * that need no build output): they read the source output, or another `input` the source produced.
   * Needs a `buildStep`.
   *
   * @default - none
   */
  readonly testsBesideBuild?: TestOptions[];

  /**
   * More actions in the 'Build' stage, beside `buildStep` (same runOrder), or instead of it: builds
   * that need no CodeBuild project of yours, e.g. `DeployTarget.ecrBuildAndPublish(...)` (a Docker image
   * pushed to ECR) or `DeployTarget.commands(...)`. They read the source output unless they name an
   * input; their outputs and variables are for later stages.
   *
   * @default - none
   */
  readonly buildActions?: DeployTarget[];

  /**
   * More test steps in the 'Test' stage, beside `tests` (in parallel), e.g. `DeployTarget.commands({ commands: ['npm test'] })`
   * (no CodeBuild project) or `DeployTarget.inspectorScan(...)`. They read the primary build output unless they name an input.
   *
   * @default - none
   */
  readonly testActions?: DeployTarget[];

  /**
   * Deploy stages, in order. Pass `[]` for a build-only or build-and-test pipeline (it needs a
   * `buildStep` or `tests` then).
   */
  readonly stages: DeployStageOptions[];

  /**
   * Name of the pipeline.
   *
   * @default - generated by CloudFormation
   */
  readonly pipelineName?: string;

  /**
   * Pipeline type. V2 is needed for execution modes other than SUPERSEDED, variables and
   * trigger filters.
   *
   * @default codepipeline.PipelineType.V2
   */
  readonly pipelineType?: codepipeline.PipelineType;

  /**
   * How executions run when several are in flight.
   *
   * @default codepipeline.ExecutionMode.SUPERSEDED
   */
  readonly executionMode?: codepipeline.ExecutionMode;

  /**
   * Pipeline-level variables (`#{variables.name}` in action configuration).
   *
   * @default - none
   */
  readonly variables?: codepipeline.Variable[];

  /**
   * Artifact bucket to use instead of defining one. It must be KMS-encrypted when a target is
   * in another account.
   *
   * @default - a bucket is defined: SSL only, public access blocked, server access logs,
   * artifacts expire after `artifactExpiration`, retained on stack deletion
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * How long artifacts are kept in the defined bucket.
   *
   * @default Duration.days(30)
   */
  readonly artifactExpiration?: Duration;

  /**
   * Customer-managed key for the defined artifact bucket.
   *
   * @default - the AWS managed key (aws/s3), unless a target is in another account: then a
   * customer-managed key with rotation is defined
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Where failure notifications go.
   *
   * @default - an SSL-only topic with no subscription
   */
  readonly notifications?: FailureNotificationsOptions;

  /**
   * Define EventBridge rules for failed executions, stages and actions.
   *
   * @default true
   */
  readonly failureNotifications?: boolean;

  /**
   * Restart the pipeline when it is updated by a deployment.
   *
   * @default false
   */
  readonly restartExecutionOnUpdate?: boolean;

  /**
   * Update the pipeline from the new cloud assembly (a CDK app holding the pipeline stack):
   * an 'UpdatePipeline' stage after the build deploys the pipeline stack only when its template
   * changed, without restarting the execution. Needs `BuildStep.cdkSynth` as the build.
   *
   * @default false: deploy the pipeline stack with `cdk deploy` when stages or environments change
   */
  readonly selfUpdate?: boolean;
}
