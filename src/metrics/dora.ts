/**
 * The delivery (DORA) figures: the metrics the stack's notifier emits (names, units, dimensions)
 * and their exact definitions, in one pure module used by the notifier (`delivery-metrics.ts`, per
 * event), the `DeliveryDashboard` (which metrics its widgets and alarms read) and
 * `cdk-delivery-pipelines report --dora` (over execution history). No I/O. Not part of the
 * construct library's API. Definitions: docs/delivery-metrics.md.
 */

/** CloudWatch namespace of every metric of this library (the failure metric's too). */
export const NAMESPACE = 'CdkDeliveryPipelines';
export const PIPELINE_DIMENSION = 'PipelineName';
export const STAGE_DIMENSION = 'Stage';

/** EMF units used here (all from the CloudWatch `StandardUnit` set). */
export type MetricUnit = 'Count' | 'Seconds';

export type MetricKey = 'deployments' | 'failedDeployments' | 'leadTime' | 'timeToRestore' | 'executionDuration' | 'stageDuration' | 'approvalWait';

/** One metric the notifier emits. */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  /** The dimension sets it is published under (each a list of dimension names). */
  readonly dimensionSets: ReadonlyArray<ReadonlyArray<string>>;
  /** How a dashboard aggregates it over a period. */
  readonly statistic: 'Sum' | 'Average';
  readonly description: string;
}

const BY_STAGE = [PIPELINE_DIMENSION, STAGE_DIMENSION];
const BY_PIPELINE = [PIPELINE_DIMENSION];

/** Every delivery metric, by key. */
export const METRICS: { readonly [key in MetricKey]: MetricDefinition } = {
  deployments: {
    name: 'Deployments',
    unit: 'Count',
    dimensionSets: [BY_STAGE, BY_PIPELINE],
    statistic: 'Sum',
    description: '1 when a production stage succeeds, 0 when it fails',
  },
  failedDeployments: {
    name: 'FailedDeployments',
    unit: 'Count',
    dimensionSets: [BY_STAGE, BY_PIPELINE],
    statistic: 'Sum',
    description: '1 when a production stage fails, 0 when it succeeds',
  },
  leadTime: {
    name: 'LeadTime',
    unit: 'Seconds',
    dimensionSets: [BY_STAGE, BY_PIPELINE],
    statistic: 'Average',
    description: 'from the newest source revision\'s creation (commit) time to the production stage\'s success',
  },
  timeToRestore: {
    name: 'TimeToRestore',
    unit: 'Seconds',
    dimensionSets: [BY_STAGE, BY_PIPELINE],
    statistic: 'Average',
    description: 'from the first failure of a production stage since its previous success to its next success',
  },
  executionDuration: {
    name: 'ExecutionDuration',
    unit: 'Seconds',
    dimensionSets: [BY_PIPELINE],
    statistic: 'Average',
    description: 'from the start of the execution\'s first action to the execution\'s success',
  },
  stageDuration: {
    name: 'StageDuration',
    unit: 'Seconds',
    dimensionSets: [BY_STAGE],
    statistic: 'Average',
    description: 'from the start of the stage\'s first action to the stage\'s success (every stage)',
  },
  approvalWait: {
    name: 'ApprovalWait',
    unit: 'Seconds',
    dimensionSets: [BY_STAGE],
    statistic: 'Average',
    description: 'from a manual approval\'s start to its approval or rejection (summed per stage execution)',
  },
};

// ---------------------------------------------------------------------------------------------
// What CodePipeline tells: action executions (ListActionExecutions) and artifact revisions
// (GetPipelineExecution). The SDK's types fit these shapes as they are.

export interface ActionRun {
  readonly pipelineExecutionId?: string;
  readonly stageName?: string;
  readonly actionName?: string;
  /** InProgress | Abandoned | Succeeded | Failed */
  readonly status?: string;
  readonly startTime?: Date;
  readonly lastUpdateTime?: Date;
  readonly input?: { readonly actionTypeId?: { readonly category?: string } };
}

export interface RevisionLike {
  readonly created?: Date;
}

const ms = (d?: Date) => d?.getTime();
const seconds = (millis: number) => Math.round(millis) / 1000;

/**
 * Lead time of a production success at `successTime` (ms): from the newest `created` of the
 * execution's artifact revisions (the change that started it; other sources are usually old).
 * Undefined without a revision time.
 */
export function leadTimeSeconds(revisions: readonly RevisionLike[] | undefined, successTime: number): number | undefined {
  const created = (revisions ?? []).map((r) => ms(r.created)).filter((t): t is number => t !== undefined && Number.isFinite(t));
  if (created.length === 0) return undefined;
  return seconds(Math.max(0, successTime - Math.max(...created)));
}

/** Duration of a stage (or execution): from its earliest action start to `endTime`. */
export function durationSeconds(actions: readonly ActionRun[], endTime: number): number | undefined {
  const starts = actions.map((a) => ms(a.startTime)).filter((t): t is number => t !== undefined);
  if (starts.length === 0) return undefined;
  return seconds(Math.max(0, endTime - Math.min(...starts)));
}

