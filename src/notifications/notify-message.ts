// Over 400 lines on purpose: one pure module that formats every CodePipeline event kind into the message; splitting it
// per event kind would spread one format over several files.
/**
 * Pure part of the failure notifier (`notify.lambda.ts`): read the EventBridge CodePipeline event,
 * fold in what `GetPipelineExecution` / `ListActionExecutions` returned, and write the message.
 * No I/O here, so every branch is testable without mocks. Not part of the construct library's API.
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

/** Longest error summary / commit message copied into a message. */
const MAX_TEXT = 1000;
/** Longest raw event copied into a notification about an event that could not be read. */
const MAX_RAW_EVENT = 3000;
/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const MAX_SUBJECT = 99;

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

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function obj(value: unknown): Record<string, unknown> | undefined {
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

// ---------------------------------------------------------------------------------------------
// Enrichment: the subset of the CodePipeline API answers the message uses. The SDK's
// `PipelineExecution` and `ActionExecutionDetail` fit these shapes as they are.

export interface ArtifactRevisionLike {
  readonly name?: string;
  readonly revisionId?: string;
  readonly revisionSummary?: string;
  readonly revisionUrl?: string;
}

export interface PipelineExecutionLike {
  readonly status?: string;
  readonly statusSummary?: string;
  readonly executionType?: string;
  readonly artifactRevisions?: ArtifactRevisionLike[];
  readonly trigger?: { readonly triggerType?: string; readonly triggerDetail?: string };
}

export interface ActionExecutionDetailLike {
  readonly stageName?: string;
  readonly actionName?: string;
  readonly status?: string;
  readonly lastUpdateTime?: Date;
  readonly input?: {
    readonly actionTypeId?: { readonly category?: string; readonly provider?: string };
    readonly configuration?: Record<string, string>;
  };
  readonly output?: {
    readonly executionResult?: {
      readonly externalExecutionSummary?: string;
      readonly externalExecutionUrl?: string;
      readonly externalExecutionId?: string;
      readonly errorDetails?: { readonly code?: string; readonly message?: string };
    };
  };
}

/** What the API calls added, and why they could not add more. */
export interface Enrichment {
  readonly execution?: PipelineExecutionLike;
  readonly actionExecutions?: ActionExecutionDetailLike[];
  /** One line per API call that failed, e.g. `GetPipelineExecution: ThrottlingException: Rate exceeded`. */
  readonly errors: string[];
}

/** One action as shown in a message. */
export interface ActionReport {
  readonly stage: string;
  readonly action: string;
  readonly provider?: string;
  readonly errorCode?: string;
  readonly summary?: string;
  readonly externalUrl?: string;
  /** Manual approvals: the reviewer's link and comments configured on the action. */
  readonly reviewUrl?: string;
  readonly customData?: string;
}

/** One source revision (a commit, an S3 object version, an image digest). */
export interface SourceRevision {
  readonly artifact?: string;
  readonly revisionId?: string;
  readonly message?: string;
  readonly url?: string;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim().length > 0)?.trim() ?? '';
}

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * Source revisions of the execution. CodeStar connections and CodeCommit put a JSON document
 * (`{"ProviderType":"GitHub","CommitMessage":"..."}`) in `revisionSummary`; other sources a plain text.
 */
export function sourceRevisions(execution?: PipelineExecutionLike): SourceRevision[] {
  return (execution?.artifactRevisions ?? []).map((rev) => {
    let message = rev.revisionSummary;
    if (message && message.trim().startsWith('{')) {
      try {
        const parsed = JSON.parse(message);
        message = str(parsed?.CommitMessage) ?? message;
      } catch {
        // not JSON after all: keep the text
      }
    }
    return {
      artifact: rev.name,
      revisionId: rev.revisionId,
      message: message ? clip(firstLine(message), 200) : undefined,
      url: rev.revisionUrl,
    };
  });
}

