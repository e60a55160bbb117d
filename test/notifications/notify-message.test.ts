import * as ev from './events';
import {
  consoleHost,
  formatNotification,
  parsePipelineEvent,
  publishInput,
  readNotifierInput,
  sourceRevisions,
  toSubject,
} from '../../src/notifications/notify-message';
import { emfDocument } from '../../src/shared.lambda/emf';
import { codeBlocksOf, docFiles } from '../util/docs';

function facts(event: unknown) {
  const parsed = parsePipelineEvent(event);
  if (!parsed.ok) throw new Error(`fixture did not parse: ${parsed.problems.join('; ')}`);
  return parsed.facts;
}

/** The sample shown in README.md and docs/notifications.md: an action failed, fully enriched. */
function sample() {
  return formatNotification(facts(ev.actionFailed), { execution: ev.pipelineExecution, actionExecutions: ev.actionExecutions, errors: [] });
}

describe('notifier message', () => {
  test('reads each event kind', () => {
    expect(facts(ev.pipelineFailed).kind).toBe('PIPELINE_FAILED');
    expect(facts(ev.stageFailed).kind).toBe('STAGE_FAILED');
    expect(facts(ev.stageCanceled).kind).toBe('STAGE_CANCELED');
    expect(facts(ev.actionFailed)).toMatchObject({ kind: 'ACTION_FAILED', stage: 'Build', action: 'Compile', provider: 'CodeBuild', errorCode: 'JobFailed' });
    expect(facts(ev.approvalNeeded).kind).toBe('APPROVAL_NEEDED');
    expect(facts({ ...ev.actionFailed, detail: { ...ev.actionFailed.detail, state: 'SUCCEEDED' } }).kind).toBe('OTHER');
  });

  test('a malformed event lists every missing field and falls back on the configured pipeline', () => {
    const parsed = parsePipelineEvent({ detail: {} }, { pipelineName: 'configured', region: 'eu-west-1' });

    expect(parsed).toMatchObject({
      ok: false,
      pipeline: 'configured',
      region: 'eu-west-1',
      problems: ['detail-type is missing', 'detail.state is missing', 'detail.pipeline is missing', 'detail.execution-id is missing'],
    });
    expect(parsePipelineEvent(null)).toMatchObject({ ok: false, problems: ['the event is null, not a JSON object'] });
  });

  test('every sample message in README.md and docs/*.md is what the formatter writes', () => {
    const samples = docFiles().flatMap((d) => codeBlocksOf(d, ['text']))
      .filter((b) => b.code.startsWith('Subject: '))
      .map((b) => ({ where: `${b.file}:${b.line}`, code: b.code }));

    expect(samples.map((s) => s.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:/)]));
    for (const s of samples) expect({ where: s.where, code: s.code }).toEqual({ where: s.where, code: [`Subject: ${sample().subject}`, '', sample().text, ''].join('\n') });
  });

  test('sample message (snapshot)', () => {
    expect(sample().text).toMatchSnapshot();
  });

  test('the sample message is published as text for e-mail and as a Chatbot notification over HTTPS', () => {
    const input = publishInput('arn:aws:sns:eu-west-1:111111111111:t', sample());
    const message = JSON.parse(input.Message);

    expect(Object.keys(message)).toEqual(['default', 'email', 'https']);
    expect(JSON.parse(message.https)).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: '\u274c Pipeline my-app-pipeline: action Build / Compile FAILED' },
    });
  });

  test('source revisions: commit message from the JSON summary, first line only; plain summaries as they are', () => {
    expect(sourceRevisions(ev.pipelineExecution)).toEqual([{
      artifact: 'Source',
      revisionId: '9c1f3e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
      message: 'Raise the build timeout',
      url: 'https://github.com/example/my-app/commit/9c1f3e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
    }]);
    expect(sourceRevisions({ artifactRevisions: [{ name: 'Src', revisionId: 'v3', revisionSummary: 'uploaded by release.sh' }] })[0].message).toBe('uploaded by release.sh');
    expect(sourceRevisions({ artifactRevisions: [{ revisionSummary: '{not json' }] })[0].message).toBe('{not json');
  });

  test('subjects are ASCII, one line, under 100 characters', () => {
    const subject = toSubject(`Pipeline ${'x'.repeat(120)}\n\u274c failed`);

    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(toSubject('\u274c\n')).toBe('?');
  });

  test('console links use the partition\'s console', () => {
    expect(consoleHost('eu-west-1')).toBe('eu-west-1.console.aws.amazon.com');
    expect(consoleHost('cn-north-1')).toBe('cn-north-1.console.amazonaws.cn');
    expect(consoleHost('us-gov-west-1')).toBe('console.amazonaws-us-gov.com');
  });

  test('EMF document: metrics and dimensions at the top level, declared under _aws', () => {
    expect(emfDocument({
      namespace: 'CdkDeliveryPipelines',
      dimensions: { PipelineName: 'p' },
      metrics: [{ name: 'Failures', value: 1, unit: 'Count' }],
      properties: { eventType: 'PIPELINE_FAILED', Failures: 'ignored: a metric of the same name wins', skipped: undefined },
      timestamp: 1700000000000,
    })).toEqual({
      _aws: {
        Timestamp: 1700000000000,
        CloudWatchMetrics: [{ Namespace: 'CdkDeliveryPipelines', Dimensions: [['PipelineName']], Metrics: [{ Name: 'Failures', Unit: 'Count' }] }],
      },
      eventType: 'PIPELINE_FAILED',
      PipelineName: 'p',
      Failures: 1,
    });
  });

  test('readNotifierInput: the rule\'s envelope gives topic, pipeline and event; a bare event is taken as it is', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111111111111:t';
    const envelope = { topicArn, pipelineName: ev.PIPELINE, event: ev.stageFailed };
    expect(readNotifierInput(envelope)).toEqual(envelope);
    expect(readNotifierInput(ev.stageFailed)).toEqual({ event: ev.stageFailed });
    expect(readNotifierInput({ topicArn: 42, event: ev.stageFailed })).toEqual({ event: { topicArn: 42, event: ev.stageFailed } });
    expect(readNotifierInput(null)).toEqual({ event: null });
  });
});
