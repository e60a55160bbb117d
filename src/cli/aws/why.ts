// `why`: a failed execution in one screen. Failed actions and their errors (ListActionExecutions),
// CodeBuild log links and failed phases (BatchGetBuilds), the first failed stack event of
// CloudFormation actions (DescribeStackEvents), and for permission errors the denied calls in
// CloudTrail (LookupEvents in the execution's window, by the roles involved). --app names the
// construct that defines each role.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import { CloudFormationClient, DescribeStackEventsCommand, StackEvent } from '@aws-sdk/client-cloudformation';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CloudTrailClient, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
// eslint-disable-next-line import/no-extraneous-dependencies
import { BatchGetBuildsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineExecutionCommand, ListPipelineExecutionsCommand,
  paginateListActionExecutions, PipelineExecution,
} from '@aws-sdk/client-codepipeline';
import { AwsIo, EXIT, Target } from './commands';
import { roleFinder } from './roles';
import { consoleUrl, getPipeline } from './start';
import { commitMessage } from './status';

export interface WhyOptions {
  readonly executionId?: string;
  readonly app?: string;
  readonly json: boolean;
}

export interface FailedAction {
  readonly stage: string;
  readonly action: string;
  readonly provider: string;
  readonly region: string;
  readonly roleArn?: string;
  readonly error: string;
  /** The CodeBuild project's service role, which runs the build's commands. */
  readonly buildRoleArn?: string;
  /** The role CloudFormation deploys the stack with (the action's RoleArn setting). */
  readonly stackRoleArn?: string;
  readonly logLink?: string;
  readonly failedPhases?: string[];
  readonly stackEvent?: { stack: string; time?: string; resource?: string; type?: string; status?: string; reason?: string };
}

export interface DeniedCall {
  readonly time: string;
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly errorCode: string;
  readonly region: string;
}

const PERMISSION = /not authorized|AccessDenied|UnauthorizedOperation|Forbidden|insufficient permissions|is not permitted/i;
const DENIED_CODES = /AccessDenied|UnauthorizedOperation|Unauthorized|Forbidden/i;
/** CloudTrail answers LookupEvents at 2 calls a second: read at most this many pages of 50. */
const TRAIL_PAGES = 20;

export async function why(t: Target, o: WhyOptions, io: AwsIo): Promise<number> {
  const roleOf = o.app ? roleFinder(o.app) : undefined;
  const cp = new CodePipelineClient(t.session.config(t.account, t.region));
  try {
    const declaration = await getPipeline(cp, t);
    const exec = await findExecution(cp, t, o.executionId);
    const details: ActionExecutionDetail[] = [];
    const filter = { pipelineExecutionId: exec.pipelineExecutionId };
    for await (const page of paginateListActionExecutions({ client: cp }, { pipelineName: t.pipeline, filter })) {
      details.push(...(page.actionExecutionDetails ?? []));
    }
    // The execution's window: from its first action's start to its last action's end.
    const times = details.flatMap((d) => [d.startTime, d.lastUpdateTime]).filter((d): d is Date => !!d).map((d) => d.getTime());
    const window = { start: new Date(times.length ? Math.min(...times) : Date.now()), end: new Date(times.length ? Math.max(...times) : Date.now()) };
    const declared = (stage?: string, action?: string) => declaration.stages?.find((s) => s.name === stage)?.actions?.find((a) => a.name === action);
    const failed = await Promise.all(details.filter((d) => d.status === 'Failed').map(async (d): Promise<FailedAction> => {
      const decl = declared(d.stageName, d.actionName);
      const provider = d.input?.actionTypeId?.provider ?? decl?.actionTypeId?.provider ?? 'unknown';
      const region = d.input?.region ?? decl?.region ?? t.region;
      const result = d.output?.executionResult;
      const base: FailedAction = {
        stage: d.stageName!,
        action: d.actionName!,
        provider,
        region,
        roleArn: d.input?.roleArn ?? decl?.roleArn ?? declaration.roleArn,
        error: result?.errorDetails?.message ?? result?.externalExecutionSummary ?? 'no error message recorded',
      };
      if (provider === 'CodeBuild' && result?.externalExecutionId) return { ...base, ...await build(t, region, result.externalExecutionId) };
      const config = d.input?.configuration ?? decl?.configuration ?? {};
      if (provider.startsWith('CloudFormation') && config.StackName) {
        // CloudFormation calls AWS with the stack's role (the action's RoleArn setting) when one is set.
        return { ...base, stackRoleArn: config.RoleArn, stackEvent: await firstFailedEvent(t, region, config.StackName, window.start) };
      }
      return base;
    }));
    const texts = failed.flatMap((f) => [f.error, f.stackEvent?.reason ?? '', ...(f.failedPhases ?? [])]);
    const roles = [...new Set(failed.flatMap((f) => [f.roleArn, f.stackRoleArn, f.buildRoleArn]).filter((r): r is string => !!r))];
    const denied = texts.some((x) => PERMISSION.test(x))
      ? await deniedCalls(t, [...new Set([t.region, ...failed.map((f) => f.region)])], roles, window)
      : [];
    const constructs = Object.fromEntries([...new Set([...roles, ...denied.map((d) => d.role)])]
      .map((r) => [r, roleOf?.(r)]).filter(([, p]) => p));
    const report = {
      pipeline: t.pipeline,
      region: t.region,
      account: t.account.id,
      execution: {
        id: exec.pipelineExecutionId,
        status: exec.status,
        statusSummary: exec.statusSummary,
        startTime: window.start.toISOString(),
        lastUpdateTime: window.end.toISOString(),
      },
      revisions: (exec.artifactRevisions ?? []).map((r) => ({ name: r.name, id: r.revisionId, message: commitMessage(r.revisionSummary) })),
      failedActions: failed,
      deniedCalls: denied,
      constructs,
      console: consoleUrl(t.region, t.pipeline, exec.pipelineExecutionId),
    };
    io.stdout(o.json ? JSON.stringify(report, undefined, 2) + '\n' : formatWhy(report));
    return EXIT.OK;
  } finally {
    cp.destroy();
  }
}

