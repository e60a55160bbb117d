import { Duration, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeliveryDashboard, DeliveryDashboardProps, PipelineSource } from '../../src';
import { METRICS, NAMESPACE, PIPELINE_DIMENSION } from '../../src/metrics/dora';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';

/** The metrics the notifier writes, from its own definitions: name -> allowed dimension sets ("A,B"). */
const EMITTED = new Map(Object.values(METRICS).map((m) => [m.name, new Set(m.dimensionSets.map((set) => [...set].sort().join(',')))]));

/** Resolve the template's Fn::Join of the dashboard body, tokens as `{{Ref}}` placeholders. */
function body(template: any): any {
  const [dashboard] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const raw = dashboard.Properties.DashboardBody;
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : `{{${JSON.stringify(p).replace(/"/g, '')}}}`)).join('');
  return JSON.parse(text);
}

/** Every problem of one metric row of a widget (the dashboard body's `metrics` array). */
function rowProblems(row: any[], ids: Set<string>): string[] {
  const last = row[row.length - 1];
  if (typeof row[0] === 'object' && row[0].expression) {
    const expression: string = row[0].expression;
    const search = /^SEARCH\('\{([^}]*)\} MetricName="([^"]+)" (\w+)="[^"]+"', '(\w+)', \d+\)$/.exec(expression);
    if (search) {
      const [ns, ...dims] = search[1].split(',');
      const allowed = EMITTED.get(search[2]);
      if (ns !== NAMESPACE) return [`search in namespace ${ns}`];
      if (!allowed?.has([...dims].sort().join(','))) return [`search for ${search[2]} by ${dims} is not a metric the notifier writes`];
      return dims.includes(search[3]) ? [] : [`search filters on ${search[3]}, not one of its dimensions`];
    }
    const used = expression.match(/\b[a-z]\w*\b/g)?.filter((w) => !['IF', 'FILL'].includes(w)) ?? [];
    return used.filter((id) => !ids.has(id)).map((id) => `expression ${expression} uses ${id}, which is no metric of the widget`);
  }
  const options = typeof last === 'object' && !Array.isArray(last) ? last : {};
  const parts = row.filter((x) => typeof x === 'string');
  const [ns, name, ...dimParts] = parts;
  const dims = dimParts.filter((_, i) => i % 2 === 0);
  const problems: string[] = [];
  if (ns !== NAMESPACE) problems.push(`metric ${name} in namespace ${ns}`);
  if (!EMITTED.get(name)?.has([...dims].sort().join(','))) problems.push(`${name} by ${dims} is not a metric the notifier writes`);
  if (options.stat && ![...Object.values(METRICS)].some((m) => m.name === name && m.statistic === options.stat)) problems.push(`${name} read as ${options.stat}`);
  return problems;
}

