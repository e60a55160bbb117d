import { Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * Where pipeline failure notifications go. Shared by both pipelines (`notifications`)
 * and by `FailureNotifications` on any aws-codepipeline Pipeline.
 */
export interface FailureNotificationsOptions {
  /**
   * Topic the notifications are published to.
   *
   * @default - an SSL-only topic is defined
   */
  readonly topic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the topic.
   *
   * @default - no subscriptions
   */
  readonly emails?: string[];
}

export interface FailureNotificationsProps extends FailureNotificationsOptions {
  /** The pipeline to watch. */
  readonly pipeline: codepipeline.IPipeline;
}

/**
 * EventBridge rules for a pipeline's failures (execution FAILED, stage FAILED/CANCELED,
 * action FAILED) that publish to an SNS topic.
 */
export class FailureNotifications extends Construct {
  /** The topic notifications are published to. */
  public readonly topic: sns.ITopic;

  /** The EventBridge rules, one per event kind. */
  public readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: FailureNotificationsProps) {
    super(scope, id);
    const { pipeline } = props;
    if (props.topic) {
      this.topic = props.topic;
    } else {
      const topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Failure notifications carry pipeline, stage and action names and error summaries, no secrets or artifacts. ' +
          'EventBridge can only publish to an encrypted topic through a customer-managed key ($1/month per topic); pass `topic` with your own key to encrypt.',
      });
      this.topic = topic;
    }
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const target = new targets.SnsTopic(this.topic);
    this.rules = [
      pipeline.onEvent('PipelineFailed', {
        eventPattern: { detailType: ['CodePipeline Pipeline Execution State Change'], detail: { state: ['FAILED'] } },
        target,
      }),
      pipeline.onEvent('StageFailed', {
        eventPattern: { detailType: ['CodePipeline Stage Execution State Change'], detail: { state: ['FAILED', 'CANCELED'] } },
        target,
      }),
      pipeline.onEvent('ActionFailed', {
        eventPattern: { detailType: ['CodePipeline Action Execution State Change'], detail: { state: ['FAILED'] } },
        target,
      }),
    ];
  }
}