async function findExecution(cp: CodePipelineClient, t: Target, id: string | undefined): Promise<PipelineExecution> {
  if (!id) {
    const list = await cp.send(new ListPipelineExecutionsCommand({ pipelineName: t.pipeline, maxResults: 50 }));
    const all = list.pipelineExecutionSummaries ?? [];
    const failed = all.find((e) => e.status === 'Failed');
    if (!failed) {
      throw new Error(`why: no failed execution among the last ${all.length} of pipeline '${t.pipeline}' (${t.region})`
        + `${all[0] ? `; the newest, ${all[0].pipelineExecutionId}, is ${all[0].status}` : ''}; pass --execution ID for an older one.`);
    }
    id = failed.pipelineExecutionId!;
  }
  try {
    return (await cp.send(new GetPipelineExecutionCommand({ pipelineName: t.pipeline, pipelineExecutionId: id }))).pipelineExecution!;
  } catch (e: any) {
    if (e?.name === 'PipelineExecutionNotFoundException') {
      throw new Error(`why: --execution '${id}' is not an execution of pipeline '${t.pipeline}' (${t.region}); 'cdk-delivery-pipelines status' shows the last one.`);
    }
    throw e;
  }
}

async function build(t: Target, region: string, id: string) {
  const cb = new CodeBuildClient(t.session.config(t.account, region));
  try {
    const b = (await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0];
    if (!b) return {};
    return {
      logLink: b.logs?.deepLink,
      failedPhases: (b.phases ?? []).filter((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED')
        .map((p) => `${p.phaseType} ${p.phaseStatus}: ${(p.contexts ?? []).map((c) => c.message).filter(Boolean).join('; ')}`),
      buildRoleArn: b.serviceRole,
    };
  } finally {
    cb.destroy();
  }
}

/** The oldest failure since the execution started that is not a cancellation caused by another. */
async function firstFailedEvent(t: Target, region: string, stack: string, since: Date | undefined): Promise<FailedAction['stackEvent']> {
  const cfn = new CloudFormationClient(t.session.config(t.account, region));
  try {
    const events: StackEvent[] = [];
    let next: string | undefined;
    do {
      const out = await cfn.send(new DescribeStackEventsCommand({ StackName: stack, NextToken: next }));
      events.push(...(out.StackEvents ?? []));
      next = out.NextToken;
    } while (next && !(since && events.some((e) => e.Timestamp && e.Timestamp < since)));
    const failed = events.filter((e) => /FAILED$/.test(e.ResourceStatus ?? '') && (!since || !e.Timestamp || e.Timestamp >= since)).reverse();
    const first = failed.find((e) => !/cancelled/i.test(e.ResourceStatusReason ?? '')) ?? failed[0];
    if (!first) return { stack, reason: 'no failed event since the execution started' };
    return {
      stack,
      time: first.Timestamp?.toISOString(),
      resource: first.LogicalResourceId,
      type: first.ResourceType,
      status: first.ResourceStatus,
      reason: first.ResourceStatusReason,
    };
  } finally {
    cfn.destroy();
  }
}

async function deniedCalls(t: Target, regions: string[], roles: string[], window: { start: Date; end: Date }): Promise<DeniedCall[]> {
  // CloudTrail delivers events within minutes: a little before the start, a few minutes after the end.
  const start = new Date(window.start.getTime() - 60_000);
  const end = new Date(window.end.getTime() + 5 * 60_000);
  const per = await Promise.all(regions.map(async (region) => {
    const trail = new CloudTrailClient(t.session.config(t.account, region));
    const found: DeniedCall[] = [];
    try {
      let pages = 0;
      for await (const page of paginateLookupEvents({ client: trail, pageSize: 50 }, { StartTime: start, EndTime: end })) {
        for (const e of page.Events ?? []) {
          const ev = JSON.parse(e.CloudTrailEvent ?? '{}');
          const role = ev.userIdentity?.sessionContext?.sessionIssuer?.arn ?? ev.userIdentity?.arn ?? '';
          if (!DENIED_CODES.test(ev.errorCode ?? '') || (roles.length && !roles.some((r) => sameRole(r, role)))) continue;
          found.push({
            time: (e.EventTime ?? new Date(ev.eventTime)).toISOString(),
            role,
            region,
            action: /perform: ([\w-]+:\w+)/.exec(ev.errorMessage ?? '')?.[1] ?? `${String(ev.eventSource ?? '').replace(/\.amazonaws\.com$/, '')}:${ev.eventName}`,
            resource: /on resource: "?([^"\s]+)/.exec(ev.errorMessage ?? '')?.[1] ?? e.Resources?.[0]?.ResourceName ?? '(not recorded)',
            errorCode: ev.errorCode,
          });
        }
        if (++pages >= TRAIL_PAGES) break;
      }
    } finally {
      trail.destroy();
    }
    return found;
  }));
  return per.flat().sort((a, b) => a.time.localeCompare(b.time));
}

