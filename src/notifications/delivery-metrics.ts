/**
 * Delivery (DORA) metrics of the stack's notifier: from one CodePipeline stage or execution event,
 * the EMF document of the figures it settles (definitions in `../metrics/dora.ts`). Reads CodePipeline
 * (ListActionExecutions, GetPipelineExecution) with a bounded number of calls; stores nothing.
 * Called by `notify.lambda.ts` in its own try: an error here never stops the notification.
 */
// Bundled into the notifier's Lambda asset by esbuild (as notify.lambda.ts's SDK clients are).
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  type ActionExecutionDetail,
} from '@aws-sdk/client-codepipeline';
import { EventFacts, PIPELINE_EXECUTION_EVENT, STAGE_EXECUTION_EVENT } from './notify-event';
import {
  METRICS, MetricKey, NAMESPACE, PIPELINE_DIMENSION, STAGE_DIMENSION,
  approvalWaitSeconds, durationSeconds, leadTimeSeconds, stageOutcomes, timeToRestoreSeconds,
} from '../metrics/dora';
import { EmfMetric, emfDocument } from '../shared.lambda/emf';

/** Pages (100 action executions each) read for one execution's actions. */
export const MAX_EXECUTION_PAGES = 3;
/** Pages read back through the pipeline's history for the previous outcome of a production stage. */
export const MAX_LOOKBACK_PAGES = 5;

/** What the rule tells the notifier about the pipeline (its envelope's `delivery`). */
export interface DeliveryConfig {
  /** Names of the pipeline's production stages. */
  readonly productionStages: readonly string[];
}

async function listActions(client: CodePipelineClient, pipeline: string, executionId: string | undefined, maxPages: number,
  enough: (soFar: ActionExecutionDetail[]) => boolean = () => false): Promise<{ actions: ActionExecutionDetail[]; truncated: boolean }> {
  const actions: ActionExecutionDetail[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await client.send(new ListActionExecutionsCommand({
      pipelineName: pipeline,
      filter: executionId ? { pipelineExecutionId: executionId } : undefined,
      maxResults: 100,
      nextToken,
    }));
    actions.push(...out.actionExecutionDetails ?? []);
    nextToken = out.nextToken;
    if (!nextToken || enough(actions)) return { actions, truncated: false };
  }
  return { actions, truncated: nextToken !== undefined };
}

/**
 * The EMF document for a stage SUCCEEDED or FAILED, or an execution SUCCEEDED, event; undefined
 * for every other event (started, canceled, stopped, superseded, action events: they settle no figure).
 */
export async function deliveryMetrics(facts: EventFacts, config: DeliveryConfig,
  client: CodePipelineClient): Promise<Record<string, unknown> | undefined> {
  const stageEvent = facts.detailType === STAGE_EXECUTION_EVENT && (facts.state === 'SUCCEEDED' || facts.state === 'FAILED');
  const executionSucceeded = facts.detailType === PIPELINE_EXECUTION_EVENT && facts.state === 'SUCCEEDED';
  if (!stageEvent && !executionSucceeded) return undefined;
  const time = facts.time ? Date.parse(facts.time) : NaN;
  if (!Number.isFinite(time)) throw new Error(`the ${facts.detailType} event has no readable time ('${facts.time}')`);

  const metrics: EmfMetric[] = [];
  const properties: Record<string, string | number | boolean | undefined> = { executionId: facts.executionId, state: facts.state };
  const add = (key: MetricKey, value: number | undefined) => {
    if (value !== undefined) metrics.push({ name: METRICS[key].name, value, unit: METRICS[key].unit, dimensionSets: METRICS[key].dimensionSets });
  };
  const { actions: current } = await listActions(client, facts.pipeline, facts.executionId, MAX_EXECUTION_PAGES);
  const dimensions: Record<string, string> = { [PIPELINE_DIMENSION]: facts.pipeline };

  if (executionSucceeded) {
    add('executionDuration', durationSeconds(current, time));
  } else {
    const stage = facts.stage!;
    dimensions[STAGE_DIMENSION] = stage;
    const stageActions = current.filter((a) => a.stageName === stage);
    const succeeded = facts.state === 'SUCCEEDED';
    if (succeeded) add('stageDuration', durationSeconds(stageActions, time));
    add('approvalWait', approvalWaitSeconds(stageActions));
    if (config.productionStages.includes(stage)) {
      properties.production = true;
      add('deployments', succeeded ? 1 : 0);
      add('failedDeployments', succeeded ? 0 : 1);
      if (succeeded) {
        const [execution, restore] = await Promise.all([
          client.send(new GetPipelineExecutionCommand({ pipelineName: facts.pipeline, pipelineExecutionId: facts.executionId })),
          previousOutcomes(client, facts, stage),
        ]);
        add('leadTime', leadTimeSeconds(execution.pipelineExecution?.artifactRevisions, time));
        add('timeToRestore', timeToRestoreSeconds(restore.history, time, facts.executionId));
        if (restore.truncated) properties.lookbackTruncated = true;
      }
    }
  }
  if (metrics.length === 0) return undefined;
  return emfDocument({ namespace: NAMESPACE, dimensions, metrics, properties, timestamp: time });
}

/** The stage's outcomes, newest back to (and including) its previous success in another execution, at most MAX_LOOKBACK_PAGES. */
async function previousOutcomes(client: CodePipelineClient, facts: EventFacts, stage: string) {
  const previousSuccess = (actions: ActionExecutionDetail[]) => stageOutcomes(actions, stage)
    .some((o) => o.succeeded && o.executionId !== facts.executionId);
  const { actions, truncated } = await listActions(client, facts.pipeline, undefined, MAX_LOOKBACK_PAGES, previousSuccess);
  return { history: stageOutcomes(actions, stage), truncated: truncated && !previousSuccess(actions) };
}
