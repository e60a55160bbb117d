/**
 * Long run of the boundary fuzz test (issue 12): random JavaScript values in every argument and
 * prop of every public constructor, factory and method, and unknown keys added to every props
 * object and options struct (test/validation/fuzz-table.ts).
 *
 *   npx ts-node --project tsconfig.tools.json scripts/fuzz-boundary.ts            # FUZZ_RUNS=10000 cases in all
 *   FUZZ_RUNS=2000 FUZZ_SEED=42 FUZZ_ONLY=DeployTarget npx ts-node --project tsconfig.tools.json scripts/fuzz-boundary.ts
 *
 * FUZZ_RUNS cases are spread evenly over the entries. Exits 1 and prints the escapes (a
 * TypeError or another library's error, or an error not naming the prop) when there are any.
 */
import { ENTRIES, Escape, fuzzEntry, fuzzUnknownKeys, runCase } from '../test/validation/fuzz-table';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const ONLY = process.env.FUZZ_ONLY;

const entries = ENTRIES.filter((e) => !ONLY || e.name.includes(ONLY));
const perEntry = RUNS === 0 ? 0 : Math.max(1, Math.ceil(RUNS / entries.length));
const started = Date.now();
const escapes: Escape[] = [];
let cases = 0;
for (const entry of entries) {
  const t0 = Date.now();
  const valid = runCase(entry, undefined, () => undefined);
  if (valid) escapes.push(valid);
  // Three of four cases put a random value somewhere; one adds an unknown key to a valid struct (issue 22).
  const keyCases = Math.floor(perEntry / 4);
  const found = [...fuzzEntry(entry, perEntry - keyCases, SEED), ...fuzzUnknownKeys(entry, keyCases, SEED)];
  escapes.push(...found);
  cases += perEntry + 1;
  console.log(`${entry.name.padEnd(40)} ${String(perEntry).padStart(6)} cases ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${found.length + (valid ? 1 : 0)} escape(s)`);
}
console.log(`seed ${SEED}: ${cases} cases over ${entries.length} entries in ${((Date.now() - started) / 1000).toFixed(0)} s, ${escapes.length} escape(s)`);
const byKind = new Map<string, Escape[]>();
for (const e of escapes) {
  const key = `${e.entry} ${e.point} [${e.phase}] ${e.error.replace(/'[^']*'|\d+/g, '_').slice(0, 160)}`;
  byKind.set(key, [...(byKind.get(key) ?? []), e]);
}
for (const [key, list] of byKind) console.log(`- ${list.length}x ${key}\n    e.g. value ${list[0].value}: ${list[0].error.slice(0, 600)}`);
if (escapes.length) process.exitCode = 1;
