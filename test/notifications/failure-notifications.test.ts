import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as ev from './events';
import { FailureNotifications, FailureNotificationsOptions } from '../../src';
import { createTestApp, synthValidated } from '../util';

const env = { account: '111111111111', region: 'eu-west-1' };

/** A plain L2 CodePipeline V2: S3 source, then a manual approval. */
function pipelineStack(app: App, id = 'Stack') {
  const stack = new Stack(app, id, { env });
  const source = new s3.Bucket(stack, 'SourceBucket', { enforceSSL: true, versioned: true });
  Validations.of(source).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: access logs are out of scope here' });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineName: 'my-app-pipeline', pipelineType: codepipeline.PipelineType.V2, crossAccountKeys: false });
  Validations.of(pipeline.artifactBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: access logs are out of scope here' });
  // The fixture pipeline's own (aws-codepipeline L2) grants on its artifact bucket; not what these tests are about.
  Validations.of(pipeline).acknowledge(...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']
    .map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: 'test fixture: aws-codepipeline L2 artifact bucket grant' })),
  { id: 'AwsSolutions-IAM5[Resource::<PipelineArtifactsBucket22248F97.Arn>/*]', reason: 'test fixture: aws-codepipeline L2 artifact bucket grant' });
  const output = new codepipeline.Artifact('Source');
  pipeline.addStage({ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Checkout', bucket: source, bucketKey: 'app.zip', output, trigger: actions.S3Trigger.NONE })] });
  pipeline.addStage({ stageName: 'Prod', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] });
  acknowledgeFixtureBucket(source, 'the source bucket of the test app');
  acknowledgeFixtureBucket(pipeline.artifactBucket as s3.Bucket, 'the artifact bucket of the plain aws-codepipeline L2 pipeline under test');
  return { stack, pipeline };
}

/** The fixture buckets are the test app's, not this library's; the Control Tower S3 controls are not what these tests are about. */
function acknowledgeFixtureBucket(bucket: s3.IBucket, what: string) {
  for (const rule of ['s3_bucket_level_public_access_prohibited_check', 's3_bucket_default_encryption_kms_check', 's3_bucket_versioning_enabled_check',
    's3_bucket_logging_enabled_check', 's3_version_lifecycle_policy_check', 's3_event_notifications_enabled_check', 's3_lifecycle_policy_check',
    's3_bucket_object_lock_enabled_check']) {
    Validations.of(bucket).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason: `test fixture: ${what}, not defined by this library` });
  }
}

/** Tests that set a retention under a year on purpose acknowledge the Control Tower one-year control on the shared log group. */
function acknowledgeShortRetention(stack: Stack) {
  const logGroup = stack.node.findChild('CdpFailureNotifier').node.findChild('Logs');
  Validations.of(logGroup).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
    reason: 'test sets a retention under one year on purpose to check that logRetention is applied',
  });
}

