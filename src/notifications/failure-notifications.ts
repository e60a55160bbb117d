import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FailureNotifier } from './failure-notifier';
import {
  ACTION_EXECUTION_EVENT,
  FAILURES_METRIC,
  METRIC_NAMESPACE,
  PIPELINE_EXECUTION_EVENT,
  PIPELINE_NAME_DIMENSION,
  STAGE_EXECUTION_EVENT,
  consoleHost,
} from './notify-message';
import { RuleKind, chatbotInput, textInput } from './raw-messages';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import { EMAIL_ADDRESS } from '../private/names';
import * as v from '../private/validate';

/**
 * Where pipeline failure notifications go and how they are written. Shared by both pipelines
 * (`notifications`) and by `FailureNotifications` on any aws-codepipeline Pipeline.
 */
export interface FailureNotificationsOptions {
  /**
   * Topic the notifications are published to.
   *
   * A topic of your own must allow the publisher: with `enrich` (the default) the notifier
   * Lambda's role is granted `sns:Publish` on it (and `kms:Decrypt`/`kms:GenerateDataKey` on its
   * key, if it has one); with `enrich: false` EventBridge publishes, so an imported topic's policy
   * must allow `events.amazonaws.com` (and its key, if any, must be a customer-managed key).
   *
   * @default - an SSL-only topic is defined
   */
  readonly topic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the topic.
   *
   * @default - no e-mail subscriptions
   */
  readonly emails?: string[];

  /**
   * AWS Chatbot Slack channels to post the notifications to: the topic is added to each
   * channel configuration's notification topics. Only channel configurations defined in this app
   * can be given (an imported configuration cannot be changed).
   *
   * @default - no Slack channel
   */
  readonly slackChannels?: chatbot.SlackChannelConfiguration[];

  /**
   * AWS Chatbot Microsoft Teams channels to post the notifications to: the topic's ARN is added to
   * each configuration's `snsTopicArns`. aws-cdk-lib has no L2 for Teams channels, so these are the L1.
   *
   * @default - no Teams channel
   */
  readonly teamsChannels?: chatbot.CfnMicrosoftTeamsChannelConfiguration[];

  /**
   * A Lambda function of yours that also receives every matched event, unchanged (the EventBridge
   * CodePipeline event), as a further target of the rule (of each rule with `enrich: false`).
   *
   * @default - no function of yours
   */
  readonly function?: lambda.IFunction;

  /**
   * Enrich the notifications: the pipeline's rule invokes the stack's notifier Lambda (one per
   * stack, shared by its pipelines), which asks CodePipeline for the source revision (commit id
   * and message), the failed actions' error summaries and links, writes a readable message,
   * publishes it to this pipeline's topic, and counts failures in the `CdkDeliveryPipelines` /
   * `Failures` metric.
   *
   * With `false`, no Lambda is defined: one rule per event kind publishes to the topic directly,
   * through an input transformer that turns the event into a short readable text (or, when chat
   * channels are given, into AWS Chatbot's custom-notification JSON), and `failureMetric` is the
   * EventBridge `TriggeredRules` metric of the pipeline-failed rule.
   *
   * @default true
   */
  readonly enrich?: boolean;

  /**
   * Also notify when a manual approval action starts waiting for a reviewer.
   *
   * @default true
   */
  readonly notifyOnApproval?: boolean;

  /**
   * Dead-letter queue for events that EventBridge could not deliver to a target after its retries
   * (185 attempts over 24 hours by default). The queue's policy is extended to allow EventBridge
   * when the queue is defined in the same stack.
   *
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * How long the notifier Lambda's logs are kept (only with `enrich`). The notifier and its log
   * group are shared by the pipelines of the stack: the log group keeps the longest retention
   * any of them asks for.
   *
   * Control Tower control CT.CLOUDWATCH.PR.2 requires at least one year.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Delivery (DORA) metrics (only with `enrich`): the rule also sends the pipeline's stage and
   * execution SUCCEEDED events to the notifier, which writes, per pipeline and production stage,
   * `Deployments`, `FailedDeployments`, `LeadTime`, `TimeToRestore`, and per stage `StageDuration`
   * and `ApprovalWait`, and `ExecutionDuration` (namespace `CdkDeliveryPipelines`; see
   * docs/delivery-metrics.md and `DeliveryDashboard`). No resource is added; the notifier runs once
   * more per stage and execution success.
   *
   * @default true
   */
  readonly deliveryMetrics?: boolean;
}