function synth(props: Partial<DeliveryDashboardProps> = {}) {
  const { app, stack } = newStack();
  const first = definePipeline(stack, { pipelineName: 'app-release' }, 'First');
  const second = definePipeline(stack, { source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo2', 'other')) }, 'Second');
  const dashboard = new DeliveryDashboard(stack, 'Delivery', { pipelines: [first.pipeline, second.pipeline], pipelineNames: ['legacy-release'], ...props });
  const template = synthValidated(app).templates.Stack;
  return { stack, dashboard, template, body: body(template) };
}

describe('DeliveryDashboard', () => {
  let withAlarms: ReturnType<typeof synth>;
  beforeAll(() => {
    withAlarms = synth({});
  });

  test('every widget reads a metric the notifier writes: same namespace, names, dimension sets and statistic', () => {
    const widgets = withAlarms.body.widgets;
    const metricWidgets = widgets.filter((w: any) => w.properties.metrics);
    expect(metricWidgets.length).toBeGreaterThanOrEqual(11);
    const problems: string[] = [];
    const read = new Set<string>();
    for (const w of metricWidgets) {
      const ids = new Set<string>(w.properties.metrics.map((r: any[]) => r[r.length - 1]?.id).filter(Boolean));
      for (const row of w.properties.metrics) {
        problems.push(...rowProblems(row, ids).map((p) => `${w.properties.title}: ${p}`));
        const name = typeof row[0] === 'object' ? /MetricName="(\w+)"/.exec(row[0].expression)?.[1] : row[1];
        if (name) read.add(name);
      }
    }
    expect(problems).toEqual([]);
    // The four figures and the durations are all on it.
    expect([...read].sort()).toEqual(Object.values(METRICS).map((m) => m.name).sort());
  });

  test('each pipeline is on it by name: the two of this stack (Refs) and the named one', () => {
    const text = JSON.stringify(withAlarms.body);
    for (const name of ['{{{Ref:FirstPipeline', '{{{Ref:SecondPipeline', 'legacy-release']) expect(text).toContain(`"${PIPELINE_DIMENSION}","${name}`);
    expect(withAlarms.body.start).toBe('-P30D');
  });

  test('recent failures: a Logs Insights query over the stack\'s notifier log group', () => {
    const logWidget = withAlarms.body.widgets.find((w: any) => w.type === 'log');
    expect(logWidget.properties.query).toMatch(/^SOURCE '\{\{\{Ref:CdpFailureNotifierLogs[0-9A-F]+\}\}\}' \| fields @timestamp, PipelineName, Stage, executionId\n\| filter FailedDeployments = 1 or Failures = 1/);
  });

  test('alarms on those metrics: no deployment for N days, change failure rate over a window (metric math), lead time; with the topic as action', () => {
    const { app, stack } = newStack();
    const pipeline = definePipeline(stack, { pipelineName: 'app-release' });
    const topic = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    const dashboard = new DeliveryDashboard(stack, 'Delivery', {
      pipelines: [pipeline.pipeline],
      alarms: {
        noDeploymentFor: Duration.days(3),
        changeFailureRatePercent: 15,
        changeFailureRateWindow: Duration.days(7),
        leadTimeAbove: Duration.hours(36),
        topic,
      },
    });
    const template = synthValidated(app).templates.Stack;
    expect(dashboard.alarms).toHaveLength(3);
    const alarms = Object.entries<any>(template.Resources).filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith('Delivery')).map(([, r]) => r.Properties);
    expect(alarms).toHaveLength(3);
    const [none, cfr, lead] = alarms;
    expect(none).toMatchObject({
      Namespace: NAMESPACE,
      MetricName: 'Deployments',
      Dimensions: [{ Name: 'PipelineName', Value: { Ref: expect.stringMatching(/^Pipeline/) } }],
      Statistic: 'Sum',
      Period: 3 * 86400,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(cfr.Threshold).toBe(15);
    expect(cfr.ComparisonOperator).toBe('GreaterThanThreshold');
    const expression = cfr.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('IF((d0 + f0) > 0, 100 * f0 / (d0 + f0), 0)');
    const stats = cfr.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Stat]))
      .toEqual([['d0', 'Deployments', 7 * 86400, 'Sum'], ['f0', 'FailedDeployments', 7 * 86400, 'Sum']]);
    expect(lead).toMatchObject({ MetricName: 'LeadTime', Statistic: 'Average', Period: 86400, Threshold: 36 * 3600, ComparisonOperator: 'GreaterThanThreshold' });
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
      const read = [a, ...(a.Metrics ?? []).filter((x: any) => x.MetricStat).map((x: any) => x.MetricStat.Metric)];
      for (const m of read.filter((x: any) => x.MetricName)) {
        expect(m.Namespace).toBe(NAMESPACE);
        expect(EMITTED.get(m.MetricName)?.has(m.Dimensions.map((d: any) => d.Name).sort().join(','))).toBe(true);
      }
    }
  });

  test('alarms without a topic: no action, acknowledged for Control Tower with the reason', () => {
    const { app, stack } = newStack();
    const pipeline = definePipeline(stack);
    const dashboard = new DeliveryDashboard(stack, 'Delivery', { pipelines: [pipeline.pipeline], alarms: { noDeploymentFor: Duration.days(7) } });
    const template = synthValidated(app).templates.Stack;
    const [alarm] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Deployments');
    expect(alarm.Properties.AlarmActions).toBeUndefined();
    expect(dashboard.alarms).toHaveLength(1);
  });

  test.each<[string, Partial<DeliveryDashboardProps>, RegExp]>([
    ['no pipeline', { pipelines: [], pipelineNames: [] }, /no pipeline given; pass pipelines/],
    ['a pipeline name twice', { pipelineNames: ['a', 'a'] }, /pipeline 'a' is given twice/],
    ['a bad pipeline name', { pipelineNames: ['a b'] }, /pipelineNames\[0\]|not a pipeline name/],
    ['noDeploymentFor over 7 days', { pipelineNames: ['a'], alarms: { noDeploymentFor: Duration.days(10) } }, /looks back at most 7 days: pass 1 to 7 days/],
    ['a rate of 150%', { pipelineNames: ['a'], alarms: { changeFailureRatePercent: 150 } }, /changeFailureRatePercent is 150; pass a percentage from 0 to under 100/],
    ['a window of 30 days', { pipelineNames: ['a'], alarms: { changeFailureRatePercent: 10, changeFailureRateWindow: Duration.days(30) } }, /changeFailureRateWindow is 30 days; pass whole hours from 1 hour to 7 days/],
    ['alarms asking for none', { pipelineNames: ['a'], alarms: {} }, /asks for no alarm/],
    ['a window under an hour', { pipelineNames: ['a'], window: Duration.minutes(5) }, /window is 5 minutes; pass whole hours/],
    ['an unknown key', { pipelineNames: ['a'], alarms: { noDeploymentsFor: Duration.days(2) } as any }, /noDeploymentsFor.*noDeploymentFor/],
  ])('fails with %s', (_name, props, message) => {
    const stack = new Stack();
    expect(() => new DeliveryDashboard(stack, 'Delivery', props as DeliveryDashboardProps)).toThrow(message);
  });
});
