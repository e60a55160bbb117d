/**
 * Footprint and synth time of CrossRegionCfnPipeline vs the hand-written aws-codepipeline
 * equivalent, measured in the same run. Run: `npx ts-node --transpile-only benchmark/run.ts`
 * (or `npx projen benchmark`). Prints a table and writes benchmark/RESULTS.md.
 *
 * Synth time: each run is a FRESH NODE PROCESS (this script re-invoked with `--one`) that
 * loads aws-cdk-lib, defines the app and synthesizes it (no validation plugins, plain App);
 * the figure is the time from before the app is defined to the end of `app.synth()`, i.e.
 * without module loading, plus the whole process wall time. Runs alternate L2/ours, median of RUNS.
 * The synth-time ratio (README's smallest pipeline and 10 regions, ours / hand-written L2, wall and CPU) is also
 * printed alone with `--ratio` (BENCH_PAIRS alternating pairs, default 7).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { defineL2, defineOurs, defineSmallestL2, defineSmallestOurs } from './apps';
import { notificationsSection } from './notifications';
import { createTestApp, Footprint, footprintOf, synthAndReport } from '../test/util/harness';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const N = 10;
const BIG_N = 30;

type Kind = 'ours' | 'l2';
/** `n` regions of the cross-region rollout, or 0: README's smallest pipeline (SourceBuildDeployPipeline). */
const SMALLEST = 0;

function define(kind: Kind, app: App, n: number) {
  if (n === SMALLEST) (kind === 'ours' ? defineSmallestOurs : defineSmallestL2)(app);
  else if (kind === 'ours') defineOurs(app, n);
  else defineL2(app, n);
}

/** Child mode: define + synth one app, print the milliseconds (wall, and CPU of this process) as JSON. */
function one(kind: Kind, n: number) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const app = new App({ outdir });
  define(kind, app, n);
  app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 }));
}

function footprint(kind: Kind, n: number): Footprint {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const app = new App({ outdir });
  define(kind, app, n);
  const assembly = app.synth();
  const templates = assembly.stacksRecursively.map((s) => s.template);
  const sizes = assembly.stacksRecursively.map((s) => fs.statSync(path.join(s.assembly.directory, s.templateFile)).size);
  fs.rmSync(outdir, { recursive: true, force: true });
  return footprintOf(templates, sizes);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** How to run this file in a child: with ts-node's transpile-only hook when it is a .ts file. */
function childArgs(): string[] {
  return __filename.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
}

interface Runs { synth: number[]; cpu: number[]; wall: number[] }

function timeRuns(n: number, runs = RUNS): Record<Kind, Runs> {
  const out: Record<Kind, Runs> = { ours: { synth: [], cpu: [], wall: [] }, l2: { synth: [], cpu: [], wall: [] } };
  for (let i = 0; i < runs; i++) {
    for (const kind of (i % 2 === 0 ? ['l2', 'ours'] : ['ours', 'l2']) as Kind[]) {
      const started = Date.now();
      const stdout = execFileSync(process.execPath, [...childArgs(), __filename, '--one', kind, String(n)], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] });
      out[kind].wall.push(Date.now() - started);
      out[kind].synth.push(JSON.parse(stdout).ms);
      out[kind].cpu.push(JSON.parse(stdout).cpuMs);
    }
  }
  return out;
}

/** `| <what> | L2 | ours | ratio |` rows of one comparison (medians of alternating fresh processes). */
function ratioRows(what: string, t: Record<Kind, Runs>): string[] {
  const row = (label: string, l2: number[], ours: number[]) => {
    const a = median(l2);
    const b = median(ours);
    return `| ${what}: ${label} | ${(a / 1000).toFixed(2)} s | ${(b / 1000).toFixed(2)} s | ${(b / a).toFixed(2)}x |`;
  };
  return [
    row('define + synth, wall', t.l2.synth, t.ours.synth),
    row('define + synth, CPU', t.l2.cpu, t.ours.cpu),
    row('whole process, wall', t.l2.wall, t.ours.wall),
  ];
}

/** Same process, after one warm-up synth of each: median of RUNS, alternating (no module loading in the figure). */
function warmRuns(n: number): Record<Kind, number[]> {
  const out: Record<Kind, number[]> = { ours: [], l2: [] };
  const runOnce = (kind: Kind) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    define(kind, app, n);
    app.synth();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    fs.rmSync(outdir, { recursive: true, force: true });
    return ms;
  };
  runOnce('l2');
  runOnce('ours');
  for (let i = 0; i < RUNS; i++) {
    for (const kind of (i % 2 === 0 ? ['l2', 'ours'] : ['ours', 'l2']) as Kind[]) out[kind].push(runOnce(kind));
  }
  return out;
}

