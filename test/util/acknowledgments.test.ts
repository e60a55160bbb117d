/**
 * The shared acknowledgment helpers (src/private/wildcard-allowances.ts, nag-rendering.ts) name
 * exactly the finding cdk-nag renders, under both jest projects (`defaults`: `arn:<AWS::Partition>:`;
 * `cdk-init`: `arn:aws:`), in a stack with an environment and in an env-agnostic one
 * (`<AWS::Region>`, `<AWS::AccountId>`), and for a resource of another stack (`Fn::ImportValue`).
 */
import { Aws, Fn, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference as nagFlatten } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { createTestApp, currentFlagSet, synthAndReport, testStackEnvs } from './harness';
import { codeBuildLogGroupArn, codeBuildReportGroupsArn, projectAllowances } from '../../src/build/private/build-step';
import { nagRendering } from '../../src/private/nag-rendering';
import { acknowledgeWildcards, ARN_FIELD, arnPattern, flattenCfnReference } from '../../src/private/wildcard-allowances';

const IAM5 = /^AwsSolutions-IAM5\[/;

test('our flattening is cdk-nag\'s, value for value', () => {
  const stack = new Stack(createTestApp(), 'S');
  const bucket = new s3.Bucket(stack, 'B');
  const values = [
    'plain',
    '${AWS::Region}',
    bucket.arnForObjects('*'),
    `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:x:*`,
    Fn.sub('arn:${AWS::Partition}:s3:::${B}/*', { B: bucket.bucketName }),
    Fn.importValue('Other:Export'),
    Fn.select(0, ['a', 'b']),
  ];
  for (const v of values) {
    const resolved = stack.resolve(v);
    expect(flattenCfnReference(resolved)).toBe(nagFlatten(resolved));
    expect(nagRendering(bucket, v)).toBe(nagFlatten(resolved));
  }
});

test('ARN_FIELD matches every rendering of a partition, region or account, and never crosses a colon', () => {
  const field = new RegExp(`^${ARN_FIELD}$`);
  for (const ok of ['aws', 'aws-cn', '<AWS::Partition>', '<AWS::Region>', '<AWS::AccountId>', 'eu-west-1', '111111111111', '', '*', '<Param>-x']) {
    expect(field.test(ok)).toBe(true);
  }
  for (const no of ['aws:s3', 'a:b', '<AWS::Region']) {
    expect(field.test(no)).toBe(false);
  }
  const p = arnPattern('logs', 'log-group:/x:\\*');
  expect(p.test('arn:aws:logs:eu-west-1:111111111111:log-group:/x:*')).toBe(true);
  expect(p.test('arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/x:*')).toBe(true);
  expect(p.test('arn:aws:logs:eu-west-1:111111111111:log-group:/y:*')).toBe(false);
  expect(p.test('arn:aws:s3:eu-west-1:111111111111:log-group:/x:*')).toBe(false);
  const pinned = arnPattern('logs', 'log-group:/x:\\*', { region: 'eu-west-1' });
  expect(pinned.test('arn:aws:logs:us-east-1:111111111111:log-group:/x:*')).toBe(false);
});

describe.each(testStackEnvs())('acknowledgments derived from the rendered finding (%s)', (_name, env) => {
  function build() {
    const app = createTestApp();
    const producer = new Stack(app, 'Producer', { env });
    const shared = new s3.Bucket(producer, 'Shared', { enforceSSL: true });
    const stack = new Stack(app, 'Consumer', { env });
    const project = new codebuild.PipelineProject(stack, 'Project');
    acknowledgeWildcards(project.role!, projectAllowances(project));
    // A resource of another stack: cdk-nag sees `Fn::ImportValue` once the app is prepared.
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    reader.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [shared.arnForObjects('*')] }));
    acknowledgeWildcards(reader, [{ resource: shared.arnForObjects('*'), reason: 'test: objects of the one shared bucket' }]);
    // A pattern built with arnPattern (any partition/region/account rendering).
    const patterned = new iam.Role(stack, 'Patterned', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    patterned.addToPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'app/*' })],
    }));
    acknowledgeWildcards(patterned, [{ resourcePattern: () => arnPattern('ssm', 'parameter/app/\\*'), reason: 'test: parameters under /app' }]);
    // Negative control: a wildcard no allowance explains is still reported.
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    other.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'other/*' })] }));
    acknowledgeWildcards(other, [{ resourcePattern: () => arnPattern('ssm', 'parameter/app/\\*'), reason: 'test' }]);
    return { app, stack, project };
  }

  test('every wildcard our allowances explain is acknowledged; the one they do not is reported', () => {
    const { app, stack, project } = build();
    const result = synthAndReport(app);
    const iam5 = result.findings.filter((f) => IAM5.test(f.rule));
    expect(iam5.map((f) => `${f.constructPath} ${f.rule}`)).toEqual([
      expect.stringMatching(/^Consumer\/Other\/DefaultPolicy\/Resource AwsSolutions-IAM5\[Resource::arn:.*:ssm:.*:parameter\/other\/\*\]$/),
    ]);
    const acked = result.acknowledged.filter((a) => IAM5.test(a.rule)).map((a) => a.rule);
    // Partition literals need a known region (aws-cdk-lib renders `<AWS::Partition>` in an env-agnostic stack).
    const partition = currentFlagSet() === 'cdk-init' && env ? 'aws' : '<AWS::Partition>';
    const region = env ? env.region : '<AWS::Region>';
    const account = env ? env.account : '<AWS::AccountId>';
    expect(acked).toEqual(expect.arrayContaining([
      `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:/aws/codebuild/<ProjectC78D97AD>:*]`,
      `AwsSolutions-IAM5[Resource::arn:${partition}:codebuild:${region}:${account}:report-group/<ProjectC78D97AD>-*]`,
      // `Fn::ImportValue` (defaults) or `Fn::GetStackOutput` (cdk-init), as cdk-nag renders either.
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::(Producer:ExportsOutputFnGetAtt|\{"Fn::GetStackOutput":\{"StackName":"Producer").*SharedDACC02AAArn.*\/\*\]$/),
    ]));
    expect(nagRendering(project, `${codeBuildLogGroupArn(project)}:*`)).toBe(
      `arn:${partition}:logs:${region}:${account}:log-group:/aws/codebuild/<ProjectC78D97AD>:*`);
    expect(nagRendering(project, codeBuildReportGroupsArn(project))).toBe(`arn:${partition}:codebuild:${region}:${account}:report-group/<ProjectC78D97AD>-*`);
    expect(stack.resolve(project.projectName)).toEqual({ Ref: 'ProjectC78D97AD' });
  });
});