/** Props of `FailureNotifications`. */
export interface FailureNotificationsProps extends FailureNotificationsOptions {
  /** The pipeline to watch. */
  readonly pipeline: codepipeline.IPipeline;

  /**
   * Names of the pipeline's production stages, whose successes and failures are the deployments
   * and failed deployments of the delivery metrics. The pipelines of this library pass the stages
   * (waves) marked `production` (default: their last deploy stage or wave). An empty list: no
   * production stage (a build-only pipeline).
   *
   * @default - the last stage of the pipeline (an aws-codepipeline `Pipeline`, read at synth); an
   * imported pipeline has no production stage then (an info annotation says so), and only the per-stage
   * and execution metrics are written
   */
  readonly productionStages?: string[];
}

/**
 * Failure notifications for a CodePipeline pipeline: one EventBridge rule over the pipeline's
 * execution, stage and action events (a failed execution, a failed or canceled stage, a failed
 * action, a manual approval waiting), which notifies an SNS topic (and through it e-mail, Slack
 * and Teams) with a readable message, plus a CloudWatch alarm on failed executions to page on.
 *
 * The messages are written by one notifier Lambda per stack (construct `CdpFailureNotifier`, a
 * child of the stack: function, role, policy, log group), shared by every pipeline of the stack:
 * a first pipeline costs 9 resources (rule, Lambda permission, alarm, topic and topic policy, plus
 * the notifier's 4), each further pipeline in the same stack 5 (plus one subscription per e-mail
 * address). Pipelines in other stacks of the same account and region get that stack's own
 * notifier: sharing one across stacks would tie the stacks together with cross-stack references.
 */
export class FailureNotifications extends Construct {
  /** The topic notifications are published to. */
  public readonly topic: sns.ITopic;

  /**
   * The EventBridge rules: one rule matching every event kind (pipeline failed, stage failed or
   * canceled, action failed, approval needed); with `enrich: false`, one rule per event kind,
   * since each kind's message is written by its own input transformer.
   */
  public readonly rules: events.Rule[];

  /**
   * The notifier Lambda that writes and publishes the messages, shared by the pipelines of this stack.
   *
   * @default - undefined with `enrich: false`
   */
  public readonly notifier?: lambda.IFunction;

  /**
   * The notifier Lambda's log group, shared by the pipelines of this stack.
   *
   * @default - undefined with `enrich: false`
   */
  public readonly notifierLogGroup?: logs.ILogGroup;

  /** Failed executions of the pipeline (sum over 5 minutes). */
  public readonly failureMetric: cloudwatch.Metric;

