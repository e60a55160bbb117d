// The commands that call AWS: status, start, approve, review, why. Options, then one module per command.
import { parseArgs } from 'util';
import { approve } from './approve';
import { doraReport, formatDoraReport } from './dora-report';
import { review } from './review';
import { Session, SessionOptions } from './session';
import { start } from './start';
import { collectStatus } from './status';
import { formatStatus } from './status-format';
import { why } from './why';

/** Exit codes of the operating commands. */
export const EXIT = {
  /** Done; everything read. */
  OK: 0,
  /** Bad input or an AWS error before anything happened; nothing was changed. */
  ERROR: 1,
  /** status: some regions could not be read (access denied, not enabled); the rest printed. */
  PARTIAL: 3,
  /** start --wait: the execution failed, stopped or was superseded. */
  FAILED: 4,
} as const;

export interface AwsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops `status --watch` and `start --wait` between refreshes. */
  readonly signal?: AbortSignal;
}

export const AWS_COMMANDS = ['status', 'start', 'approve', 'review', 'why'];

export const AWS_USAGE = `
Operating commands (call AWS with the standard credential chain: environment, --profile, SSO):
  cdk-delivery-pipelines status  [--regions R1,R2] [--json] [--watch [SECONDS]]
  cdk-delivery-pipelines start   PIPELINE --region R [--var NAME=VALUE ...] [--source-revision ACTION=REVISION ...]
                                 [--wait [--poll SECONDS]]
  cdk-delivery-pipelines approve PIPELINE --region R [--stage STAGE] [--reject] [--comment TEXT]
  cdk-delivery-pipelines review  PIPELINE --region R [--stage STAGE] [--describe]
  cdk-delivery-pipelines why     PIPELINE --region R [--execution ID] [--app cdk.out]
  cdk-delivery-pipelines report --dora [PIPELINE ...] [--days 30] [--production-stage STAGE ...] [--regions R1,R2] [--json]

status    every pipeline in every enabled region of each account: last execution, each stage,
          revision (commit and message), pending approvals, age of the last success.
start     start with variables and source revisions checked against the pipeline's definition;
          --wait follows it stage by stage (exit 4 when it fails).
approve   approve (or --reject) the pending manual approval, showing what it asks.
review    the change-set review of the pending approval: counts, replacements, security changes
          and the report link (the review action's output variables); --describe (or when the
          review has not run) describes the change sets now and lists every change.
report --dora  deployments, change failure rate, lead time and time to restore of each pipeline (default:
          every pipeline of --regions, or of --region) from its execution history, as the notifier's
          metrics define them (docs/delivery-metrics.md); production stage: --production-stage, else the last stage.
why       the failed execution in one screen: failed actions and errors, CodeBuild logs, the first
          failed stack event, denied calls from CloudTrail and (--app) the construct of the role.
Common:   --profile NAME   --role-arn ARN (repeatable: one account each, STS AssumeRole)
          --region R (home region; the pipeline's region)   --concurrency N (calls in flight per
          region, default 8)   --json (machine output)
Exit codes: 0 done, 1 error (nothing changed), 3 some regions not read, 4 the execution failed or stopped (--wait).
`;

