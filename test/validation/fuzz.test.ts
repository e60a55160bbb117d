import { apiSurface } from './api-surface';
import { ENTRIES, Escape, fuzzEntry, fuzzUnknownKeys, INHERITED, mutationPoints, NOT_FUZZED, runCase, structPoints, World } from './fuzz-table';
import * as lib from '../../src';

/** Cases per entry here (the long run is scripts/fuzz-boundary.ts: FUZZ_RUNS cases in all). */
const RUNS = Number(process.env.FUZZ_RUNS_PER_ENTRY ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 12);

const tabled = new Set(ENTRIES.map((e) => e.name));

describe('the fuzz table covers the whole public API', () => {
  test('every callable of API.md taking input is in the table (or listed as not fuzzed, with why)', () => {
    const missing = [...apiSurface().callables.entries()]
      .filter(([name, params]) => params.length > 0 && !INHERITED.has(name.split('.')[1]) && !tabled.has(name) && !(name in NOT_FUZZED))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  test('every exported class and every static function of it is in API.md, so in the check above', () => {
    const { callables, classes } = apiSurface();
    const documented = new Set(callables.keys());
    const problems: string[] = [];
    for (const [name, value] of Object.entries(lib)) {
      if (typeof value !== 'function') continue;
      if (!classes.includes(name)) problems.push(`${name}: exported class not in API.md (run 'npx projen docgen')`);
      for (const fn of Object.getOwnPropertyNames(value)) {
        if (['length', 'name', 'prototype'].includes(fn) || typeof (value as any)[fn] !== 'function' || fn.startsWith('_') || INHERITED.has(fn)) continue;
        const takesInput = (value as any)[fn].length > 0;
        if (!documented.has(`${name}.${fn}`) && takesInput) problems.push(`${name}.${fn}: static function with parameters not in API.md`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('table entries name real callables, each fuzzed at a mutation point per parameter and per struct prop', () => {
    const { callables } = apiSurface();
    expect(ENTRIES.filter((e) => !callables.has(e.name)).map((e) => e.name)).toEqual([]);
    expect(new Set(ENTRIES.map((e) => e.name)).size).toBe(ENTRIES.length);
    const cfn = mutationPoints(ENTRIES.find((e) => e.name === 'CrossRegionCfnPipeline.Initializer')!, ENTRIES[1].args(new World()));
    const paths = cfn.map((p) => `${p.arg}:${p.path.join('.')}`);
    // the scope, the id, the props, each prop, and nested structs' props (waves[0].targets[0].region, buildStep.timeout)
    expect(paths).toEqual(expect.arrayContaining(['0:', '1:', '2:', '2:stackName', '2:buildStep.timeout', '2:waves.0.targets.0.region', '2:testStack.tests']));
  });
});

describe('every valid call of the table works and synthesizes', () => {
  test.each(ENTRIES.map((e) => [e.name, e] as const))('%s', (_name, entry) => {
    expect(runCase(entry, undefined, () => undefined)).toBeUndefined();
  });
});

describe('property: random JavaScript values in any argument or prop give only our clear errors', () => {
  test.each(ENTRIES.map((e) => [e.name, e] as const))('%s', (_name, entry) => {
    const escapes: Escape[] = fuzzEntry(entry, RUNS, SEED);
    expect(escapes.map((e) => `${e.point} = ${e.value} [${e.phase}]: ${e.error.slice(0, 400)}`)).toEqual([]);
  });
});

describe('property: a valid props object or options struct with an unknown key added (issue 22) fails naming the key', () => {
  const withStructs = ENTRIES.filter((e) => structPoints(e, e.args(new World())).length > 0);
  test.each(withStructs.map((e) => [e.name, e] as const))('%s', (_name, entry) => {
    const escapes: Escape[] = fuzzUnknownKeys(entry, Math.max(2, Math.ceil(RUNS / 3)), SEED);
    expect(escapes.map((e) => `${e.point} + ${e.value}: ${e.error.slice(0, 400)}`)).toEqual([]);
  });
});
