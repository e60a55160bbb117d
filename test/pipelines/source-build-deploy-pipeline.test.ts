import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  buildSpec, codeCommitSource, definePipeline, env, FakeGate, newStack, stage, stagesOf, validatedTemplate,
} from './source-build-deploy-fixtures';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { ApprovalGate } from '../../src/gates/approval-gate';
import { SourceBuildDeployPipeline } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { PipelineSource } from '../../src/source/pipeline-source';
import { createTestApp, testStackEnvs } from '../util';

function pipelineProps(template: Template): any {
  return (Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any).Properties;
}

describe('SourceBuildDeployPipeline: the issue example (source -> build -> tests -> staging -> load test -> approval -> prod)', () => {
  let template: Template;
  let pipeline: SourceBuildDeployPipeline;
  let gate: FakeGate;

  beforeAll(() => {
    const { app, stack } = newStack();
    gate = new FakeGate();
    pipeline = new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack, { branch: 'main' }),
      buildStep: { buildSpec },
      tests: [{ name: 'Unit', buildSpec }, { name: 'Lint', buildSpec }],
      stages: [
        {
          stageName: 'Staging',
          targets: [DeployTarget.cloudFormation({ stackName: 'app-staging', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })],
          postDeployTests: [{ name: 'LoadTest', buildSpec }],
        },
        { stageName: 'Prod', gate, targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })] },
      ],
    });
    template = validatedTemplate(app).template;
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('stages in order: Source, Build, Test, Staging, Prod', () => {
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Prod']);
  });

  test('tests run in parallel (same runOrder) after the build', () => {
    expect(stage(template, 'Test').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Unit', 1], ['Lint', 1]]);
  });

  test('post-deploy tests run after the targets of their stage', () => {
    expect(stage(template, 'Staging').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['app-staging', 1], ['LoadTest', 2]]);
  });

  test('the gate is bound once to its stage with runOrder 1, and its actions come first', () => {
    expect(gate.calls).toEqual([{ pipeline: pipeline.pipeline, stageName: 'Prod', runOrder: 1 }]);
    expect(stage(template, 'Prod').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['FakeApproval', 1], ['app', 2]]);
  });

  test('V2 pipeline, SUPERSEDED execution mode by default', () => {
    expect(pipelineProps(template)).toMatchObject({ PipelineType: 'V2', ExecutionMode: 'SUPERSEDED', RestartExecutionOnUpdate: false });
  });

  test('exposes the L2 pipeline and the artifact bucket', () => {
    expect(pipeline.pipeline).toBeInstanceOf(codepipeline.Pipeline);
    expect(pipeline.pipeline.artifactBucket).toBe(pipeline.artifactBucket);
    expect(pipeline.failureNotifications).toBeDefined();
  });

  test('artifact bucket: AWS-managed KMS encryption, SSL only, public access blocked, access logs, 30-day expiry, retained', () => {
    const [id, bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).find(([k]) => k.startsWith('PipelineArtifactBucket')) as [string, any];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('artifacts/');
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName.Ref).toMatch(/^PipelineAccessLogs/);
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30, Status: 'Enabled' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('the access log bucket is SSL only and accepts logs from the artifact bucket only', () => {
    const [logId] = Object.keys(template.findResources('AWS::S3::Bucket')).filter((k) => k.startsWith('PipelineAccessLogs'));
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineArtifactBucket'), 'Arn'] } }, StringEquals: { 'aws:SourceAccount': env.account } },
          }),
        ]),
      },
    });
  });

  test('failure rules for execution FAILED, stage FAILED/CANCELED and action FAILED', () => {
    const patterns = Object.values(template.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.EventPattern);
    const detailTypes = patterns.flatMap((p: any) => p['detail-type'] ?? []);
    expect(detailTypes).toEqual(expect.arrayContaining([
      'CodePipeline Pipeline Execution State Change', 'CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change',
    ]));
  });
});

