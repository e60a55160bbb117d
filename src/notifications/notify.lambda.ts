/**
 * Failure notifier: EventBridge CodePipeline event -> readable message on the SNS topic, plus one
 * embedded-metric-format log line (`CdkDeliveryPipelines` / `Failures` by `PipelineName`).
 *
 * One notifier serves every pipeline of a stack: each pipeline's rule wraps the event as
 * `{ topicArn, pipelineName, event }` (see `readNotifierInput`), so the message goes to that
 * pipeline's topic. A bare event is read too, and then goes to env TOPIC_ARN.
 *
 * Enrichment (`GetPipelineExecution`, `ListActionExecutions`) is best effort: when a call fails
 * (throttling, access denied, timeout) the message says so and carries what the event said. Only a
 * failed publish fails the invocation: it is logged (with the subject and the topic) and Lambda
 * retries the invocation (twice, its default for asynchronous calls). The failure metric is
 * written before publishing, so the pipeline's failure alarm fires even when publishing fails.
 *
 * Delivery metrics (`delivery-metrics.ts`): when the rule's envelope carries `delivery`, stage and
 * execution events also become DORA metrics (one EMF line), computed beside the notification in a
 * try of their own with a time limit: their failure is logged and never stops a notification. Events
 * that settle a figure only (SUCCEEDED) are not notified.
 *
 * Environment: TOPIC_ARN (only for bare events), PIPELINE_NAME (likewise), ENRICH_TIMEOUT_MS (default 10000).
 */
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  type ActionExecutionDetail,
} from '@aws-sdk/client-codepipeline';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { deliveryMetrics } from './delivery-metrics';
import {
  Enrichment,
  EventFacts,
  FAILURES_METRIC,
  METRIC_NAMESPACE,
  Notification,
  PIPELINE_NAME_DIMENSION,
  formatNotification,
  formatUnreadableEvent,
  parsePipelineEvent,
  publishInput,
  readNotifierInput,
} from './notify-message';
import { emfLine } from '../shared.lambda/emf';

/** At most this many pages of action executions are read (100 each). */
const MAX_ACTION_PAGES = 5;
const DEFAULT_ENRICH_TIMEOUT_MS = 10_000;

const sns = new SNSClient({});
const codepipelineClients = new Map<string, CodePipelineClient>();

function codepipeline(region: string): CodePipelineClient {
  let client = codepipelineClients.get(region);
  if (!client) {
    client = new CodePipelineClient({ region, maxAttempts: 3 });
    codepipelineClients.set(region, client);
  }
  return client;
}

/** `ThrottlingException: Rate exceeded`, from whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function listActionExecutions(client: CodePipelineClient, facts: EventFacts): Promise<ActionExecutionDetail[]> {
  const details: ActionExecutionDetail[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_ACTION_PAGES; page++) {
    const out = await client.send(new ListActionExecutionsCommand({
      pipelineName: facts.pipeline,
      filter: { pipelineExecutionId: facts.executionId },
      maxResults: 100,
      nextToken,
    }));
    details.push(...(out.actionExecutionDetails ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return details;
}

/** Ask CodePipeline for the details; never throws: failures become `errors`. */
export async function enrich(facts: EventFacts, timeoutMs: number = DEFAULT_ENRICH_TIMEOUT_MS): Promise<Enrichment> {
  const client = codepipeline(facts.region);
  const [execution, actions] = await Promise.allSettled([
    withTimeout(client.send(new GetPipelineExecutionCommand({ pipelineName: facts.pipeline, pipelineExecutionId: facts.executionId })), timeoutMs, 'GetPipelineExecution'),
    withTimeout(listActionExecutions(client, facts), timeoutMs, 'ListActionExecutions'),
  ]);
  const errors: string[] = [];
  if (execution.status === 'rejected') errors.push(`GetPipelineExecution: ${describeError(execution.reason)}`);
  if (actions.status === 'rejected') errors.push(`ListActionExecutions: ${describeError(actions.reason)}`);
  return {
    execution: execution.status === 'fulfilled' ? execution.value.pipelineExecution : undefined,
    actionExecutions: actions.status === 'fulfilled' ? actions.value : undefined,
    errors,
  };
}

