// `why` through the real SDK clients (CodePipeline, CodeBuild, CloudFormation, CloudTrail) over HTTP
// against the local endpoint, and the role-to-construct lookup over a cloud assembly.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { roleFinder } from '../../src/cli/aws/roles';
import { runCli } from '../../src/cli/cli';
import { FakeAwsEndpoint, FakeRegion, runCapture, setEnv } from '../util/aws-endpoint';
import { ACCOUNT, pipeline } from '../util/aws-world';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/Ops-Release-PipelineDeployRoleA1B2C3D4-Xy12Ab34Cd56`;
const STACK_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-prod-cfn-exec`;
const BUILD_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-test-build`;

function trailEvent(minutesAgo: number, role: string, errorCode: string | undefined, permission: string, resource: string) {
  const name = role.split('/').pop();
  return {
    EventId: `ev-${Math.random()}`,
    EventName: permission.split(':')[1],
    EventTime: at(minutesAgo),
    EventSource: `${permission.split(':')[0]}.amazonaws.com`,
    Resources: [{ ResourceType: 'AWS::S3::Bucket', ResourceName: resource }],
    CloudTrailEvent: {
      eventVersion: '1.09',
      eventTime: at(minutesAgo).toISOString(),
      eventSource: `${permission.split(':')[0]}.amazonaws.com`,
      eventName: permission.split(':')[1],
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/AWSCloudFormation`, sessionContext: { sessionIssuer: { type: 'Role', arn: role, userName: name } } },
      ...(errorCode ? {
        errorCode,
        errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${name}/AWSCloudFormation is not authorized to perform: ${permission} on resource: "${resource}" because no identity-based policy allows the ${permission} action`,
      } : {}),
    },
  };
}

/** eu-west-1: pipeline 'app' whose newest execution failed in two parallel actions (CloudFormation, CodeBuild). */
function region(): FakeRegion {
  const p = pipeline('app', { last: 'Failed' });
  const detail = (action: string, provider: string, extra: any) => ({
    pipelineExecutionId: 'app-e2',
    actionExecutionId: `a-${action}`,
    stageName: 'Prod',
    actionName: action,
    status: 'Failed',
    startTime: at(15),
    lastUpdateTime: at(6),
    input: { actionTypeId: { category: provider === 'CodeBuild' ? 'Test' : 'Deploy', owner: 'AWS', provider, version: '1' }, region: 'eu-west-1', ...extra.input },
    output: { executionResult: extra.result },
  });
  p.actionExecutions = {
    'app-e2': [
      { pipelineExecutionId: 'app-e2', stageName: 'Source', actionName: 'Source', status: 'Succeeded', startTime: at(20), lastUpdateTime: at(19) },
      detail('Deploy', 'CloudFormation', {
        input: { roleArn: DEPLOY_ROLE, configuration: { StackName: 'app-prod', ActionMode: 'CREATE_UPDATE', RoleArn: STACK_ROLE } },
        result: { externalExecutionSummary: 'Stack app-prod in UPDATE_ROLLBACK_COMPLETE state', errorDetails: { code: 'JobFailed', message: 'Stack app-prod failed: UPDATE_ROLLBACK_COMPLETE' } },
      }),
      detail('Test', 'CodeBuild', {
        input: { roleArn: DEPLOY_ROLE, configuration: { ProjectName: 'app-test' } },
        result: { externalExecutionId: 'app-test:42', errorDetails: { code: 'JobFailed', message: 'Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR' } },
      }),
    ],
  };
  const stackEvent = (minutesAgo: number, resource: string, status: string, reason?: string) => ({
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app-prod/1',
    EventId: `e-${minutesAgo}-${resource}`,
    StackName: 'app-prod',
    LogicalResourceId: resource,
    PhysicalResourceId: resource,
    ResourceType: resource === 'app-prod' ? 'AWS::CloudFormation::Stack' : 'AWS::S3::BucketPolicy',
    Timestamp: at(minutesAgo),
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
  });
  return {
    name: 'eu-west-1',
    pipelines: [p, pipeline('healthy')],
    stackEvents: {
      'app-prod': [
        stackEvent(7, 'app-prod', 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [AssetsPolicy].'),
        stackEvent(8, 'Topic', 'UPDATE_FAILED', 'Resource update cancelled'),
        stackEvent(9, 'AssetsPolicy', 'UPDATE_FAILED', `User: arn:aws:sts::${ACCOUNT}:assumed-role/app-prod-cfn-exec/AWSCloudFormation is not authorized to perform: s3:PutBucketPolicy`),
        stackEvent(10, 'AssetsPolicy', 'UPDATE_IN_PROGRESS'),
        stackEvent(60 * 24, 'Old', 'UPDATE_FAILED', 'an older failure'),
      ],
    },
    builds: {
      'app-test:42': {
        id: 'app-test:42',
        buildStatus: 'FAILED',
        serviceRole: BUILD_ROLE,
        phases: [
          { phaseType: 'INSTALL', phaseStatus: 'SUCCEEDED' },
          { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: npm test. Reason: exit status 1' }] },
        ],
        logs: { groupName: '/aws/codebuild/app-test', streamName: '42', deepLink: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEvent:group=/aws/codebuild/app-test;stream=42' },
      },
    },
    trailEvents: [
      trailEvent(9, STACK_ROLE, 'AccessDenied', 's3:PutBucketPolicy', 'arn:aws:s3:::app-prod-assets'),
      trailEvent(10, STACK_ROLE, undefined, 's3:GetBucketPolicy', 'arn:aws:s3:::app-prod-assets'),
      trailEvent(9, `arn:aws:iam::${ACCOUNT}:role/someone-else`, 'AccessDenied', 's3:DeleteBucket', 'arn:aws:s3:::other'),
      trailEvent(180, STACK_ROLE, 'AccessDenied', 's3:PutBucketTagging', 'arn:aws:s3:::app-prod-assets'),
    ],
  };
}

/** A cloud assembly whose stack 'Ops-Release' defines the deploy role (generated name) and the stack role (RoleName). */
function assembly(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'why-assembly-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      OpsRelease: { type: 'aws:cloudformation:stack', environment: `aws://${ACCOUNT}/eu-west-1`, displayName: 'Ops/Release', properties: { templateFile: 'OpsRelease.template.json', stackName: 'Ops-Release' } },
    },
  }));
  fs.writeFileSync(path.join(dir, 'OpsRelease.template.json'), JSON.stringify({
    Resources: {
      PipelineDeployRoleA1B2C3D4: { Type: 'AWS::IAM::Role', Properties: {}, Metadata: { 'aws:cdk:path': 'Ops/Release/Pipeline/Prod/Deploy/Role/Resource' } },
      StackRole0F1E2D3C: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'app-prod-cfn-exec' }, Metadata: { 'aws:cdk:path': 'Ops/Release/StackRole/Resource' } },
    },
  }));
  return dir;
}

let endpoint: FakeAwsEndpoint;
let restore: () => void;
beforeEach(async () => {
  endpoint = await FakeAwsEndpoint.start({ accounts: [{ id: ACCOUNT, regions: [{ name: 'us-east-1', pipelines: [] }, region()] }] });
  restore = setEnv(endpoint.env());
});
afterEach(async () => {
  restore();
  await endpoint.stop();
});

const cli = (...argv: string[]) => runCapture(runCli, argv);

describe('why', () => {
  test('explains the newest failed execution: errors, build log, first failed stack event, denied calls, constructs', async () => {
    const r = await cli('why', 'app', '--region', 'eu-west-1', '--app', assembly());
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
    const dir = assembly();
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
