import { MAX_LOOKBACK_PAGES } from '../../src/notifications/delivery-metrics';
import { FakeAwsEndpoint, FakePipeline, setEnv } from '../util/aws-endpoint';
import { emfDocuments, emfProblems, metricsOf } from '../util/emf';

/**
 * The notifier's delivery metrics, fed with CodePipeline EventBridge events of the documented
 * shapes, with the real CodePipeline and SNS clients over HTTP to the local endpoint.
 */
const PIPELINE = 'my-app-pipeline';
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:failures';
const T0 = Date.parse('2026-11-02T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function event(detailType: string, detail: Record<string, unknown>, time: Date) {
  return {
    'version': '0',
    'id': `e-${Math.random()}`,
    'source': 'aws.codepipeline',
    'account': '111111111111',
    'time': time.toISOString().replace('.000', ''),
    'region': 'eu-west-1',
    'resources': [`arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}`],
    'detail-type': detailType,
    'detail': { pipeline: PIPELINE, version: 3, ...detail },
  };
}
const stage = (name: string, state: string, executionId: string, time: Date) =>
  event('CodePipeline Stage Execution State Change', { 'execution-id': executionId, 'stage': name, state }, time);
const execution = (state: string, executionId: string, time: Date) =>
  event('CodePipeline Pipeline Execution State Change', { 'execution-id': executionId, state, 'pipeline-execution-attempt': 1 }, time);
const approvalAction = (state: string, executionId: string, time: Date) => event('CodePipeline Action Execution State Change', {
  'execution-id': executionId,
  'stage': 'Prod',
  'action': 'Approve',
  state,
  'region': 'eu-west-1',
  'type': { owner: 'AWS', provider: 'Manual', category: 'Approval', version: '1' },
}, time);
const envelope = (e: unknown, productionStages = ['Prod']) => ({ topicArn: TOPIC, pipelineName: PIPELINE, delivery: { productionStages }, event: e });

function action(stageName: string, actionName: string, status: string, start: Date, end: Date, category = 'Deploy') {
  return { stageName, actionName, status, startTime: start, lastUpdateTime: end, input: { actionTypeId: { category, owner: 'AWS', provider: category === 'Approval' ? 'Manual' : 'CloudFormation', version: '1' } } };
}

/** e-1 fails in Prod (minute 30); e-2 (committed at minute 35) builds, waits 20 min for approval and deploys to Prod by minute 100. */
function history(): FakePipeline {
  return {
    name: PIPELINE,
    declaration: {},
    stageStates: [],
    executions: [
      { pipelineExecutionId: 'e-2', status: 'Succeeded', startTime: at(40), lastUpdateTime: at(100), artifactRevisions: [{ name: 'Source', revisionId: 'c2', created: at(35) }] },
      { pipelineExecutionId: 'e-1', status: 'Failed', startTime: at(0), lastUpdateTime: at(30), artifactRevisions: [{ name: 'Source', revisionId: 'c1', created: at(-10) }] },
    ],
    actionExecutions: {
      'e-1': [
        action('Source', 'Checkout', 'Succeeded', at(0), at(1), 'Source'),
        action('Prod', 'Deploy', 'Failed', at(5), at(30)),
      ],
      'e-2': [
        action('Source', 'Checkout', 'Succeeded', at(40), at(41), 'Source'),
        action('Build', 'Compile', 'Succeeded', at(41), at(50), 'Build'),
        action('Prod', 'Approve', 'Succeeded', at(50), at(70), 'Approval'),
        action('Prod', 'Deploy', 'Succeeded', at(70), at(100)),
      ],
    },
  };
}

let endpoint: FakeAwsEndpoint;
let restoreEnv: () => void;
let handler: (input: unknown) => Promise<void>;
let lines: string[];
let errors: string[];
let log: jest.SpyInstance;
let err: jest.SpyInstance;
let firstCall: number;
const pipeline = () => endpoint.world.accounts[0].regions[0].pipelines[0];
const region = () => endpoint.world.accounts[0].regions[0];
const callsNow = () => endpoint.calls.slice(firstCall);
const published = () => callsNow().filter((c) => c.operation === 'Publish');
const delivery = () => emfDocuments(lines).filter((d) => d._aws.CloudWatchMetrics.some((m: any) => m.Metrics.some((x: any) => x.Name !== 'Failures')));

