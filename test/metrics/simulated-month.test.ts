import { simulateMonth, truth } from './simulated-month';
import { runCli } from '../../src/cli/cli';
import { METRICS } from '../../src/metrics/dora';
import { FakeAwsEndpoint, FakePipeline, runCapture, setEnv } from '../util/aws-endpoint';
import { emfDocuments, emfProblems } from '../util/emf';

/**
 * A simulated month: a few hundred CodePipeline events over three pipelines, with failures,
 * restores, superseded and stopped executions. The four figures are computed from the month's
 * truth (independently of src/metrics/dora.ts) and compared with what the notifier emitted, event
 * by event, and with what `report --dora --json` prints from the execution history; both through
 * the real SDK clients over HTTP to the local endpoint (with pagination and throttling for the CLI).
 */
const TO = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const month = simulateMonth(20261207, TO);
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:deliveries';

let endpoint: FakeAwsEndpoint;
let restoreEnv: () => void;
let emitted: any[] = [];
let errors: string[] = [];

function world(): FakePipeline[] {
  return month.pipelines.map((name) => ({
    name,
    declaration: { name, stages: ['Source', 'Build', 'Prod'].map((s) => ({ name: s, actions: [] })) },
    stageStates: [],
    executions: [],
    actionExecutions: {},
  }));
}

