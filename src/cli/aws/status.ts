// `status`: every pipeline in every enabled region of each account, read in parallel (regions at
// once, at most `concurrency` calls in flight per account and region).
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  CodePipelineClient, GetPipelineStateCommand, ListPipelineExecutionsCommand, paginateListPipelines,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { Account, describeAwsError, limiter, Session } from './session';

export interface Revision {
  /** The source action that produced it. */
  readonly action: string;
  /** Commit id (or S3 version, image digest). */
  readonly id: string;
  /** Commit message, when the source reports one. */
  readonly message?: string;
  readonly url?: string;
}

export interface StageStatus {
  readonly name: string;
  /** InProgress | Succeeded | Failed | Stopped | Stopping | Cancelled, or 'NotRun'. */
  readonly status: string;
  readonly executionId?: string;
  /** Source revisions of the execution this stage last ran. */
  readonly revisions: Revision[];
}

export interface PendingApproval {
  readonly stage: string;
  readonly action: string;
  readonly since?: string;
}

export interface PipelineStatus {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly lastExecution?: {
    readonly id: string; readonly status: string; readonly startTime?: string; readonly trigger?: string; readonly revisions: Revision[];
  };
  readonly lastSuccess?: { readonly id: string; readonly time?: string; readonly ageSeconds?: number };
  readonly stages: StageStatus[];
  readonly pendingApprovals: PendingApproval[];
}

export interface RegionProblem {
  readonly account: string;
  readonly region: string;
  readonly kind: 'access-denied' | 'not-enabled' | 'error';
  readonly message: string;
}

export interface StatusResult {
  readonly generatedAt: string;
  readonly accounts: { readonly id: string; readonly roleArn?: string; readonly regions: string[]; readonly skippedRegions: string[] }[];
  readonly pipelines: PipelineStatus[];
  readonly problems: RegionProblem[];
}

/** Pages of executions read to find the last success (25 each). */
const EXECUTION_PAGES = 4;

export async function collectStatus(session: Session, now = new Date()): Promise<StatusResult> {
  const perAccount = await Promise.all(session.accounts.map(async (account) => {
    const { enabled, notEnabled, skipped } = await session.regions(account);
    const problems: RegionProblem[] = notEnabled.map((r) => ({
      account: account.id,
      region: r.region,
      kind: 'not-enabled' as const,
      message: `not enabled (opt-in status: ${r.status}); enable it under Account > AWS Regions, or leave it out of --regions`,
    }));
    const regions = await Promise.all(enabled.map((region) => regionStatus(session, account, region, now)));
    return {
      account: { id: account.id, roleArn: account.roleArn, regions: enabled, skippedRegions: skipped },
      pipelines: regions.flatMap((r) => r.pipelines),
      problems: [...problems, ...regions.flatMap((r) => (r.problem ? [r.problem] : []))],
    };
  }));
  return {
    generatedAt: now.toISOString(),
    accounts: perAccount.map((a) => a.account),
    pipelines: perAccount.flatMap((a) => a.pipelines),
    problems: perAccount.flatMap((a) => a.problems).sort((a, b) => a.region.localeCompare(b.region)),
  };
}

async function regionStatus(session: Session, account: Account, region: string, now: Date)
  : Promise<{ pipelines: PipelineStatus[]; problem?: RegionProblem }> {
  const client = new CodePipelineClient(session.config(account, region));
  const limit = limiter(session.concurrency);
  try {
    const names: string[] = [];
    for await (const page of paginateListPipelines({ client }, { maxResults: 1000 })) {
      names.push(...(page.pipelines ?? []).map((p) => p.name!));
    }
    const pipelines = await Promise.all(names.sort().map((name) => pipelineStatus(client, limit, account.id, region, name, now)));
    return { pipelines };
  } catch (e: any) {
    const d = describeAwsError(e);
    return { pipelines: [], problem: { account: account.id, region, ...d } };
  } finally {
    client.destroy();
  }
}

async function pipelineStatus(client: CodePipelineClient, limit: ReturnType<typeof limiter>,
  account: string, region: string, name: string, now: Date): Promise<PipelineStatus> {
  const [state, executions] = await Promise.all([
    limit(() => client.send(new GetPipelineStateCommand({ name }))),
    limit(() => recentExecutions(client, name)),
  ]);
  const byId = new Map(executions.map((e) => [e.pipelineExecutionId!, e]));
  const last = executions[0];
  const success = executions.find((e) => e.status === 'Succeeded');
  const pendingApprovals: PendingApproval[] = [];
  const stages = (state.stageStates ?? []).map((s) => {
    for (const a of s.actionStates ?? []) {
      if (a.latestExecution?.status === 'InProgress' && a.latestExecution.token) {
        pendingApprovals.push({ stage: s.stageName!, action: a.actionName!, since: a.latestExecution.lastStatusChange?.toISOString() });
      }
    }
    const executionId = s.latestExecution?.pipelineExecutionId;
    const e = executionId ? byId.get(executionId) : undefined;
    return { name: s.stageName!, status: s.latestExecution?.status ?? 'NotRun', executionId, revisions: revisionsOf(e) };
  });
  return {
    account,
    region,
    name,
    lastExecution: last ? {
      id: last.pipelineExecutionId!,
      status: last.status!,
      startTime: last.startTime?.toISOString(),
      trigger: last.trigger?.triggerType,
      revisions: revisionsOf(last),
    } : undefined,
    lastSuccess: success ? {
      id: success.pipelineExecutionId!,
      time: success.lastUpdateTime?.toISOString(),
      ageSeconds: success.lastUpdateTime ? Math.max(0, Math.round((now.getTime() - success.lastUpdateTime.getTime()) / 1000)) : undefined,
    } : undefined,
    stages,
    pendingApprovals,
  };
}

/** The first page of executions; more pages only until a success shows up (one slot of the cap throughout). */
async function recentExecutions(client: CodePipelineClient, name: string): Promise<PipelineExecutionSummary[]> {
  const all: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < EXECUTION_PAGES; page++) {
    const out = await client.send(new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 25, nextToken }));
    all.push(...(out.pipelineExecutionSummaries ?? []));
    nextToken = out.nextToken;
    if (!nextToken || all.some((e) => e.status === 'Succeeded')) break;
  }
  return all;
}

export function revisionsOf(e: PipelineExecutionSummary | undefined): Revision[] {
  return (e?.sourceRevisions ?? []).map((r) => ({
    action: r.actionName!,
    id: r.revisionId ?? '',
    message: commitMessage(r.revisionSummary),
    url: r.revisionUrl,
  }));
}

/** CodeStar connections put `{"ProviderType":"GitHub","CommitMessage":"..."}` in the summary; CodeCommit the message itself. */
export function commitMessage(summary: string | undefined): string | undefined {
  if (!summary) return undefined;
  try {
    const parsed = JSON.parse(summary);
    if (parsed && typeof parsed.CommitMessage === 'string') return parsed.CommitMessage;
  } catch {
    // not JSON: the summary is the message
  }
  return summary;
}
