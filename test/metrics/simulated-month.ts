/**
 * A simulated month of deliveries, from a seeded generator: several pipelines (Source -> Build ->
 * Prod, Prod = manual approval then deploy), executions that succeed, fail in Build or Prod, are
 * superseded or stopped; the CodePipeline EventBridge events they fire, in time order, and the
 * records the CodePipeline APIs return (executions, action executions, artifact revisions), each
 * visible from the moment it exists. Also the ground truth the figures are checked against.
 */

/** mulberry32: a small seeded PRNG, so the month is the same on every run. */
/* eslint-disable no-bitwise */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

export interface SimEvent {
  readonly time: number;
  readonly pipeline: string;
  readonly event: any;
}

export interface SimAction {
  readonly pipelineExecutionId: string;
  readonly stageName: string;
  readonly actionName: string;
  readonly status: string;
  readonly startTime: Date;
  readonly lastUpdateTime: Date;
  readonly input: {
    readonly actionTypeId: { readonly category: string; readonly owner: string; readonly provider: string; readonly version: string };
  };
}

export interface SimExecution {
  readonly pipeline: string;
  readonly id: string;
  readonly start: number;
  readonly end: number;
  readonly status: 'Succeeded' | 'Failed' | 'Superseded' | 'Stopped';
  readonly commitTime: number;
  readonly actions: SimAction[];
  /** Prod's outcome, when Prod ended (truth). */
  readonly prod?: { readonly succeeded: boolean; readonly time: number };
}

export interface Month {
  readonly from: number;
  readonly to: number;
  readonly pipelines: string[];
  readonly events: SimEvent[];
  readonly executions: SimExecution[];
}

const MIN = 60_000;
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

function actionRecord(id: string, stageName: string, actionName: string, category: string, provider: string,
  status: string, start: number, end: number): SimAction {
  return { pipelineExecutionId: id, stageName, actionName, status, startTime: new Date(start), lastUpdateTime: new Date(end), input: { actionTypeId: { category, owner: 'AWS', provider, version: '1' } } };
}

function event(pipeline: string, detailType: string, time: number, detail: Record<string, unknown>): SimEvent {
  return {
    time,
    pipeline,
    event: {
      'version': '0',
      'id': `${pipeline}-${time}-${detailType.length}-${String(detail.state)}`,
      'detail-type': detailType,
      'source': 'aws.codepipeline',
      'account': ACCOUNT,
      'time': new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': REGION,
      'resources': [`arn:aws:codepipeline:${REGION}:${ACCOUNT}:${pipeline}`],
      'detail': { pipeline, version: 1, ...detail },
    },
  };
}