beforeAll(async () => {
  const pipelines = world();
  endpoint = await FakeAwsEndpoint.start({ accounts: [{ id: '111111111111', regions: [{ name: 'eu-west-1', pipelines }] }] });
  restoreEnv = setEnv({ ...endpoint.env(), AWS_REGION: 'eu-west-1', ENRICH_TIMEOUT_MS: '10000' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require('../../src/notifications/notify.lambda');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((l) => void lines.push(String(l)));
  const err = jest.spyOn(console, 'error').mockImplementation((l) => void errors.push(String(l)));
  try {
    // What the APIs know grows with time: an execution from its start, an action execution from its end.
    const starts = [...month.executions].sort((a, b) => a.start - b.start);
    const actions = month.executions.flatMap((e) => e.actions).sort((a, b) => a.lastUpdateTime.getTime() - b.lastUpdateTime.getTime());
    let s = 0;
    let a = 0;
    for (const { time, pipeline, event } of month.events) {
      for (; s < starts.length && starts[s].start <= time; s++) {
        const e = starts[s];
        pipelines.find((p) => p.name === e.pipeline)!.executions.unshift({
          pipelineExecutionId: e.id,
          status: e.status,
          startTime: new Date(e.start),
          lastUpdateTime: new Date(e.end),
          artifactRevisions: [{ name: 'Source', revisionId: `${e.id}-commit`, created: new Date(e.commitTime) }],
        });
      }
      for (; a < actions.length && actions[a].lastUpdateTime.getTime() <= time; a++) {
        const p = pipelines.find((x) => x.executions.some((e) => e.pipelineExecutionId === actions[a].pipelineExecutionId))!;
        (p.actionExecutions![actions[a].pipelineExecutionId] ??= []).push(actions[a]);
      }
      await handler({ topicArn: TOPIC, pipelineName: pipeline, delivery: { productionStages: ['Prod'] }, event });
    }
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  const delivery = new Set(Object.values(METRICS).map((m) => m.name));
  emitted = emfDocuments(lines).filter((d) => d._aws.CloudWatchMetrics.some((c: any) => c.Metrics.some((m: any) => delivery.has(m.Name))));
}, 300_000);

afterAll(async () => {
  restoreEnv();
  await endpoint.stop();
});

/** The four figures from the EMF documents the notifier wrote for one pipeline (as CloudWatch would aggregate them). */
function fromMetrics(pipeline: string) {
  const prod = emitted.filter((d) => d.PipelineName === pipeline && d.Stage === 'Prod' && d.Deployments !== undefined);
  const sum = (name: string) => prod.reduce((n, d) => n + (d[name] ?? 0), 0);
  const mean = (name: string) => {
    const xs = prod.map((d) => d[name]).filter((x) => x !== undefined);
    return xs.length ? xs.reduce((x: number, y: number) => x + y, 0) / xs.length : undefined;
  };
  const deployments = sum('Deployments');
  const failed = sum('FailedDeployments');
  return {
    deployments,
    failedDeployments: failed,
    changeFailureRatePercent: deployments + failed ? (100 * failed) / (deployments + failed) : undefined,
    leadTimeSeconds: mean('LeadTime'),
    timeToRestoreSeconds: mean('TimeToRestore'),
    restores: prod.filter((d) => d.TimeToRestore !== undefined).length,
  };
}

function expectFigures(actual: any, expected: ReturnType<typeof truth>) {
  expect(actual.deployments).toBe(expected.deployments);
  expect(actual.failedDeployments).toBe(expected.failedDeployments);
  expect(actual.restores).toBe(expected.restores);
  for (const key of ['changeFailureRatePercent', 'leadTimeSeconds', 'timeToRestoreSeconds'] as const) {
    if (expected[key] === undefined) expect(actual[key]).toBeUndefined();
    else expect(actual[key]).toBeCloseTo(expected[key]!, 1);
  }
}

describe('a simulated month of deliveries', () => {
  test('the month is a real test: a few hundred events, failures, restores, superseded and stopped executions on every pipeline', () => {
    expect(month.events.length).toBeGreaterThanOrEqual(300);
    for (const p of month.pipelines) {
      const t = truth(month, p);
      expect(t.deployments).toBeGreaterThan(5);
      expect(t.failedDeployments).toBeGreaterThan(0);
      expect(t.restores).toBeGreaterThan(0);
    }
    const statuses = new Set(month.executions.map((e) => e.status));
    expect([...statuses].sort()).toEqual(['Failed', 'Stopped', 'Succeeded', 'Superseded']);
  });

  test('every document the notifier wrote is valid EMF, with the units and dimension sets of the metric definitions', () => {
    expect(errors).toEqual([]);
    expect(emitted.length).toBeGreaterThan(200);
    const units = new Map(Object.values(METRICS).map((m) => [m.name, m]));
    for (const doc of emitted) {
      expect(emfProblems(doc)).toEqual([]);
      for (const directive of doc._aws.CloudWatchMetrics) {
        for (const m of directive.Metrics) {
          expect(m.Unit).toBe(units.get(m.Name)?.unit);
          expect(directive.Dimensions).toEqual(units.get(m.Name)?.dimensionSets);
        }
      }
    }
  });

  test.each(month.pipelines)('%s: the figures from the notifier\'s metrics are the month\'s', (pipeline) => {
    expectFigures(fromMetrics(pipeline), truth(month, pipeline));
  });

  test('report --dora --json prints the same figures from the execution history (paginated, throttled)', async () => {
    endpoint.world.pageSize = 7;
    endpoint.world.throttle = { ListPipelineExecutions: 2, GetPipelineExecution: 2, ListActionExecutions: 1 };
    const before = endpoint.calls.length;
    const { code, stdout, stderr } = await runCapture(runCli, ['report', '--dora', '--days', '30', '--region', 'eu-west-1', '--json', ...month.pipelines]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.problems).toEqual([]);
    expect(report.pipelines.map((p: any) => p.pipeline)).toEqual([...month.pipelines].sort());
    for (const p of report.pipelines) {
      expect(p.productionStages).toEqual(['Prod']);
      expectFigures(p.figures, truth(month, p.pipeline));
      expect(p.figures.deploymentsPerDay).toBeCloseTo(truth(month, p.pipeline).deployments / 30, 2);
    }
    const calls = endpoint.calls.slice(before);
    expect(calls.filter((c) => c.operation === 'ListPipelineExecutions' && c.input.nextToken).length).toBeGreaterThan(3);
    expect(calls.filter((c) => c.operation === 'ListPipelineExecutions').length).toBeGreaterThan(month.pipelines.length + 2);
  }, 300_000);

  test('report --dora prints a table of the figures', async () => {
    endpoint.world.pageSize = undefined;
    endpoint.world.throttle = undefined;
    const { code, stdout } = await runCapture(runCli, ['report', '--dora', '--region', 'eu-west-1', 'web']);

    expect(code).toBe(0);
    const t = truth(month, 'web');
    expect(stdout).toMatch(new RegExp(`^web +111111111111 +eu-west-1 +Prod +${t.deployments} +[0-9.]+ +${t.failedDeployments} +${t.changeFailureRatePercent!.toFixed(1)}%`, 'm'));
  }, 120_000);
});
