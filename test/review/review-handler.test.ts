// The review handler through the real SDK clients (CloudFormation, STS, S3, SNS, CodePipeline) over HTTP
// against the local endpoint, with DescribeChangeSet answers of the documented shape.
import { OTHER, SCENARIOS, TARGET, change } from './fixtures';
import { handler } from '../../src/review/review.lambda';
import { FakeAwsEndpoint, FakeChangeSet, FakeWorld, setEnv } from '../util/aws-endpoint';
import { ACCOUNT } from '../util/aws-world';

let endpoint: FakeAwsEndpoint | undefined;
let restore: (() => void) | undefined;

afterEach(async () => {
  restore?.();
  await endpoint?.stop();
  endpoint = undefined;
});

/** The pipeline's account (us-east-1: CodePipeline, S3, SNS; eu-west-1: its own change sets) and TARGET (eu-west-1). */
async function serve(own: Record<string, FakeChangeSet>, target: Record<string, FakeChangeSet> = {}, tweak: (w: FakeWorld) => void = () => {}) {
  const w: FakeWorld = {
    accounts: [
      { id: ACCOUNT, regions: [{ name: 'us-east-1', pipelines: [] }, { name: 'eu-west-1', pipelines: [], changeSets: own }] },
      { id: TARGET, regions: [{ name: 'eu-west-1', pipelines: [], changeSets: target }] },
      { id: OTHER, regions: [{ name: 'eu-west-1', pipelines: [], changeSets: {} }] },
    ],
  };
  tweak(w);
  endpoint = await FakeAwsEndpoint.start(w);
  restore = setEnv({ ...endpoint.env(), REVIEW_POLL_MS: '5', REVIEW_MAX_WAIT_MS: '2000' });
  return endpoint;
}

const ref = (stackName = 'app-prod', changeSetName = 'review-cs', extra: any = {}) => ({ account: ACCOUNT, region: 'eu-west-1', stackName, changeSetName, ...extra });

function job(params: any, id = 'job-1') {
  return {
    'CodePipeline.job': {
      id,
      accountId: ACCOUNT,
      data: { actionConfiguration: { configuration: { FunctionName: 'review', UserParameters: typeof params === 'string' ? params : JSON.stringify(params) } } },
    },
  };
}

const base = { pipeline: 'app', stage: 'Prod', executionId: 'exec-42', reportBucket: 'app-artifacts', reportPrefix: 'reviews/' };

function result(e: FakeAwsEndpoint) {
  const calls = e.calls.filter((c) => c.operation === 'PutJobSuccessResult' || c.operation === 'PutJobFailureResult');
  expect(calls).toHaveLength(1);
  return { operation: calls[0].operation, ...calls[0].input };
}

const cs = (changes: any[], extra: Partial<FakeChangeSet> = {}): FakeChangeSet => ({ stackName: 'app-prod', changes, ...extra });

