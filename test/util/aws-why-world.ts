/**
 * A failed execution for `why` (tests and docs): pipeline 'app' in eu-west-1 whose newest execution
 * failed in two parallel actions (CloudFormation on a permission error, CodeBuild), with stack events,
 * the build, CloudTrail events, and a cloud assembly that defines the roles.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeRegion } from './aws-endpoint';
import { ACCOUNT, pipeline } from './aws-world';

export const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
export const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/Ops-Release-PipelineDeployRoleA1B2C3D4-Xy12Ab34Cd56`;
export const STACK_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-prod-cfn-exec`;
export const BUILD_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-test-build`;

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
export function failedRegion(): FakeRegion {
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
export function roleAssembly(): string {
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