/** Role ARNs may carry a path (arn:aws:iam::1:role/path/name); CloudTrail's issuer carries it too. */
function sameRole(a: string, b: string): boolean {
  return a === b || a.split('/').pop() === b.split('/').pop() && a.split(':')[4] === b.split(':')[4];
}

function formatWhy(r: any): string {
  const out: string[] = [];
  const e = r.execution;
  out.push(`${r.pipeline} (${r.region}, account ${r.account}): execution ${e.id} ${e.status}, ${e.startTime} to ${e.lastUpdateTime}`);
  if (e.statusSummary) out.push(`  ${e.statusSummary}`);
  for (const v of r.revisions) out.push(`  revision ${v.name}: ${String(v.id).slice(0, 12)}${v.message ? ` "${v.message}"` : ''}`);
  const defined = (role?: string) => (role && r.constructs[role] ? `\n      defined by ${r.constructs[role]}` : '');
  out.push('', r.failedActions.length ? `Failed actions (${r.failedActions.length}):` : 'No failed action recorded (the execution may have been stopped).');
  for (const f of r.failedActions as FailedAction[]) {
    out.push(`  ${f.stage}/${f.action} (${f.provider}, ${f.region}): ${f.error}`);
    if (f.roleArn) out.push(`    role: ${f.roleArn}${defined(f.roleArn)}`);
    if (f.buildRoleArn) out.push(`    build role: ${f.buildRoleArn}${defined(f.buildRoleArn)}`);
    if (f.stackRoleArn) out.push(`    stack role: ${f.stackRoleArn}${defined(f.stackRoleArn)}`);
    for (const p of f.failedPhases ?? []) out.push(`    phase ${p}`);
    if (f.logLink) out.push(`    logs: ${f.logLink}`);
    const s = f.stackEvent;
    if (s) out.push(`    stack ${s.stack}: ` + `first failure ${s.time ?? ''} ${s.resource ?? ''} (${s.type ?? ''}) ${s.status ?? ''}: ${s.reason ?? ''}`.replace(/ +/g, ' '));
  }
  if (r.deniedCalls.length) {
    out.push('', `Denied calls in CloudTrail (${r.deniedCalls.length}):`);
    for (const d of r.deniedCalls as DeniedCall[]) {
      out.push(`  ${d.time} ${d.region} role ${d.role.split('/').pop()} lacked ${d.action} on ${d.resource} (${d.errorCode})${defined(d.role)}`);
    }
    out.push('  Fix: grant these actions on these resources to the role (in the construct named above), then retry the stage.');
  }
  out.push('', `console: ${r.console}`);
  return out.join('\n') + '\n';
}