/** Time the stage's manual approvals waited (finished ones), summed; undefined when it has none. */
export function approvalWaitSeconds(actions: readonly ActionRun[]): number | undefined {
  const waits = actions
    .filter((a) => a.input?.actionTypeId?.category === 'Approval' && (a.status === 'Succeeded' || a.status === 'Failed'))
    .map((a) => (ms(a.lastUpdateTime) ?? 0) - (ms(a.startTime) ?? 0))
    .filter((w) => w >= 0);
  return waits.length === 0 ? undefined : seconds(waits.reduce((x, y) => x + y, 0));
}

/** A production stage outcome: the stage's success or failure in one execution. */
export interface StageOutcome {
  readonly executionId: string;
  readonly succeeded: boolean;
  /** ms since the epoch. */
  readonly time: number;
}

/**
 * The outcomes of a stage, oldest first, read from its action executions: per execution, a failure
 * at the earliest `Failed` action's last update; a success when every action of the stage in that
 * execution ended `Succeeded` (its latest run, for retried actions), at the latest last update.
 * A stage failed and then retried to success in one execution gives both.
 */
export function stageOutcomes(actions: readonly ActionRun[], stage: string): StageOutcome[] {
  const byExecution = new Map<string, ActionRun[]>();
  for (const a of actions) {
    if (a.stageName !== stage || !a.pipelineExecutionId) continue;
    byExecution.set(a.pipelineExecutionId, [...byExecution.get(a.pipelineExecutionId) ?? [], a]);
  }
  const outcomes: StageOutcome[] = [];
  for (const [executionId, runs] of byExecution) {
    const failed = runs.filter((a) => a.status === 'Failed').map((a) => ms(a.lastUpdateTime) ?? 0);
    if (failed.length > 0) outcomes.push({ executionId, succeeded: false, time: Math.min(...failed) });
    const latest = new Map<string, ActionRun>();
    for (const a of runs) {
      const seen = latest.get(a.actionName ?? '');
      if (!seen || (ms(a.startTime) ?? 0) >= (ms(seen.startTime) ?? 0)) latest.set(a.actionName ?? '', a);
    }
    if ([...latest.values()].every((a) => a.status === 'Succeeded')) {
      outcomes.push({ executionId, succeeded: true, time: Math.max(...[...latest.values()].map((a) => ms(a.lastUpdateTime) ?? 0)) });
    }
  }
  return outcomes.sort((a, b) => a.time - b.time || Number(a.succeeded) - Number(b.succeeded));
}

/**
 * Time to restore of a success at `successTime`: from the first failure after the previous
 * success (both before `successTime`, from `history`) to `successTime`. Undefined when the
 * previous outcome was a success (nothing to restore). The success of `executionId` itself (the
 * one being measured, which its action times may date slightly earlier) is not a previous success.
 */
export function timeToRestoreSeconds(history: readonly StageOutcome[], successTime: number, executionId?: string): number | undefined {
  let firstFailure: number | undefined;
  for (const o of [...history].sort((a, b) => a.time - b.time)) {
    if (o.time >= successTime) break;
    if (o.succeeded && o.executionId === executionId) continue;
    if (o.succeeded) firstFailure = undefined;
    else if (firstFailure === undefined) firstFailure = o.time;
  }
  return firstFailure === undefined ? undefined : seconds(successTime - firstFailure);
}

/** The four figures of one pipeline's production stages over a window. */
export interface DoraFigures {
  readonly deployments: number;
  readonly failedDeployments: number;
  /** Deployments per day over the window. */
  readonly deploymentsPerDay: number;
  /** failed / (deployments + failed), in percent; undefined without any. */
  readonly changeFailureRatePercent?: number;
  /** Mean over the deployments that have one, in seconds. */
  readonly leadTimeSeconds?: number;
  /** Mean over the restores, in seconds. */
  readonly timeToRestoreSeconds?: number;
  readonly restores: number;
}

/** One production stage outcome with what the figures need. */
export interface ProductionEvent extends StageOutcome {
  readonly stage: string;
  /** Lead time of a success, when the execution's revisions had a time. */
  readonly leadTimeSeconds?: number;
  /** Time to restore of a success that followed a failure. */
  readonly timeToRestoreSeconds?: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? undefined : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000);

/** The four figures from the production outcomes inside [from, to) (ms), over `days` days. */
export function doraFigures(events: readonly ProductionEvent[], from: number, to: number): DoraFigures {
  const inWindow = events.filter((e) => e.time >= from && e.time < to);
  const deployments = inWindow.filter((e) => e.succeeded);
  const failed = inWindow.length - deployments.length;
  const restores = deployments.map((e) => e.timeToRestoreSeconds).filter((t): t is number => t !== undefined);
  const days = (to - from) / 86_400_000;
  return {
    deployments: deployments.length,
    failedDeployments: failed,
    deploymentsPerDay: days > 0 ? Math.round((deployments.length / days) * 1000) / 1000 : 0,
    changeFailureRatePercent: inWindow.length === 0 ? undefined : Math.round((failed / inWindow.length) * 100_000) / 1000,
    leadTimeSeconds: mean(deployments.map((e) => e.leadTimeSeconds).filter((t): t is number => t !== undefined)),
    timeToRestoreSeconds: mean(restores),
    restores: restores.length,
  };
}
