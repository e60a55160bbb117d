/**
 * Pure part of the failure notifier (`notify.lambda.ts`): from the event's facts (read in
 * `notify-event.ts`, re-exported here) and what `GetPipelineExecution` / `ListActionExecutions`
 * returned, write the message. No I/O here, so every branch is testable without mocks. Not part of
 * the construct library's API.
 */
import { EventFacts, ParsedEvent, str } from './notify-event';

export * from './notify-event';

/** Longest error summary / commit message copied into a message. */
const MAX_TEXT = 1000;
/** Longest raw event copied into a notification about an event that could not be read. */
const MAX_RAW_EVENT = 3000;
/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const MAX_SUBJECT = 99;

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
