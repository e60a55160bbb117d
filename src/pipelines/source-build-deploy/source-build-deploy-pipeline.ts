import { Names } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeCrossAccountSupport, acknowledgeCrossRegionSupport, defineArtifactBucket } from './artifact-bucket';
import { planPipeline } from './plan';
import { SourceBuildDeployPipelineProps } from './props';
import { renderPipeline } from './render';
import { PipelineChecks } from '../../checks/pipeline-checks';
import { productionStagesProps } from '../../notifications/delivery-options';
import { FailureNotifications } from '../../notifications/failure-notifications';
import { extendAcknowledgments } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { PipelineWebhook, PipelineWebhookOptions, WEBHOOK_OPTIONS_SPEC } from '../../webhook/pipeline-webhook';

export * from './props';

/**
 * A V2 CodePipeline from a repository to one or more environments: source, build, tests
 * (in parallel), then deploy stages, each optionally behind a gate and followed by tests.
 * Secure by default: encrypted artifact bucket with SSL only, access logs and expiry, CodeBuild
 * projects without privileged mode, CloudFormation deployment roles that are never admin,
 * failure notifications.
 */
export class SourceBuildDeployPipeline extends Construct {
  /** The aws-codepipeline Pipeline, to reach past this construct. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The artifact bucket. */
  public readonly artifactBucket: s3.IBucket;

  /** The failure notification rules and topic, unless `failureNotifications` is false. */
  public readonly failureNotifications?: FailureNotifications;

  constructor(scope: Construct, id: string, props: SourceBuildDeployPipelineProps) {
    v.checkScope('SourceBuildDeployPipeline', scope, id);
    super(scope, id);
    // Validate and plan (nothing defined yet), then render the plan.
    const plan = planPipeline(this, id, props);
    this.artifactBucket = defineArtifactBucket(this, plan.me, plan.store);
    this.pipeline = renderPipeline(this, plan, this.artifactBucket);
    acknowledgeCrossAccountSupport(this, this.pipeline, this.artifactBucket, plan.store.crossAccountTargets);
    acknowledgeCrossRegionSupport(this, this.pipeline, this.artifactBucket, plan.store.replicationExpiration);
    const production = productionStagesProps(plan.me, plan.failureNotifications,
      props.stages.map((s) => ({ name: s.stageName, production: s.production })));
    if (plan.failureNotifications) {
      this.failureNotifications = new FailureNotifications(this, 'FailureNotifications', { pipeline: this.pipeline, ...plan.failureNotifications, ...production });
    }
    // An acknowledgment on this construct also covers the action roles aws-cdk-lib defines for it in other accounts'
    // stacks (`cross-account-support-stack-<account>`, or the stack of the action's resource), named
    // `<pipeline unique id>-<stage>-<action>-ActionRole`: they are this pipeline's, outside its subtree.
    const rolePrefix = `${Names.uniqueId(this.pipeline)}-`;
    extendAcknowledgments(this, () => this.node.root.node.findAll()
      .filter((c) => c instanceof iam.Role && c.node.id.startsWith(rolePrefix) && !c.node.path.startsWith(`${this.node.path}/`)));
    // Every CodePipeline rule and quota, checked on the synthesized pipeline (also what the
    // caller adds later, e.g. through `pipeline.addStage` or `DeployTarget.action`).
    PipelineChecks.enforce(this);
  }

  /**
   * Define a webhook (a Lambda function URL) that starts this pipeline with the variables of a JSON
   * body, signed with a secret (`WebhookAuth.hmac()`, the default) or SigV4 (`WebhookAuth.iam()`).
   * One per pipeline (construct id `Webhook`). See docs/webhook.md.
   */
  public addWebhook(options: PipelineWebhookOptions = {}): PipelineWebhook {
    v.checkProps(this, options, WEBHOOK_OPTIONS_SPEC, 'options');
    if (this.node.tryFindChild('Webhook')) fail(this, 'addWebhook() was called twice; a pipeline has one webhook: reuse the first one it returned.');
    return new PipelineWebhook(this, 'Webhook', { ...options, pipeline: this.pipeline });
  }
}
