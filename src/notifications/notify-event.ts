/**
 * Pure part of the failure notifier (`notify.lambda.ts`), reading: the notifier's input, the
 * EventBridge CodePipeline event in it, and the facts the event states. No I/O. Writing the message
 * from those facts is `notify-message.ts`. Not part of the construct library's API.
 */

/** CloudWatch namespace of the notifier's metrics. */
export const METRIC_NAMESPACE = 'CdkDeliveryPipelines';
/** Metric counting failed pipeline executions (one per `Pipeline Execution State Change` FAILED). */
export const FAILURES_METRIC = 'Failures';
/** Dimension of the failure metric. */
export const PIPELINE_NAME_DIMENSION = 'PipelineName';

export const PIPELINE_EXECUTION_EVENT = 'CodePipeline Pipeline Execution State Change';
export const STAGE_EXECUTION_EVENT = 'CodePipeline Stage Execution State Change';
export const ACTION_EXECUTION_EVENT = 'CodePipeline Action Execution State Change';

export type EventKind =
  | 'PIPELINE_FAILED'
  | 'STAGE_FAILED'
  | 'STAGE_CANCELED'
  | 'ACTION_FAILED'
  | 'APPROVAL_NEEDED'
  | 'OTHER';

/** What the event itself says (no API call needed). */
export interface EventFacts {
  readonly kind: EventKind;
  readonly detailType: string;
  readonly state: string;
  readonly pipeline: string;
  readonly executionId: string;
  readonly region: string;
  readonly account?: string;
  readonly time?: string;
  readonly eventId?: string;
  readonly stage?: string;
  readonly action?: string;
  readonly provider?: string;
  readonly category?: string;
  /** From the event's `execution-result` (action events only). */
  readonly errorCode?: string;
  readonly summary?: string;
  readonly externalUrl?: string;
}

export type ParsedEvent =
  | { readonly ok: true; readonly facts: EventFacts }
  | { readonly ok: false; readonly problems: string[]; readonly pipeline?: string; readonly region?: string; readonly raw: unknown };

/** What the notifier knows without the event: its configuration. */
export interface NotifierContext {
  /** Name of the pipeline the notifier watches (env PIPELINE_NAME). */
  readonly pipelineName?: string;
  /** Region the notifier runs in (env AWS_REGION). */
  readonly region?: string;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function kindOf(detailType: string, state: string, category?: string): EventKind {
  if (detailType === PIPELINE_EXECUTION_EVENT && state === 'FAILED') return 'PIPELINE_FAILED';
  if (detailType === STAGE_EXECUTION_EVENT && state === 'FAILED') return 'STAGE_FAILED';
  if (detailType === STAGE_EXECUTION_EVENT && state === 'CANCELED') return 'STAGE_CANCELED';
  if (detailType === ACTION_EXECUTION_EVENT && state === 'FAILED') return 'ACTION_FAILED';
  if (detailType === ACTION_EXECUTION_EVENT && state === 'STARTED' && category === 'Approval') return 'APPROVAL_NEEDED';
  return 'OTHER';
}

/**
 * Read an EventBridge CodePipeline event. Anything missing that the message cannot do without
 * (detail-type, state, pipeline, execution id; stage and action for their events) makes it
 * "not ok": the notifier then still publishes, saying the event could not be read.
 */
export function parsePipelineEvent(event: unknown, context: NotifierContext = {}): ParsedEvent {
  const root = obj(event);
  const detail = obj(root?.detail);
  const problems: string[] = [];
  if (!root) {
    return { ok: false, problems: [`the event is ${event === null ? 'null' : typeof event}, not a JSON object`], pipeline: context.pipelineName, region: context.region, raw: event };
  }
  const detailType = str(root['detail-type']) ?? str(root.detailType);
  const region = str(root.region) ?? str(detail?.region) ?? context.region;
  if (!detailType) problems.push('detail-type is missing');
  if (!detail) problems.push('detail is missing');
  const state = str(detail?.state);
  const pipeline = str(detail?.pipeline);
  const executionId = str(detail?.['execution-id']);
  if (detail && !state) problems.push('detail.state is missing');
  if (detail && !pipeline) problems.push('detail.pipeline is missing');
  if (detail && !executionId) problems.push('detail.execution-id is missing');
  const type = obj(detail?.type);
  const stage = str(detail?.stage);
  const action = str(detail?.action);
  if (detailType === STAGE_EXECUTION_EVENT && detail && !stage) problems.push('detail.stage is missing');
  if (detailType === ACTION_EXECUTION_EVENT && detail && !stage) problems.push('detail.stage is missing');
  if (detailType === ACTION_EXECUTION_EVENT && detail && !action) problems.push('detail.action is missing');
  if (!region) problems.push('region is missing');
  if (problems.length > 0 || !detailType || !state || !pipeline || !executionId || !region) {
    return { ok: false, problems, pipeline: pipeline ?? context.pipelineName, region, raw: event };
  }
  const result = obj(detail?.['execution-result']);
  return {
    ok: true,
    facts: {
      kind: kindOf(detailType, state, str(type?.category)),
      detailType,
      state,
      pipeline,
      executionId,
      region,
      account: str(root.account),
      time: str(root.time),
      eventId: str(root.id),
      stage,
      action,
      provider: str(type?.provider),
      category: str(type?.category),
      errorCode: str(result?.['error-code']),
      summary: str(result?.['external-execution-summary']),
      externalUrl: str(result?.['external-execution-url']),
    },
  };
}

/**
 * What the shared notifier receives from a pipeline's rule: the rule's input transformer wraps the
 * CodePipeline event with the topic and pipeline it belongs to, because one notifier (one Lambda
 * per stack) serves every pipeline of the stack, each with its own topic.
 */
export interface NotifierInput {
  /** Topic this pipeline's notifications go to (the rule's `topicArn`, else env TOPIC_ARN). */
  readonly topicArn?: string;
  /** Pipeline the rule watches (names it when the event cannot be read). */
  readonly pipelineName?: string;
  /** The EventBridge CodePipeline event. */
  readonly event: unknown;
  /** Delivery metrics are on for this pipeline, with these production stages (the rule's `delivery`). */
  readonly delivery?: { readonly productionStages: string[] };
}

/**
 * Read the notifier's input: the envelope `{ topicArn, pipelineName, event }` written by the rule,
 * or a bare EventBridge event (invoked by hand, or by a rule without the envelope), which is taken
 * as it is.
 */
export function readNotifierInput(input: unknown): NotifierInput {
  const root = obj(input);
  if (root && 'event' in root && typeof root.topicArn === 'string' && root['detail-type'] === undefined) {
    const delivery = obj(root.delivery);
    const stages = Array.isArray(delivery?.productionStages) ? delivery.productionStages.filter((x): x is string => typeof x === 'string') : [];
    return {
      topicArn: str(root.topicArn),
      pipelineName: str(root.pipelineName),
      event: root.event,
      delivery: delivery ? { productionStages: stages } : undefined,
    };
  }
  return { event: input };
}