describe('SourceBuildDeployPipeline options', () => {
  test('QUEUED execution mode, pipeline name, variables, restart on update', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      pipelineName: 'my-app.release@v2',
      executionMode: codepipeline.ExecutionMode.QUEUED,
      variables: [new codepipeline.Variable({ variableName: 'releaseTag', defaultValue: 'latest', description: 'tag to release' })],
      restartExecutionOnUpdate: true,
    });
    const { template } = validatedTemplate(app);
    expect(pipelineProps(template)).toMatchObject({
      Name: 'my-app.release@v2',
      ExecutionMode: 'QUEUED',
      RestartExecutionOnUpdate: true,
      Variables: [{ Name: 'releaseTag', DefaultValue: 'latest', Description: 'tag to release' }],
    });
  });

  test('a V1 pipeline on request, when no V2 feature is used', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { failureNotifications: false, pipelineType: codepipeline.PipelineType.V1 });
    expect(pipelineProps(validatedTemplate(app).template).PipelineType).toBe('V1');
  });

  test('PARALLEL execution mode', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { failureNotifications: false, executionMode: codepipeline.ExecutionMode.PARALLEL });
    expect(pipelineProps(validatedTemplate(app).template).ExecutionMode).toBe('PARALLEL');
  });

  test('artifactExpiration sets the lifecycle expiry', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { failureNotifications: false, artifactExpiration: Duration.days(7) });
    validatedTemplate(app).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
      BucketEncryption: Match.anyValue(),
    });
  });

  test('a given encryption key encrypts the bucket and the pipeline artifact store', () => {
    const { app, stack } = newStack();
    const key = fixtureKey(stack, 'Key');
    definePipeline(stack, { failureNotifications: false, encryptionKey: key });
    const { template } = validatedTemplate(app);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } } }] },
    });
    expect(pipelineProps(template).ArtifactStore.EncryptionKey).toEqual({ Id: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] }, Type: 'KMS' });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('a target in another account gets a rotating customer-managed key, and the whole app validates', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      stages: [{
        stageName: 'Prod',
        targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, account: '222222222222', changeSet: true })],
      }],
    });
    const { template, result } = validatedTemplate(app);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    expect(pipelineProps(template).ArtifactStore.EncryptionKey.Type).toBe('KMS');
    // aws-cdk-lib puts the roles of both actions and the deployment role in a support stack of the target account
    const support = Template.fromJSON(result.templates['cross-account-support-stack-222222222222']);
    support.resourceCountIs('AWS::IAM::Role', 3);
    expect(Object.keys(result.templates).sort()).toEqual(['Stack', 'cross-account-support-stack-222222222222']);
  });

  test('a target in another region gets a replication artifact store there, and the whole app validates', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, region: 'us-east-1' })] }],
    });
    const { template, result } = validatedTemplate(app);
    const stores = pipelineProps(template).ArtifactStores.map((s: any) => s.Region).sort();
    expect(stores).toEqual(['eu-west-1', 'us-east-1']);
    expect(stage(template, 'Prod').Actions[0].Region).toBe('us-east-1');
    expect(Object.keys(result.templates)).toContain('cross-region-stack-111111111111_us-east-1');
  });

  test('a given artifact bucket is used and no bucket is defined', () => {
    const { app, stack } = newStack();
    const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    const bucket = new s3.Bucket(stack, 'Mine', { enforceSSL: true, serverAccessLogsBucket: logs });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: log bucket' });
    // The caller's own buckets: what Control Tower asks of them is the caller's business, not the pipeline's.
    for (const b of [logs, bucket]) {
      for (const rule of FIXTURE_BUCKET_GUARD_RULES) {
        Validations.of(b).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason: 'test fixture: a caller-owned bucket handed to the pipeline; its Control Tower posture is the caller\'s' });
      }
    }
    for (const rule of ['s3_bucket_logging_enabled_check', 's3_bucket_acl_prohibited_check']) {
      Validations.of(logs).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason: 'test fixture: the access log bucket of a caller-owned bucket' });
    }
    const p = definePipeline(stack, { failureNotifications: false, artifactBucket: bucket });
    const { template } = validatedTemplate(app);
    expect(p.artifactBucket).toBe(bucket);
    expect(pipelineProps(template).ArtifactStore.Location).toEqual({ Ref: expect.stringMatching(/^Mine/) });
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('failureNotifications false defines no rules; notifications subscribes e-mails to a given topic', () => {
    const off = newStack();
    const p = definePipeline(off.stack, { failureNotifications: false });
    expect(p.failureNotifications).toBeUndefined();
    Template.fromStack(off.stack).resourceCountIs('AWS::Events::Rule', 1); // the CodeCommit source rule only

    const on = newStack();
    const topic = new sns.Topic(on.stack, 'Alerts', { enforceSSL: true, masterKey: new kms.Key(on.stack, 'TopicKey', { enableKeyRotation: true }) });
    definePipeline(on.stack, { notifications: { topic, emails: ['ops@example.com'] } });
    Template.fromStack(on.stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^Alerts') } });
  });

  test('without a build, targets deploy the source output', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { failureNotifications: false, buildStep: undefined });
    const { template } = validatedTemplate(app);
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Prod']);
    expect(stage(template, 'Prod').Actions[0].Configuration.TemplatePath).toBe('Source::template.yaml');
  });

  test('a stage with a real ApprovalGate: approval first, targets after, and the gate conditions on the stage', () => {
    const { app, stack } = newStack();
    const gate = new ApprovalGate(stack, 'ProdGate', { emails: ['release@example.com'] });
    definePipeline(stack, {
      failureNotifications: false,
      stages: [
        { stageName: 'Staging', targets: [DeployTarget.cloudFormation({ stackName: 'app-staging', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })] },
        { stageName: 'Prod', gate, targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, changeSet: true })] },
      ],
    });
    const { template } = validatedTemplate(app);
    const prod = stage(template, 'Prod').Actions;
    expect(prod.map((a: any) => [a.ActionTypeId.Category, a.RunOrder])).toEqual([['Approval', 1], ['Deploy', 2], ['Deploy', 3]]);
  });
});

