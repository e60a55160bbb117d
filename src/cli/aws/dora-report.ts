// `report --dora`: the four delivery (DORA) figures of pipelines from their execution history
// (ListPipelineExecutions, ListActionExecutions, GetPipelineExecution), with the definitions the
// notifier's metrics use (src/metrics/dora.ts), for pipelines that ran before the metrics existed.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle.
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand, ListActionExecutionsCommand,
  ListPipelineExecutionsCommand, PipelineExecutionSummary, paginateListPipelines,
} from '@aws-sdk/client-codepipeline';
import { Account, Session, describeAwsError, limiter } from './session';
import { DoraFigures, ProductionEvent, doraFigures, leadTimeSeconds, stageOutcomes, timeToRestoreSeconds } from '../../metrics/dora';

/** Executions before the window read to find the previous outcome of a production stage (time to restore). */
export const LOOKBACK_DAYS = 14;
/** Pages of executions read per pipeline (100 each). */
export const MAX_EXECUTION_PAGES = 20;
/** Pages of action executions read per execution (100 each). */
const MAX_ACTION_PAGES = 3;

export interface DoraOptions {
  readonly days: number;
  /** Pipeline names; none: every pipeline of the regions. */
  readonly pipelines: string[];
  /** --production-stage; none: each pipeline's last stage. */
  readonly productionStages: string[];
  readonly regions: string[];
  readonly now?: Date;
}

export interface PipelineDora {
  readonly account: string;
  readonly region: string;
  readonly pipeline: string;
  readonly productionStages: string[];
  readonly executionsRead: number;
  /** The history read stopped at MAX_EXECUTION_PAGES before reaching the look-back. */
  readonly truncated: boolean;
  readonly figures: DoraFigures;
}

export interface DoraReport {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly pipelines: PipelineDora[];
  readonly problems: { readonly account: string; readonly region: string; readonly pipeline?: string; readonly message: string }[];
}

export async function doraReport(session: Session, options: DoraOptions): Promise<DoraReport> {
  const to = (options.now ?? new Date()).getTime();
  const from = to - options.days * 86_400_000;
  const pipelines: PipelineDora[] = [];
  const problems: DoraReport['problems'] = [];
  await Promise.all(session.accounts.flatMap((account) => options.regions.map(async (region) => {
    const client = new CodePipelineClient(session.config(account, region));
    const limit = limiter(session.concurrency);
    try {
      const names = options.pipelines.length ? options.pipelines : await listPipelines(client);
      await Promise.all(names.map(async (name) => {
        try {
          pipelines.push(await pipelineDora(client, limit, account, region, name, options.productionStages, from, to));
        } catch (e) {
          problems.push({ account: account.id, region, pipeline: name, message: describeAwsError(e).message });
        }
      }));
    } catch (e) {
      problems.push({ account: account.id, region, message: describeAwsError(e).message });
    } finally {
      client.destroy();
    }
  })));
  pipelines.sort((a, b) => `${a.account}/${a.region}/${a.pipeline}`.localeCompare(`${b.account}/${b.region}/${b.pipeline}`));
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days: options.days, pipelines, problems };
}

async function listPipelines(client: CodePipelineClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListPipelines({ client }, {})) names.push(...(page.pipelines ?? []).map((p) => p.name!));
  return names;
}

type Limit = ReturnType<typeof limiter>;

