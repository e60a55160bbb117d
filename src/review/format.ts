/**
 * What the approver reads, from one `ReviewSummary`: the short summary (the approval's custom data and the
 * `Summary` output variable), the plain-text notification (e-mail readable), the Markdown report, and the
 * action's output variables. Pure.
 *
 * Limits (CodePipeline user guide, "Quotas"): an action configuration value, which the approval's
 * CustomData is, holds at most 1000 characters; all output variables of one action together at most
 * 122880 bytes. The summary keeps to `SUMMARY_MAX` (500) characters so that the approval's own words fit
 * beside it; the other variables are counts and one URL.
 */
import type { ChangeSetReview, ReviewCounts, ReviewSummary, ResourceReview } from './classify';
import { riskOf } from './classify';

export type ReviewPolicy = 'always' | 'skip-when-empty' | 'on-risk' | 'fail-on-stateful-replacement';
export const REVIEW_POLICIES: readonly ReviewPolicy[] = ['always', 'skip-when-empty', 'on-risk', 'fail-on-stateful-replacement'];

/** Longest `Summary`, in characters. */
export const SUMMARY_MAX = 500;
/** CodePipeline's limit on all output variables of one action, in bytes. */
export const OUTPUT_VARIABLES_MAX_BYTES = 122_880;

/** Names of the review action's output variables. */
export const OUTPUT_VARIABLE_NAMES = ['TotalChanges', 'Added', 'Modified', 'Removed', 'Replacements', 'StatefulReplacements',
  'SecurityChanges', 'Broadening', 'NeedsApproval', 'Summary', 'ReportUrl'] as const;

export interface ReviewContext {
  readonly pipeline: string;
  readonly stage: string;
  /** The pipeline execution (or the job, when the execution is unknown). */
  readonly executionId?: string;
  /** Where the Markdown report is, when it was written. */
  readonly reportUrl?: string;
}

/** Whether the approval should ask, under the policy. */
export function needsApproval(policy: ReviewPolicy, c: ReviewCounts): boolean {
  switch (policy) {
    case 'skip-when-empty': return c.total > 0;
    case 'on-risk': return c.replacements > 0 || c.securityChanges > 0;
    default: return true; // always, fail-on-stateful-replacement
  }
}

/** The output variables of the review action (all strings), within CodePipeline's size limit. */
export function outputVariables(s: ReviewSummary, policy: ReviewPolicy, ctx: ReviewContext): Record<string, string> {
  const c = s.counts;
  const vars: Record<string, string> = {
    TotalChanges: String(c.total),
    Added: String(c.added),
    Modified: String(c.modified),
    Removed: String(c.removed),
    Replacements: String(c.replacements),
    StatefulReplacements: String(c.statefulReplacements),
    SecurityChanges: String(c.securityChanges),
    Broadening: String(c.broadening),
    NeedsApproval: String(needsApproval(policy, c)),
    Summary: formatSummary(s),
    ReportUrl: ctx.reportUrl ?? '',
  };
  if (Buffer.byteLength(JSON.stringify(vars)) > OUTPUT_VARIABLES_MAX_BYTES) vars.ReportUrl = ''; // only a URL of absurd length gets here
  return vars;
}

/** `12 changes: 4 added, 6 modified, 2 removed; 2 replacements (1 stateful); 3 security changes (1 broadening)`. */
export function formatCounts(s: ReviewSummary): string {
  const c = s.counts;
  const sets = s.changeSets.length;
  const empty = s.changeSets.filter((x) => x.empty).length;
  if (c.total === 0) return `No changes in ${sets} change set${plural(sets)}.`;
  return `${c.total} change${plural(c.total)} in ${sets} change set${plural(sets)}${empty ? ` (${empty} empty)` : ''}: `
    + `${c.added} added, ${c.modified} modified, ${c.removed} removed; `
    + `${c.replacements} replacement${plural(c.replacements)} (${c.statefulReplacements} stateful); `
    + `${c.securityChanges} security change${plural(c.securityChanges)} (${c.broadening} broadening).`;
}

/**
 * The short summary: the counts, then the changes that matter most (stateful replacements, broadening,
 * stateful removals, replacements, security changes), as many as fit in `max` characters.
 */