describe('SourceBuildDeployPipeline bad input', () => {
  function attempt(overrides: any): () => void {
    const { stack } = newStack();
    return () => definePipeline(stack, overrides);
  }
  const cfn = (stackName = 'app') => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true });

  test('fails when stages is empty and there is neither a build nor tests', () => {
    expect(attempt({ stages: [], buildStep: undefined })).toThrow(/SourceBuildDeployPipeline 'Pipeline': nothing runs after the source: no buildStep, no tests and no stages/);
  });

  test('fails when a stage has no targets, no gate and no tests', () => {
    expect(attempt({ stages: [{ stageName: 'Prod', targets: [] }] })).toThrow(/stage 'Prod' has no targets, no gate and no postDeployTests/);
  });

  test('fails when two stages have the same name', () => {
    expect(attempt({ stages: [{ stageName: 'Prod', targets: [cfn()] }, { stageName: 'Prod', targets: [cfn('b')] }] }))
      .toThrow(/stage name 'Prod' appears twice .* give each stage a distinct name/);
  });

  test('fails when a stage takes the name of the pipeline\'s own Build stage', () => {
    expect(attempt({ stages: [{ stageName: 'Build', targets: [cfn()] }] })).toThrow(/stage name 'Build' appears twice \(the pipeline's own stages are Source, Build, Test\)/);
  });

  test('fails when two targets of a stage have the same name', () => {
    expect(attempt({ stages: [{ stageName: 'Prod', targets: [cfn(), cfn()] }] })).toThrow(/stage 'Prod' has two actions named 'app'; give targets and tests distinct names/);
  });

  test('fails when a post-deploy test has the name of a target', () => {
    expect(attempt({ stages: [{ stageName: 'Prod', targets: [cfn()], postDeployTests: [{ name: 'app', buildSpec }] }] })).toThrow(/stage 'Prod' has two actions named 'app'/);
  });

  test('fails when two tests have the same name', () => {
    expect(attempt({ tests: [{ name: 'Unit' }, { name: 'Unit' }] })).toThrow(/stage 'Test' has two tests named 'Unit'; give each test a distinct name/);
  });

  test.each([['stage', { stages: [{ stageName: 'Pro d', targets: [cfn()] }] }, /stageName 'Pro d' is invalid; use 1-100 characters of A-Za-z0-9.@_-/],
    ['pipeline', { pipelineName: 'my pipeline' }, /pipelineName 'my pipeline' is invalid/],
    ['test', { tests: [{ name: 'unit test' }] }, /test name 'unit test' is invalid/],
    ['long stage', { stages: [{ stageName: 'x'.repeat(101), targets: [cfn()] }] }, /is invalid/]])('fails when a %s name is invalid', (_k, overrides, message) => {
    expect(attempt(overrides)).toThrow(message as RegExp);
  });

  test('fails when a deploy needs an artifact nobody produces', () => {
    expect(attempt({ stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput2::x.yaml', allowEmptyExecutionPolicy: true })] }] }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action 'app': templatePath 'BuildOutput2' is an artifact nobody produces before this stage; use one of 'Source', 'BuildOutput'/);
  });

  test('fails when a test needs an artifact nobody produces', () => {
    expect(attempt({ tests: [{ name: 'Unit', input: 'Reports' }] }))
      .toThrow(/stage 'Test', test 'Unit': input 'Reports' is an artifact nobody produces before it; use one of 'Source', 'BuildOutput'/);
  });

  test('fails when a post-deploy test needs an artifact produced in a later stage', () => {
    expect(attempt({
      buildStep: { buildSpec, outputs: ['BuildOutput'] },
      stages: [
        { stageName: 'Staging', targets: [cfn('a')], postDeployTests: [{ name: 'Load', extraInputs: ['Later'] }] },
        { stageName: 'Prod', targets: [cfn('b')], postDeployTests: [{ name: 'Report', outputs: ['Later'] }] },
      ],
    })).toThrow(/stage 'Staging', test 'Load': extraInputs 'Later' is an artifact nobody produces before it/);
  });

  test('fails when QUEUED or PARALLEL is asked of a V1 pipeline', () => {
    expect(attempt({ pipelineType: codepipeline.PipelineType.V1, executionMode: codepipeline.ExecutionMode.QUEUED }))
      .toThrow(/executionMode QUEUED needs a V2 pipeline but pipelineType is V1; use PipelineType.V2/);
    expect(attempt({ pipelineType: codepipeline.PipelineType.V1, executionMode: codepipeline.ExecutionMode.PARALLEL })).toThrow(/executionMode PARALLEL needs a V2 pipeline/);
  });

  test('fails when trigger filters are given to a V1 pipeline', () => {
    const source = PipelineSource.connection('my-org/my-app', {
      connectionArn: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/0a1b2c3d',
      pushFilter: [{ tagsIncludes: ['v*'] }],
    });
    expect(attempt({ source, pipelineType: codepipeline.PipelineType.V1 })).toThrow(/push\/pull-request filters, which are V2 triggers, but pipelineType is V1/);
  });

  test('fails when variables are given to a V1 pipeline', () => {
    expect(attempt({ pipelineType: codepipeline.PipelineType.V1, variables: [new codepipeline.Variable({ variableName: 'v' })] }))
      .toThrow(/pipeline variables need a V2 pipeline/);
  });

  test('fails when a target in another account meets a given bucket without a KMS key', () => {
    const { stack } = newStack();
    const bucket = new s3.Bucket(stack, 'Mine', { enforceSSL: true });
    expect(() => definePipeline(stack, {
      artifactBucket: bucket,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, account: '222222222222' })] }],
    })).toThrow(/a target deploys to account 222222222222 but the given artifactBucket has no KMS key; .* pass a bucket encrypted with a customer-managed key/);
  });

  test('fails when an artifact bucket is given with an encryption key or retention', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-bucket');
    expect(() => definePipeline(stack, { artifactBucket: bucket, artifactExpiration: Duration.days(3) })).toThrow(/artifactBucket is given with artifactExpiration/);
  });

  test('fails when the retention is under a day or not whole days', () => {
    expect(attempt({ artifactExpiration: Duration.hours(5) })).toThrow(/artifactExpiration 5 hours is under 1 day/);
    expect(attempt({ artifactExpiration: Duration.hours(36) })).toThrow(/is not a whole number of days/);
  });

  test('fails when notifications are configured but failure notifications are off', () => {
    expect(attempt({ failureNotifications: false, notifications: { emails: ['a@example.com'] } })).toThrow(/notifications is given but failureNotifications is false/);
  });

  test('fails when the unversioned S3 source bucket is visible', () => {
    const { stack } = newStack();
    const bucket = new s3.Bucket(stack, 'Src', { enforceSSL: true });
    expect(() => definePipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') })).toThrow(/S3 source bucket 'Stack\/Src' is not versioned/);
  });

  test('fails when a stage would hold more than 50 actions', () => {
    const targets = Array.from({ length: 51 }, (_, i) => cfn(`app${i}`));
    expect(attempt({ stages: [{ stageName: 'Prod', targets }] })).toThrow(/stage 'Prod' has 51 actions; CodePipeline allows at most 50 per stage/);
  });
});