export async function runAwsCommand(command: string, argv: string[], io: AwsIo): Promise<number> {
  const args = [...argv];
  const w = args.indexOf('--watch');
  if (w >= 0 && !/^\d+(\.\d+)?$/.test(args[w + 1] ?? '')) args.splice(w + 1, 0, '30');
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'profile': { type: 'string' },
      'role-arn': { type: 'string', multiple: true },
      'region': { type: 'string' },
      'regions': { type: 'string', multiple: true },
      'concurrency': { type: 'string' },
      'json': { type: 'boolean' },
      'watch': { type: 'string' },
      'var': { type: 'string', multiple: true },
      'source-revision': { type: 'string', multiple: true },
      'wait': { type: 'boolean' },
      'poll': { type: 'string' },
      'stage': { type: 'string' },
      'reject': { type: 'boolean' },
      'comment': { type: 'string' },
      'execution': { type: 'string' },
      'app': { type: 'string' },
      'describe': { type: 'boolean' },
    },
  });
  const allowed: Record<string, string[]> = {
    status: ['regions', 'json', 'watch'],
    start: ['var', 'source-revision', 'wait', 'poll', 'json'],
    approve: ['stage', 'reject', 'comment', 'json'],
    review: ['stage', 'describe', 'json'],
    why: ['execution', 'app', 'json'],
  };
  const common = ['profile', 'role-arn', 'region', 'concurrency'];
  for (const key of Object.keys(values)) {
    if (!common.includes(key) && !allowed[command].includes(key)) {
      throw new Error(`${command}: --${key} does not apply; ${command} takes ${[...allowed[command], ...common].map((o) => `--${o}`).join(', ')}.`);
    }
  }
  const options: SessionOptions = {
    profile: values.profile,
    roleArns: values['role-arn'],
    region: values.region,
    regions: values.regions?.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean),
    concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
  };
  if (command === 'status') {
    if (positionals.length) throw new Error(`status: unexpected argument '${positionals[0]}'; status reads every pipeline (narrow with --regions).`);
    const watch = values.watch === undefined ? undefined : seconds(values.watch, '--watch', 1);
    const session = await Session.open(options);
    for (;;) {
      const result = await collectStatus(session);
      const text = values.json ? JSON.stringify(result, undefined, 2) + '\n' : formatStatus(result);
      io.stdout(watch !== undefined && !values.json ? '\x1b[2J\x1b[H' + text : text);
      if (watch === undefined || io.signal?.aborted) return result.problems.length ? EXIT.PARTIAL : EXIT.OK;
      await sleep(watch * 1000, io.signal);
      if (io.signal?.aborted) return result.problems.length ? EXIT.PARTIAL : EXIT.OK;
    }
  }
  const [pipeline, ...extra] = positionals;
  if (!pipeline) throw new Error(`${command}: name the pipeline, e.g. 'cdk-delivery-pipelines ${command} my-pipeline --region eu-west-1'.`);
  if (extra.length) throw new Error(`${command}: unexpected argument '${extra[0]}'; pass one pipeline name.`);
  if ((options.roleArns?.length ?? 0) > 1) {
    throw new Error(`${command}: acts on one pipeline in one account, but ${options.roleArns!.length} --role-arn were given; pass the role of the pipeline's account only.`);
  }
  const session = await Session.open(options);
  const target = { session, account: session.accounts[0], region: session.homeRegion, pipeline };
  if (command === 'start') {
    return start(target, {
      variables: values.var ?? [],
      sourceRevisions: values['source-revision'] ?? [],
      wait: values.wait ?? false,
      pollSeconds: values.poll === undefined ? 15 : seconds(values.poll, '--poll', 0),
      json: values.json ?? false,
    }, io);
  }
  if (command === 'approve') {
    return approve(target, { stage: values.stage, reject: values.reject ?? false, comment: values.comment, json: values.json ?? false }, io);
  }
  if (command === 'review') {
    return review(target, { stage: values.stage, describe: values.describe ?? false, json: values.json ?? false }, io);
  }
  return why(target, { executionId: values.execution, app: values.app, json: values.json ?? false }, io);
}

/** `report --dora ...` (argv without `report`). */
export async function runDoraCommand(argv: string[], io: AwsIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dora': { type: 'boolean' },
      'days': { type: 'string' },
      'production-stage': { type: 'string', multiple: true },
      'json': { type: 'boolean' },
      'profile': { type: 'string' },
      'role-arn': { type: 'string', multiple: true },
      'region': { type: 'string' },
      'regions': { type: 'string', multiple: true },
      'concurrency': { type: 'string' },
    },
  });
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`report --dora: --days '${values.days}' is not a whole number of days from 1 to 365; pass e.g. --days 30.`);
  const regions = values.regions?.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const session = await Session.open({
    profile: values.profile,
    roleArns: values['role-arn'],
    region: values.region,
    regions,
    concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
  });
  const result = await doraReport(session, {
    days, pipelines: positionals, productionStages: values['production-stage'] ?? [], regions: regions?.length ? regions : [session.homeRegion],
  });
  io.stdout(values.json ? JSON.stringify(result, undefined, 2) + '\n' : formatDoraReport(result));
  return result.problems.length ? EXIT.PARTIAL : EXIT.OK;
}

function seconds(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} '${raw}' is not a number of seconds (at least ${min}); pass e.g. ${name} 30.`);
  return n;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/** Where a single-pipeline command acts. */
export interface Target {
  readonly session: Session;
  readonly account: Session['accounts'][number];
  readonly region: string;
  readonly pipeline: string;
}