  /**
   * In ALARM when the pipeline had a failed execution in the last 5 minutes (missing data is
   * not breaching). Its action is the notification topic (an alarm without one fails Control Tower
   * control CT.CLOUDWATCH.PR.1); add your paging action to it: `failureAlarm.addAlarmAction(...)`.
   */
  public readonly failureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailureNotificationsProps) {
    v.checkScope('FailureNotifications', scope, id);
    super(scope, id);
    v.checkProps(this, props, { pipeline: v.required(v.cdk.pipeline), productionStages: v.strings, ...v.FAILURE_NOTIFICATIONS_SPEC });
    const { pipeline } = props;
    const enrich = props.enrich ?? true;
    if (!enrich && props.deliveryMetrics) {
      fail(this, 'deliveryMetrics is true but enrich is false; the metrics are written by the notifier Lambda, which enrich: false leaves out: drop one of them.');
    }
    if (props.productionStages !== undefined && (!enrich || props.deliveryMetrics === false)) {
      fail(this, `productionStages is given but delivery metrics are off (${enrich ? 'deliveryMetrics: false' : 'enrich: false'}); drop productionStages, or turn the metrics on.`);
    }
    const deliveryMetrics = enrich && (props.deliveryMetrics ?? true);
    const productionStages = deliveryMetrics ? productionStagesOf(this, pipeline, props) : undefined;
    const notifyOnApproval = props.notifyOnApproval ?? true;
    this.checkSameEnvironment(pipeline);

    this.topic = props.topic ?? this.defineTopic();
    for (const email of props.emails ?? []) {
      if (!Token.isUnresolved(email) && !EMAIL_ADDRESS.test(email)) {
        fail(this, `'${email}' in emails is not an e-mail address; pass addresses like 'team@example.com'.`);
      }
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const slackChannels = props.slackChannels ?? [];
    const teamsChannels = props.teamsChannels ?? [];
    for (const channel of slackChannels) channel.addNotificationTopic(this.topic);
    for (const channel of teamsChannels) this.addTopicToTeamsChannel(channel);

    const kinds: RuleKind[] = [
      { id: 'PipelineFailed', description: 'pipeline execution FAILED', detailType: PIPELINE_EXECUTION_EVENT, detail: { state: ['FAILED'] } },
      { id: 'StageFailed', description: 'stage execution FAILED or CANCELED', detailType: STAGE_EXECUTION_EVENT, detail: { state: ['FAILED', 'CANCELED'] } },
      { id: 'ActionFailed', description: 'action execution FAILED', detailType: ACTION_EXECUTION_EVENT, detail: { state: ['FAILED'] } },
    ];
    if (notifyOnApproval) {
      kinds.push({ id: 'ApprovalNeeded', description: 'manual approval waiting', detailType: ACTION_EXECUTION_EVENT, detail: { state: ['STARTED'], type: { category: ['Approval'] } } });
    }

    const deadLetterQueue = props.deadLetterQueue;
    if (enrich) {
      // One rule, one pattern: the three detail-types of this pipeline, and `$or` (EventBridge
      // content filtering) over the states that notify: FAILED of any of them; CANCELED of a
      // stage (stage events have `stage` and no `action`; execution events have neither); STARTED
      // of an approval action (only action events have `type`). No other state change matches.
      const states: Array<{ [key: string]: unknown }> = [
        { state: ['FAILED'] },
        { state: ['CANCELED'], stage: [{ exists: true }], action: [{ exists: false }] },
      ];
      if (notifyOnApproval) states.push({ state: ['STARTED'], type: { category: ['Approval'] } });
      // Delivery metrics: SUCCEEDED of a stage or the execution (neither has `action`).
      if (deliveryMetrics) states.push({ state: ['SUCCEEDED'], action: [{ exists: false }] });
      const what = [...kinds.map((k) => k.description), ...deliveryMetrics ? ['stage or execution SUCCEEDED (delivery metrics)'] : []];
      const rule = new events.Rule(this, 'Rule', {
        description: `${what.join(', ')} in CodePipeline pipeline ${pipeline.pipelineName}`,
        eventPattern: {
          source: ['aws.codepipeline'],
          detailType: [...new Set(kinds.map((kind) => kind.detailType))],
          resources: [pipeline.pipelineArn],
          detail: { $or: states },
        },
      });
      this.rules = [rule];
      const notifier = FailureNotifier.of(this);
      this.notifier = notifier.function;
      this.notifierLogGroup = notifier.logGroup;
      const input = notifier.register(pipeline, this.topic, props.logRetention, productionStages);
      rule.addTarget(new targets.LambdaFunction(notifier.function, { event: input, deadLetterQueue }));
      this.failureMetric = new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: FAILURES_METRIC,
        dimensionsMap: { [PIPELINE_NAME_DIMENSION]: pipeline.pipelineName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });
    } else {
      this.rules = kinds.map((kind) => new events.Rule(this, kind.id, {
        description: `${kind.description} in CodePipeline pipeline ${pipeline.pipelineName}`,
        eventPattern: {
          source: ['aws.codepipeline'],
          detailType: [kind.detailType],
          resources: [pipeline.pipelineArn],
          detail: kind.detail,
        },
      }));
      const chatFormat = slackChannels.length + teamsChannels.length > 0;
      kinds.forEach((kind, i) => this.rules[i].addTarget(new targets.SnsTopic(this.topic, {
        deadLetterQueue,
        message: chatFormat ? chatbotInput(kind.id, this.consoleHost()) : textInput(kind.id, this.consoleHost()),
      })));
      this.failureMetric = new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: this.rules[0].ruleName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });
    }
    if (props.function) {
      for (const rule of this.rules) rule.addTarget(new targets.LambdaFunction(props.function, { deadLetterQueue }));
    }

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `CodePipeline pipeline ${pipeline.pipelineName} had a failed execution in the last 5 minutes.`,
      metric: this.failureMetric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // An alarm with an action (Control Tower CT.CLOUDWATCH.PR.1): the notification topic.
    this.failureAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
  }

  private defineTopic(): sns.ITopic {
    const topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
    acknowledge(topic, 'AwsSolutions-SNS2',
      'Failure notifications carry pipeline, stage and action names, commit messages and error summaries, no secrets or artifacts. ' +
        'AWS service publishers (EventBridge, CloudWatch alarms, CodePipeline approvals) cannot publish to a topic encrypted with the AWS-managed SNS key, ' +
        'and a customer-managed key costs $1/month per topic: pass `topic` with your own key to encrypt.');
    return topic;
  }

  private addTopicToTeamsChannel(channel: chatbot.CfnMicrosoftTeamsChannelConfiguration): void {
    const existing = channel.snsTopicArns;
    if (existing !== undefined && (Token.isUnresolved(existing) || !Array.isArray(existing))) {
      fail(this, `the snsTopicArns of Teams channel '${channel.node.path}' is a token; give it a list of ARNs so the notification topic can be added.`);
    }
    channel.snsTopicArns = [...(existing ?? []), this.topic.topicArn];
  }

  private checkSameEnvironment(pipeline: codepipeline.IPipeline): void {
    const stack = Stack.of(this);
    for (const [what, mine, theirs] of [['region', stack.region, pipeline.env.region], ['account', stack.account, pipeline.env.account]]) {
      if (!Token.isUnresolved(mine) && !Token.isUnresolved(theirs) && mine !== theirs) {
        fail(this, `the pipeline is in ${what} '${theirs}' but the notifications are defined in ${what} '${mine}'; ` +
          'EventBridge delivers CodePipeline events only in the pipeline\'s own account and region: define FailureNotifications in a stack there.');
      }
    }
  }

  private consoleHost(): string {
    const region = Stack.of(this).region;
    return Token.isUnresolved(region) ? 'console.aws.amazon.com' : consoleHost(region);
  }
}

/** The production stages: given (checked against the pipeline's stages at synth), else the last stage. */
function productionStagesOf(scope: Construct, pipeline: codepipeline.IPipeline, props: FailureNotificationsProps): () => string[] {
  const given = props.productionStages;
  const l2 = pipeline instanceof codepipeline.Pipeline ? pipeline : undefined;
  if (given !== undefined) {
    if (l2) {
      scope.node.addValidation({
        validate: () => {
          const names = l2.stages.map((st) => st.stageName);
          return given.filter((g) => !Token.isUnresolved(g) && !names.includes(g))
            .map((g) => `FailureNotifications '${scope.node.id}': productionStages names '${g}', which is not a stage of the pipeline (${names.join(', ')}); name one of its stages.`);
        },
      });
    }
    return () => [...given];
  }
  if (l2) return () => l2.stages.slice(-1).map((st) => st.stageName);
  Annotations.of(scope).addInfo(
    'the pipeline is imported, so its stages are unknown and no stage counts as production: Deployments, FailedDeployments, LeadTime and TimeToRestore '
    + 'are not written for it; pass productionStages, e.g. [\'Prod\'].');
  return () => [];
}