test('no changes: an empty review succeeds; skip-when-empty says NeedsApproval false; the report says "No changes."', async () => {
  const e = await serve({ 'review-cs': cs([], { status: 'FAILED', statusReason: "The submitted information didn't contain changes. Submit different information to create a change set." }) });
  await handler(job({ ...base, changeSets: [ref()], policy: 'skip-when-empty' }));
  expect(result(e)).toEqual({
    operation: 'PutJobSuccessResult',
    jobId: 'job-1',
    outputVariables: {
      TotalChanges: '0',
      Added: '0',
      Modified: '0',
      Removed: '0',
      Replacements: '0',
      StatefulReplacements: '0',
      SecurityChanges: '0',
      Broadening: '0',
      NeedsApproval: 'false',
      Summary: 'No changes in 1 change set.',
      ReportUrl: 'https://us-east-1.console.aws.amazon.com/s3/object/app-artifacts?region=us-east-1&prefix=reviews%2Fexec-42%2FProd.md',
    },
    executionDetails: { summary: 'No changes in 1 change set.', percentComplete: 100 },
  });
  const report = e.objects.get('app-artifacts/reviews/exec-42/Prod.md')!;
  expect(report.body).toMatch(/^# Change-set review: app \/ Prod\n/);
  expect(report.body).toMatch(/\n## app-prod \(account 111111111111, eu-west-1\), change set review-cs\n\nNo changes\.\n/);
  expect(e.calls.find((c) => c.operation === 'DescribeChangeSet')!.input).toMatchObject({ ChangeSetName: 'review-cs', StackName: 'app-prod', IncludePropertyValues: 'true' });
});

test('additions only: counts, the SNS notification in plain text, the report with SSE-KMS', async () => {
  const e = await serve({ 'review-cs': cs(SCENARIOS.additions) });
  const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:approvals`;
  await handler(job({ ...base, changeSets: [ref()], policy: 'on-risk', reportKmsKeyArn: key, topicArn: topic }));
  const r = result(e);
  expect(r.outputVariables).toMatchObject({ TotalChanges: '2', Added: '2', NeedsApproval: 'false', Summary: '2 changes in 1 change set: 2 added, 0 modified, 0 removed; 0 replacements (0 stateful); 0 security changes (0 broadening).' });
  const publish = e.calls.find((c) => c.operation === 'Publish')!;
  expect(publish.input).toMatchObject({ TopicArn: topic, Subject: 'Review app/Prod: 2 changes, 0 replacements, 0 security' });
  expect(publish.input.Message).toContain('app-prod (account 111111111111, eu-west-1), change set review-cs:\n  add  AWS::S3::Bucket ReportsBucket  [stateful]\n  add  AWS::Lambda::Function ExportFunction\n');
  expect(publish.input.Message).toContain('Report: https://us-east-1.console.aws.amazon.com/s3/object/app-artifacts?');
  const report = e.objects.get('app-artifacts/reviews/exec-42/Prod.md')!;
  expect(report.headers).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': key, 'content-type': 'text/markdown; charset=utf-8' });
  expect(report.body).toContain('| add | `ReportsBucket` | `AWS::S3::Bucket` |  | stateful |');
});

test('a stateful replacement fails the job under fail-on-stateful-replacement, naming the resource; under always it is counted', async () => {
  let e = await serve({ 'review-cs': cs(SCENARIOS.statefulReplacement) });
  await handler(job({ ...base, changeSets: [ref()], policy: 'fail-on-stateful-replacement' }));
  const failed = result(e);
  expect(failed.operation).toBe('PutJobFailureResult');
  expect(failed.failureDetails.type).toBe('JobFailed');
  expect(failed.failureDetails.message).toMatch(/^Change-set review of Prod: 1 stateful resource would be replaced \(policy fail-on-stateful-replacement\): AWS::DynamoDB::Table OrdersTable \(stack app-prod, account 111111111111, eu-west-1; Replacement True\)\./);
  expect(e.objects.size).toBe(1); // the report is written before failing
  restore!();
  await e.stop();
  e = await serve({ 'review-cs': cs(SCENARIOS.statefulReplacement) });
  endpoint = e;
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  expect(result(e).outputVariables).toMatchObject({ Replacements: '1', StatefulReplacements: '1', NeedsApproval: 'true' });
  expect(result(e).outputVariables.Summary).toContain('\n- replace stateful AWS::DynamoDB::Table OrdersTable (app-prod, 111111111111 eu-west-1)');
});

test('an IAM policy gaining "*" and a security group opened to 0.0.0.0/0, in two change sets, are broadening security changes', async () => {
  const e = await serve({ 'iam-cs': cs(SCENARIOS.iamStar), 'sg-cs': cs(SCENARIOS.openSecurityGroup, { stackName: 'app-network' }) });
  await handler(job({ ...base, changeSets: [ref('app-prod', 'iam-cs'), ref('app-network', 'sg-cs')], policy: 'on-risk' }));
  const vars = result(e).outputVariables;
  expect(vars).toMatchObject({ TotalChanges: '2', SecurityChanges: '2', Broadening: '2', NeedsApproval: 'true' });
  expect(vars.Summary.split('\n').slice(1)).toEqual([
    '- modify AWS::IAM::Policy AppPolicy (app-prod, 111111111111 eu-west-1): new actions *',
    '- modify AWS::EC2::SecurityGroup WebSecurityGroup (app-network, 111111111111 eu-west-1): opens ingress to 0.0.0.0/0 (tcp 443)',
  ]);
});

test('a nested stack\'s change set is followed by its ARN, and its resources counted', async () => {
  const nestedArn = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:changeSet/review-cs-Data-1ABC/0002`;
  const e = await serve({
    'review-cs': cs([change('Modify', 'AWS::CloudFormation::Stack', 'DataStack', { changeSetId: nestedArn })]),
    [nestedArn]: cs(SCENARIOS.statefulReplacement, { stackName: 'app-prod-DataStack-1ABC' }),
  });
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  const describes = e.calls.filter((c) => c.operation === 'DescribeChangeSet').map((c) => c.input);
  expect(describes).toEqual([
    expect.objectContaining({ ChangeSetName: 'review-cs', StackName: 'app-prod' }),
    { Action: 'DescribeChangeSet', Version: '2010-05-15', ChangeSetName: nestedArn, IncludePropertyValues: 'true' },
  ]);
  expect(result(e).outputVariables).toMatchObject({ TotalChanges: '2', StatefulReplacements: '1' });
  expect(result(e).outputVariables.Summary).toContain('OrdersTable (app-prod/DataStack, 111111111111 eu-west-1)');
});

test('several pages are merged (NextToken)', async () => {
  const changes = Array.from({ length: 5 }, (_, i) => change('Add', 'AWS::SNS::Topic', `Topic${i}`));
  const e = await serve({ 'review-cs': cs(changes, { pageSize: 2 }) });
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  expect(e.calls.filter((c) => c.operation === 'DescribeChangeSet').map((c) => c.input.NextToken)).toEqual([undefined, 'page-2', 'page-4']);
  expect(result(e).outputVariables.TotalChanges).toBe('5');
});

test('a change set still being created is polled until complete', async () => {
  const e = await serve({ 'review-cs': cs(SCENARIOS.additions, { inProgressLooks: 2 }) });
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  expect(e.count('DescribeChangeSet')).toBe(3);
  expect(result(e).outputVariables.Added).toBe('2');
});

test('a change set that stays in progress fails the job after the wait, naming it', async () => {
  const e = await serve({ 'review-cs': cs([], { inProgressLooks: 1000 }) });
  process.env.REVIEW_MAX_WAIT_MS = '50';
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  expect(result(e).failureDetails.message).toMatch(/cannot describe change set 'review-cs' of stack 'app-prod' in account 111111111111, region eu-west-1: still CREATE_IN_PROGRESS after 0 s/);
});

test('the wait ends before the function\'s own timeout, so the job always gets a result', async () => {
  const e = await serve({ 'review-cs': cs([], { inProgressLooks: 1000 }) });
  const started = Date.now();
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }), { getRemainingTimeInMillis: () => 20_100 - (Date.now() - started) });
  expect(result(e).failureDetails.message).toMatch(/still CREATE_IN_PROGRESS after 0 s; retry the review action when it is complete/);
  expect(e.count('DescribeChangeSet')).toBeLessThan(1000);
});