function synth(options: FailureNotificationsOptions = {}, extra?: (stack: Stack) => FailureNotificationsOptions, after?: (stack: Stack) => void) {
  const app = createTestApp();
  const { stack, pipeline } = pipelineStack(app);
  const notifications = new FailureNotifications(stack, 'FailureNotifications', { pipeline, ...options, ...extra?.(stack) });
  after?.(stack);
  const result = synthValidated(app);
  // The pipeline's ARN as the template holds it (`arn:${Partition}:...` or, with the cdk-init flags, a literal partition).
  const pipelineArn = stack.resolve(pipeline.pipelineArn);
  expect(JSON.stringify(pipelineArn)).toMatch(/:codepipeline:eu-west-1:111111111111:.*"Ref":"Pipeline/);
  return { notifications, result, pipelineArn, template: Template.fromJSON(result.templates.Stack) };
}

/** The detail-types and states the rule's pattern must name. */
const DETAIL_TYPES = ['CodePipeline Pipeline Execution State Change', 'CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change'];
const FAILURE_STATES = [
  { state: ['FAILED'] },
  { state: ['CANCELED'], stage: [{ exists: true }], action: [{ exists: false }] },
];
const APPROVAL_STATE = { state: ['STARTED'], type: { category: ['Approval'] } };
/** Delivery metrics: a stage's or the execution's success (neither event has `action`). */
const DELIVERY_STATE = { state: ['SUCCEEDED'], action: [{ exists: false }] };

/**
 * The subset of EventBridge pattern matching the rule uses (exact values and `exists` in arrays,
 * nested objects, `$or` of sub-patterns), to state which events the one rule lets through.
 */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    if (key === '$or') return (want as any[]).some((branch) => matches(branch, event));
    const got = event?.[key];
    if (Array.isArray(want)) {
      const exists = want.find((w) => typeof w === 'object' && w !== null && 'exists' in w);
      if (exists) return exists.exists === (got !== undefined);
      return (Array.isArray(got) ? got : [got]).some((g) => want.some((w) => typeof w !== 'object' && w === g));
    }
    return typeof got === 'object' && got !== null && matches(want, got);
  });
}

/** Resource counts by type. */
function countByType(template: Template): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of Object.values<any>(template.toJSON().Resources)) out[r.Type] = (out[r.Type] ?? 0) + 1;
  return out;
}

/** One stack with `n` plain L2 pipelines, each with FailureNotifications. */
function pipelinesStack(n: number, options: (i: number) => FailureNotificationsOptions = () => ({}), after?: (stack: Stack) => void) {
  const app = createTestApp();
  const stack = new Stack(app, 'Stack', { env });
  const notifications: FailureNotifications[] = [];
  for (let i = 0; i < n; i++) {
    const scope = new Construct(stack, `App${i}`);
    const pipeline = codepipeline.Pipeline.fromPipelineArn(scope, 'Pipeline', `arn:aws:codepipeline:eu-west-1:111111111111:pipeline-${i}`);
    notifications.push(new FailureNotifications(scope, 'FailureNotifications', { pipeline, ...options(i) }));
  }
  after?.(stack);
  const result = synthValidated(app);
  return { notifications, result, template: Template.fromJSON(result.templates.Stack) };
}

