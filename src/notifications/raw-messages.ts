/**
 * The messages EventBridge writes itself, from the raw event, with `enrich: false` (no notifier):
 * plain text, or AWS Chatbot's custom-notification JSON. Not part of the library's API.
 */
import * as events from 'aws-cdk-lib/aws-events';

export interface RuleKind {
  readonly id: 'PipelineFailed' | 'StageFailed' | 'ActionFailed' | 'ApprovalNeeded';
  readonly description: string;
  readonly detailType: string;
  readonly detail: { [key: string]: unknown };
}

/** Event fields the raw-mode messages use (tokens, so made per message rather than at module load). */
function eventFields() {
  return {
    pipeline: events.EventField.fromPath('$.detail.pipeline'),
    executionId: events.EventField.fromPath('$.detail.execution-id'),
    state: events.EventField.fromPath('$.detail.state'),
    stage: events.EventField.fromPath('$.detail.stage'),
    action: events.EventField.fromPath('$.detail.action'),
    provider: events.EventField.fromPath('$.detail.type.provider'),
    errorCode: events.EventField.fromPath('$.detail.execution-result.error-code'),
    summary: events.EventField.fromPath('$.detail.execution-result.external-execution-summary'),
    externalUrl: events.EventField.fromPath('$.detail.execution-result.external-execution-url'),
    region: events.EventField.region,
    account: events.EventField.account,
    time: events.EventField.time,
  };
}

interface RawMessage {
  readonly title: string;
  readonly lines: string[];
  readonly nextSteps: string[];
}

/** The message EventBridge writes from the raw event (`enrich: false`). */
function rawMessage(kind: RuleKind['id'], host: string): RawMessage {
  const f = eventFields();
  const executionUrl = `https://${host}/codesuite/codepipeline/pipelines/${f.pipeline}/executions/${f.executionId}/timeline?region=${f.region}`;
  const common = [`Pipeline:   ${f.pipeline} (account ${f.account}, ${f.region})`, `Execution:  ${f.executionId}`];
  const nextSteps = [`Open the execution: ${executionUrl}`];
  switch (kind) {
    case 'PipelineFailed':
      return { title: `Pipeline ${f.pipeline} FAILED`, lines: [...common, `Time:       ${f.time}`], nextSteps };
    case 'StageFailed':
      return { title: `Pipeline ${f.pipeline}: stage ${f.stage} ${f.state}`, lines: [...common, `Stage:      ${f.stage}`, `Time:       ${f.time}`], nextSteps };
    case 'ActionFailed':
      return {
        title: `Pipeline ${f.pipeline}: action ${f.stage} / ${f.action} FAILED`,
        lines: [...common, `Stage:      ${f.stage}`, `Action:     ${f.action} (${f.provider})`,
          `Error:      ${f.errorCode}: ${f.summary}`, `Details:    ${f.externalUrl}`, `Time:       ${f.time}`],
        nextSteps,
      };
    case 'ApprovalNeeded':
      return {
        title: `Pipeline ${f.pipeline}: approval needed at ${f.stage} / ${f.action}`,
        lines: [...common, `Stage:      ${f.stage}`, `Action:     ${f.action}`, `Time:       ${f.time}`],
        nextSteps: [`Review and approve or reject: https://${host}/codesuite/codepipeline/pipelines/${f.pipeline}/view?region=${f.region}`, ...nextSteps],
      };
  }
}

export function textInput(kind: RuleKind['id'], host: string): events.RuleTargetInput {
  const m = rawMessage(kind, host);
  // One JSON string per line (EventBridge writes each as a quoted line); no empty lines, they would read `""`.
  return events.RuleTargetInput.fromMultilineText([m.title, ...m.lines, ...m.nextSteps].join('\n'));
}

export function chatbotInput(kind: RuleKind['id'], host: string): events.RuleTargetInput {
  const m = rawMessage(kind, host);
  const f = eventFields();
  return events.RuleTargetInput.fromObject({
    version: '1.0',
    source: 'custom',
    content: { textType: 'client-markdown', title: m.title, description: m.lines.join('\n'), nextSteps: m.nextSteps },
    metadata: { threadId: `${f.pipeline}/${f.executionId}`, summary: m.title, eventType: kind },
  });
}
