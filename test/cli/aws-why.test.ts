// `why` through the real SDK clients (CodePipeline, CodeBuild, CloudFormation, CloudTrail) over HTTP
// against the local endpoint, and the role-to-construct lookup over a cloud assembly.
import * as fs from 'fs';
import * as path from 'path';
import { roleFinder } from '../../src/cli/aws/roles';
import { runCli } from '../../src/cli/cli';
import { FakeAwsEndpoint, runCapture, setEnv } from '../util/aws-endpoint';
import { at, DEPLOY_ROLE, failedRegion, roleAssembly, STACK_ROLE } from '../util/aws-why-world';
import { ACCOUNT } from '../util/aws-world';

let endpoint: FakeAwsEndpoint;
let restore: () => void;
beforeEach(async () => {
  endpoint = await FakeAwsEndpoint.start({ accounts: [{ id: ACCOUNT, regions: [{ name: 'us-east-1', pipelines: [] }, failedRegion()] }] });
  restore = setEnv(endpoint.env());
});
afterEach(async () => {
  restore();
  await endpoint.stop();
});

const cli = (...argv: string[]) => runCapture(runCli, argv);

describe('why', () => {
  test('explains the newest failed execution: errors, build log, first failed stack event, denied calls, constructs', async () => {
    const r = await cli('why', 'app', '--region', 'eu-west-1', '--app', roleAssembly());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text).toMatch(/^app \(eu-west-1, account 111111111111\): execution app-e2 Failed, /);
    expect(text).toMatch(/Failed actions \(2\):/);
    expect(text).toMatch(/ {2}Prod\/Deploy \(CloudFormation, eu-west-1\): Stack app-prod failed: UPDATE_ROLLBACK_COMPLETE\n {4}role: .*PipelineDeployRoleA1B2C3D4-Xy12Ab34Cd56\n {6}defined by Ops\/Release\/Pipeline\/Prod\/Deploy\/Role\/Resource\n {4}stack role: arn:aws:iam::111111111111:role\/app-prod-cfn-exec\n {6}defined by Ops\/Release\/StackRole\/Resource\n/);
    expect(text).toMatch(/ {4}stack app-prod: first failure \S+ AssetsPolicy \(AWS::S3::BucketPolicy\) UPDATE_FAILED: User: .* is not authorized to perform: s3:PutBucketPolicy\n/);
    expect(text).toMatch(/ {2}Prod\/Test \(CodeBuild, eu-west-1\): Build terminated with state: FAILED.*\n(.*\n)* {4}build role: arn:aws:iam::111111111111:role\/app-test-build\n {4}phase BUILD FAILED: Error while executing command: npm test\. Reason: exit status 1\n {4}logs: https:\/\/console\.aws\.amazon\.com\/cloudwatch\/.*stream=42\n/);
    expect(text).toMatch(/Denied calls in CloudTrail \(1\):\n {2}\S+ eu-west-1 role app-prod-cfn-exec lacked s3:PutBucketPolicy on arn:aws:s3:::app-prod-assets \(AccessDenied\)\n {6}defined by Ops\/Release\/StackRole\/Resource\n/);
    expect(text).toMatch(/console: https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codepipeline\/pipelines\/app\/executions\/app-e2\/timeline\?region=eu-west-1\n$/);
    // The execution's window: no earlier than 1 minute before its first action started.
    const lookup = endpoint.calls.find((c) => c.operation === 'LookupEvents')!;
    expect(lookup.region).toBe('eu-west-1');
    expect(lookup.input.StartTime * 1000).toBeGreaterThan(at(22).getTime());
    expect(endpoint.calls.find((c) => c.operation === 'BatchGetBuilds')!.input).toEqual({ ids: ['app-test:42'] });
    expect(endpoint.calls.find((c) => c.operation === 'DescribeStackEvents')!.input).toMatchObject({ StackName: 'app-prod' });
  });

  test('--json for scripts', async () => {
    const r = await cli('why', 'app', '--region', 'eu-west-1', '--execution', 'app-e2', '--json');
    const out = JSON.parse(r.stdout);
    expect(out.failedActions.map((f: any) => [f.action, f.provider])).toEqual([['Deploy', 'CloudFormation'], ['Test', 'CodeBuild']]);
    expect(out.deniedCalls).toEqual([expect.objectContaining({ role: STACK_ROLE, action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::app-prod-assets', errorCode: 'AccessDenied' })]);
    expect(out.constructs).toEqual({});
  });

  test('does not read CloudTrail when no error is about permissions', async () => {
    const events = endpoint.world.accounts[0].regions[1].stackEvents!['app-prod'];
    events[2].ResourceStatusReason = 'Bucket name already exists';
    const r = await cli('why', 'app', '--region', 'eu-west-1', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).deniedCalls).toEqual([]);
    expect(endpoint.count('LookupEvents')).toBe(0);
  });

  test('fails clearly when no execution failed', async () => {
    const r = await cli('why', 'healthy', '--region', 'eu-west-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/why: no failed execution among the last 2 of pipeline 'healthy' \(eu-west-1\); the newest, healthy-e2, is Succeeded; pass --execution ID/);
  });

  test('fails clearly on an unknown --execution', async () => {
    const r = await cli('why', 'app', '--region', 'eu-west-1', '--execution', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/why: --execution 'nope' is not an execution of pipeline 'app' \(eu-west-1\)/);
  });
});

describe('role to construct', () => {
  test('matches explicit RoleName, generated names, and generated names cut to 64 characters', () => {
    const dir = roleAssembly();
    const find = roleFinder(dir);
    expect(find(DEPLOY_ROLE)).toBe('Ops/Release/Pipeline/Prod/Deploy/Role/Resource');
    expect(find(STACK_ROLE)).toBe('Ops/Release/StackRole/Resource');
    expect(find(`arn:aws:iam::${ACCOUNT}:role/Other-PipelineDeployRoleA1B2C3D4-Xy12Ab34Cd56`)).toBeUndefined();
    // A long stack name: CloudFormation cuts both parts so the whole is 64 characters.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
    manifest.artifacts.OpsRelease.properties.stackName = 'platform-release-pipelines-eu-west-1-production';
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const cut = 'platform-release-pipelines-eu-west-1-pr-PipelineDeployRo-1AB2CD3EF4GH5';
    expect(cut.length).toBeGreaterThanOrEqual(60);
    expect(roleFinder(dir)(`arn:aws:iam::${ACCOUNT}:role/${cut}`)).toBe('Ops/Release/Pipeline/Prod/Deploy/Role/Resource');
  });
});