test('a change set in another account is described through AssumeRole of the given role', async () => {
  const role = `arn:aws:iam::${TARGET}:role/app-review`;
  const e = await serve({}, { 'review-cs': cs(SCENARIOS.iamStar) });
  await handler(job({ ...base, changeSets: [{ ...ref(), account: TARGET, roleArn: role }], policy: 'always' }));
  const assume = e.calls.find((c) => c.operation === 'AssumeRole')!;
  expect(assume).toMatchObject({ account: ACCOUNT, input: expect.objectContaining({ RoleArn: role, RoleSessionName: 'change-set-review' }) });
  expect(e.calls.find((c) => c.operation === 'DescribeChangeSet')).toMatchObject({ account: TARGET, region: 'eu-west-1' });
  expect(result(e).outputVariables).toMatchObject({ Broadening: '1' });
  expect(result(e).outputVariables.Summary).toContain(`AppPolicy (app-prod, ${TARGET} eu-west-1)`);
});

test('throttling is retried', async () => {
  const e = await serve({ 'review-cs': cs(SCENARIOS.additions) }, {}, (w) => (w.throttle = { DescribeChangeSet: 2 }));
  await handler(job({ ...base, changeSets: [ref()], policy: 'always' }));
  expect(e.count('DescribeChangeSet')).toBe(3);
  expect(result(e).operation).toBe('PutJobSuccessResult');
});