beforeAll(async () => {
  endpoint = await FakeAwsEndpoint.start({ accounts: [{ id: '111111111111', regions: [{ name: 'eu-west-1', pipelines: [history()] }] }] });
  restoreEnv = setEnv({ ...endpoint.env(), AWS_REGION: 'eu-west-1', ENRICH_TIMEOUT_MS: '5000' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/notifications/notify.lambda').handler;
});
afterAll(async () => {
  restoreEnv();
  await endpoint.stop();
});
beforeEach(() => {
  region().pipelines[0] = history();
  (region() as { accessDenied?: boolean }).accessDenied = false;
  region().snsDenied = false;
  endpoint.world.pageSize = undefined;
  firstCall = endpoint.calls.length;
  lines = [];
  errors = [];
  log = jest.spyOn(console, 'log').mockImplementation((l) => void lines.push(String(l)));
  err = jest.spyOn(console, 'error').mockImplementation((l) => void errors.push(String(l)));
});
afterEach(() => {
  log.mockRestore();
  err.mockRestore();
});

describe('delivery metrics of the notifier', () => {
  test('production stage SUCCEEDED after a failure: a deployment, its lead time, approval wait, stage duration and time to restore; nothing published', async () => {
    await handler(envelope(stage('Prod', 'SUCCEEDED', 'e-2', at(100))));

    const [doc] = delivery();
    expect(emfProblems(doc)).toEqual([]);
    expect(doc._aws.Timestamp).toBe(at(100).getTime());
    expect(doc).toMatchObject({ PipelineName: PIPELINE, Stage: 'Prod', executionId: 'e-2', production: true });
    const m = metricsOf(doc);
    expect(m.Deployments).toEqual({ value: 1, unit: 'Count', dimensions: [['PipelineName', 'Stage'], ['PipelineName']] });
    expect(m.FailedDeployments.value).toBe(0);
    expect(m.LeadTime).toEqual({ value: 65 * 60, unit: 'Seconds', dimensions: [['PipelineName', 'Stage'], ['PipelineName']] });
    expect(m.TimeToRestore.value).toBe(70 * 60); // e-1's Prod failure (minute 30) -> minute 100
    expect(m.ApprovalWait).toEqual({ value: 20 * 60, unit: 'Seconds', dimensions: [['PipelineName', 'Stage']] });
    expect(m.StageDuration.value).toBe(50 * 60);
    expect(published()).toHaveLength(0);
    expect(callsNow().map((c) => c.operation).sort()).toEqual(['GetPipelineExecution', 'ListActionExecutions', 'ListActionExecutions']);
    expect(callsNow().filter((c) => c.operation === 'ListActionExecutions').map((c) => c.input.filter)).toEqual(
      expect.arrayContaining([{ pipelineExecutionId: 'e-2' }, undefined]));
  });

  test('a success after a success: no time to restore', async () => {
    pipeline().actionExecutions!['e-1'][1] = action('Prod', 'Deploy', 'Succeeded', at(5), at(30));

    await handler(envelope(stage('Prod', 'SUCCEEDED', 'e-2', at(100))));

    const m = metricsOf(delivery()[0]);
    expect(m.Deployments.value).toBe(1);
    expect(m.TimeToRestore).toBeUndefined();
  });

  test('production stage FAILED: a failed deployment, and the failure notification is published', async () => {
    await handler(envelope(stage('Prod', 'FAILED', 'e-1', at(30))));

    const [doc] = delivery();
    expect(emfProblems(doc)).toEqual([]);
    expect(metricsOf(doc)).toMatchObject({ Deployments: { value: 0 }, FailedDeployments: { value: 1 } });
    expect(metricsOf(doc).LeadTime).toBeUndefined();
    expect(published()).toHaveLength(1);
    expect(decodeURIComponent(published()[0].input.Subject)).toBe('Pipeline my-app-pipeline: stage Prod FAILED');
  });

  test('another stage SUCCEEDED: its duration only, no deployment', async () => {
    await handler(envelope(stage('Build', 'SUCCEEDED', 'e-2', at(50))));

    const [doc] = delivery();
    expect(emfProblems(doc)).toEqual([]);
    expect(Object.keys(metricsOf(doc))).toEqual(['StageDuration']);
    expect(doc).toMatchObject({ Stage: 'Build', StageDuration: 9 * 60 });
    expect(callsNow().map((c) => c.operation)).toEqual(['ListActionExecutions']);
  });

  test('execution SUCCEEDED: its duration from the first action\'s start', async () => {
    await handler(envelope(execution('SUCCEEDED', 'e-2', at(101))));

    const [doc] = delivery();
    expect(emfProblems(doc)).toEqual([]);
    expect(metricsOf(doc)).toEqual({ ExecutionDuration: { value: 61 * 60, unit: 'Seconds', dimensions: [['PipelineName']] } });
    expect(doc.Stage).toBeUndefined();
  });

  test.each([
    ['execution SUPERSEDED', false, execution('SUPERSEDED', 'e-1', at(31))],
    ['execution STOPPED', false, execution('STOPPED', 'e-1', at(31))],
    ['execution STARTED', false, execution('STARTED', 'e-1', at(0))],
    ['stage STARTED', false, stage('Prod', 'STARTED', 'e-1', at(5))],
    ['stage STOPPED', false, stage('Prod', 'STOPPED', 'e-1', at(31))],
    ['stage CANCELED (superseded)', true, stage('Prod', 'CANCELED', 'e-1', at(31))],
    ['approval action SUCCEEDED', false, approvalAction('SUCCEEDED', 'e-2', at(70))],
  ])('%s settles no figure (notified: %s)', async (_name, notified, e) => {
    await handler(envelope(e));

    expect(delivery()).toEqual([]);
    expect(published()).toHaveLength(notified ? 1 : 0);
    expect(callsNow().filter((c) => c.operation === 'ListActionExecutions' && c.input.filter === undefined)).toHaveLength(0);
  });

  test('without the envelope\'s delivery (metrics off): no delivery metrics, no extra call', async () => {
    await handler({ topicArn: TOPIC, pipelineName: PIPELINE, event: stage('Prod', 'SUCCEEDED', 'e-2', at(100)) });

    expect(delivery()).toEqual([]);
    expect(callsNow()).toEqual([]);
  });

  test('reads every page, and is throttled and retried by the real client', async () => {
    endpoint.world.pageSize = 1;
    endpoint.world.throttle = { ListActionExecutions: 2 };

    await handler(envelope(stage('Prod', 'SUCCEEDED', 'e-2', at(100))));

    const m = metricsOf(delivery()[0]);
    expect(m.TimeToRestore.value).toBe(70 * 60);
    expect(m.ApprovalWait.value).toBe(20 * 60);
    const pages = callsNow().filter((c) => c.operation === 'ListActionExecutions' && c.input.nextToken);
    expect(pages.length).toBeGreaterThan(2);
    endpoint.world.throttle = undefined;
  });

  test('the look-back is bounded: at most MAX_LOOKBACK_PAGES pages, and says when it stopped short', async () => {
    endpoint.world.pageSize = 2;
    const p = pipeline();
    // 40 failed executions before e-2: the previous success is out of reach.
    for (let i = 0; i < 40; i++) p.actionExecutions![`f-${i}`] = [action('Prod', 'Deploy', 'Failed', at(31 + i * 0.1), at(31 + i * 0.1))];

    await handler(envelope(stage('Prod', 'SUCCEEDED', 'e-2', at(100))));

    const unfiltered = callsNow().filter((c) => c.operation === 'ListActionExecutions' && c.input.filter === undefined);
    expect(unfiltered).toHaveLength(MAX_LOOKBACK_PAGES);
    expect(delivery()[0].lookbackTruncated).toBe(true);
  });

  test('a metric failure never stops the failure notification: CodePipeline denied', async () => {
    (region() as { accessDenied?: boolean }).accessDenied = true;

    await handler(envelope(stage('Prod', 'FAILED', 'e-1', at(30))));

    expect(published()).toHaveLength(1);
    expect(delivery()).toEqual([]);
    expect(errors.join('\n')).toMatch(/delivery metrics not written.*AccessDeniedException/);
  });

  test('a metric failure never stops the failure notification: an event without a readable time', async () => {
    const e = stage('Prod', 'FAILED', 'e-1', at(30));
    await handler(envelope({ ...e, time: 'yesterday' }));

    expect(published()).toHaveLength(1);
    expect(errors.join('\n')).toMatch(/delivery metrics not written.*no readable time \('yesterday'\)/);
  });

  test('a failed publish still fails the invocation (for Lambda\'s retries), after the metrics are written', async () => {
    region().snsDenied = true;

    await expect(handler(envelope(stage('Prod', 'FAILED', 'e-1', at(30))))).rejects.toThrow(/not authorized to perform: SNS:Publish/);
    expect(metricsOf(delivery()[0]).FailedDeployments.value).toBe(1);
  });
});
