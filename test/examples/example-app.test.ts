import { defineExampleApp } from '../../examples/app';
import { createTestApp, exemptFixtureFromControlTower, synthValidated, SynthResult } from '../util';

/** The example app is what the README's quick start synthesizes: it must pass the same validators. */
describe('example app', () => {
  let result: SynthResult;
  beforeAll(() => {
    const app = createTestApp();
    defineExampleApp(app);
    // The example's own alarm (what the user's app watches), read by the gate: paging on it is the user's choice.
    exemptFixtureFromControlTower(app.node.findAll().find((c) => c.node.path === 'ServicePipeline/StagingErrors')!, 'the example app\'s own alarm');
    result = synthValidated(app);
  });

  function stagesOf(stackId: string): Array<{ name: string; actions: string[]; gated: boolean }> {
    const template = result.templates[stackId];
    const pipelines = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(pipelines).toHaveLength(1);
    return pipelines[0].Properties.Stages.map((s: any) => ({
      name: s.Name,
      actions: s.Actions.map((a: any) => a.Name),
      gated: s.BeforeEntry !== undefined,
    }));
  }

  test('passes the CloudFormation validation engine and cdk-nag with no findings', () => {
    expect(result.findings).toEqual([]);
  });

  test('the service pipeline mirrors the seeds: source, build, test, staging + load test, approval, prod', () => {
    expect(stagesOf('ServicePipeline')).toEqual([
      { name: 'Source', actions: ['Source'], gated: false },
      { name: 'Build', actions: ['Build'], gated: false },
      { name: 'Test', actions: ['Unit', 'Lint'], gated: false },
      { name: 'Staging', actions: ['my-service-staging', 'LoadTest'], gated: false },
      { name: 'Prod', actions: ['Approve', 'my-service'], gated: true },
    ]);
  });

  test('the regional rollout deploys to 3 regions in 2 accounts, test stack first, change sets before the gate', () => {
    const stages = stagesOf('RegionalRollout');
    expect(stages.map((s) => s.name)).toEqual(['Source', 'Build', 'Test', 'Canary.ChangeSets', 'Canary', 'Rest.ChangeSets', 'Rest']);
    expect(stages.find((s) => s.name === 'Rest')!.actions[0]).toBe('Approve');
    const regions = new Set<string>();
    const template = result.templates.RegionalRollout;
    for (const r of Object.values<any>(template.Resources)) {
      if (r.Type !== 'AWS::CodePipeline::Pipeline') continue;
      for (const s of r.Properties.Stages) for (const a of s.Actions) if (a.Region) regions.add(a.Region);
    }
    expect([...regions].sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-2']);
    // one support stack per other region, one stack for the second account
    expect(Object.keys(result.templates).sort()).toEqual([
      'RegionalRollout',
      'RegionalRollout-Deploy-222222222222',
      'RegionalRollout-Stores-ap-southeast-2',
      'RegionalRollout-Stores-us-east-2',
      'ServicePipeline',
    ]);
  });

  test('customer-managed KMS keys exist only because a target is in another account: one per region of the rollout', () => {
    expect(result.footprint.kmsKeys).toBe(3);
    const serviceKeys = Object.values<any>(result.templates.ServicePipeline.Resources).filter((r) => r.Type === 'AWS::KMS::Key');
    expect(serviceKeys).toHaveLength(0);
  });
});