describe('FailureNotifications', () => {
  test('defaults: one rule over the execution, stage and action events of this pipeline invokes the shared notifier Lambda', () => {
    const { template, notifications, pipelineArn } = synth();

    expect(notifications.rules).toHaveLength(1);
    template.resourceCountIs('AWS::Events::Rule', 1);
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.codepipeline'],
      'detail-type': DETAIL_TYPES,
      'resources': [expect.objectContaining({ 'Fn::Join': expect.anything() })],
      'detail': { $or: [...FAILURE_STATES, APPROVAL_STATE, DELIVERY_STATE] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { resources: [pipelineArn] },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdpFailureNotifierFunction'), 'Arn'] },
        InputTransformer: {
          InputTemplate: {
            'Fn::Join': ['', ['{"topicArn":"', { Ref: Match.stringLikeRegexp('FailureNotificationsTopic') }, '","pipelineName":"', { Ref: Match.stringLikeRegexp('^Pipeline') }, '","delivery":{"productionStages":["Prod"]},"event":<aws.events.event.json>}']],
          },
        },
      })],
    });
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailureNotificationsRule'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^CdpFailureNotifierLogs') } },
    });
    // The topic comes with each event (the rule's input), not from the function's environment.
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain('TOPIC_ARN');
    expect(notifications.notifier?.node.path).toBe('Stack/CdpFailureNotifier/Function');
  });

  test('the rule lets through exactly the failure events, the approval waiting and (delivery metrics) stage and execution successes', () => {
    const { template } = synth();
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    const pattern = { ...rule.Properties.EventPattern, resources: [ev.pipelineFailed.resources[0]] };

    for (const event of [ev.pipelineFailed, ev.stageFailed, ev.stageCanceled, ev.actionFailed, ev.approvalNeeded,
      { ...ev.pipelineFailed, detail: { ...ev.pipelineFailed.detail, state: 'SUCCEEDED' } },
      { ...ev.stageFailed, detail: { ...ev.stageFailed.detail, state: 'SUCCEEDED' } }]) {
      expect(matches(pattern, event)).toBe(true);
    }
    const others = [
      { ...ev.pipelineFailed, detail: { ...ev.pipelineFailed.detail, state: 'SUPERSEDED' } },
      { ...ev.pipelineFailed, detail: { ...ev.pipelineFailed.detail, state: 'STOPPED' } },
      { ...ev.pipelineFailed, detail: { ...ev.pipelineFailed.detail, state: 'STARTED' } },
      { ...ev.actionFailed, detail: { ...ev.actionFailed.detail, state: 'SUCCEEDED' } },
      { ...ev.pipelineFailed, detail: { ...ev.pipelineFailed.detail, state: 'CANCELED' } },
      { ...ev.stageFailed, detail: { ...ev.stageFailed.detail, state: 'STARTED' } },
      { ...ev.actionFailed, detail: { ...ev.actionFailed.detail, state: 'CANCELED' } },
      { ...ev.approvalNeeded, detail: { ...ev.approvalNeeded.detail, state: 'SUCCEEDED' } },
      { ...ev.actionFailed, detail: { ...ev.actionFailed.detail, state: 'STARTED' } },
      { ...ev.pipelineFailed, resources: ['arn:aws:codepipeline:eu-west-1:111111111111:another-pipeline'] },
    ];
    for (const event of others) expect(matches(pattern, event)).toBe(false);
  });

  test('two pipelines in a stack share one notifier: one function, role, policy and log group', () => {
    const { template, notifications } = pipelinesStack(2);

    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(notifications[0].notifier).toBe(notifications[1].notifier);
    expect(notifications[0].notifierLogGroup).toBe(notifications[1].notifierLogGroup);
    // Each rule sends its pipeline's events to its own topic.
    for (let i = 0; i < 2; i++) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { resources: [`arn:aws:codepipeline:eu-west-1:111111111111:pipeline-${i}`] },
        Targets: [Match.objectLike({
          InputTransformer: { InputTemplate: { 'Fn::Join': ['', ['{"topicArn":"', { Ref: Match.stringLikeRegexp(`^App${i}FailureNotificationsTopic`) }, `","pipelineName":"pipeline-${i}","delivery":{"productionStages":[]},"event":<aws.events.event.json>}`]] } },
        })],
      });
    }
  });

  test('the shared role may read exactly the registered pipelines and publish to exactly their topics', () => {
    const { template } = pipelinesStack(2);

    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CdpFailureNotifierLogs/), 'Arn'] } },
      {
        Action: ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions'],
        Effect: 'Allow',
        Resource: ['arn:aws:codepipeline:eu-west-1:111111111111:pipeline-0', 'arn:aws:codepipeline:eu-west-1:111111111111:pipeline-1'],
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: [{ Ref: expect.stringMatching(/^App0FailureNotificationsTopic/) }, { Ref: expect.stringMatching(/^App1FailureNotificationsTopic/) }] },
    ]);
  });

  test('a second pipeline in the stack adds 5 resources: rule, Lambda permission, alarm, topic and topic policy', () => {
    const one = countByType(pipelinesStack(1).template);
    const two = countByType(pipelinesStack(2).template);

    expect(one).toEqual({
      'AWS::Events::Rule': 1,
      'AWS::Lambda::Permission': 1,
      'AWS::CloudWatch::Alarm': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Logs::LogGroup': 1,
    });
    const added = Object.fromEntries(Object.keys(two).map((type) => [type, two[type] - (one[type] ?? 0)]).filter(([, n]) => n !== 0));
    expect(added).toEqual({ 'AWS::Events::Rule': 1, 'AWS::Lambda::Permission': 1, 'AWS::CloudWatch::Alarm': 1, 'AWS::SNS::Topic': 1, 'AWS::SNS::TopicPolicy': 1 });
  });

  test('two pipelines given the same topic: it is granted once', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Stack', { env });
    const topic = new sns.Topic(stack, 'Shared', { enforceSSL: true });
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test fixture: encryption is not what this test is about' });
    for (const i of [0, 1]) {
      const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, `P${i}`, `arn:aws:codepipeline:eu-west-1:111111111111:pipeline-${i}`);
      new FailureNotifications(stack, `Notify${i}`, { pipeline, topic });
    }
    const template = Template.fromJSON(synthValidated(app).templates.Stack);

    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^Shared/) } });
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('pipelines in two stacks of one account and region: each stack has its own notifier, no cross-stack reference', () => {
    const app = createTestApp();
    for (const id of ['StackA', 'StackB']) {
      const stack = new Stack(app, id, { env });
      const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', `arn:aws:codepipeline:eu-west-1:111111111111:${id}`);
      new FailureNotifications(stack, 'FailureNotifications', { pipeline });
    }
    const result = synthValidated(app);

    for (const id of ['StackA', 'StackB']) {
      const template = Template.fromJSON(result.templates[id]);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      expect(template.toJSON().Outputs).toBeUndefined();
      expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    }
  });

  test('the notifier role may only read this pipeline\'s executions, publish to this topic and write its own log group', () => {
    const { template, pipelineArn } = synth();

    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    expect(Object.keys(policies)).toHaveLength(1);
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/NotifierLogs/), 'Arn'] },
      },
      {
        Action: ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions'],
        Effect: 'Allow',
        Resource: pipelineArn,
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/FailureNotificationsTopic/) } },
    ]);
  });

  test('the notifier logs to its log group with a retention and leaves retries to Lambda\'s defaults (no per-topic destination)', () => {
    const { template } = synth();

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  test('logRetention sets the notifier log group retention', () => {
    const { template } = synth({ logRetention: 7 }, undefined, acknowledgeShortRetention);

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('logRetention of pipelines sharing the notifier: the longest wins', () => {
    const retentions = [logs.RetentionDays.ONE_WEEK, logs.RetentionDays.SIX_MONTHS, logs.RetentionDays.ONE_MONTH];
    const { template } = pipelinesStack(3, (i) => ({ logRetention: retentions[i] }), acknowledgeShortRetention);

    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 180 });
  });

  test('failureAlarm: Failures >= 1 summed over 5 minutes, missing data not breaching', () => {
    const { template, notifications } = synth();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkDeliveryPipelines',
      MetricName: 'Failures',
      Dimensions: [{ Name: 'PipelineName', Value: { Ref: Match.stringLikeRegexp('^Pipeline') } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('FailureNotificationsTopic') }],
    });
    expect(notifications.failureMetric.metricName).toBe('Failures');
    expect(notifications.failureMetric.namespace).toBe('CdkDeliveryPipelines');
  });

  test('emails subscribe to the topic', () => {
    const { template } = synth({ emails: ['team@example.com', 'oncall@example.com'] });

    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@example.com' });
  });

  test('a given topic is used as it is, and its KMS key is granted for exactly Decrypt and GenerateDataKey', () => {
    const { template, notifications } = synth({}, (stack) => {
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      Validations.of(key).acknowledge({ id: 'cdk-validator-cfnguard::kms_create_grant_aws_service_check', reason: 'test fixture: the topic key of the test app, not defined by this library; the test is about the grant on it' });
      return { topic: new sns.Topic(stack, 'MyTopic', { enforceSSL: true, masterKey: key }) };
    });

    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(notifications.topic.node.path).toBe('Stack/MyTopic');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^MyTopic') } },
          { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
        ]),
      },
    });
  });

  test('Slack channels get the topic as a notification topic', () => {
    const { template } = synth({}, (stack) => ({
      slackChannels: [new chatbot.SlackChannelConfiguration(stack, 'Slack', { slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456' })],
    }));

    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('FailureNotificationsTopic') }],
    });
  });

  test('Teams channels get the topic ARN added to the ones they have', () => {
    const { template } = synth({}, (stack) => ({
      teamsChannels: [new chatbot.CfnMicrosoftTeamsChannelConfiguration(stack, 'Teams', {
        configurationName: 'releases',
        iamRoleArn: 'arn:aws:iam::111111111111:role/chatbot',
        teamId: '0a1b2c3d-0000-1111-2222-333344445555',
        teamsChannelId: '19%3Aabc%40thread.tacv2',
        teamsTenantId: '9f8e7d6c-0000-1111-2222-333344445555',
        snsTopicArns: ['arn:aws:sns:eu-west-1:111111111111:existing'],
      })],
    }));

    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      SnsTopicArns: ['arn:aws:sns:eu-west-1:111111111111:existing', { Ref: Match.stringLikeRegexp('FailureNotificationsTopic') }],
    });
  });

  test('a function of the caller receives every matched event, unchanged, beside the notifier', () => {
    const { template } = synth({}, (stack) => ({
      function: lambda.Function.fromFunctionAttributes(stack, 'Mine', { functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:mine', sameEnvironment: true }),
    }));

    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(1);
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toHaveLength(2);
      expect(rule.Properties.Targets[1]).toMatchObject({ Arn: 'arn:aws:lambda:eu-west-1:111111111111:function:mine' });
      expect(rule.Properties.Targets[1].InputTransformer).toBeUndefined();
    }
    template.resourcePropertiesCountIs('AWS::Lambda::Permission', { FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:mine' }, 1);
  });

  test('deadLetterQueue is set on every rule target', () => {
    const { template } = synth({}, (stack) => {
      const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
      Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test fixture: this queue is the dead-letter queue' });
      Validations.of(dlq).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'test fixture: this queue is the dead-letter queue' });
      return { deadLetterQueue: dlq };
    });

    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^Dlq/), 'Arn'] } });
    }
  });

  test('notifyOnApproval: false leaves the approval out of the rule\'s pattern', () => {
    const { template } = synth({ notifyOnApproval: false });

    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': DETAIL_TYPES, 'detail': { $or: [...FAILURE_STATES, DELIVERY_STATE] } } });
  });

  test('deliveryMetrics: false leaves successes out of the pattern and delivery out of the input', () => {
    const { template } = synth({ deliveryMetrics: false });

    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { $or: [...FAILURE_STATES, APPROVAL_STATE] } } });
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    expect(JSON.stringify(rule.Properties.Targets[0].InputTransformer)).not.toContain('delivery');
  });

  test('productionStages names the production stages in the rule\'s input (default: the last stage, read at synth)', () => {
    const { template } = synth({}, undefined, (stack) => {
      const pipeline = stack.node.findChild('Pipeline') as codepipeline.Pipeline;
      pipeline.addStage({ stageName: 'Later', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] });
    });
    expect(JSON.stringify(template.toJSON())).toContain('\\"delivery\\":{\\"productionStages\\":[\\"Later\\"]}');

    const app = createTestApp();
    const { stack, pipeline } = pipelineStack(app);
    new FailureNotifications(stack, 'FailureNotifications', { pipeline, productionStages: ['Source', 'Prod'] });
    const given = Template.fromJSON(synthValidated(app).templates.Stack);
    expect(JSON.stringify(given.toJSON())).toContain('\\"delivery\\":{\\"productionStages\\":[\\"Source\\",\\"Prod\\"]}');
  });

  test('fails when productionStages names a stage the pipeline does not have', () => {
    const app = createTestApp();
    const { stack, pipeline } = pipelineStack(app);
    new FailureNotifications(stack, 'FailureNotifications', { pipeline, productionStages: ['Production'] });
    expect(() => app.synth()).toThrow(/productionStages names 'Production', which is not a stage of the pipeline \(Source, Prod\); name one of its stages/);
  });

  test('fails when productionStages is given with the metrics off, or deliveryMetrics with enrich: false', () => {
    const app = createTestApp();
    const { stack, pipeline } = pipelineStack(app);
    expect(() => new FailureNotifications(stack, 'A', { pipeline, productionStages: ['Prod'], deliveryMetrics: false }))
      .toThrow(/productionStages is given but delivery metrics are off \(deliveryMetrics: false\)/);
    expect(() => new FailureNotifications(stack, 'B', { pipeline, deliveryMetrics: true, enrich: false }))
      .toThrow(/deliveryMetrics is true but enrich is false/);
  });

  test('enrich: false defines one rule per event kind (each writes its own message)', () => {
    const { notifications } = synth({ enrich: false });

    expect(notifications.rules.map((r) => r.node.id)).toEqual(['PipelineFailed', 'StageFailed', 'ActionFailed', 'ApprovalNeeded']);
    expect(synth({ enrich: false, notifyOnApproval: false }).notifications.rules.map((r) => r.node.id)).toEqual(['PipelineFailed', 'StageFailed', 'ActionFailed']);
  });

  test('enrich: false defines no Lambda and publishes a readable text made by an input transformer', () => {
    const { template, notifications } = synth({ enrich: false });

    expect(notifications.notifier).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } } })).toEqual({});
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['CodePipeline Action Execution State Change'], 'detail': { state: ['FAILED'] } },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('FailureNotificationsTopic') },
        InputTransformer: {
          InputPathsMap: Match.objectLike({ 'detail-pipeline': '$.detail.pipeline', 'detail-execution-result-error-code': '$.detail.execution-result.error-code' }),
          InputTemplate: Match.stringLikeRegexp('Pipeline <detail-pipeline>: action <detail-stage> / <detail-action> FAILED'),
        },
      })],
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } })]) },
    });
  });

  test('enrich: false alarms on the pipeline-failed rule\'s TriggeredRules metric', () => {
    const { template } = synth({ enrich: false });

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('FailureNotificationsPipelineFailed') } }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('enrich: false with a chat channel writes AWS Chatbot\'s custom-notification JSON', () => {
    const { template } = synth({ enrich: false }, (stack) => ({
      slackChannels: [new chatbot.SlackChannelConfiguration(stack, 'Slack', { slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456' })],
    }));

    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    const inputTemplate: string = rule.Properties.Targets[0].InputTransformer.InputTemplate;
    expect(inputTemplate).toMatch(/^\{"version":"1.0","source":"custom","content":\{"textType":"client-markdown","title":"Pipeline <detail-pipeline> FAILED"/);
    expect(inputTemplate).toContain('"metadata":{"threadId":"<detail-pipeline>/<detail-execution-id>"');
  });

  test('works on an imported pipeline', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Stack', { env });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:eu-west-1:111111111111:their-pipeline');
    new FailureNotifications(stack, 'FailureNotifications', { pipeline });
    const template = Template.fromJSON(synthValidated(app).templates.Stack);

    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { resources: ['arn:aws:codepipeline:eu-west-1:111111111111:their-pipeline'] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'PipelineName', Value: 'their-pipeline' }] });
  });

  test('acknowledges only the unencrypted default topic (AwsSolutions-SNS2) and the notifier\'s two Control Tower exceptions, with their reasons', () => {
    const { result } = synth();

    expect(result.acknowledged.filter((a) => a.constructPath.startsWith('Stack/FailureNotifications'))).toEqual([
      { constructPath: 'Stack/FailureNotifications/Topic', rule: 'AwsSolutions-SNS2', reason: expect.stringMatching(/no secrets or artifacts/) },
    ]);
    // The shared notifier acknowledges only the two Control Tower controls it cannot meet for free, each with its cost and way out.
    expect(result.acknowledged.filter((a) => a.constructPath.startsWith('Stack/CdpFailureNotifier'))).toEqual([
      { constructPath: 'Stack/CdpFailureNotifier/Logs', rule: 'cloudwatch_log_group_encrypted_check', reason: expect.stringMatching(/no secrets or artifacts.*enrich: false/) },
      { constructPath: 'Stack/CdpFailureNotifier/Function', rule: 'lambda_inside_vpc_check', reason: expect.stringMatching(/reaches no private resource.*enrich: false/) },
    ]);
  });

  test('fails when an e-mail address is not one', () => {
    expect(() => synth({ emails: ['team-at-example.com'] })).toThrow(/FailureNotifications 'FailureNotifications': 'team-at-example.com' in emails is not an e-mail address/);
  });

  test('fails when the pipeline is in another region', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Stack', { env });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:us-east-1:111111111111:their-pipeline');

    expect(() => new FailureNotifications(stack, 'Notify', { pipeline })).toThrow(/FailureNotifications 'Notify': the pipeline is in region 'us-east-1' but the notifications are defined in region 'eu-west-1'/);
  });

  test('fails when a Teams channel lists its topics as a token', () => {
    const app = createTestApp();
    const { stack, pipeline } = pipelineStack(app);
    const teams = new chatbot.CfnMicrosoftTeamsChannelConfiguration(stack, 'Teams', {
      configurationName: 'releases',
      iamRoleArn: 'arn:aws:iam::111111111111:role/chatbot',
      teamId: 't',
      teamsChannelId: 'c',
      teamsTenantId: 'x',
      snsTopicArns: Fn.split(',', Fn.importValue('ChatTopicArns')),
    });

    expect(() => new FailureNotifications(stack, 'Notify', { pipeline, teamsChannels: [teams] })).toThrow(/snsTopicArns of Teams channel 'Stack\/Teams' is a token/);
  });

  test('fails when the stack has another construct with the notifier\'s id', () => {
    const app = createTestApp();
    const { stack, pipeline } = pipelineStack(app);
    new Construct(stack, 'CdpFailureNotifier');

    expect(() => new FailureNotifications(stack, 'Notify', { pipeline })).toThrow(/FailureNotifications 'Notify': stack 'Stack' already has a child 'CdpFailureNotifier' that is not the failure notifier/);
  });

  test('snapshot', () => {
    const { template } = synth({ emails: ['team@example.com'] });

    expect(template.toJSON()).toMatchSnapshot();
  });

  test('the notifier bundle exists (built by `npx projen bundle`)', () => {
    expect(fs.existsSync(path.join(__dirname, '../../assets/notifications/notify.lambda/index.js'))).toBe(true);
  });
});

describe('the notifier\'s Lambda runtime, chosen at synth', () => {
  test('is the newest Node.js runtime the app\'s aws-cdk-lib knows, so a newer aws-cdk-lib leaves cdk-nag AwsSolutions-L1 clean', () => {
    // An app on a newer aws-cdk-lib (2.278.0 adds nodejs26.x, which the pinned one does not know): one more Node.js
    // runtime in lambda.Runtime.ALL, which cdk-nag's L1 reads too. (The CloudFormation engine already knows nodejs26.x.)
    expect(Object.keys(lambda.Runtime)).not.toContain('NODEJS_26_X');
    const newer = new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS);
    try {
      // synthValidated runs cdk-nag AwsSolutions: a notifier left on the older runtime would be reported (AwsSolutions-L1).
      const { template, result } = synth();
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs26.x', Handler: 'index.handler' });
      expect(result.acknowledged.filter((a) => a.rule.startsWith('AwsSolutions-L1'))).toEqual([]);
    } finally {
      lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(newer), 1);
    }
  });
});
