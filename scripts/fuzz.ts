/**
 * Long property-based run of the pipeline checks.
 *
 *   npx ts-node --transpile-only scripts/fuzz.ts            # FUZZ_RUNS=10000 L1 cases, FUZZ_L2_RUNS=50 L2 synths
 *   FUZZ_RUNS=200 FUZZ_SEED=42 npx ts-node --transpile-only scripts/fuzz.ts
 *
 * L1: random `AWS::CodePipeline::Pipeline` properties (half drawn to be mostly valid, half anything),
 * checked by our rules directly on the JSON, and by aws-cdk-lib's CloudFormation validation engine
 * run directly on templates (no CDK synth), FUZZ_BATCH pipelines per template (default 20).
 * A case our rules pass but the engine rejects is a rule we miss: the run exits 1 and prints it.
 *
 * L2: random aws-codepipeline L2 pipelines synthesized through the test harness (engine + our
 * plugin), checking that each either synthesizes with no finding of either, fails with one of our
 * rule ids, or fails with the L2's own error (never a TypeError).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { PipelineChecks } from '../src/checks';
import { buildL2, engineFindings, l2ShapeArb, mutatedPipelineArb, pipelineArb, renderPipeline } from '../test/checks/arbitraries';
import { ENV } from '../test/checks/fixtures';
import { createTestApp, synthAndReport } from '../test/util';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const L2_RUNS = Number(process.env.FUZZ_L2_RUNS ?? 50);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const BATCH = Number(process.env.FUZZ_BATCH ?? 8);

const counts: Record<string, number> = {};
const ruleCounts: Record<string, number> = {};
const engineOnlyRules: Record<string, number> = {};
const byMutation: Record<string, number> = {};
const count = (table: Record<string, number>, key: string) => { table[key] = (table[key] ?? 0) + 1; };
const failures: string[] = [];

function runL1() {
  // Three quarters: a mostly-valid pipeline with one named mutation (so the engine's verdict is about that mutation);
  // one quarter: wild shapes with many things wrong at once (robustness: never an exception).
  const mutated = Math.ceil((RUNS * 3) / 4);
  const cases: Array<{ mutation: string; props: any }> = [
    ...fc.sample(mutatedPipelineArb, { numRuns: mutated, seed: SEED }),
    ...fc.sample(pipelineArb, { numRuns: RUNS - mutated, seed: SEED + 1 }).map((p) => ({ mutation: 'wild', props: renderPipeline(p) })),
  ];
  const started = Date.now();
  let engineMs = 0;
  for (let i = 0; i < cases.length; i += BATCH) {
    const batch = cases.slice(i, i + BATCH);
    const ours = batch.map(({ props }) => {
      try {
        return PipelineChecks.checkProperties(props, ENV);
      } catch (e) {
        count(counts, `L1 EXCEPTION ${(e as Error).name}`);
        failures.push(`exception on ${JSON.stringify(props)}: ${(e as Error).stack}`);
        return [];
      }
    });
    const t0 = Date.now();
    const engine = engineFindings(batch.map((c) => c.props));
    engineMs += Date.now() - t0;
    batch.forEach(({ mutation, props }, j) => {
      const mine = ours[j];
      const theirs = engine.filter((f) => f.logicalId === `Pipeline${j}` && (f.severity === 'error' || f.severity === 'warning'));
      mine.forEach((f) => count(ruleCounts, f.ruleId));
      const kind = mutation === 'wild' ? 'wild' : mutation.startsWith('ok-') ? 'valid-by-design' : 'mutated';
      count(byMutation, `${mutation}: ${mine.length ? 'ours' : '-'} / ${theirs.length ? 'engine' : '-'}`);
      if (kind === 'valid-by-design' && mine.length > 0) {
        count(counts, `L1 ${kind}: FALSE POSITIVE (our rules reject a valid pipeline)`);
        failures.push(`false positive (${mutation}): ${mine.map((f) => `${f.ruleId} ${f.message}`).join('; ')}\n  ${JSON.stringify(props)}`);
      } else if (mine.length === 0 && theirs.length === 0) {count(counts, `L1 ${kind}: valid (no rule finding, no engine finding)`);} else if (mine.length > 0 && theirs.length > 0) {count(counts, `L1 ${kind}: rejected by our rules and by the engine`);} else if (mine.length > 0) {count(counts, `L1 ${kind}: rejected by our rules only (the engine has no such rule)`);} else {
        count(counts, `L1 ${kind}: MISSED (engine rejects, our rules pass)`);
        theirs.forEach((f) => count(engineOnlyRules, `${f.rule}: ${f.description}`));
        failures.push(`missed (${mutation}): ${theirs.map((f) => `${f.rule} ${f.description}`).join('; ')}\n  ${JSON.stringify(props)}`);
      }
    });
  }
  return { ms: Date.now() - started, engineMs };
}

function runL2() {
  const shapes = fc.sample(l2ShapeArb, { numRuns: L2_RUNS, seed: SEED + 2 });
  const started = Date.now();
  for (const shape of shapes) {
    let app: App | undefined;
    try {
      app = createTestApp();
      buildL2(new Stack(app, 'Fuzz', { env: ENV }), shape);
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) {
        count(counts, 'L2 EXCEPTION');
        failures.push(`L2 ${e.name}: ${e.message} on ${JSON.stringify(shape)}`);
      } else {
        count(counts, 'L2 construct error (L2 rejects it)');
      }
      continue;
    }
    let result;
    try {
      result = synthAndReport(app);
    } catch (e) {
      if (e instanceof TypeError) {
        count(counts, 'L2 EXCEPTION');
        failures.push(`L2 synth TypeError: ${(e as Error).message}`);
      } else {
        count(counts, 'L2 synth error (L2 validation rejects it)');
      }
      continue;
    }
    const ours = result.findings.filter((f) => f.plugin === 'PipelineChecks');
    const engine = result.findings.filter((f) => f.plugin === 'CloudFormation Validate' && f.constructPath.startsWith('Fuzz/Pipeline'));
    if (ours.length === 0 && engine.length === 0) {count(counts, 'L2 valid: no rule finding, no engine finding');} else if (ours.length > 0) {count(counts, 'L2 rejected by our rules');} else {
      count(counts, 'L2 MISSED: engine rejects, our rules pass');
      failures.push(`L2 missed: ${engine.map((f) => `${f.rule} ${f.description}`).join('; ')} on ${JSON.stringify(shape)}`);
    }
  }
  return { ms: Date.now() - started };
}

const l1 = runL1();
const l2 = L2_RUNS > 0 ? runL2() : { ms: 0 };

console.log(`seed ${SEED}: ${RUNS} L1 cases in ${(l1.ms / 1000).toFixed(1)} s (engine ${(l1.engineMs / 1000).toFixed(1)} s, ${BATCH} pipelines per template), `
  + `${L2_RUNS} L2 synths in ${(l2.ms / 1000).toFixed(1)} s`);
console.log('outcomes:');
for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${String(v).padStart(6)}  ${k}`);
console.log('L1 by mutation (ours / engine):');
for (const [k, v] of Object.entries(byMutation).sort()) console.log(`  ${String(v).padStart(6)}  ${k}`);
console.log('our findings by rule:');
for (const [k, v] of Object.entries(ruleCounts).sort()) console.log(`  ${String(v).padStart(6)}  ${k}`);
if (Object.keys(engineOnlyRules).length) {
  console.log('engine findings our rules missed:');
  for (const [k, v] of Object.entries(engineOnlyRules).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${String(v).padStart(6)}  ${k}`);
}
if (failures.length) {
  console.log(`${failures.length} failure(s); first 5:`);
  for (const f of failures.slice(0, 5)) console.log(`- ${f.slice(0, 3000)}`);
  process.exitCode = 1;
} else {
  console.log('clean: no case our rules pass that the engine rejects, no exception');
}
