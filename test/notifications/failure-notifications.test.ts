import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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
  return { stack, pipeline };
}

function synth(options: FailureNotificationsOptions = {}, extra?: (stack: Stack) => FailureNotificationsOptions) {
  const app = createTestApp();
  const { stack, pipeline } = pipelineStack(app);
  const notifications = new FailureNotifications(stack, 'FailureNotifications', { pipeline, ...options, ...extra?.(stack) });
  const result = synthValidated(app);
  return { notifications, result, template: Template.fromJSON(result.templates.Stack) };
}

const pipelineArn = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:111111111111:', { Ref: Match.stringLikeRegexp('^Pipeline') }]],
};

describe('FailureNotifications', () => {
  test('defaults: four rules on this pipeline invoke the notifier Lambda, which publishes to an SSL-only topic', () => {
    const { template, notifications } = synth();

    expect(notifications.rules).toHaveLength(4);
    template.resourceCountIs('AWS::Events::Rule', 4);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.codepipeline'], 'detail-type': ['CodePipeline Pipeline Execution State Change'], 'resources': [pipelineArn], 'detail': { state: ['FAILED'] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Notifier'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['CodePipeline Stage Execution State Change'], 'detail': { state: ['FAILED', 'CANCELED'] } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['CodePipeline Action Execution State Change'], 'detail': { state: ['FAILED'] } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['CodePipeline Action Execution State Change'], 'detail': { state: ['STARTED'], type: { category: ['Approval'] } } },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: Match.stringLikeRegexp('FailureNotificationsTopic') }, PIPELINE_NAME: { Ref: Match.stringLikeRegexp('^Pipeline') } }) },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('NotifierLogs') } },
    });
  });

  test('the notifier role may only read this pipeline\'s executions, publish to this topic and write its own log group', () => {
    const { template } = synth();

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
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:111111111111:', { Ref: expect.stringMatching(/^Pipeline/) }]] },
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/FailureNotificationsTopic/) } },
    ]);
  });

  test('the notifier logs to its own log group with a retention, and hands events it could not publish to the topic', () => {
    const { template } = synth();

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { Ref: Match.stringLikeRegexp('FailureNotificationsTopic') } } },
    });
  });

  test('logRetention sets the notifier log group retention', () => {
    const { template } = synth({ logRetention: 7 });

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
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
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toHaveLength(2);
      expect(rule.Properties.Targets[1]).toMatchObject({ Arn: 'arn:aws:lambda:eu-west-1:111111111111:function:mine' });
      expect(rule.Properties.Targets[1].InputTransformer).toBeUndefined();
    }
    template.resourcePropertiesCountIs('AWS::Lambda::Permission', { FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:mine' }, 4);
  });

  test('deadLetterQueue is set on every rule target', () => {
    const { template } = synth({}, (stack) => {
      const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
      Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test fixture: this queue is the dead-letter queue' });
      return { deadLetterQueue: dlq };
    });

    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^Dlq/), 'Arn'] } });
    }
  });

  test('notifyOnApproval: false leaves out the approval rule', () => {
    const { template, notifications } = synth({ notifyOnApproval: false });

    expect(notifications.rules.map((r) => r.node.id)).toEqual(['PipelineFailed', 'StageFailed', 'ActionFailed']);
    template.resourceCountIs('AWS::Events::Rule', 3);
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

  test('acknowledges only the unencrypted default topic (AwsSolutions-SNS2), with its reason', () => {
    const { result } = synth();

    expect(result.acknowledged.filter((a) => a.constructPath.startsWith('Stack/FailureNotifications'))).toEqual([
      { constructPath: 'Stack/FailureNotifications/Topic', rule: 'AwsSolutions-SNS2', reason: expect.stringMatching(/no secrets or artifacts/) },
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

  test('snapshot', () => {
    const { template } = synth({ emails: ['team@example.com'] });

    expect(template.toJSON()).toMatchSnapshot();
  });

  test('the notifier bundle exists (built by `npx projen bundle`)', () => {
    expect(fs.existsSync(path.join(__dirname, '../../assets/notifications/notify.lambda/index.js'))).toBe(true);
  });
});