/** Build the notification for any input: a readable event, or one that is not. */
export async function buildNotification(event: unknown, env: NodeJS.ProcessEnv): Promise<Notification> {
  const parsed = parsePipelineEvent(event, { pipelineName: env.PIPELINE_NAME, region: env.AWS_REGION });
  if (!parsed.ok) return formatUnreadableEvent(parsed);
  const timeout = Number(env.ENRICH_TIMEOUT_MS ?? DEFAULT_ENRICH_TIMEOUT_MS);
  const enrichment = await enrich(parsed.facts, Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_ENRICH_TIMEOUT_MS);
  return formatNotification(parsed.facts, enrichment);
}

/** Write the delivery metrics of the event, if any; never throws (errors are logged). */
export async function recordDeliveryMetrics(event: unknown, productionStages: string[], timeoutMs: number): Promise<void> {
  try {
    const parsed = parsePipelineEvent(event, { region: process.env.AWS_REGION });
    if (!parsed.ok) return;
    const doc = await withTimeout(deliveryMetrics(parsed.facts, { productionStages }, codepipeline(parsed.facts.region)), timeoutMs, 'delivery metrics');
    if (doc) console.log(JSON.stringify(doc));
  } catch (error) {
    console.error(JSON.stringify({ message: 'delivery metrics not written', error: describeError(error) }));
  }
}

/** Whether the event is one to notify (a failure, a cancellation, an approval; or unreadable). */
function notifies(event: unknown): boolean {
  const parsed = parsePipelineEvent(event, { pipelineName: 'unknown', region: process.env.AWS_REGION ?? 'unknown' });
  return !parsed.ok || parsed.facts.kind !== 'OTHER';
}

export async function handler(input: unknown): Promise<void> {
  const { topicArn: givenTopic, pipelineName, event, delivery } = readNotifierInput(input);
  const given = Number(process.env.ENRICH_TIMEOUT_MS ?? DEFAULT_ENRICH_TIMEOUT_MS);
  const timeout = Number.isFinite(given) && given > 0 ? given : DEFAULT_ENRICH_TIMEOUT_MS;
  const metrics = delivery ? recordDeliveryMetrics(event, delivery.productionStages, timeout) : undefined;
  try {
    if (notifies(event)) await notify(givenTopic, pipelineName, event);
  } finally {
    await metrics;
  }
}

async function notify(givenTopic: string | undefined, pipelineName: string | undefined, event: unknown): Promise<void> {
  const topicArn = givenTopic ?? process.env.TOPIC_ARN;
  if (!topicArn) throw new Error('notify.lambda: the input names no topicArn and environment variable TOPIC_ARN is not set');
  const env = pipelineName ? { ...process.env, PIPELINE_NAME: pipelineName } : process.env;
  const notification = await buildNotification(event, env);

  // The metric first: the alarm must fire even when publishing fails.
  const pipeline = notification.pipeline ?? env.PIPELINE_NAME;
  if (pipeline) {
    console.log(emfLine({
      namespace: METRIC_NAMESPACE,
      dimensions: { [PIPELINE_NAME_DIMENSION]: pipeline },
      metrics: [{ name: FAILURES_METRIC, value: notification.isExecutionFailure ? 1 : 0, unit: 'Count' }],
      properties: { eventType: notification.chatbot.metadata?.eventType, executionId: notification.chatbot.metadata?.additionalContext?.executionId },
      timestamp: Date.now(),
    }));
  }

  let messageId: string | undefined;
  try {
    messageId = (await sns.send(new PublishCommand(publishInput(topicArn, notification)))).MessageId;
  } catch (error) {
    console.error(JSON.stringify({ message: 'notification not published', topicArn, subject: notification.subject, error: describeError(error) }));
    throw error;
  }
  console.log(JSON.stringify({ message: 'notification published', messageId, subject: notification.subject }));
}
