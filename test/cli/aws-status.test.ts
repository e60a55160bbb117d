// `status` through the real SDK clients over HTTP against the local endpoint (test/util/aws-endpoint.ts).
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { runCli } from '../../src/cli/cli';
import { FakeAwsEndpoint, FakeWorld, runCapture, setEnv } from '../util/aws-endpoint';
import { ACCOUNT, world } from '../util/aws-world';

let endpoint: FakeAwsEndpoint | undefined;
let restore: (() => void) | undefined;

async function serve(w: FakeWorld, accessKeyId?: string): Promise<FakeAwsEndpoint> {
  endpoint = await FakeAwsEndpoint.start(w);
  restore = setEnv(endpoint.env(accessKeyId));
  return endpoint;
}

afterEach(async () => {
  restore?.();
  await endpoint?.stop();
  endpoint = undefined;
});

const cli = (...argv: string[]) => runCapture(runCli, argv);

describe('status over 20 regions x 30 pipelines', () => {
  let e: FakeAwsEndpoint;
  let result: any;
  let code: number;
  let done: () => void;
  // One run (the costly part), read by every test of this block.
  beforeAll(async () => {
    const w = world({ regions: 20, pipelinesPerRegion: 30, accessDenied: ['eu-south-1'], disabled: ['ap-east-1'] });
    w.pageSize = 7;
    e = await FakeAwsEndpoint.start(w);
    done = setEnv(e.env());
    const r = await cli('status', '--json');
    code = r.code;
    result = JSON.parse(r.stdout);
  });
  afterAll(async () => {
    done();
    await e.stop();
  });

  test('lists every pipeline of every enabled region that answers, reading every ListPipelines page', () => {
    expect(result.pipelines).toHaveLength(19 * 30);
    const regions = new Set(result.pipelines.map((p: any) => p.region));
    expect(regions.size).toBe(19);
    expect(regions.has('eu-south-1')).toBe(false);
    // 30 pipelines at 7 a page: 5 pages in each of the 19 readable regions, 1 denied call in eu-south-1.
    expect(e.count('ListPipelines')).toBe(19 * 5 + 1);
    expect(e.calls.filter((c) => c.operation === 'ListPipelines' && c.input.nextToken).length).toBe(19 * 4);
    expect(e.count('GetPipelineState')).toBe(19 * 30);
  });

  test('each call is signed for its own region (SigV4 credential scope)', () => {
    const cp = e.calls.filter((c) => c.service === 'codepipeline');
    for (const p of ['app-01', 'app-30']) {
      const regions = cp.filter((c) => c.operation === 'GetPipelineState' && c.input.name === p).map((c) => c.region).sort();
      expect(regions).toEqual(result.accounts[0].regions.filter((r: string) => r !== 'eu-south-1'));
    }
  });

  test('reports the AccessDenied region with the reason, skips the disabled one, and exits 3', () => {
    expect(code).toBe(3);
    expect(result.problems).toEqual([
      expect.objectContaining({ account: ACCOUNT, region: 'eu-south-1', kind: 'access-denied', message: expect.stringMatching(/^AccessDeniedException: .*codepipeline:ListPipelines/) }),
    ]);
    expect(result.accounts[0].skippedRegions).toEqual(['ap-east-1']);
    expect(e.calls.some((c) => c.region === 'ap-east-1')).toBe(false);
  });

  test('per pipeline: last execution, stage statuses, revision per stage, pending approval, age of last success', () => {
    const failed = result.pipelines.find((p: any) => p.region === 'eu-west-1' && p.name === 'app-04');
    expect(failed.lastExecution).toMatchObject({ id: 'app-04-e2', status: 'Failed', trigger: 'Webhook' });
    expect(failed.lastExecution.revisions).toEqual([expect.objectContaining({ action: 'Source', id: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', message: 'Fix checkout rounding' })]);
    expect(failed.stages.map((s: any) => [s.name, s.status, s.revisions[0]?.id.slice(0, 7)])).toEqual([
      ['Source', 'Succeeded', '9f8e7d6'], ['Build', 'Failed', '9f8e7d6'], ['Prod', 'Succeeded', '1a2b3c4'],
    ]);
    expect(failed.lastSuccess.id).toBe('app-04-e1');
    expect(failed.lastSuccess.ageSeconds).toBeGreaterThanOrEqual(90 * 60);
    expect(failed.lastSuccess.ageSeconds).toBeLessThan(95 * 60);
    const waiting = result.pipelines.find((p: any) => p.region === 'eu-west-1' && p.name === 'app-06');
    expect(waiting.pendingApprovals).toEqual([expect.objectContaining({ stage: 'Prod', action: 'Approve' })]);
    expect(result.pipelines.filter((p: any) => p.pendingApprovals.length)).toHaveLength(19 * 3);
  });

  test('keeps at most --concurrency (default 8) calls in flight per region', () => {
    for (const [key, n] of e.maxInFlight) {
      if (key.endsWith('us-east-1')) continue; // also carries the STS and EC2 calls
      expect(n).toBeLessThanOrEqual(8);
    }
  });
});

describe('status', () => {
  test('retries ThrottlingException (adaptive retry) and still prints everything', async () => {
    const w = world({ regions: 3, pipelinesPerRegion: 4 });
    w.throttle = { ListPipelines: 1, GetPipelineState: 2, DescribeRegions: 1 };
    const e = await serve(w);
    const r = await cli('status', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pipelines).toHaveLength(12);
    expect(e.count('GetPipelineState')).toBe(12 + 2);
    expect(e.count('ListPipelines')).toBe(3 + 1);
  });

  test('--regions narrows the regions; a named region that is not enabled is reported', async () => {
    const e = await serve(world({ regions: 5, pipelinesPerRegion: 2, disabled: ['ap-east-1'] }));
    const r = await cli('status', '--json', '--regions', 'us-west-2,ap-east-1', '--regions', 'us-east-2');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect([...new Set(out.pipelines.map((p: any) => p.region))].sort()).toEqual(['us-east-2', 'us-west-2']);
    expect(out.problems).toEqual([expect.objectContaining({ region: 'ap-east-1', kind: 'not-enabled', message: expect.stringMatching(/not-opted-in.*enable it/) })]);
    expect(new Set(e.calls.filter((c) => c.service === 'codepipeline').map((c) => c.region))).toEqual(new Set(['us-east-2', 'us-west-2']));
  });

  test('a table for people: one line per pipeline, pending approvals with the command, regions not read with the fix', async () => {
    await serve(world({ regions: 2, pipelinesPerRegion: 6, accessDenied: ['us-east-2'], disabled: ['ap-east-1'] }));
    const r = await cli('status');
    expect(r.code).toBe(3);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^6 pipelines in 2 regions of 1 account\(s\); 1 region\(s\) not read/);
    expect(lines).toContainEqual(expect.stringMatching(/^REGION +PIPELINE +LAST EXECUTION +STAGES +REVISION +LAST SUCCESS$/));
    expect(lines).toContainEqual(expect.stringMatching(/^us-east-1 +app-04 +Failed \d+m ago +Source✓ Build✗ Prod✓@1a2b3c4 +9f8e7d6 "Fix checkout rounding" +1h3\dm ago$/));
    expect(lines).toContainEqual(expect.stringMatching(/^us-east-1 +app-06 +InProgress .* Prod⏸ /));
    expect(r.stdout).toMatch(/Pending approvals \(1\):\n {2}us-east-1 app-06 Prod\/Approve waiting \d+m: cdk-delivery-pipelines approve app-06 --region us-east-1 --stage Prod/);
    expect(r.stdout).toMatch(/Not enabled in account 111111111111, skipped: ap-east-1/);
    expect(r.stdout).toMatch(/Regions not read \(1\):\n {2}111111111111 us-east-2: access-denied: AccessDeniedException: .*\n {4}fix: allow codepipeline:ListPipelines/);
  });

  test('--watch refreshes until interrupted', async () => {
    const e = await serve(world({ regions: 1, pipelinesPerRegion: 2 }));
    const stop = new AbortController();
    let renders = 0;
    const r = await runCapture(runCli, ['status', '--watch', '1'], stop.signal, () => {
      if (++renders === 2) stop.abort();
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\x1b[2J\x1b[H')).toHaveLength(3);
    expect(e.count('ListPipelines')).toBe(2);
  });

  test('--role-arn per account: assumes each role and lists both accounts', async () => {
    const other = '222222222222';
    const w: FakeWorld = {
      accounts: [...world({ regions: 2, pipelinesPerRegion: 3 }).accounts, ...world({ regions: 1, pipelinesPerRegion: 2, account: other }).accounts],
    };
    const e = await serve(w);
    const r = await cli('status', '--json', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/ops`, '--role-arn', `arn:aws:iam::${other}:role/ops`);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.accounts.map((a: any) => [a.id, a.roleArn, a.regions.length])).toEqual([
      [ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/ops`, 2], [other, `arn:aws:iam::${other}:role/ops`, 1],
    ]);
    expect(out.pipelines.filter((p: any) => p.account === other)).toHaveLength(2);
    expect(e.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.input.RoleArn).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:role/ops`, `arn:aws:iam::${other}:role/ops`]);
    expect(e.calls.filter((c) => c.service === 'codepipeline' && c.account === other).length).toBeGreaterThan(0);
  });

  test('fails when a role cannot be assumed, naming the role and the fix', async () => {
    await serve(world({ regions: 1, pipelinesPerRegion: 1 }));
    const r = await cli('status', '--role-arn', 'arn:aws:iam::999999999999:role/ops');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--role-arn 'arn:aws:iam::999999999999:role\/ops': cannot assume the role \(AccessDenied: .*\); check that the role trusts your credentials/);
  });

  test.each([
    [['--role-arn', 'ops'], /--role-arn 'ops' is not an IAM role ARN; pass e.g. --role-arn arn:aws:iam::111111111111:role\/pipeline-operator/],
    [['--regions', 'Ireland'], /--regions 'Ireland' is not a region name; pass e.g. --regions eu-west-1,us-east-1/],
    [['--concurrency', '0'], /--concurrency '0' must be a whole number from 1 to 64/],
    [['--watch', '0'], /--watch '0' is not a number of seconds \(at least 1\)/],
    [['--stage', 'Prod'], /status: --stage does not apply/],
  ])('fails on bad input %j with the value and the fix', async (args, message) => {
    await serve(world({ regions: 1, pipelinesPerRegion: 1 }));
    const r = await cli('status', ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});

test('the bundled command (assets/cli/main/index.js) reaches the endpoint through AWS_ENDPOINT_URL_<SERVICE> alone', async () => {
  const e = await serve(world({ regions: 2, pipelinesPerRegion: 3 }));
  const bundle = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'index.js');
  const { stdout } = await promisify(execFile)(process.execPath, [bundle, 'status', '--json'], { env: { PATH: process.env.PATH, ...e.env() } });
  expect(JSON.parse(stdout).pipelines).toHaveLength(6);
  expect(new Set(e.calls.map((c) => c.service))).toEqual(new Set(['sts', 'ec2', 'codepipeline']));
});

test('--profile takes the profile\'s credentials and region from ~/.aws/config (over the environment\'s keys)', async () => {
  const other = '222222222222';
  const e = await serve({
    accounts: [...world({ regions: 1, pipelinesPerRegion: 1 }).accounts, ...world({ regions: 6, pipelinesPerRegion: 1, account: other }).accounts],
  });
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aws-config-')), 'config');
  fs.writeFileSync(config, `[profile ops]\nregion = eu-west-1\naws_access_key_id = AKIAFAKE${other}\naws_secret_access_key = fake\n`);
  const undo = setEnv({ AWS_CONFIG_FILE: config });
  const region = process.env.AWS_REGION; // the environment's region would win over the profile's, as in the AWS CLI
  delete process.env.AWS_REGION;
  try {
    const r = await cli('status', '--json', '--profile', 'ops');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).accounts.map((a: any) => a.id)).toEqual([other]);
    expect(e.calls.find((c) => c.operation === 'DescribeRegions')).toMatchObject({ account: other, region: 'eu-west-1' });
  } finally {
    process.env.AWS_REGION = region;
    undo();
  }
});
