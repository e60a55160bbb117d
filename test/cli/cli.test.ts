import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { l2Assembly, ourAssembly } from './fixtures';
import { readAssembly } from '../../src/cli/assembly';
import { runCli } from '../../src/cli/cli';
import { toDot, toMermaid } from '../../src/cli/diagram';
import { PipelineModel, pipelinesIn } from '../../src/cli/model';
import { DEFAULT_PRICES, formatReport, report } from '../../src/cli/report';

// Each assembly is synthesized once (ours through the harness: 0 findings) and read by every test.
let ours: string;
let l2: string;
beforeAll(() => {
  ours = ourAssembly();
  l2 = l2Assembly();
});

const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'index.js');

function pipeline(dir: string, name: string): PipelineModel {
  const found = pipelinesIn(readAssembly(dir)).find((p) => p.name === name);
  if (!found) throw new Error(`no pipeline '${name}' in ${dir}`);
  return found;
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Lines of a Mermaid/DOT text, trimmed. */
const lines = (text: string) => text.split('\n').map((l) => l.trim());

describe('reading a cloud assembly', () => {
  test('finds every pipeline, in nested stage assemblies too, with name, type and environment', () => {
    const all = pipelinesIn(readAssembly(l2));
    expect(all.map((p) => [p.name, p.pipelineType, p.region, p.account])).toEqual([
      ['release', 'V1', 'eu-west-1', '111111111111'],
      [expect.stringMatching(/^Pipeline/), 'V2', '<pipeline region>', '<pipeline account>'],
    ]);
    expect(all[0].stack.displayName).toBe('Ops/Release');
    expect(pipelinesIn(readAssembly(ours)).map((p) => p.name)).toEqual(['app-delivery']);
  });

  test('fails with the directory and the fix when there is no assembly', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-empty-'));
    const r = await cli('diagram', empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`no cloud assembly at '${empty}' \\(no manifest.json\\); run 'cdk synth' first`));
  });
});

describe('diagram model', () => {
  test('stages in pipeline order, actions in runOrder lanes', () => {
    const ourP = pipeline(ours, 'app-delivery');
    expect(ourP.stages.map((s) => s.name)).toEqual(['Source', 'Build', 'Staging', 'Prod']);
    const deploy = pipeline(l2, 'release').stages[1];
    expect(deploy.lanes.map((l) => [l.runOrder, l.actions.map((a) => a.name)])).toEqual([
      [1, ['Approve']],
      [2, ['Prepare-us-west-2', 'Prepare-eu-central-1']],
      [3, ['Execute']],
    ]);
  });

  test('region and account of each action: action region, role account, tokens as <pipeline ...>', () => {
    const deploy = pipeline(l2, 'release').stages[1].lanes.flatMap((l) => l.actions);
    expect(deploy.map((a) => `${a.name}@${a.region}/${a.account}`)).toEqual([
      'Approve@eu-west-1/111111111111',
      'Prepare-us-west-2@us-west-2/111111111111',
      'Prepare-eu-central-1@eu-central-1/111111111111',
      'Execute@us-west-2/222222222222',
    ]);
    const prod = pipeline(ours, 'app-delivery').stages[3].lanes[1].actions[0];
    expect([prod.region, prod.account, prod.detail]).toEqual(['us-east-1', '111111111111', 'CREATE_UPDATE app-prod']);
    const agnostic = pipelinesIn(readAssembly(l2))[1].stages[0].lanes[0].actions[0];
    expect([agnostic.region, agnostic.account]).toEqual(['<pipeline region>', '<pipeline account>']);
  });

  test('gates: manual approvals and stage conditions with their rules', () => {
    const prod = pipeline(ours, 'app-delivery').stages[3];
    expect(prod.lanes[0].actions[0]).toMatchObject({ name: 'Approve', approval: true, billable: false });
    expect(prod.beforeEntry?.conditions).toEqual([{
      result: 'FAIL',
      rules: [
        expect.objectContaining({ provider: 'CloudWatchAlarm', summary: expect.stringMatching(/AlarmName=<StagingErrors.*> AlarmStates=ALARM/) }),
        expect.objectContaining({ provider: 'DeploymentWindow', summary: expect.stringContaining('TimeZone=Europe/Berlin') }),
      ],
    }]);
    expect(prod.onSuccess?.conditions.map((c) => [c.result, c.rules.map((r) => r.provider)])).toEqual([['ROLLBACK', ['CloudWatchAlarm']]]);
    expect(pipeline(ours, 'app-delivery').stages[2].beforeEntry).toBeUndefined();
  });

  test('failure notifications: EventBridge rules about the pipeline and what they target', () => {
    // Exactly the one notification rule (execution, stage and action events in one $or pattern, each branch
    // named by its state): the CodeCommit trigger rule (aws.codecommit -> pipeline) is not one.
    expect(pipeline(ours, 'app-delivery').notifications.map((n) => `${n.events} -> ${n.targets}`)).toEqual([
      'pipeline|stage|action FAILED; CANCELED; Approval STARTED -> Lambda',
    ]);
    expect(pipeline(l2, 'release').notifications.map((n) => `${n.kind}: ${n.events} -> ${n.targets}`)).toEqual(['EventBridge rule: pipeline FAILED -> SNS topic']);
    expect(pipelinesIn(readAssembly(l2))[1].notifications).toEqual([]);
  });
});