async function pipelineDora(client: CodePipelineClient, limit: Limit, account: Account, region: string, pipeline: string,
  givenStages: string[], from: number, to: number): Promise<PipelineDora> {
  const stages = givenStages.length ? givenStages : await lastStage(client, limit, pipeline);
  const { executions, truncated } = await executionsSince(client, limit, pipeline, from - LOOKBACK_DAYS * 86_400_000);
  const actions = (await Promise.all(executions.map((e) => actionsOf(client, limit, pipeline, e.pipelineExecutionId!)))).flat();
  const events: ProductionEvent[] = [];
  for (const stage of stages) {
    const outcomes = stageOutcomes(actions, stage);
    const successes = outcomes.filter((o) => o.succeeded && o.time >= from && o.time < to);
    const leadTimes = await Promise.all(successes.map((o) => limit(() => client.send(
      new GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId: o.executionId })))
      .then((out) => leadTimeSeconds(out.pipelineExecution?.artifactRevisions, o.time))));
    const leadTimeOf = new Map(successes.map((o, i) => [o.executionId, leadTimes[i]]));
    for (const o of outcomes) {
      events.push({
        ...o,
        stage,
        leadTimeSeconds: o.succeeded ? leadTimeOf.get(o.executionId) : undefined,
        timeToRestoreSeconds: o.succeeded ? timeToRestoreSeconds(outcomes, o.time, o.executionId) : undefined,
      });
    }
  }
  return {
    account: account.id,
    region,
    pipeline,
    productionStages: stages,
    executionsRead: executions.length,
    truncated,
    figures: doraFigures(events, from, to),
  };
}

async function lastStage(client: CodePipelineClient, limit: Limit, pipeline: string): Promise<string[]> {
  const out = await limit(() => client.send(new GetPipelineCommand({ name: pipeline })));
  return (out.pipeline?.stages ?? []).slice(-1).map((s) => s.name!);
}

/** Executions newest first, back to the first that started before `since`. */
async function executionsSince(client: CodePipelineClient, limit: Limit, pipeline: string, since: number) {
  const executions: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_EXECUTION_PAGES; page++) {
    const out = await limit(() => client.send(new ListPipelineExecutionsCommand({ pipelineName: pipeline, maxResults: 100, nextToken })));
    const items = out.pipelineExecutionSummaries ?? [];
    executions.push(...items.filter((e) => (e.startTime?.getTime() ?? 0) >= since));
    nextToken = out.nextToken;
    if (!nextToken || items.some((e) => (e.startTime?.getTime() ?? 0) < since)) return { executions, truncated: false };
  }
  return { executions, truncated: nextToken !== undefined };
}

async function actionsOf(client: CodePipelineClient, limit: Limit, pipeline: string, executionId: string): Promise<ActionExecutionDetail[]> {
  const actions: ActionExecutionDetail[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_ACTION_PAGES; page++) {
    const out = await limit(() => client.send(new ListActionExecutionsCommand({
      pipelineName: pipeline, filter: { pipelineExecutionId: executionId }, maxResults: 100, nextToken,
    })));
    actions.push(...(out.actionExecutionDetails ?? []).map((a) => ({ ...a, pipelineExecutionId: a.pipelineExecutionId ?? executionId })));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return actions;
}

const duration = (s?: number) => {
  if (s === undefined) return '-';
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86400 * 2) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
};

/** The report as a text table. */
export function formatDoraReport(r: DoraReport): string {
  const header = ['Pipeline', 'Account', 'Region', 'Production stages', 'Deployments', 'Per day', 'Failed', 'Change failure rate', 'Lead time', 'Time to restore'];
  const rows = r.pipelines.map((p) => [
    p.pipeline + (p.truncated ? ' (history truncated)' : ''), p.account, p.region, p.productionStages.join(', ') || '(none)',
    String(p.figures.deployments), p.figures.deploymentsPerDay.toFixed(2), String(p.figures.failedDeployments),
    p.figures.changeFailureRatePercent === undefined ? '-' : `${p.figures.changeFailureRatePercent.toFixed(1)}%`,
    duration(p.figures.leadTimeSeconds), `${duration(p.figures.timeToRestoreSeconds)}${p.figures.restores ? ` (${p.figures.restores})` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `Delivery (DORA) figures from ${r.from} to ${r.to} (${r.days} days), from execution history`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Definitions: docs/delivery-metrics.md (the same as the notifier\'s metrics).',
    ...r.problems.map((p) => `Not read: ${p.account} ${p.region}${p.pipeline ? ` ${p.pipeline}` : ''}: ${p.message}`),
  ].join('\n') + '\n';
}
