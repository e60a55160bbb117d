// `start` and `approve` through the real SDK clients over HTTP against the local endpoint.
import { runCli } from '../../src/cli/cli';
import { FakeAwsEndpoint, FakePipeline, FakeWorld, runCapture, setEnv } from '../util/aws-endpoint';
import { ACCOUNT, pipeline } from '../util/aws-world';

let endpoint: FakeAwsEndpoint | undefined;
let restore: (() => void) | undefined;

/** One region (eu-west-1) holding the given pipelines; us-east-1 is the home region. */
async function serve(pipelines: FakePipeline[], tweak: (w: FakeWorld) => void = () => {}): Promise<FakeAwsEndpoint> {
  const w: FakeWorld = { accounts: [{ id: ACCOUNT, regions: [{ name: 'us-east-1', pipelines: [] }, { name: 'eu-west-1', pipelines }] }] };
  tweak(w);
  endpoint = await FakeAwsEndpoint.start(w);
  restore = setEnv(endpoint.env());
  return endpoint;
}

afterEach(async () => {
  restore?.();
  await endpoint?.stop();
  endpoint = undefined;
});

const cli = (...argv: string[]) => runCapture(runCli, argv);
const ops = (e: FakeAwsEndpoint) => e.calls.filter((c) => c.service === 'codepipeline').map((c) => c.operation);

/** Moves a started execution one stage per GetPipelineExecution; fails at Build when `failAt` says so. */
function progress(failAt?: string) {
  return (operation: string, input: any, p: FakePipeline) => {
    const exec = p.executions[0];
    if (operation === 'Started') {
      (exec as any).step = 0;
      return;
    }
    if (operation !== 'GetPipelineExecution' || exec.pipelineExecutionId !== input.pipelineExecutionId || exec.status !== 'InProgress') return;
    const step = (exec as any).step++;
    const stage = p.stageStates[step];
    const failed = stage.stageName === failAt;
    stage.latestExecution = { pipelineExecutionId: exec.pipelineExecutionId, status: failed ? 'Failed' : 'Succeeded' };
    if (failed) {
      exec.status = 'Failed';
      p.actionExecutions = {
        [exec.pipelineExecutionId]: [
          { stageName: 'Source', actionName: 'Source', status: 'Succeeded', pipelineExecutionId: exec.pipelineExecutionId },
          {
            stageName: 'Build',
            actionName: 'Build',
            status: 'Failed',
            pipelineExecutionId: exec.pipelineExecutionId,
            output: { executionResult: { externalExecutionId: 'app-build:1', errorDetails: { code: 'JobFailed', message: 'Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR' } } },
          },
        ],
      };
    } else if (step === p.stageStates.length - 1) {
      exec.status = 'Succeeded';
    }
  };
}