test('AccessDenied fails the job with a permission error naming account, region, stack and the error', async () => {
  const role = `arn:aws:iam::${TARGET}:role/app-review`;
  const e = await serve({ 'ok-cs': cs(SCENARIOS.additions) }, { 'review-cs': cs([], { accessDenied: true }) });
  await handler(job({ ...base, changeSets: [ref('app-prod', 'ok-cs'), { ...ref(), account: TARGET, roleArn: role }], policy: 'always' }));
  const r = result(e);
  expect(r.operation).toBe('PutJobFailureResult');
  expect(r.failureDetails.type).toBe('PermissionError');
  expect(r.failureDetails.message).toMatch(new RegExp(`^Change-set review of Prod: cannot describe change set 'review-cs' of stack 'app-prod' in account ${TARGET}, region eu-west-1 \\(through ${role}\\): AccessDenied: User: .* is not authorized to perform: cloudformation:DescribeChangeSet`));
  expect(e.objects.size).toBe(0);
});

test('a missing change set and a role that cannot be assumed fail the job clearly', async () => {
  const e = await serve({});
  await handler(job({ ...base, changeSets: [ref('app-prod', 'gone')], policy: 'always' }, 'job-a'));
  await handler(job({ ...base, changeSets: [{ ...ref(), account: '999999999999', roleArn: 'arn:aws:iam::999999999999:role/nope' }], policy: 'always' }, 'job-b'));
  const failures = e.calls.filter((c) => c.operation === 'PutJobFailureResult').map((c) => c.input.failureDetails.message);
  expect(failures[0]).toMatch(/cannot describe change set 'gone' of stack 'app-prod' in account 111111111111, region eu-west-1: ChangeSetNotFoundException: ChangeSet \[gone\] does not exist/);
  expect(failures[1]).toMatch(/cannot describe change set 'review-cs' .* account 999999999999, region eu-west-1 \(through arn:aws:iam::999999999999:role\/nope\): .*AccessDenied.*sts:AssumeRole/);
});

test.each([
  ['', /UserParameters are empty/],
  ['{not json', /UserParameters are not JSON/],
  [JSON.stringify({ pipeline: 'app', stage: 'Prod', changeSets: [], policy: 'always' }), /need 'changeSetStages' \(the stages holding the change-set actions\) or 'changeSets' as a non-empty list/],
  [JSON.stringify({ stage: 'Prod', changeSetStages: ['Prod'], changeSets: [ref()] }), /have both 'changeSets' and 'changeSetStages'; give one of them/],
  [JSON.stringify({ stage: 'Prod', changeSetStages: ['Prod'], reviewRoleName: 'no/slash' }), /need 'reviewRoleName' as an IAM role name/],
  [JSON.stringify({ pipeline: 'app', stage: 'Prod', changeSets: [{ account: '1', region: 'r', stackName: 's', changeSetName: 'c' }] }), /changeSets\[0\]\.account '1' is not a 12-digit account id/],
  [JSON.stringify({ pipeline: 'app', stage: 'Prod', changeSets: [ref()], policy: 'sometimes' }), /have policy "sometimes"; use one of always, skip-when-empty, on-risk, fail-on-stateful-replacement/],
  [JSON.stringify({ pipeline: 'app', stage: 'Prod', changeSets: [ref()], topic: 'x' }), /have unknown field\(s\) topic/],
])('bad UserParameters %j fail the job as a configuration error', async (params, message) => {
  const e = await serve({});
  await handler(job(params));
  const r = result(e);
  expect(r.failureDetails.type).toBe('ConfigurationError');
  expect(r.failureDetails.message).toMatch(message);
  expect(e.count('DescribeChangeSet')).toBe(0);
});

test('an event that is not a CodePipeline job is refused with a clear error, calling nothing', async () => {
  const e = await serve({});
  await expect(handler({ Records: [] } as any)).rejects.toThrow(/the change-set review handles CodePipeline Lambda invoke jobs .*; got \{"Records":\[\]\}/);
  expect(e.calls).toHaveLength(0);
});