function main() {
  const lines: string[] = [];
  const log = (s = '') => {
    lines.push(s);
    console.log(s);
  };
  const fpOurs = footprint('ours', N);
  const fpL2 = footprint('l2', N);
  const times = timeRuns(N);
  const warm = warmRuns(N);
  const smallest = timeRuns(SMALLEST, Math.max(RUNS, Number(process.env.BENCH_PAIRS ?? 7)));
  const tenRegions = RUNS >= Number(process.env.BENCH_PAIRS ?? 7) ? times : timeRuns(N, Number(process.env.BENCH_PAIRS ?? 7));

  const big = createTestApp();
  defineOurs(big, BIG_N);
  const bigReport = synthAndReport(big);
  const bigFp = bigReport.footprint;

  const small = createTestApp();
  defineOurs(small, N);
  const smallReport = synthAndReport(small);

  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  log('## Benchmark: CrossRegionCfnPipeline vs hand-written aws-codepipeline');
  log();
  log(`${N} regions, one account: S3 source -> CodeBuild -> change set in every region -> one manual approval -> execute in every region.`);
  log(`Measured ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} CPUs, aws-cdk-lib ${cdkLibVersion()}.`);
  log(`Synth time: median of ${RUNS} runs, each in a fresh node process (L2 and ours alternating), timed from defining the App to the end of app.synth() ` +
    '(plain App, no validation plugins); "process" is the whole process wall time including loading aws-cdk-lib and ts-node.');
  log();
  log(`| ${N} regions | hand-written L2 (crossAccountKeys) | CrossRegionCfnPipeline | budget |`);
  log('|---|---|---|---|');
  log(`| stacks | ${fpL2.templates} | ${fpOurs.templates} | |`);
  log(`| resources (all stacks) | ${fpL2.resources} | ${fpOurs.resources} | <= 60 ${fpOurs.resources <= 60 ? 'OK' : 'OVER'} |`);
  log(`| customer-managed KMS keys | ${fpL2.kmsKeys} | ${fpOurs.kmsKeys} | 0 ${fpOurs.kmsKeys === 0 ? 'OK' : 'OVER'} |`);
  log(`| IAM roles | ${fpL2.roles} | ${fpOurs.roles} | |`);
  log(`| largest role inline policies (bytes) | ${fpL2.largestRolePolicyBytes} | ${fpOurs.largestRolePolicyBytes} | < 10,240 |`);
  const synthL2 = median(times.l2.synth);
  const synthOurs = median(times.ours.synth);
  log(`| synth time (define + synth, median) | ${s(synthL2)} | ${s(synthOurs)} | <= L2 ${synthOurs <= synthL2 ? 'OK' : `OVER by ${s(synthOurs - synthL2)}`} |`);
  log(`| synth time, warm process (median) | ${s(median(warm.l2))} | ${s(median(warm.ours))} | |`);
  log(`| process wall time (median) | ${s(median(times.l2.wall))} | ${s(median(times.ours.wall))} | |`);
  log(`| validation findings (CloudFormation engine + cdk-nag) | - | ${smallReport.findings.length} | 0 |`);
  log();
  log(`Runs (define + synth, ms): fresh processes: L2 ${times.l2.synth.map((x) => x.toFixed(0)).join(', ')}; ours ${times.ours.synth.map((x) => x.toFixed(0)).join(', ')}. ` +
    `Warm process: L2 ${warm.l2.map((x) => x.toFixed(0)).join(', ')}; ours ${warm.ours.map((x) => x.toFixed(0)).join(', ')}.`);
  log('In a fresh process most of the time is loading aws-cdk-lib modules on first use and the first synth (the same for both apps); ' +
    'the machine is shared, so single runs vary by several seconds: compare medians.');
  log();
  log('### Synth time against hand-written aws-codepipeline (goal: at most 1.0x)');
  log();
  log(`Medians of ${smallest.l2.synth.length} alternating pairs of fresh processes in one process tree; the CPU figure is the child's own ` +
    'user+system time for define + synth, which a busy machine disturbs less than wall time. Smallest: README\'s smallest pipeline ' +
    '(SourceBuildDeployPipeline) vs the same stages hand-written (benchmark/apps.ts).');
  log();
  log('| app: figure | hand-written L2 | ours | ours / L2 |');
  log('|---|---|---|---|');
  for (const line of [...ratioRows('smallest pipeline', smallest), ...ratioRows(`${N} regions`, tenRegions)]) log(line);
  log();
  log(`### ${BIG_N} regions, one account (CrossRegionCfnPipeline, validated)`);
  log();
  log('| check | value | CloudFormation / CodePipeline limit |');
  log('|---|---|---|');
  log(`| stacks / resources / KMS keys | ${bigFp.templates} / ${bigFp.resources} / ${bigFp.kmsKeys} | |`);
  log(`| most actions in one stage | ${bigFp.maxActionsPerStage} | 50 ${bigFp.maxActionsPerStage <= 50 ? 'OK' : 'OVER'} |`);
  log(`| largest template | ${bigFp.largestTemplateBytes} bytes | < 1 MB ${bigFp.largestTemplateBytes < 1024 * 1024 ? 'OK' : 'OVER'} |`);
  log(`| most resources in one template | ${bigFp.largestTemplateResources} | < 500 ${bigFp.largestTemplateResources < 500 ? 'OK' : 'OVER'} |`);
  log(`| largest inline policies of one role | ${bigFp.largestRolePolicyBytes} bytes | < 10,240 ${bigFp.largestRolePolicyBytes < 10240 ? 'OK' : 'OVER'} |`);
  log(`| validation findings | ${bigReport.findings.length} | 0 |`);
  log();
  for (const line of notificationsSection()) log(line);
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n'));
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  one(args[1] as Kind, Number(args[2]));
} else if (args[0] === '--ratio') {
  // Only the synth-time comparison (no RESULTS.md): `npx ts-node --project tsconfig.tools.json benchmark/run.ts --ratio`.
  const pairs = Number(process.env.BENCH_PAIRS ?? 7);
  console.log('| app: figure | hand-written L2 | ours | ours / L2 |');
  console.log('|---|---|---|---|');
  for (const line of [...ratioRows('smallest pipeline', timeRuns(SMALLEST, pairs)), ...ratioRows(`${N} regions`, timeRuns(N, pairs))]) console.log(line);
} else {
  main();
}

/** The aws-cdk-lib version the benchmark runs on. */
function cdkLibVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
}