function latestFirst(a: ActionExecutionDetailLike, b: ActionExecutionDetailLike): number {
  return (b.lastUpdateTime?.getTime() ?? 0) - (a.lastUpdateTime?.getTime() ?? 0);
}

function reportFromDetail(d: ActionExecutionDetailLike, fallback?: EventFacts): ActionReport {
  const result = d.output?.executionResult;
  const config = d.input?.configuration ?? {};
  return {
    stage: d.stageName ?? fallback?.stage ?? 'unknown',
    action: d.actionName ?? fallback?.action ?? 'unknown',
    provider: d.input?.actionTypeId?.provider ?? fallback?.provider,
    errorCode: result?.errorDetails?.code ?? fallback?.errorCode,
    summary: result?.errorDetails?.message ?? result?.externalExecutionSummary ?? fallback?.summary,
    externalUrl: result?.externalExecutionUrl ?? fallback?.externalUrl,
    reviewUrl: str(config.ExternalEntityLink),
    customData: str(config.CustomData),
  };
}

/**
 * The actions a message is about: for an action event, that action; for a stage event, the
 * failed actions of the stage; for a pipeline event, every failed action of the execution.
 * The latest execution of each action wins (a stage retry runs the action again).
 */
export function relevantActions(facts: EventFacts, enrichment: Enrichment): ActionReport[] {
  const details = [...(enrichment.actionExecutions ?? [])].sort(latestFirst);
  const seen = new Set<string>();
  const latest = details.filter((d) => {
    const key = `${d.stageName}/${d.actionName}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  switch (facts.kind) {
    case 'ACTION_FAILED':
    case 'APPROVAL_NEEDED': {
      const match = latest.find((d) => d.stageName === facts.stage && d.actionName === facts.action);
      // Without the API's answer, the event's own execution-result fills in.
      return [reportFromDetail(match ?? {}, facts)];
    }
    case 'STAGE_FAILED':
    case 'STAGE_CANCELED':
      return latest.filter((d) => d.stageName === facts.stage && d.status === 'Failed').map((d) => reportFromDetail(d));
    case 'PIPELINE_FAILED':
      return latest.filter((d) => d.status === 'Failed').map((d) => reportFromDetail(d));
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Links

/** Console host for a region: aws, aws-cn and aws-us-gov partitions. */
export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  return `${region}.console.aws.amazon.com`;
}

/** Console link to one execution of a pipeline. */
export function executionConsoleUrl(region: string, pipeline: string, executionId: string): string {
  return `https://${consoleHost(region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${encodeURIComponent(executionId)}/timeline?region=${region}`;
}

/** Console link to a pipeline (where manual approvals are reviewed). */
export function pipelineConsoleUrl(region: string, pipeline: string): string {
  return `https://${consoleHost(region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/view?region=${region}`;
}

// ---------------------------------------------------------------------------------------------
// The message

/** Chatbot (Amazon Q Developer in chat applications) custom notification. */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly additionalContext?: { readonly [key: string]: string };
  };
}

/** A notification in the forms its readers need. */
export interface Notification {
  /** E-mail subject: ASCII, one line, under 100 characters. */
  readonly subject: string;
  /** Plain text: e-mail and any subscriber without a format of its own. */
  readonly text: string;
  /** For AWS Chatbot (Slack, Microsoft Teams), which only renders its own format. */
  readonly chatbot: ChatbotNotification;
  /** Whether this notification reports a failed pipeline execution (the `Failures` metric). */
  readonly isExecutionFailure: boolean;
  /** Pipeline the notification is about, when known. */
  readonly pipeline?: string;
}

