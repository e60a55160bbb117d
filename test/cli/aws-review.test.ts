// `review` through the real SDK clients over HTTP against the local endpoint.
import { runCli } from '../../src/cli/cli';
import { classify } from '../../src/review/classify';
import { formatSummary } from '../../src/review/format';
import { SCENARIOS, TARGET, described } from '../review/fixtures';
import { FakeAwsEndpoint, FakePipeline, runCapture, setEnv } from '../util/aws-endpoint';
import { ACCOUNT, pipeline } from '../util/aws-world';

let endpoint: FakeAwsEndpoint | undefined;
let restore: (() => void) | undefined;

afterEach(async () => {
  restore?.();
  await endpoint?.stop();
  endpoint = undefined;
});

const cli = (...argv: string[]) => runCapture(runCli, argv);
const role = `arn:aws:iam::${TARGET}:role/app-review`;
const params = {
  pipeline: 'app',
  stage: 'Prod',
  changeSets: [
    { account: ACCOUNT, region: 'eu-west-1', stackName: 'app-prod', changeSetName: 'review-cs' },
    { account: TARGET, region: 'eu-west-1', stackName: 'app-prod', changeSetName: 'review-cs', roleArn: role },
  ],
  policy: 'on-risk',
  executionId: '#{codepipeline.PipelineExecutionId}',
};

/** app waits at Prod/Approve; Prod/Review (a Lambda invoke action) precedes it; `ran` gives its output variables in app-e2. */
async function serve(ran?: Record<string, string>): Promise<FakeAwsEndpoint> {
  const p: FakePipeline = pipeline('app', { last: 'InProgress', pendingApproval: true });
  p.declaration.stages[2].actions.unshift({
    name: 'Review',
    actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' },
    configuration: { FunctionName: 'app-review', UserParameters: JSON.stringify(params) },
    runOrder: 1,
  });
  p.actionExecutions = {
    'app-e2': [
      { pipelineExecutionId: 'app-e2', stageName: 'Build', actionName: 'Build', status: 'Succeeded', output: { outputVariables: {} } },
      ...(ran ? [{ pipelineExecutionId: 'app-e2', stageName: 'Prod', actionName: 'Review', status: 'Succeeded', output: { outputVariables: ran } }] : []),
    ],
  };
  endpoint = await FakeAwsEndpoint.start({
    accounts: [
      { id: ACCOUNT, regions: [{ name: 'us-east-1', pipelines: [] }, { name: 'eu-west-1', pipelines: [p], changeSets: { 'review-cs': { stackName: 'app-prod', changes: SCENARIOS.statefulReplacement } } }] },
      { id: TARGET, regions: [{ name: 'eu-west-1', pipelines: [], changeSets: { 'review-cs': { stackName: 'app-prod', changes: SCENARIOS.openSecurityGroup } } }] },
    ],
  });
  restore = setEnv(endpoint.env());
  return endpoint;
}

const variables = {
  TotalChanges: '3',
  Added: '0',
  Modified: '3',
  Removed: '0',
  Replacements: '1',
  StatefulReplacements: '1',
  SecurityChanges: '1',
  Broadening: '1',
  NeedsApproval: 'true',
  Summary: '3 changes in 2 change sets: ...\n- replace stateful AWS::DynamoDB::Table OrdersTable',
  ReportUrl: 'https://example.com/report',
};

test('prints the review action\'s summary and report link from the approval\'s execution', async () => {
  const e = await serve(variables);
  const r = await cli('review', 'app', '--region', 'eu-west-1');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe([
    `Approval Prod/Approve of app (eu-west-1, account ${ACCOUNT}), execution app-e2`,
    'Review Prod/Review (output variables):',
    '',
    variables.Summary,
    '',
    'Report: https://example.com/report',
    'Every change: cdk-delivery-pipelines review app --region eu-west-1 --stage Prod --describe',
    '',
  ].join('\n'));
  expect(e.calls.find((c) => c.operation === 'ListActionExecutions')!.input).toMatchObject({ pipelineName: 'app', filter: { pipelineExecutionId: 'app-e2' } });
  expect(e.count('DescribeChangeSet')).toBe(0);
  expect(e.count('PutApprovalResult')).toBe(0);
});

test('without the review action\'s run, describes the change sets (AssumeRole into the other account) and prints the whole review', async () => {
  const e = await serve();
  const r = await cli('review', 'app', '--region', 'eu-west-1', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ stage: 'Prod', approval: 'Approve', reviewAction: 'Review', source: 'described' });
  expect(out.variables).toMatchObject({ TotalChanges: '3', StatefulReplacements: '1', SecurityChanges: '1', Broadening: '1', NeedsApproval: 'true' });
  // the same summary the Lambda would have written
  const expected = classify([
    described(SCENARIOS.statefulReplacement, { account: ACCOUNT }),
    described(SCENARIOS.openSecurityGroup, { account: TARGET }),
  ]);
  expect(out.variables.Summary).toBe(formatSummary(expected));
  expect(e.calls.find((c) => c.operation === 'AssumeRole')!.input.RoleArn).toBe(role);
  expect(e.calls.filter((c) => c.operation === 'DescribeChangeSet').map((c) => c.account).sort()).toEqual([ACCOUNT, TARGET]);
});

test('--describe prints every change as plain text even when the output variables are there', async () => {
  await serve(variables);
  const r = await cli('review', 'app', '--region', 'eu-west-1', '--stage', 'Prod', '--describe');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Review Prod/Review (change sets described now):\n\nChange-set review of app / Prod (execution app-e2)\n');
  expect(r.stdout).toContain(`app-prod (account ${ACCOUNT}, eu-west-1), change set review-cs:\n  replace  AWS::DynamoDB::Table OrdersTable  [stateful; policy ReplaceAndDelete; changes KeySchema]\n`);
  expect(r.stdout).toContain(`app-prod (account ${TARGET}, eu-west-1), change set review-cs:\n  modify  AWS::EC2::SecurityGroup WebSecurityGroup  [security; broadening: opens ingress to 0.0.0.0/0 (tcp 443); changes SecurityGroupIngress]\n`);
});

test('fails clearly when nothing waits for approval, and when the stage has no review action', async () => {
  await serve();
  const none = await cli('review', 'app', '--region', 'eu-west-1', '--stage', 'Build');
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/review: nothing is waiting for approval in pipeline 'app' stage 'Build' \(eu-west-1, account 111111111111\)/);
  endpoint!.world.accounts[0].regions[1].pipelines[0].declaration.stages[2].actions.shift();
  const noAction = await cli('review', 'app', '--region', 'eu-west-1');
  expect(noAction.code).toBe(1);
  expect(noAction.stderr).toMatch(/review: stage 'Prod' of pipeline 'app' has no change-set review action/);
});

test('rejects options that do not apply', async () => {
  await serve();
  const r = await cli('review', 'app', '--region', 'eu-west-1', '--reject');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/review: --reject does not apply; review takes --stage, --describe, --json/);
});
