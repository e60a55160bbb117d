// The `status` table for people: one line per pipeline, then pending approvals and unread regions.
import { Revision, StageStatus, StatusResult } from './status';

const MARK: Record<string, string> = {
  Succeeded: '✓', Failed: '✗', InProgress: '▶', Stopped: '■', Stopping: '■', Cancelled: '-', NotRun: '·',
};

export function formatStatus(r: StatusResult, now = new Date(r.generatedAt)): string {
  const out: string[] = [];
  const regions = new Set(r.accounts.flatMap((a) => a.regions.map((g) => `${a.id}/${g}`))).size;
  out.push(`${r.pipelines.length} pipelines in ${regions} regions of ${r.accounts.length} account(s)`
    + (r.problems.length ? `; ${r.problems.length} region(s) not read (below)` : '') + ` · ${r.generatedAt}`);
  const multiAccount = r.accounts.length > 1;
  const rows = r.pipelines.map((p) => {
    const last = p.lastExecution;
    const head = last?.revisions[0];
    return [
      ...(multiAccount ? [p.account] : []),
      p.region,
      p.name,
      last ? `${last.status}${last.startTime ? ` ${ago(last.startTime, now)}` : ''}` : 'never run',
      p.stages.map((s) => stage(s, head, p.pendingApprovals.some((a) => a.stage === s.name))).join(' '),
      head ? revision(head) : '',
      p.lastSuccess?.time ? ago(p.lastSuccess.time, now) : 'never',
    ];
  });
  out.push('', ...table([...(multiAccount ? ['ACCOUNT'] : []), 'REGION', 'PIPELINE', 'LAST EXECUTION', 'STAGES', 'REVISION', 'LAST SUCCESS'], rows));
  out.push('stages: ✓ succeeded  ✗ failed  ▶ in progress  ⏸ waiting for approval  ■ stopped  · not run; @rev: the stage last ran another revision');
  const approvals = r.pipelines.flatMap((p) => p.pendingApprovals.map((a) => ({ p, a })));
  if (approvals.length) {
    out.push('', `Pending approvals (${approvals.length}):`);
    for (const { p, a } of approvals) {
      out.push(`  ${multiAccount ? `${p.account} ` : ''}${p.region} ${p.name} ${a.stage}/${a.action}${a.since ? ` waiting ${ago(a.since, now).replace(/ ago$/, '')}` : ''}`
        + `: cdk-delivery-pipelines approve ${p.name} --region ${p.region} --stage ${a.stage}`);
    }
  }
  for (const a of r.accounts.filter((x) => x.skippedRegions.length)) {
    out.push('', `Not enabled in account ${a.id}, skipped: ${a.skippedRegions.join(', ')}`);
  }
  if (r.problems.length) {
    out.push('', `Regions not read (${r.problems.length}):`);
    for (const e of r.problems) out.push(`  ${e.account} ${e.region}: ${e.kind}: ${e.message}${fix(e.kind)}`);
  }
  return out.join('\n') + '\n';
}

function fix(kind: string): string {
  return kind === 'access-denied'
    ? '\n    fix: allow codepipeline:ListPipelines, GetPipelineState and ListPipelineExecutions there (check SCPs), or leave the region out with --regions.'
    : '';
}

function stage(s: StageStatus, head: Revision | undefined, waiting: boolean): string {
  const mark = waiting ? '⏸' : MARK[s.status] ?? '?';
  const rev = s.revisions[0];
  const other = rev && head && rev.id !== head.id ? `@${rev.id.slice(0, 7)}` : '';
  return `${s.name}${mark}${other}`;
}

function revision(r: Revision): string {
  const msg = r.message ? ` ${JSON.stringify(truncate(r.message.split('\n')[0], 40))}` : '';
  return `${r.id.slice(0, 7)}${msg}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** `5m ago`, `3h ago`, `2d ago`. */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''} ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** Left-aligned columns, two spaces apart (widths in code points so the marks align). */
export function table(header: string[], rows: string[][]): string[] {
  const len = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - len(c)))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
