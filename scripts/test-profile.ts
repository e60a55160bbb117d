/**
 * Test-time profile: where `npm test`'s time goes, per test file and flag set, and how many synths each file runs.
 *
 *   npx projen test:profile                 # runs jest with the profile on, then prints this table
 *   npx ts-node --project tsconfig.tools.json scripts/test-profile.ts [results.json] [synths.jsonl]
 *
 * Inputs: jest's `--json` results (per file: start and end time, tests) and the harness's synth log
 * (`CDP_TEST_PROFILE`, one JSON line per `synthAndReport`: test file, test, flag set, synth+validation ms).
 * A file whose synth count is far above its distinct-app count re-synthesizes the same app per test: share one
 * assembly between the assertions that read it (`beforeAll`).
 */
import * as fs from 'fs';

interface Row { file: string; flagSet: string; wallS: number; tests: number; synths: number; synthS: number }

const resultsFile = process.argv[2] ?? 'test-reports/jest-results.json';
const synthFile = process.argv[3] ?? 'test-reports/synth-profile.jsonl';
const TOP = Number(process.env.PROFILE_TOP ?? 25);

const results = JSON.parse(fs.readFileSync(resultsFile, 'utf-8'));
const synths = fs.existsSync(synthFile)
  ? fs.readFileSync(synthFile, 'utf-8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];

const cwd = process.cwd() + '/';
const rel = (p: string) => (p.startsWith(cwd) ? p.slice(cwd.length) : p);
const synthsByKey = new Map<string, { count: number; ms: number }>();
for (const s of synths) {
  const key = `${s.testPath}\u0000${s.flagSet}`;
  const agg = synthsByKey.get(key) ?? { count: 0, ms: 0 };
  agg.count += 1;
  agg.ms += s.synthMs;
  synthsByKey.set(key, agg);
}

// jest's JSON results do not name the project: a file's first entry is the project that ran it first, so the
// flag set is taken from the synth log's order when the file synthesizes, else both rows are reported as `?`.
const seen = new Map<string, number>();
const rows: Row[] = [];
for (const r of results.testResults ?? []) {
  const file = rel(r.name);
  const n = seen.get(file) ?? 0;
  seen.set(file, n + 1);
  const sets = ['defaults', 'cdk-init'].filter((set) => synthsByKey.has(`${file}\u0000${set}`));
  const flagSet = r.displayName?.name ?? (sets.length === 2 ? `#${n + 1}` : sets[0] ?? '?');
  const agg = synthsByKey.get(`${file}\u0000${flagSet}`);
  const bothAgg = sets.map((s) => synthsByKey.get(`${file}\u0000${s}`)!);
  const mean = (pick: (a: { count: number; ms: number }) => number) => bothAgg.reduce((sum, a) => sum + pick(a), 0) / bothAgg.length;
  const perRun = agg ?? (bothAgg.length ? { count: mean((a) => a.count), ms: mean((a) => a.ms) } : { count: 0, ms: 0 });
  const tests = (r.assertionResults ?? []).length;
  rows.push({ file, flagSet, wallS: (r.endTime - r.startTime) / 1000, tests, synths: perRun.count, synthS: perRun.ms / 1000 });
}

rows.sort((a, b) => b.wallS - a.wallS);
const total = rows.reduce((a, r) => a + r.wallS, 0);
const totalSynths = rows.reduce((a, r) => a + r.synths, 0);
console.log(`${rows.length} test file runs, ${total.toFixed(0)} s of worker time, ${totalSynths} synths (${(rows.reduce((a, r) => a + r.synthS, 0)).toFixed(0)} s in synth + validators)`);
console.log(['wall s', 'share', 'tests', 'synths', 'synth s', 'set', 'file'].join('\t'));
for (const r of rows.slice(0, TOP)) {
  console.log([r.wallS.toFixed(1), `${((100 * r.wallS) / total).toFixed(1)}%`, r.tests, r.synths, r.synthS.toFixed(1), r.flagSet, r.file].join('\t'));
}
