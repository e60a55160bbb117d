/**
 * `status` over 17 regions x 50 pipelines against the local AWS endpoint with 50 ms added to every
 * call: wall time and number of calls, beside the sequential one-region-at-a-time loop a script
 * would write (same calls, one after another). Not a test: timing lives here only.
 * Run: `npx ts-node --transpile-only benchmark/status.ts` (BENCH_DELAY_MS, BENCH_REGIONS, BENCH_PIPELINES to vary).
 */
import { CodePipelineClient, GetPipelineStateCommand, ListPipelineExecutionsCommand, ListPipelinesCommand } from '@aws-sdk/client-codepipeline';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Session } from '../src/cli/aws/session';
import { collectStatus } from '../src/cli/aws/status';
import { FakeAwsEndpoint, setEnv } from '../test/util/aws-endpoint';
import { world } from '../test/util/aws-world';

const REGIONS = Number(process.env.BENCH_REGIONS ?? 17);
const PIPELINES = Number(process.env.BENCH_PIPELINES ?? 50);
const DELAY = Number(process.env.BENCH_DELAY_MS ?? 50);

async function measure(name: string, run: () => Promise<number>) {
  const e = await FakeAwsEndpoint.start({ ...world({ regions: REGIONS, pipelinesPerRegion: PIPELINES }), delayMs: DELAY });
  const restore = setEnv(e.env());
  try {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const pipelines = await run();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    const inFlight = Math.max(...[...e.maxInFlight.values()]);
    return { name, pipelines, calls: e.count(), seconds: ms / 1000, inFlight, cpu: (used.user + used.system) / 1e6 };
  } finally {
    restore();
    await e.stop();
  }
}

/** What a script does today: one region after another, one call after another. */
async function sequential(): Promise<number> {
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const regions = ((await ec2.send(new DescribeRegionsCommand({}))).Regions ?? []).map((r) => r.RegionName!);
  let n = 0;
  for (const region of regions) {
    const cp = new CodePipelineClient({ region });
    let nextToken: string | undefined;
    do {
      const page = await cp.send(new ListPipelinesCommand({ nextToken }));
      for (const p of page.pipelines ?? []) {
        await cp.send(new GetPipelineStateCommand({ name: p.name }));
        await cp.send(new ListPipelineExecutionsCommand({ pipelineName: p.name, maxResults: 25 }));
        n++;
      }
      nextToken = page.nextToken;
    } while (nextToken);
    cp.destroy();
  }
  return n;
}

async function ours(concurrency: number): Promise<number> {
  const session = await Session.open({ concurrency });
  return (await collectStatus(session)).pipelines.length;
}

async function main() {
  const rows = [];
  for (const c of [8, 16]) rows.push(await measure(`status (regions in parallel, --concurrency ${c})`, () => ours(c)));
  rows.push(await measure('sequential loop, one region at a time', sequential));
  const base = rows[rows.length - 1].seconds;
  console.log(`\n${REGIONS} regions x ${PIPELINES} pipelines, ${DELAY} ms per call, local endpoint, node ${process.version}\n`);
  console.log('| run | pipelines | calls | wall time | CPU (client + local endpoint) | most calls in flight (one region) | vs sequential |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.pipelines} | ${r.calls} | ${r.seconds.toFixed(2)} s | ${r.cpu.toFixed(1)} s | ${r.inFlight} | ${(base / r.seconds).toFixed(1)}x |`);
  }
  console.log(`\nA call costs ${DELAY} ms here, so one region's ${PIPELINES} pipelines at --concurrency 8 take about `
    + `${Math.ceil((PIPELINES * 2) / 8)} call times plus the listing, whatever the number of regions.`);
}

void main();
