/**
 * Prints the real output of each operating command (the bundled CLI, assets/cli/main/index.js) run
 * against the local AWS endpoint, for docs/operating.md. Not a test. Build the bundle first
 * (`npx projen bundle`), then: `npx ts-node --transpile-only benchmark/operating-examples.ts`.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { FakeAwsEndpoint } from '../test/util/aws-endpoint';
import { failedRegion, roleAssembly } from '../test/util/aws-why-world';
import { pipeline, world } from '../test/util/aws-world';

const bundle = path.join(__dirname, '..', 'assets', 'cli', 'main', 'index.js');
async function run(e: FakeAwsEndpoint, args: string[]) {
  try {
    const r = await promisify(execFile)(process.execPath, [bundle, ...args], { env: { PATH: process.env.PATH, ...e.env(), NODE_NO_WARNINGS: '1' } });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err: any) {
    return { code: err.code, out: err.stdout + err.stderr };
  }
}
void (async () => {
  const w = world({ regions: 4, pipelinesPerRegion: 0, accessDenied: ['us-west-1'], disabled: ['ap-east-1'] });
  const regions = w.accounts[0].regions;
  regions[0].pipelines.push(pipeline('checkout'), pipeline('orders'), pipeline('payments', { last: 'InProgress', pendingApproval: true }));
  regions[1].pipelines.push(pipeline('checkout', { successMinutesAgo: 600 }), pipeline('orders', { last: 'Failed' }));
  regions[2].pipelines.push(pipeline('checkout'));
  regions.push(failedRegion());
  w.onCall = (op, _input, p) => {
    const exec: any = p.executions[0];
    if (op === 'Started') exec.step = 0;
    if (op !== 'GetPipelineExecution' || exec.status !== 'InProgress') return;
    const stage = p.stageStates[exec.step++];
    stage.latestExecution = { pipelineExecutionId: exec.pipelineExecutionId, status: stage.stageName === 'Build' ? 'Failed' : 'Succeeded' };
    if (stage.stageName === 'Build') {
      exec.status = 'Failed';
      p.actionExecutions = { [exec.pipelineExecutionId]: [{ stageName: 'Build', actionName: 'Build', status: 'Failed', output: { executionResult: { errorDetails: { code: 'JobFailed', message: 'Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR' } } } }] };
    }
  };
  const e = await FakeAwsEndpoint.start(w);
  const show = async (args: string[]) => {
    const r = await run(e, args);
    console.log('$ npx cdk-delivery-pipelines ' + args.join(' ') + '\n' + r.out + `(exit ${r.code})\n`);
  };
  await show(['status']);
  await show(['status', '--json', '--regions', 'us-east-1']);
  await show(['start', 'checkout', '--region', 'us-east-1', '--var', 'Relase=v1.4.0']);
  await show(['start', 'checkout', '--region', 'us-east-1', '--var', 'ReleaseLabel=v1.4.0', '--source-revision', 'Source=9f8e7d6c5b4a39281706f5e4d3c2b1a098765432']);
  await show(['start', 'orders', '--region', 'us-east-2', '--var', 'ReleaseLabel=v1.4.1', '--wait', '--poll', '1']);
  await show(['approve', 'checkout', '--region', 'us-east-1']);
  await show(['approve', 'payments', '--region', 'us-east-1', '--comment', 'canary green for 30 minutes']);
  await show(['why', 'app', '--region', 'eu-west-1', '--app', roleAssembly()]);
  await show(['status', '--role-arn', 'arn:aws:iam::222222222222:role/pipeline-operator']);
  await e.stop();
})();