describe('Mermaid', () => {
  test('one subgraph per stage in order, lanes linked in runOrder, conditions as hexagons in the flow', async () => {
    const r = await cli('diagram', ours);
    expect(r.code).toBe(0);
    const mmd = lines(r.stdout);
    expect(mmd[0]).toBe('flowchart LR');
    const stageLines = mmd.filter((l) => /^subgraph p0_s\d+\[/.test(l));
    expect(stageLines).toEqual(['subgraph p0_s0["1. Source"]', 'subgraph p0_s1["2. Build"]', 'subgraph p0_s2["3. Staging"]', 'subgraph p0_s3["4. Prod"]']);
    expect(mmd).toEqual(expect.arrayContaining([
      'p0_s3_l0 --> p0_s3_l1',
      'p0_s0 --> p0_s1', 'p0_s1 --> p0_s2', 'p0_s2 --> p0_s3_beforeEntry', 'p0_s3_beforeEntry --> p0_s3', 'p0_s3 --> p0_s3_onSuccess',
      'p0_s3_l1_a0["app-prod<br/>CloudFormation: CREATE_UPDATE app-prod<br/>us-east-1 · 111111111111"]',
      'class p0_s3_beforeEntry,p0_s3_l0_a0,p0_s3_onSuccess gate',
      'p0 -.-> p0_n0',
    ]));
    expect(mmd.find((l) => l.startsWith('p0_s3_beforeEntry{{'))).toMatch(/^p0_s3_beforeEntry\{\{"beforeEntry<br\/>FAIL if:<br\/>.*CloudWatchAlarm.*DeploymentWindow.*"\}\}$/);
  });

  test('parallel actions share a lane; angle brackets and quotes are escaped', () => {
    const mmd = lines(toMermaid(pipelinesIn(readAssembly(l2))));
    const lane = mmd.slice(mmd.indexOf('subgraph p0_s1_l1["runOrder 2"]'), mmd.indexOf('subgraph p0_s1_l1["runOrder 2"]') + 5);
    expect(lane).toEqual([
      'subgraph p0_s1_l1["runOrder 2"]',
      'direction TB',
      'p0_s1_l1_a0["Prepare-us-west-2<br/>CloudFormation: CHANGE_SET_REPLACE app<br/>us-west-2 · 111111111111"]',
      'p0_s1_l1_a1["Prepare-eu-central-1<br/>CloudFormation: CHANGE_SET_REPLACE app<br/>eu-central-1 · 111111111111"]',
      'end',
    ]);
    expect(mmd).toContain('p1_s0_l0_a0["Fetch<br/>S3<br/>#lt;pipeline region#gt; · #lt;pipeline account#gt;"]');
    expect(mmd.join('\n')).not.toMatch(/\["[^\]]*<pipeline/);
  });

  test('--pipeline picks one pipeline; an unknown one fails with the names to use', async () => {
    const one = await cli('diagram', l2, '--pipeline', 'release');
    expect(one.stdout).toContain('subgraph p0["release (V1');
    expect(one.stdout).not.toContain('subgraph p1[');
    const none = await cli('diagram', l2, '--pipeline', 'nope');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--pipeline 'nope' matches no pipeline in .*; use a pipeline name, logical id or '<stack>\/<logical id>'\./);
    const format = await cli('diagram', l2, '--format', 'png');
    expect(format.stderr).toMatch(/--format 'png' is not supported; use mermaid, svg or dot\./);
  });
});

describe('DOT', () => {
  test('clusters per pipeline, stage and lane; edges between lanes and stages in order', () => {
    const dot = lines(toDot(pipelinesIn(readAssembly(l2))));
    expect(dot[0]).toBe('digraph pipelines {');
    expect(dot.filter((l) => /^subgraph cluster_p0_s\d+ \{$/.test(l))).toEqual(['subgraph cluster_p0_s0 {', 'subgraph cluster_p0_s1 {']);
    expect(dot.filter((l) => /^subgraph cluster_p0_s1_l\d+ \{$/.test(l))).toHaveLength(3);
    expect(dot).toEqual(expect.arrayContaining([
      'p0_s1_l0_a0 -> p0_s1_l1_a0 [ltail=cluster_p0_s1_l0, lhead=cluster_p0_s1_l1];',
      'p0_s1_l1_a0 -> p0_s1_l2_a0 [ltail=cluster_p0_s1_l1, lhead=cluster_p0_s1_l2];',
      'p0_s0_l0_a0 -> p0_s1_l0_a0 [ltail=cluster_p0_s0, lhead=cluster_p0_s1];',
      'p0_s1_l2_a0 -> p0_n0 [ltail=cluster_p0, style=dotted];',
    ]));
    expect(dot.find((l) => l.startsWith('p0_s1_l0_a0 ['))).toContain('fillcolor="#fff4d6"'); // the approval is highlighted
  });

  test('stage conditions sit between the stages they guard', () => {
    const dot = lines(toDot(pipelinesIn(readAssembly(ours))));
    expect(dot).toEqual(expect.arrayContaining([
      'p0_s2_l0_a0 -> p0_s3_beforeEntry [ltail=cluster_p0_s2];',
      'p0_s3_beforeEntry -> p0_s3_l0_a0 [lhead=cluster_p0_s3];',
      'p0_s3_l1_a0 -> p0_s3_onSuccess [ltail=cluster_p0_s3];',
    ]));
  });
});

describe('the packaged command (esbuild bundle)', () => {
  beforeAll(() => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing; run 'npx projen bundle' (npm test does it first).`);
  });

  test('diagram --format svg renders valid SVG with every stage, no network, no binary', () => {
    const svg = execFileSync(process.execPath, [BUNDLE, 'diagram', ours, '--format', 'svg'], { encoding: 'utf-8', env: { PATH: '' } });
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="no"\?>/);
    expect(svg.trim()).toMatch(/<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&#45;/g, '-'));
    expect(texts).toEqual(expect.arrayContaining(['1. Source', '2. Build', '3. Staging', '4. Prod', 'runOrder 2', 'Approve', 'us-east-1 · 111111111111']));
    // Balanced groups: every <g> closed.
    expect((svg.match(/<g\b/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  });

  test('is executable with a node shebang; report --json writes a file', () => {
    expect(fs.readFileSync(BUNDLE, 'utf-8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-out-')), 'report.json');
    const r = spawnSync(process.execPath, [BUNDLE, 'report', l2, '--json', '--out', out], { encoding: 'utf-8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf-8')).pipelines.map((p: any) => p.pipeline)).toEqual(['release', expect.stringMatching(/^Pipeline/)]);
  });
});

describe('report', () => {
  test('footprint: the pipeline stack plus its support stacks, counted from their templates', () => {
    const r = report(readAssembly(l2));
    const release = r.pipelines[0];
    expect(release.supportStacks).toEqual([
      'Ops/cross-region-stack-111111111111:us-west-2',
      'Ops/cross-region-stack-111111111111:eu-central-1',
      'Ops/cross-account-support-stack-222222222222',
    ]);
    expect(release.stacks).toBe(4);
    // Counted independently through aws-cdk-lib's own reader.
    const cx = new CloudAssembly(l2).stacksRecursively.filter((s) => s.environment.region !== 'unknown-region'); // all but Ops/Agnostic
    const count = (type?: string) =>
      cx.reduce((n, s) => n + Object.values<any>(s.template.Resources).filter((x) => !type || x.Type === type).length, 0);
    expect([release.resources, release.roles, release.kmsKeys]).toEqual([count(), count('AWS::IAM::Role'), count('AWS::KMS::Key')]);
    expect(release.kmsKeys).toBe(3); // crossAccountKeys: one key in the pipeline region and one per other region
    expect([release.actions, release.billableActions]).toEqual([5, 4]);
    expect(r.total.stacks).toBe(5);
  });

  test('cost: KMS $1 per key, V1 $1 per active pipeline, V2 $0.002 per action minute rounded up per action', () => {
    const r = report(readAssembly(l2), { runsPerMonth: 100, minutesPerAction: 2.5 });
    const [v1, v2] = r.pipelines;
    expect(v1.cost).toEqual({ kmsKeys: 3, pipeline: 1, actionMinutes: 0, actionMinutesCost: 0, total: 4 });
    // 1 billable action (the manual approval is free) x 100 runs x 3 minutes (2.5 rounded up) x $0.002
    expect(v2.cost).toEqual({ kmsKeys: 1, pipeline: 0, actionMinutes: 300, actionMinutesCost: 0.6, total: 1.6 });
    expect(r.total.cost).toEqual({ kmsKeys: 4, pipeline: 1, actionMinutes: 300, actionMinutesCost: 0.6, total: 5.6 });
    // No run in the month: an idle V1 pipeline is free.
    expect(report(readAssembly(l2), { runsPerMonth: 0, minutesPerAction: 3 }).pipelines[0].cost.pipeline).toBe(0);
  });

  test('ours: a V2 pipeline without KMS keys costs its action minutes only', () => {
    const r = report(readAssembly(ours), { runsPerMonth: 30, minutesPerAction: 3 });
    const [p] = r.pipelines;
    expect(p.supportStacks).toEqual(['cross-region-stack-111111111111:us-east-1']);
    expect([p.pipelineType, p.kmsKeys, p.actions, p.billableActions]).toEqual(['V2', 0, 5, 4]);
    expect(p.cost).toEqual({ kmsKeys: 0, pipeline: 0, actionMinutes: 4 * 30 * 3, actionMinutesCost: 0.72, total: 0.72 });
  });

  test('the text table prints every pipeline, the total and the prices it assumes', async () => {
    const r = await cli('report', l2, '--runs-per-month', '100', '--minutes-per-action', '2.5');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const resources = String(report(readAssembly(l2)).pipelines[0].resources);
    expect(out.find((l) => l.startsWith('release (Ops/Release)'))?.split(/\s{2,}/))
      .toEqual(['release (Ops/Release)', 'V1', '4', '3', resources, '8', '3', '5 (4)', '$3.00', '$1.00', '0', '$0.00', '$4.00']);
    expect(out.find((l) => l.startsWith('Total (distinct stacks)'))).toMatch(/\$5\.60$/);
    expect(out).toEqual(expect.arrayContaining([
      `KMS customer managed key: $${DEFAULT_PRICES.kmsKeyMonth.toFixed(2)} per key per month`,
      'V1 pipeline: $1.00 per active pipeline per month',
      expect.stringMatching(/^V2 pipeline: \$0\.002 per action execution minute \(manual approvals and custom actions free/),
      'Usage assumed: 100 runs per month, 2.5 minute(s) per action (--runs-per-month, --minutes-per-action)',
    ]));
    expect(formatReport(report(readAssembly(ours)))).toContain('Usage assumed: 30 runs per month, 3 minute(s) per action');
  });

  test('fails on a bad number with the option and an example', async () => {
    const r = await cli('report', l2, '--runs-per-month', 'lots');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery-pipelines: --runs-per-month 'lots' is not a number of 0 or more; pass e.g. --runs-per-month 30.\n");
  });
});