function headline(facts: EventFacts): { title: string; icon: string } {
  const where = facts.action ? `${facts.stage} / ${facts.action}` : facts.stage;
  switch (facts.kind) {
    case 'PIPELINE_FAILED':
      return { icon: '\u274c', title: `Pipeline ${facts.pipeline} FAILED` };
    case 'STAGE_FAILED':
      return { icon: '\u274c', title: `Pipeline ${facts.pipeline}: stage ${facts.stage} FAILED` };
    case 'STAGE_CANCELED':
      return { icon: '\u26a0\ufe0f', title: `Pipeline ${facts.pipeline}: stage ${facts.stage} CANCELED` };
    case 'ACTION_FAILED':
      return { icon: '\u274c', title: `Pipeline ${facts.pipeline}: action ${where} FAILED` };
    case 'APPROVAL_NEEDED':
      return { icon: '\u270b', title: `Pipeline ${facts.pipeline}: approval needed at ${where}` };
    default:
      return { icon: '\u2139\ufe0f', title: `Pipeline ${facts.pipeline}: ${where ? `${where} ` : ''}${facts.state}` };
  }
}

/** ASCII-only, one line, short enough for an SNS subject. */
export function toSubject(text: string): string {
  const ascii = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return clip(ascii.length > 0 ? ascii : 'Pipeline notification', MAX_SUBJECT);
}

function describeAction(report: ActionReport): string {
  return `${report.stage} / ${report.action}${report.provider ? ` (${report.provider})` : ''}`;
}