/** The month ending at `to` (whole seconds), for `pipelines`. */
export function simulateMonth(seed: number, to: number, pipelines = ['web', 'api', 'jobs']): Month {
  const random = seeded(seed);
  const between = (lo: number, hi: number) => Math.round((lo + random() * (hi - lo)) * 1000) / 1000;
  const from = to - 30 * 86_400_000;
  const events: SimEvent[] = [];
  const executions: SimExecution[] = [];
  for (const pipeline of pipelines) {
    let t = from + between(60, 600) * MIN;
    for (let n = 1; ; n++) {
      const id = `${pipeline}-exec-${n}`;
      const start = Math.round(t / 1000) * 1000;
      if (start > to - 2 * 86_400_000) break; // every execution ends inside the month
      const commitTime = start - Math.round(between(5, 900) * MIN / 1000) * 1000;
      const roll = random();
      const fate = roll < 0.62 ? 'ok' : roll < 0.8 ? 'prodFails' : roll < 0.87 ? 'buildFails' : roll < 0.95 ? 'superseded' : 'stopped';
      const at = (x: number) => Math.round(x / 1000) * 1000;
      const stage = (name: string, state: string, time: number) => events.push(event(pipeline, 'CodePipeline Stage Execution State Change', time, { 'execution-id': id, 'stage': name, state }));
      const exec = (state: string, time: number) => events.push(event(pipeline, 'CodePipeline Pipeline Execution State Change', time, { 'execution-id': id, state, 'pipeline-execution-attempt': 1 }));
      const actionEvent = (stageName: string, action: string, state: string, time: number, category: string,
        provider: string) => events.push(event(pipeline,
        'CodePipeline Action Execution State Change', time, { 'execution-id': id, 'stage': stageName, action, state, 'region': REGION, 'type': { owner: 'AWS', provider, category, version: '1' } }));
      const actions: SimAction[] = [];
      exec('STARTED', start);
      const sourceEnd = at(start + between(0.5, 2) * MIN);
      actions.push(actionRecord(id, 'Source', 'Checkout', 'Source', 'CodeCommit', 'Succeeded', start, sourceEnd));
      stage('Source', 'SUCCEEDED', sourceEnd);
      const buildEnd = at(sourceEnd + between(4, 20) * MIN);
      let end: number;
      let status: SimExecution['status'];
      let prod: SimExecution['prod'];
      if (fate === 'buildFails') {
        actions.push(actionRecord(id, 'Build', 'Compile', 'Build', 'CodeBuild', 'Failed', sourceEnd, buildEnd));
        actionEvent('Build', 'Compile', 'FAILED', buildEnd, 'Build', 'CodeBuild');
        stage('Build', 'FAILED', buildEnd);
        end = buildEnd + 2000;
        exec('FAILED', end);
        status = 'Failed';
      } else if (fate === 'superseded') {
        actions.push(actionRecord(id, 'Build', 'Compile', 'Build', 'CodeBuild', 'Succeeded', sourceEnd, buildEnd));
        stage('Build', 'SUCCEEDED', buildEnd);
        end = buildEnd + 3000;
        stage('Prod', 'CANCELED', end);
        exec('SUPERSEDED', end);
        status = 'Superseded';
      } else {
        actions.push(actionRecord(id, 'Build', 'Compile', 'Build', 'CodeBuild', 'Succeeded', sourceEnd, buildEnd));
        stage('Build', 'SUCCEEDED', buildEnd);
        actionEvent('Prod', 'Approve', 'STARTED', buildEnd + 1000, 'Approval', 'Manual');
        const approved = at(buildEnd + between(3, 180) * MIN);
        if (fate === 'stopped') {
          actions.push(actionRecord(id, 'Prod', 'Approve', 'Approval', 'Manual', 'Abandoned', buildEnd + 1000, approved));
          end = approved;
          stage('Prod', 'STOPPED', end);
          exec('STOPPED', end + 1000);
          status = 'Stopped';
        } else {
          actions.push(actionRecord(id, 'Prod', 'Approve', 'Approval', 'Manual', 'Succeeded', buildEnd + 1000, approved));
          actionEvent('Prod', 'Approve', 'SUCCEEDED', approved, 'Approval', 'Manual');
          const deployEnd = at(approved + between(3, 25) * MIN);
          const ok = fate === 'ok';
          actions.push(actionRecord(id, 'Prod', 'Deploy', 'Deploy', 'CloudFormation', ok ? 'Succeeded' : 'Failed', approved, deployEnd));
          if (!ok) actionEvent('Prod', 'Deploy', 'FAILED', deployEnd, 'Deploy', 'CloudFormation');
          stage('Prod', ok ? 'SUCCEEDED' : 'FAILED', deployEnd);
          end = deployEnd + 5000;
          exec(ok ? 'SUCCEEDED' : 'FAILED', end);
          status = ok ? 'Succeeded' : 'Failed';
          prod = { succeeded: ok, time: deployEnd };
        }
      }
      executions.push({ pipeline, id, start, end, status, commitTime, actions, prod });
      t = end + between(60, 1800) * MIN;
    }
  }
  events.sort((a, b) => a.time - b.time);
  return { from, to, pipelines, events, executions };
}

/** The four figures of a pipeline, computed from the truth of the month, independently of src/metrics/dora.ts. */
export function truth(month: Month, pipeline: string) {
  const runs = month.executions.filter((e) => e.pipeline === pipeline && e.prod).sort((a, b) => a.prod!.time - b.prod!.time);
  const deployments = runs.filter((e) => e.prod!.succeeded);
  const failed = runs.length - deployments.length;
  const leadTimes = deployments.map((e) => (e.prod!.time - e.commitTime) / 1000);
  const restores: number[] = [];
  let brokenSince: number | undefined;
  for (const e of runs) {
    if (!e.prod!.succeeded) {brokenSince = brokenSince ?? e.prod!.time;} else if (brokenSince !== undefined) {
      restores.push((e.prod!.time - brokenSince) / 1000);
      brokenSince = undefined;
    }
  }
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
  return {
    deployments: deployments.length,
    failedDeployments: failed,
    changeFailureRatePercent: runs.length ? (100 * failed) / runs.length : undefined,
    leadTimeSeconds: avg(leadTimes),
    timeToRestoreSeconds: avg(restores),
    restores: restores.length,
  };
}
