/**
 * What failure notifications cost as pipelines are added to one stack: 1, 5 and 20 pipelines in
 * one stack (plain aws-codepipeline V2 pipelines, S3 source -> manual approval, sharing one source
 * bucket, so that 20 fit in one stack's 500 resources; a CrossRegionCfnPipeline is ~25 resources
 * by itself), each with default `FailureNotifications`, and the same without notifications;
 * resources in all, per added pipeline, and those of the notifications (resources under a
 * `FailureNotifications` construct or the stack's shared `CdpFailureNotifier`). Footprint only,
 * no timing, no validation plugins (the test suites validate the same constructs).
 *
 * Run: `npx ts-node --project tsconfig.tools.json benchmark/notifications.ts` (rewrites its section
 * of benchmark/RESULTS.md); `benchmark/run.ts` runs it too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import { ENV, sourceBucket } from './apps';
import { FailureNotifications } from '../src/notifications/failure-notifications';

export const PIPELINE_COUNTS = [1, 5, 20];
const BEGIN = '<!-- notifications: benchmark/notifications.ts -->';
const END = '<!-- /notifications -->';

/** `n` pipelines in one stack, with FailureNotifications unless told otherwise. */
export function defineManyPipelines(app: App, n: number, failureNotifications = true): Stack {
  const stack = new Stack(app, 'Pipelines', { env: ENV });
  const bucket = sourceBucket(stack);
  for (let i = 0; i < n; i++) {
    const source = new codepipeline.Artifact('Source');
    const pipeline = new codepipeline.Pipeline(stack, `Pipeline${i}`, { pipelineType: codepipeline.PipelineType.V2, crossAccountKeys: false });
    pipeline.addStage({ stageName: 'Source', actions: [new cpactions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: `app-${i}.zip`, output: source, trigger: cpactions.S3Trigger.NONE })] });
    pipeline.addStage({ stageName: 'Approve', actions: [new cpactions.ManualApprovalAction({ actionName: 'Approve' })] });
    if (failureNotifications) new FailureNotifications(stack, `Pipeline${i}FailureNotifications`, { pipeline });
  }
  return stack;
}

interface Count {
  readonly total: number;
  readonly notifications: number;
  readonly shared: number;
}

const isNotification = (p: string) => /FailureNotifications\//.test(p) || p.includes('/CdpFailureNotifier/');

function count(n: number, failureNotifications: boolean): Count {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  // Path metadata (on by default only under the cdk CLI) tells which construct made each resource.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  defineManyPipelines(app, n, failureNotifications);
  const templates = app.synth().stacks.map((s) => s.template);
  fs.rmSync(outdir, { recursive: true, force: true });
  let total = 0;
  let notifications = 0;
  let shared = 0;
  for (const template of templates) {
    for (const resource of Object.values<any>(template.Resources ?? {})) {
      total++;
      const p = String(resource.Metadata?.['aws:cdk:path'] ?? '');
      if (isNotification(p)) notifications++;
      if (p.includes('/CdpFailureNotifier/')) shared++;
    }
  }
  return { total, notifications, shared };
}

/** The markdown section (between markers, so run.ts and this script can each rewrite it). */
export function notificationsSection(): string[] {
  const rows = PIPELINE_COUNTS.map((n) => ({ n, on: count(n, true), off: count(n, false) }));
  const lines: string[] = [BEGIN, '### Failure notifications, 1 / 5 / 20 pipelines in one stack', ''];
  lines.push('Each pipeline: aws-codepipeline V2, S3 source (one bucket for all) -> manual approval, with default `FailureNotifications` ' +
    '(own SSL-only topic, no e-mail). Notification resources: those under `FailureNotifications` or the stack\'s shared `CdpFailureNotifier`. ' +
    'Before this change every pipeline had 16 (4 rules, 4 Lambda permissions, function, role, policy, log group, invoke config, alarm, topic, topic policy).');
  lines.push('');
  lines.push('| pipelines | resources (all) | without notifications | notification resources | of which shared notifier | per added pipeline (all / notifications) |');
  lines.push('|---|---|---|---|---|---|');
  let previous: { n: number; on: Count } | undefined;
  for (const row of rows) {
    const added = previous
      ? `${((row.on.total - previous.on.total) / (row.n - previous.n)).toFixed(1)} / ${((row.on.notifications - previous.on.notifications) / (row.n - previous.n)).toFixed(1)}`
      : '-';
    lines.push(`| ${row.n} | ${row.on.total} | ${row.off.total} | ${row.on.notifications} | ${row.on.shared} | ${added} |`);
    previous = row;
  }
  lines.push('', END);
  return lines;
}

/** Replace (or append) the section in RESULTS.md. */
export function writeSection(file: string, section: string[]): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '';
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const body = section.join('\n');
  const out = start >= 0 && end > start
    ? text.slice(0, start) + body + text.slice(end + END.length)
    : `${text.trimEnd()}\n\n${body}\n`;
  fs.writeFileSync(file, out);
}

if (require.main === module) {
  const section = notificationsSection();
  console.log(section.join('\n'));
  writeSection(path.join(__dirname, 'RESULTS.md'), section);
}