export function formatSummary(s: ReviewSummary, max = SUMMARY_MAX): string {
  let text = formatCounts(s);
  const lines = s.resources.filter((r) => riskOf(r) >= 30).map((r) => `- ${shortLine(r)}`);
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i - 1;
    const more = rest > 0 ? `\n(+${rest} more in the report)` : '';
    const candidate = `${text}\n${lines[i]}`;
    if ((candidate + more).length > max) {
      const tail = `\n(+${lines.length - i} more in the report)`;
      return (text + tail).length <= max ? text + tail : text.slice(0, max);
    }
    text = candidate;
  }
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** The notification: the whole review as plain text. */
export function formatText(s: ReviewSummary, ctx: ReviewContext): string {
  const out = [`Change-set review of ${ctx.pipeline} / ${ctx.stage}${ctx.executionId ? ` (execution ${ctx.executionId})` : ''}`, '', formatCounts(s), ''];
  const attention = s.resources.filter((r) => riskOf(r) >= 30);
  if (attention.length) {
    out.push('Needs attention:', ...attention.map((r) => `  ${shortLine(r)}`), '');
  }
  for (const cs of s.changeSets) {
    out.push(`${heading(cs)}:`);
    if (cs.empty) out.push('  no changes');
    const width = Math.max(0, ...cs.resources.map((r) => verb(r).length));
    for (const r of cs.resources) {
      const notes = notesOf(r);
      out.push(`  ${verb(r).padEnd(width)}  ${r.type} ${r.logicalId}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
    }
    out.push('');
  }
  if (ctx.reportUrl) out.push(`Report: ${ctx.reportUrl}`, '');
  return out.join('\n');
}

/** SNS takes messages of at most 262144 bytes; the notification keeps under this many. */
export const NOTIFICATION_MAX_BYTES = 250_000;

/** `text` cut at a line to fit `maxBytes` (UTF-8), saying so; unchanged when it fits. */
export function fitMessage(text: string, maxBytes = NOTIFICATION_MAX_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = '\n… cut to fit the notification; the report lists every change.\n';
  const lines = text.split('\n');
  let size = Buffer.byteLength(note);
  const kept: string[] = [];
  for (const line of lines) {
    size += Buffer.byteLength(line) + 1;
    if (size > maxBytes) break;
    kept.push(line);
  }
  return kept.join('\n') + note;
}

/** The report: the whole review as Markdown. */
export function formatMarkdown(s: ReviewSummary, ctx: ReviewContext): string {
  const c = s.counts;
  const out = [
    `# Change-set review: ${md(ctx.pipeline)} / ${md(ctx.stage)}`,
    '',
    ...(ctx.executionId ? [`Execution \`${ctx.executionId}\`.`, ''] : []),
    formatCounts(s),
    '',
    '| Changes | Added | Modified | Removed | Replacements | Stateful replacements | Security changes | Broadening |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${c.total} | ${c.added} | ${c.modified} | ${c.removed} | ${c.replacements} | ${c.statefulReplacements} | ${c.securityChanges} | ${c.broadening} |`,
    '',
  ];
  const attention = s.resources.filter((r) => riskOf(r) >= 30);
  if (attention.length) out.push('## Needs attention', '', ...attention.map((r) => `- ${md(shortLine(r))}`), '');
  for (const cs of s.changeSets) {
    out.push(`## ${md(heading(cs))}`, '');
    if (cs.empty) {
      out.push('No changes.', '');
      continue;
    }
    out.push('| Action | Logical ID | Type | Replacement | Notes |', '|---|---|---|---|---|');
    for (const r of cs.resources) {
      out.push(`| ${verb(r)} | \`${md(r.logicalId)}\` | \`${r.type}\` | ${r.replacement ?? ''} | ${md(notesOf(r).join('; '))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function heading(cs: ChangeSetReview): string {
  return `${cs.stackPath} (account ${cs.ref.account}, ${cs.ref.region}), change set ${cs.ref.changeSetName}`;
}

function verb(r: ResourceReview): string {
  if (r.replacement === 'True') return 'replace';
  if (r.replacement === 'Conditional') return 'may replace';
  return r.kind === 'added' ? 'add' : r.kind === 'removed' ? 'remove' : r.action === 'Modify' ? 'modify' : r.action.toLowerCase();
}

function notesOf(r: ResourceReview): string[] {
  const notes: string[] = [];
  if (r.stateful) notes.push('stateful');
  if (r.policyAction && r.policyAction !== 'Delete' && (r.kind === 'removed' || r.replacement)) notes.push(`policy ${r.policyAction}`);
  if (r.security) notes.push('security');
  if (r.broadening.length) notes.push(`broadening: ${r.broadening.join(', ')}`);
  if (r.kind === 'modified' && r.properties.length) notes.push(`changes ${r.properties.join(', ')}`);
  return notes;
}

/** One line: what happens, to what, where, and why it matters. */
function shortLine(r: ResourceReview): string {
  const what = `${verb(r)}${r.stateful ? ' stateful' : ''} ${r.type} ${r.logicalId} (${r.stack}, ${r.account} ${r.region})`;
  if (r.broadening.length) return `${what}: ${r.broadening.join(', ')}`;
  if (r.security && r.properties.length && r.kind === 'modified') return `${what}: changes ${r.properties.join(', ')}`;
  return what;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