test('the env of the fixtures is concrete', () => {
  expect(Stack.of(newStack().stack).account).toBe(env.account);
});

describe.each(testStackEnvs(env))('SourceBuildDeployPipeline in a stack with %s', (_name, stackEnv) => {
  // Same account and region for every target: the construct allows a stack without env then.
  let template: Template;
  beforeAll(() => {
    const app = createTestApp();
    const stack = new Stack(app, 'Stack', { env: stackEnv });
    definePipeline(stack, {
      failureNotifications: false,
      tests: [{ name: 'Unit', buildSpec }],
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, changeSet: true })] }],
    });
    template = validatedTemplate(app).template;
  });

  test('the artifact bucket is versioned, noncurrent versions and delete markers expire, and its events go to EventBridge', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
          Match.objectLike({ ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
        ],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
    // the access-log bucket too
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } }, 2);
  });

  test('every CodeBuild project logs to CloudWatch Logs', () => {
    const projects = Object.values<any>(template.findResources('AWS::CodeBuild::Project'));
    expect(projects).toHaveLength(2);
    for (const p of projects) expect(p.Properties.LogsConfig).toEqual({ CloudWatchLogs: { Status: 'ENABLED' } });
  });
});

describe('SourceBuildDeployPipeline: a target in another region and another account', () => {
  test('replication keys rotate and allow grants only for AWS resources; the pipeline role uses them only through their alias', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, account: '222222222222', region: 'us-east-1', changeSet: true })] }],
    });
    const { template, result } = validatedTemplate(app);
    const replication = Template.fromJSON(result.templates['cross-region-stack-111111111111_us-east-1']);
    const grantsOnlyForAws = Match.arrayWith([Match.objectLike({
      Effect: 'Deny',
      Action: 'kms:CreateGrant',
      Principal: { AWS: '*' },
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    })]);
    for (const t of [template, replication]) {
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeyPolicy: { Statement: grantsOnlyForAws } });
    }
    replication.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    const policy = Object.values<any>(template.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('PipelineRole'));
    const onStar = policy.Properties.PolicyDocument.Statement.filter((st: any) => st.Resource === '*');
    expect(onStar).toHaveLength(1);
    expect(onStar[0].Action.every((a: string) => a.startsWith('kms:'))).toBe(true);
    expect(onStar[0].Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toEqual([expect.stringMatching(/^alias\//)]);
  });
});

const FIXTURE_BUCKET_GUARD_RULES = [
  's3_lifecycle_policy_check', 's3_event_notifications_enabled_check', 's3_bucket_versioning_enabled_check',
  's3_bucket_object_lock_enabled_check', 's3_bucket_level_public_access_prohibited_check', 's3_bucket_default_encryption_kms_check',
  's3_version_lifecycle_policy_check',
];

/** A caller's key as Control Tower wants it: rotating, grants only for AWS resources (CT.KMS.PR.3). */
function fixtureKey(scope: Stack, id: string): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}