function errorLine(report: ActionReport): string {
  const summary = report.summary ? clip(report.summary) : undefined;
  if (report.errorCode && summary) return `${report.errorCode}: ${summary}`;
  return summary ?? report.errorCode ?? 'the action reported no error summary';
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(12)}${value}`;
}

/**
 * The notification for a readable event. `enrichment.errors` (API calls that failed) are stated
 * in the message, which then carries only what the event said: it is never dropped.
 */
export function formatNotification(facts: EventFacts, enrichment: Enrichment): Notification {
  const { title, icon } = headline(facts);
  const actions = relevantActions(facts, enrichment);
  const revisions = sourceRevisions(enrichment.execution);
  const executionUrl = executionConsoleUrl(facts.region, facts.pipeline, facts.executionId);
  const lines: string[] = [];
  lines.push(field('Pipeline', `${facts.pipeline}${facts.account ? ` (account ${facts.account}, ${facts.region})` : ` (${facts.region})`}`));
  lines.push(field('Execution', `${facts.executionId}${enrichment.execution?.status ? ` (${enrichment.execution.status})` : ''}`));
  if (facts.stage) lines.push(field('Stage', facts.stage));
  if (facts.kind === 'ACTION_FAILED' || facts.kind === 'APPROVAL_NEEDED') {
    const report = actions[0];
    lines.push(field('Action', `${report.action}${report.provider ? ` (${report.provider})` : ''}`));
    if (facts.kind === 'ACTION_FAILED') lines.push(field('Error', errorLine(report)));
    if (report.customData) lines.push(field('Comments', clip(report.customData)));
    if (report.reviewUrl) lines.push(field('Review', report.reviewUrl));
    if (report.externalUrl) lines.push(field('Details', report.externalUrl));
  }
  if (enrichment.execution?.statusSummary) lines.push(field('Summary', clip(enrichment.execution.statusSummary)));
  for (const rev of revisions) {
    const id = rev.revisionId ?? 'unknown revision';
    lines.push(field('Source', `${rev.artifact ? `${rev.artifact} ` : ''}${id}${rev.message ? ` "${rev.message}"` : ''}`));
  }
  if (enrichment.execution?.trigger?.triggerType) {
    const trigger = enrichment.execution.trigger;
    lines.push(field('Trigger', `${trigger.triggerType}${trigger.triggerDetail ? ` (${trigger.triggerDetail})` : ''}`));
  }
  if (facts.time) lines.push(field('Time', facts.time));
  if (facts.kind === 'PIPELINE_FAILED' || facts.kind === 'STAGE_FAILED' || facts.kind === 'STAGE_CANCELED') {
    if (actions.length > 0) {
      lines.push('', 'Failed actions:');
      for (const report of actions) {
        lines.push(`  - ${describeAction(report)}: ${errorLine(report)}`);
        if (report.externalUrl) lines.push(`    ${report.externalUrl}`);
      }
    } else if (enrichment.actionExecutions) {
      lines.push('', 'No failed action was found in this execution.');
    }
  }
  if (enrichment.errors.length > 0) {
    lines.push('', 'Details could not be fetched, so this message holds only what the event said:');
    for (const error of enrichment.errors) lines.push(`  - ${error}`);
  }
  const nextSteps = [`Open the execution: ${executionUrl}`];
  if (facts.kind === 'APPROVAL_NEEDED') nextSteps.unshift(`Review and approve or reject: ${pipelineConsoleUrl(facts.region, facts.pipeline)}`);
  const text = [`${title}`, '', ...lines, '', ...nextSteps].join('\n');
  return {
    subject: toSubject(title),
    text,
    pipeline: facts.pipeline,
    isExecutionFailure: facts.kind === 'PIPELINE_FAILED',
    chatbot: {
      version: '1.0',
      source: 'custom',
      id: facts.eventId,
      content: { textType: 'client-markdown', title: `${icon} ${title}`, description: lines.join('\n'), nextSteps },
      metadata: {
        threadId: `${facts.pipeline}/${facts.executionId}`,
        summary: title,
        eventType: facts.kind,
        additionalContext: { pipeline: facts.pipeline, executionId: facts.executionId },
      },
    },
  };
}

function rawEvent(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw, null, 2) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return clip(text, MAX_RAW_EVENT);
}

/** The notification for an event the notifier could not read: says so, and carries the raw event. */
export function formatUnreadableEvent(parsed: Extract<ParsedEvent, { ok: false }>): Notification {
  const who = parsed.pipeline ? `pipeline ${parsed.pipeline}` : 'a pipeline';
  const title = `Unreadable notification event for ${who}`;
  const lines = [
    `The failure notifier received an event it could not read (${parsed.problems.join('; ')}).`,
    'Something may have failed: check the pipeline.',
  ];
  const nextSteps: string[] = [];
  if (parsed.pipeline && parsed.region) nextSteps.push(`Open the pipeline: ${pipelineConsoleUrl(parsed.region, parsed.pipeline)}`);
  const raw = rawEvent(parsed.raw);
  const text = [title, '', ...lines, '', ...nextSteps, ...(nextSteps.length ? [''] : []), 'Raw event:', raw].join('\n');
  return {
    subject: toSubject(title),
    text,
    pipeline: parsed.pipeline,
    isExecutionFailure: false,
    chatbot: {
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: `\u2753 ${title}`, description: [...lines, '', 'Raw event:', raw].join('\n'), nextSteps },
      metadata: { summary: title, eventType: 'UNREADABLE' },
    },
  };
}

/**
 * The SNS Publish input: one message per protocol (`MessageStructure: json`), plain text by
 * default and for e-mail, Chatbot's format for HTTPS subscribers (Chatbot subscribes over HTTPS).
 */
export function publishInput(topicArn: string, notification: Notification) {
  return {
    TopicArn: topicArn,
    Subject: notification.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: notification.text,
      email: notification.text,
      https: JSON.stringify(notification.chatbot),
    }),
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
}

/**
 * Read the notifier's input: the envelope `{ topicArn, pipelineName, event }` written by the rule,
 * or a bare EventBridge event (invoked by hand, or by a rule without the envelope), which is taken
 * as it is.
 */
export function readNotifierInput(input: unknown): NotifierInput {
  const root = obj(input);
  if (root && 'event' in root && typeof root.topicArn === 'string' && root['detail-type'] === undefined) {
    return { topicArn: str(root.topicArn), pipelineName: str(root.pipelineName), event: root.event };
  }
  return { event: input };
}
