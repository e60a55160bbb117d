import { CfnResource, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as fc from 'fast-check';
import { PipelineChecks } from '../../src/checks';
import { CrossRegionCfnPipeline } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';
import { createTestApp, synthAndReport } from '../util';
import { MUTATIONS, MUTATION_NAMES, buildL2, engineFindings, l2ShapeArb, mostlyValidPipelineArb, mutatedPipelineArb, pipelineArb, renderPipeline } from './arbitraries';
import { ENV } from './fixtures';

// Fixed seeds: the suite is deterministic. `scripts/fuzz.ts` runs the long version (10,000+ cases).
const SEED = 20261122;

describe('PipelineChecks property-based', () => {
  test('any pipeline shape, however broken: the rules never throw and only report known rule ids', () => {
    const ids = new Set(PipelineChecks.RULES.map((r) => r.id));
    fc.assert(fc.property(pipelineArb, (shape) => {
      const findings = PipelineChecks.checkProperties(renderPipeline(shape), ENV);
      return findings.every((f) => ids.has(f.ruleId) && f.message.length > 0);
    }), { seed: SEED, numRuns: 300 });
  });

  test('one mutation of a valid L1 pipeline: whatever the CloudFormation engine rejects, the rules reject too; valid ones pass both', () => {
    fc.assert(fc.property(mutatedPipelineArb, ({ mutation, props }) => {
      const ours = PipelineChecks.checkProperties(props, ENV);
      const engine = engineFindings([props]).filter((f) => f.severity === 'error' || f.severity === 'warning');
      if (mutation.startsWith('ok-')) {
        expect({ mutation, ours: ours.map((f) => f.ruleId), engine: engine.map((f) => f.rule) }).toEqual({ mutation, ours: [], engine: [] });
      } else if (engine.length > 0) {
        expect({ mutation, engine: engine.map((f) => `${f.rule} ${f.description}`), rejectedByUs: ours.length > 0 })
          .toEqual({ mutation, engine: expect.anything(), rejectedByUs: true });
      }
    }), { seed: SEED, numRuns: 60 });
  });

  test('a broken variable reference in a valid L1 pipeline: the engine accepts it (it fails only when the action runs), CDP-VARIABLE-REFERENCE rejects it', () => {
    const refMutations = MUTATION_NAMES.filter((m) => m.startsWith('ref-'));
    expect(refMutations.length).toBeGreaterThan(3);
    fc.assert(fc.property(mostlyValidPipelineArb, fc.constantFrom(...refMutations), fc.nat({ max: 1000 }), (base, mutation, pick) => {
      const props = JSON.parse(JSON.stringify(base));
      MUTATIONS[mutation](props, pick);
      const ours = PipelineChecks.checkProperties(props, ENV).map((f) => f.ruleId);
      const engine = engineFindings([props]).filter((f) => f.severity === 'error');
      expect({ mutation, ours, engine }).toEqual({ mutation, ours: ['CDP-VARIABLE-REFERENCE'], engine: [] });
    }), { seed: SEED, numRuns: 30 });
  });

  test('L1 CfnResource pipelines through the synth harness: zero findings of ours and of the engine, or one of our rule ids', () => {
    fc.assert(fc.property(mutatedPipelineArb, ({ props }) => {
      const app = createTestApp();
      const stack = new Stack(app, 'Fuzz', { env: ENV });
      new CfnResource(stack, 'Pipeline', { type: 'AWS::CodePipeline::Pipeline', properties: props });
      const findings = synthAndReport(app).findings;
      const ours = findings.filter((f) => f.plugin === 'PipelineChecks');
      const engine = findings.filter((f) => f.plugin === 'CloudFormation Validate');
      expect(ours.length).toBe(PipelineChecks.checkProperties(props, ENV).length);
      if (engine.length > 0) expect(ours.map((f) => f.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/^CDP-/)]));
    }), { seed: SEED, numRuns: 10 });
  });

  test('aws-codepipeline L2 pipelines: synthesize clean, fail with our rule ids, or fail with the L2\'s own error - never a TypeError', () => {
    const outcomes: Record<string, number> = {};
    fc.assert(fc.property(l2ShapeArb, (shape) => {
      const app = createTestApp();
      const stack = new Stack(app, 'Fuzz', { env: ENV });
      let pipeline;
      try {
        pipeline = buildL2(stack, shape);
      } catch (e) {
        expect(e).not.toBeInstanceOf(TypeError);
        outcomes.l2Error = (outcomes.l2Error ?? 0) + 1;
        return;
      }
      let result;
      try {
        result = synthAndReport(app);
      } catch (e) {
        expect(e).not.toBeInstanceOf(TypeError);
        outcomes.l2Validation = (outcomes.l2Validation ?? 0) + 1;
        return;
      }
      const ours = result.findings.filter((f) => f.plugin === 'PipelineChecks');
      const engine = result.findings.filter((f) => f.plugin === 'CloudFormation Validate' && f.constructPath.startsWith('Fuzz/Pipeline'));
      expect(PipelineChecks.errorsFor(pipeline).length).toBe(ours.length);
      if (engine.length > 0) expect(ours.length).toBeGreaterThan(0);
      const key = ours.length ? 'ours' : 'clean';
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }), { seed: SEED, numRuns: 15 });
    expect(Object.keys(outcomes).length).toBeGreaterThan(1);
  });
});

describe('this library\'s CrossRegionCfnPipeline (read-only use)', () => {
  const regionArb = fc.constantFrom('eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-2');
  const waveArb = fc.record({
    targets: fc.array(fc.record({ region: regionArb, otherAccount: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  });

  test('random waves synthesize with zero PipelineChecks findings and zero engine findings on the pipeline, or fail with a clear error', () => {
    let synthesized = 0;
    fc.assert(fc.property(fc.array(waveArb, { minLength: 1, maxLength: 3 }), fc.boolean(), (waves, changeSets) => {
      const app = createTestApp();
      const stack = new Stack(app, 'Pipe', { env: ENV });
      try {
        new CrossRegionCfnPipeline(stack, 'Deploy', {
          source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
          buildStep: { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }) },
          stackName: 'app',
          allowEmptyExecutionPolicy: true,
          changeSets,
          waves: waves.map((w, i) => ({
            waveName: `Wave${i}`,
            targets: w.targets.map((t) => ({ region: t.region, account: t.otherAccount ? '222222222222' : undefined })),
          })),
        });
      } catch (e) {
        expect(e).not.toBeInstanceOf(TypeError);
        expect((e as Error).message).toMatch(/^CrossRegionCfnPipeline 'Deploy': /);
        return;
      }
      const findings = synthAndReport(app).findings;
      expect(findings.filter((f) => f.plugin === 'PipelineChecks')).toEqual([]);
      expect(findings.filter((f) => f.plugin === 'CloudFormation Validate' && f.constructPath.includes('/Pipeline/'))).toEqual([]);
      synthesized++;
    }), { seed: SEED, numRuns: 6 });
    expect(synthesized).toBeGreaterThan(0);
  });
});