describe('start', () => {
  test('checks variables and source revisions against GetPipeline, then starts with them', async () => {
    const e = await serve([pipeline('app')]);
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--var', 'ReleaseLabel=v1.4.0', '--var', 'TargetEnv=prod=blue', '--source-revision', 'Source=9f8e7d6c5b4a');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(ops(e)).toEqual(['GetPipeline', 'StartPipelineExecution']);
    const start = e.calls.find((c) => c.operation === 'StartPipelineExecution')!;
    expect(start.region).toBe('eu-west-1');
    expect(start.input).toMatchObject({
      name: 'app',
      variables: [{ name: 'ReleaseLabel', value: 'v1.4.0' }, { name: 'TargetEnv', value: 'prod=blue' }],
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '9f8e7d6c5b4a' }],
      clientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(r.stdout).toMatch(/^Started app \(eu-west-1, account 111111111111\): execution exec-3-\w+\n {2}variables: ReleaseLabel=v1.4.0, TargetEnv=prod=blue\n/);
    expect(r.stdout).toMatch(/https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codepipeline\/pipelines\/app\/executions\/exec-3-\w+\/timeline\?region=eu-west-1/);
  });

  test('fails before starting when a variable is not declared, naming it and the declared ones', async () => {
    const e = await serve([pipeline('app')]);
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--var', 'Relase=v1');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery-pipelines: start: --var 'Relase' is not a variable of pipeline 'app'; it declares ReleaseLabel, TargetEnv.\n");
    expect(ops(e)).toEqual(['GetPipeline']);
  });

  test.each([
    [['--var', 'ReleaseLabel'], /--var 'ReleaseLabel' is not NAME=VALUE; pass e.g. --var ReleaseLabel=v1.2.3/],
    [['--var', 'ReleaseLabel='], /--var 'ReleaseLabel' has a value of 0 characters; CodePipeline takes 1 to 1000/],
    [['--source-revision', 'Build=abc'], /--source-revision 'Build' is not a source action of pipeline 'app'; its source actions are Source/],
    [['--source-revision', 'Source'], /--source-revision 'Source' is not ACTION=REVISION/],
  ])('fails before starting on %j', async (args, message) => {
    const e = await serve([pipeline('app')]);
    const r = await cli('start', 'app', '--region', 'eu-west-1', ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(e.count('StartPipelineExecution')).toBe(0);
  });

  test('a pipeline without variables says so', async () => {
    await serve([pipeline('app', { variables: [] })]);
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--var', 'X=1');
    expect(r.stderr).toMatch(/--var 'X' is not a variable of pipeline 'app'; it declares no variables/);
  });

  test('fails with the name and region when the pipeline does not exist', async () => {
    await serve([pipeline('app')]);
    const r = await cli('start', 'ap', '--region', 'eu-west-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no pipeline 'ap' in eu-west-1 \(account 111111111111\); check the name and --region/);
  });

  test('--wait follows the execution stage by stage and exits 0 when it succeeds', async () => {
    await serve([pipeline('app')], (w) => (w.onCall = progress()));
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--wait', '--poll', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {2}Source: Succeeded\n {2}Build: Succeeded\n {2}Prod: Succeeded\nExecution exec-3-\w+: Succeeded\n$/);
  });

  test('--wait exits 4 with the failed action and its reason', async () => {
    await serve([pipeline('app')], (w) => (w.onCall = progress('Build')));
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--wait', '--poll', '0');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/ {2}Build: Failed\nExecution exec-3-\w+: Failed\n {2}Build\/Build failed: Build terminated with state: FAILED\. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR\n/);
    expect(r.stdout).toMatch(/explain: cdk-delivery-pipelines why app --region eu-west-1 --execution exec-3-\w+/);
    expect(r.stdout).not.toMatch(/Prod:/);
  });

  test('--json --wait prints one result for scripts', async () => {
    await serve([pipeline('app')], (w) => (w.onCall = progress('Build')));
    const r = await cli('start', 'app', '--region', 'eu-west-1', '--wait', '--poll', '0', '--json');
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual({
      pipeline: 'app',
      region: 'eu-west-1',
      account: ACCOUNT,
      executionId: expect.stringMatching(/^exec-3-/),
      status: 'Failed',
      failures: [{ stage: 'Build', action: 'Build', message: expect.stringMatching(/^Build terminated/) }],
    });
  });

  test('fails when given several accounts', async () => {
    await serve([pipeline('app')]);
    const r = await cli('start', 'app', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/a`, '--role-arn', `arn:aws:iam::${ACCOUNT}:role/b`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/start: acts on one pipeline in one account, but 2 --role-arn were given/);
  });
});

describe('approve', () => {
  test('finds the pending approval, shows what it asks and approves it with its token', async () => {
    const e = await serve([pipeline('app', { last: 'InProgress', pendingApproval: true })]);
    const r = await cli('approve', 'app', '--region', 'eu-west-1', '--comment', 'canary green');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `Approval Prod/Approve of app (eu-west-1, account ${ACCOUNT}), execution app-e2`,
      '  asks:   Release to prod: check the canary dashboard',
      '  review: https://example.com/release-notes',
      'Approved: "canary green"',
      '',
    ].join('\n'));
    expect(e.calls.find((c) => c.operation === 'PutApprovalResult')!.input).toEqual({
      pipelineName: 'app', stageName: 'Prod', actionName: 'Approve', token: 'token-app', result: { status: 'Approved', summary: 'canary green' },
    });
    const approval = e.world.accounts[0].regions[1].pipelines[0].stageStates[2].actionStates[0];
    expect(approval.latestExecution.status).toBe('Succeeded');
  });

  test('--reject records a rejection', async () => {
    const e = await serve([pipeline('app', { last: 'InProgress', pendingApproval: true })]);
    const r = await cli('approve', 'app', '--region', 'eu-west-1', '--reject', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stage: 'Prod', action: 'Approve', result: 'Rejected', comment: 'Rejected with cdk-delivery-pipelines' });
    expect(e.calls.find((c) => c.operation === 'PutApprovalResult')!.input.result.status).toBe('Rejected');
  });

  test('fails clearly when nothing is pending', async () => {
    const e = await serve([pipeline('app')]);
    const r = await cli('approve', 'app', '--region', 'eu-west-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/approve: nothing is waiting for approval in pipeline 'app' \(eu-west-1, account 111111111111\); 'cdk-delivery-pipelines status --regions eu-west-1' shows pending approvals/);
    expect(e.count('PutApprovalResult')).toBe(0);
  });

  test('with several pending, asks for --stage and approves the one named', async () => {
    const p = pipeline('app', { last: 'InProgress', pendingApproval: true });
    p.stageStates.push({ stageName: 'Prod-us', latestExecution: { pipelineExecutionId: 'app-e2', status: 'InProgress' }, actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress', token: 'token-us' } }] });
    const e = await serve([p]);
    const r = await cli('approve', 'app', '--region', 'eu-west-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/approve: 2 approvals are waiting in pipeline 'app' \(Prod\/Approve, Prod-us\/Approve\); pass --stage to choose one/);
    const ok = await cli('approve', 'app', '--region', 'eu-west-1', '--stage', 'Prod-us');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/asks: {3}\(no custom data\)/);
    expect(e.calls.filter((c) => c.operation === 'PutApprovalResult').map((c) => c.input.token)).toEqual(['token-us']);
  });

  test('fails on a stage the pipeline does not have, listing its stages', async () => {
    await serve([pipeline('app', { last: 'InProgress', pendingApproval: true })]);
    const r = await cli('approve', 'app', '--region', 'eu-west-1', '--stage', 'prod');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/approve: --stage 'prod' is not a stage of pipeline 'app'; its stages are Source, Build, Prod/);
  });
});
