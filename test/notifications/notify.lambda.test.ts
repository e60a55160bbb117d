import {
  CodePipelineClient,
  CodePipelineServiceException,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as ev from './events';
import { handler } from '../../src/notifications/notify.lambda';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:failures';
const sns = mockClient(SNSClient);
const codepipeline = mockClient(CodePipelineClient);

function serviceError(name: string, message: string, status: number): CodePipelineServiceException {
  return new CodePipelineServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** The one message published, parsed: the protocol map and the Chatbot document. */
function published() {
  const calls = sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  const message = JSON.parse(input.Message!);
  return { input, text: message.default as string, email: message.email as string, chatbot: JSON.parse(message.https) };
}

/** EMF lines written with console.log. */
function emfLines(spy: jest.SpyInstance): any[] {
  return spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
}

let log: jest.SpyInstance;
beforeEach(() => {
  sns.reset();
  codepipeline.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: ev.pipelineExecution });
  codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: ev.actionExecutions });
  process.env.TOPIC_ARN = TOPIC_ARN;
  process.env.PIPELINE_NAME = ev.PIPELINE;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.ENRICH_TIMEOUT_MS = '2000';
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => log.mockRestore());

describe('notifier handler', () => {
  test('action FAILED: publishes the error details, source revision and links to the topic', async () => {
    await handler(ev.actionFailed);

    expect(codepipeline).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: ev.PIPELINE, pipelineExecutionId: ev.EXECUTION_ID });
    expect(codepipeline).toHaveReceivedCommandWith(ListActionExecutionsCommand, {
      pipelineName: ev.PIPELINE,
      filter: { pipelineExecutionId: ev.EXECUTION_ID },
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: 'Pipeline my-app-pipeline: action Build / Compile FAILED',
      MessageStructure: 'json',
    });
    const { text, email, chatbot } = published();
    expect(email).toEqual(text);
    expect(text).toContain('Action:     Compile (CodeBuild)');
    expect(text).toContain('Error:      JobFailed: Error while executing command: npm test. Reason: exit status 1');
    expect(text).toContain('Details:    https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/my-app-build:0b7c/view/new');
    expect(text).toContain('Source:     Source 9c1f3e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e "Raise the build timeout"');
    expect(text).toContain(`Open the execution: https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/my-app-pipeline/executions/${ev.EXECUTION_ID}/timeline?region=eu-west-1`);
    expect(chatbot).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' }, metadata: { threadId: `my-app-pipeline/${ev.EXECUTION_ID}`, eventType: 'ACTION_FAILED' } });
    expect(chatbot.content.title).toContain('action Build / Compile FAILED');
  });

  test('action FAILED without an error summary says so instead of an empty line', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });

    await handler(ev.actionFailedWithoutSummary);

    const { text } = published();
    expect(text).toContain('Action:     DeployStack (CloudFormation)');
    expect(text).toContain('Error:      the action reported no error summary');
    expect(text).not.toContain('Details:');
  });

  test('action FAILED: the event\'s own error summary is used when the API has none', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });

    await handler(ev.actionFailed);

    expect(published().text).toContain('Error:      JobFailed: Build terminated with state: FAILED');
  });

  test('pipeline execution FAILED: lists every failed action and counts one failure in the EMF metric', async () => {
    await handler(ev.pipelineFailed);

    const { input, text } = published();
    expect(input.Subject).toBe('Pipeline my-app-pipeline FAILED');
    expect(text).toContain('Execution:  4f0c2b7e-8d21-4c6e-9a55-0d1c2e3f4a5b (Failed)');
    expect(text).toContain('Failed actions:\n  - Build / Compile (CodeBuild): JobFailed: Error while executing command: npm test. Reason: exit status 1');
    expect(text).toContain('Trigger:    Webhook');
    expect(text).not.toContain('Checkout');
    const [emf] = emfLines(log);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'CdkDeliveryPipelines', Dimensions: [['PipelineName']], Metrics: [{ Name: 'Failures', Unit: 'Count' }] }] },
      PipelineName: 'my-app-pipeline',
      Failures: 1,
      eventType: 'PIPELINE_FAILED',
    });
    expect(typeof emf._aws.Timestamp).toBe('number');
  });

  test('stage FAILED: lists the failed actions of that stage only, counts no execution failure', async () => {
    await handler(ev.stageFailed);

    const { input, text } = published();
    expect(input.Subject).toBe('Pipeline my-app-pipeline: stage Build FAILED');
    expect(text).toContain('Stage:      Build');
    expect(text).toContain('  - Build / Compile (CodeBuild)');
    expect(emfLines(log)[0]).toMatchObject({ PipelineName: 'my-app-pipeline', Failures: 0 });
  });

  test('stage CANCELED: says it was canceled and that no action failed', async () => {
    await handler(ev.stageCanceled);

    const { input, text } = published();
    expect(input.Subject).toBe('Pipeline my-app-pipeline: stage Deploy CANCELED');
    expect(text).toContain('No failed action was found in this execution.');
  });

  test('manual approval waiting: links the review page and shows the approval comments', async () => {
    await handler(ev.approvalNeeded);

    const { input, text, chatbot } = published();
    expect(input.Subject).toBe('Pipeline my-app-pipeline: approval needed at Prod / Approve');
    expect(text).toContain('Comments:   Check the staging dashboard first.');
    expect(text).toContain('Review:     https://dashboards.example.com/staging');
    expect(text).toContain('Review and approve or reject: https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/my-app-pipeline/view?region=eu-west-1');
    expect(text).not.toContain('Error:');
    expect(chatbot.content.nextSteps[0]).toMatch(/^Review and approve or reject: /);
  });

  test('API throttling: still publishes the event\'s facts and says why the details are missing', async () => {
    codepipeline.on(GetPipelineExecutionCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded', 400));
    codepipeline.on(ListActionExecutionsCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded', 400));

    await handler(ev.actionFailed);

    const { text } = published();
    expect(text).toContain('Error:      JobFailed: Build terminated with state: FAILED');
    expect(text).toContain('Details could not be fetched, so this message holds only what the event said:');
    expect(text).toContain('  - GetPipelineExecution: ThrottlingException: Rate exceeded');
    expect(text).toContain('  - ListActionExecutions: ThrottlingException: Rate exceeded');
    expect(text).not.toContain('Source:');
  });

  test('access denied on one call: keeps what the other call returned', async () => {
    codepipeline.on(GetPipelineExecutionCommand).rejects(serviceError('AccessDeniedException',
      'User: arn:aws:sts::111111111111:assumed-role/notifier is not authorized to perform: codepipeline:GetPipelineExecution', 400));

    await handler(ev.pipelineFailed);

    const { text } = published();
    expect(text).toContain('  - GetPipelineExecution: AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/notifier is not authorized');
    expect(text).toContain('  - Build / Compile (CodeBuild): JobFailed: Error while executing command: npm test');
    expect(emfLines(log)[0]).toMatchObject({ Failures: 1 });
  });

  test('an API call that never answers is cut off by the enrichment timeout', async () => {
    process.env.ENRICH_TIMEOUT_MS = '50';
    codepipeline.on(GetPipelineExecutionCommand).callsFake(() => new Promise(() => undefined));

    await handler(ev.pipelineFailed);

    expect(published().text).toContain('  - GetPipelineExecution: Error: GetPipelineExecution did not answer within 50 ms');
  });

  test('reads all pages of action executions', async () => {
    codepipeline.on(ListActionExecutionsCommand)
      .resolvesOnce({ actionExecutionDetails: [ev.actionExecutions[0]], nextToken: 'page-2' })
      .resolvesOnce({ actionExecutionDetails: [ev.actionExecutions[1]] });

    await handler(ev.pipelineFailed);

    expect(codepipeline).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(codepipeline.commandCalls(ListActionExecutionsCommand)[1].args[0].input).toMatchObject({ nextToken: 'page-2' });
    expect(published().text).toContain('  - Build / Compile (CodeBuild)');
  });

  test('a malformed event still produces a notification that says so, with the raw event', async () => {
    await handler({ 'detail-type': 'CodePipeline Action Execution State Change', 'detail': { state: 'FAILED' } });

    expect(codepipeline).not.toHaveReceivedAnyCommand();
    const { input, text, chatbot } = published();
    expect(input.Subject).toBe('Unreadable notification event for pipeline my-app-pipeline');
    expect(text).toContain('could not read (detail.pipeline is missing; detail.execution-id is missing; detail.stage is missing; detail.action is missing)');
    expect(text).toContain('Open the pipeline: https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/my-app-pipeline/view?region=eu-west-1');
    expect(text).toContain('"state": "FAILED"');
    expect(chatbot.metadata.eventType).toBe('UNREADABLE');
    expect(emfLines(log)[0]).toMatchObject({ PipelineName: 'my-app-pipeline', Failures: 0 });
  });

  test('an event that is not an object is reported too', async () => {
    await handler('not an event');

    expect(published().text).toContain('the event is string, not a JSON object');
  });

  test('fails the invocation when publishing fails, so Lambda retries it, and logs what was not published', async () => {
    sns.on(PublishCommand).rejects(new Error('KMS key disabled'));
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    try {
      await expect(handler(ev.pipelineFailed)).rejects.toThrow(/KMS key disabled/);
      expect(emfLines(log)[0]).toMatchObject({ Failures: 1 });
      expect(JSON.parse(String(error.mock.calls[0][0]))).toMatchObject({
        message: 'notification not published',
        topicArn: TOPIC_ARN,
        subject: expect.stringContaining('my-app-pipeline'),
        error: 'Error: KMS key disabled',
      });
    } finally {
      error.mockRestore();
    }
  });

  describe('shared notifier: the rule wraps each event with its pipeline\'s topic', () => {
    const OTHER_TOPIC = 'arn:aws:sns:eu-west-1:111111111111:other-pipeline-failures';
    const wrap = (event: unknown) => ({ topicArn: OTHER_TOPIC, pipelineName: ev.PIPELINE, event });

    test.each([
      ['pipeline FAILED', ev.pipelineFailed, 'PIPELINE_FAILED', 1],
      ['stage FAILED', ev.stageFailed, 'STAGE_FAILED', 0],
      ['stage CANCELED', ev.stageCanceled, 'STAGE_CANCELED', 0],
      ['action FAILED', ev.actionFailed, 'ACTION_FAILED', 0],
      ['approval needed', ev.approvalNeeded, 'APPROVAL_NEEDED', 0],
    ])('%s from the one rule: read, formatted and published to the topic the rule names', async (_name, event, eventType, failures) => {
      delete process.env.TOPIC_ARN;
      delete process.env.PIPELINE_NAME;

      await handler(wrap(event));

      const { input, chatbot } = published();
      expect(input.TopicArn).toBe(OTHER_TOPIC);
      expect(chatbot.metadata.eventType).toBe(eventType);
      expect(emfLines(log)[0]).toMatchObject({ PipelineName: ev.PIPELINE, Failures: failures });
    });

    test('the rule\'s topic wins over env TOPIC_ARN', async () => {
      await handler(wrap(ev.actionFailed));

      expect(published().input.TopicArn).toBe(OTHER_TOPIC);
    });

    test('an unreadable wrapped event is reported under the pipeline the rule names', async () => {
      delete process.env.PIPELINE_NAME;

      await handler(wrap({ 'detail-type': 'CodePipeline Action Execution State Change', 'detail': { state: 'FAILED' } }));

      expect(published().input.TopicArn).toBe(OTHER_TOPIC);
      expect(emfLines(log)[0]).toMatchObject({ PipelineName: ev.PIPELINE });
    });
  });

  test('fails when TOPIC_ARN is not set', async () => {
    delete process.env.TOPIC_ARN;

    await expect(handler(ev.pipelineFailed)).rejects.toThrow(/TOPIC_ARN is not set/);
  });
});
