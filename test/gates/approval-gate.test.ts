import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarm, approverRole, checkFunction, Fixture, pipelineFixture, synthGate } from './fixtures';
import { ApprovalGate, VariableCheckRule } from '../../src';
import { canonicalTemplate, grantsOf } from '../util';

/** The gate stack's template in canonical form (the same under both flag sets), for assertions. */
function template(f: Fixture): Template {
  return canonicalTemplate(synthGate(f).templates.Gate);
}

/** The raw template, for snapshots (one per flag set). */
function rawTemplate(f: Fixture): any {
  return synthGate(f).templates.Gate;
}

function stage(t: Template, name: string): any {
  const pipelines = t.findResources('AWS::CodePipeline::Pipeline');
  const stages: any[] = Object.values<any>(pipelines)[0].Properties.Stages;
  return stages.find((s) => s.Name === name);
}

const PIPELINE_ARN = { 'Fn::Join': ['', ['arn:aws:codepipeline:eu-west-1:111111111111:', { Ref: 'PipelineC660917D' }]] };

describe('ApprovalGate: manual approval', () => {
  test('renders a Manual approval action with the message, the review URL, the timeout and the topic', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', {
      emails: ['release@example.com'],
      message: 'Check the staging dashboard first',
      reviewUrl: 'https://example.com/release-notes',
      timeout: Duration.days(2),
    });
    gate.attachTo(f.pipeline, { stageName: 'Approve' });
    const t = template(f);

    const action = stage(t, 'Approve').Actions[0];
    expect(action).toMatchObject({
      Name: 'Approve',
      ActionTypeId: { Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' },
      Configuration: {
        CustomData: 'Check the staging dashboard first',
        ExternalEntityLink: 'https://example.com/release-notes',
        NotificationArn: { Ref: expect.stringMatching(/^ProdGateTopic/) },
      },
      TimeoutInMinutes: 2880,
      RunOrder: 1,
    });
    expect(stage(t, 'Approve').BeforeEntry).toBeUndefined();
  });

  test('defines an SSL-only topic with one e-mail subscription per address', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { emails: ['a@example.com', 'b@example.com'] })
      .attachTo(f.pipeline, { stageName: 'Approve' });
    const t = template(f);

    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'a@example.com' });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('acknowledges AwsSolutions-SNS2 on its own topic only, with the reason', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { emails: ['a@example.com'] }).attachTo(f.pipeline, { stageName: 'Approve' });
    const result = synthGate(f);
    const gateAcks = result.acknowledged.filter((a) => a.constructPath.startsWith('Gate/ProdGate'));
    expect(gateAcks).toEqual([{ constructPath: 'Gate/ProdGate/Topic', rule: 'AwsSolutions-SNS2', reason: expect.stringMatching(/no secrets or artifacts/) }]);
  });

  test('publishes to a given topic and subscribes the e-mails to it, defining no topic', () => {
    const f = pipelineFixture();
    const topic = new sns.Topic(f.stack, 'Releases', { enforceSSL: true });
    new ApprovalGate(f.stack, 'ProdGate', { notificationTopic: topic, emails: ['a@example.com'] })
      .attachTo(f.pipeline, { stageName: 'Approve' });
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test fixture' });
    const t = template(f);

    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(stage(t, 'Approve').Actions[0].Configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^Releases/) });
    t.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: Match.stringLikeRegexp('^Releases') } });
  });

  test('manual: true gives an approval without notification; timeout defaults to CodePipeline (7 days, not written)', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { manual: true, actionName: 'SignOff' }).attachTo(f.pipeline, { stageName: 'Approve' });
    const t = template(f);
    const action = stage(t, 'Approve').Actions[0];
    expect(action.Name).toBe('SignOff');
    expect(action.Configuration).toBeUndefined();
    expect(action.TimeoutInMinutes).toBeUndefined();
    t.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('puts the approval first and the stage actions after it', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { manual: true }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction('Ship')] });
    const actions = stage(template(f), 'Prod').Actions;
    expect(actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['Ship', 2]]);
  });

  test('bindToStage (as the pipelines of this library call it) puts the approval at the given runOrder', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    const binding = gate.bindToStage({ pipeline: f.pipeline, stageName: 'Prod', runOrder: 2 });
    expect(binding.beforeEntry).toBeUndefined();
    f.pipeline.addStage({ stageName: 'Prod', actions: [...binding.actions!] });
    expect(stage(template(f), 'Prod').Actions[0]).toMatchObject({ Name: 'Approve', RunOrder: 2 });
  });

  test('fails when bindToStage gets a runOrder outside 1..999', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    expect(() => gate.bindToStage({ pipeline: f.pipeline, stageName: 'Prod', runOrder: 0 })).toThrow(/ApprovalGate 'ProdGate': runOrder 0 is outside 1\.\.999/);
  });

  test('attachTo places the stage with placement and returns it', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    const approve = gate.attachTo(f.pipeline, { stageName: 'Approve', placement: { rightBefore: f.deployStage } });
    expect(approve.stageName).toBe('Approve');
    expect(gate.stageName).toBe('Approve');
    expect(gate.pipeline).toBe(f.pipeline);
    expect(gate.approvalAction).toBeDefined();
    const stages = Object.values<any>(template(f).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    expect(stages.map((s: any) => s.Name)).toEqual(['Source', 'Approve', 'Deploy']);
  });

  test('snapshot: manual gate', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', {
      emails: ['release@example.com'],
      message: 'Check the staging dashboard first',
      reviewUrl: 'https://example.com/release-notes',
      timeout: Duration.days(2),
      approvers: [approverRole(f.stack, 'ReleaseManagers')],
    });
    gate.attachTo(f.pipeline, { stageName: 'Approve' });
    expect(rawTemplate(f)).toMatchSnapshot();
  });
});

describe('ApprovalGate: approvers', () => {
  test('grantApprove gives exactly PutApprovalResult on this action and read access to this pipeline', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    gate.attachTo(f.pipeline, { stageName: 'Approve' });
    const oncall = approverRole(f.stack, 'Oncall');
    gate.grantApprove(oncall);

    const policies = template(f).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Oncall') }] } });
    const documents = Object.values<any>(policies).map((p) => p.Properties.PolicyDocument);
    expect(documents).toEqual([{
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'codepipeline:PutApprovalResult',
          Resource: { 'Fn::Join': ['', ['arn:aws:codepipeline:eu-west-1:111111111111:', { Ref: 'PipelineC660917D' }, '/Approve/Approve']] },
        },
        {
          Effect: 'Allow',
          Action: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState'],
          Resource: PIPELINE_ARN,
        },
      ],
    }]);
  });

  test('approvers in props are granted when the gate is bound, the same policy as grantApprove', () => {
    const f = pipelineFixture();
    const managers = approverRole(f.stack, 'Managers');
    new ApprovalGate(f.stack, 'ProdGate', { approvers: [managers], actionName: 'Release' }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const t = template(f);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Managers') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'codepipeline:PutApprovalResult', Resource: { 'Fn::Join': ['', Match.arrayWith(['/Prod/Release'])] } }),
          Match.objectLike({ Action: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState'], Resource: PIPELINE_ARN }),
        ],
      },
    });
  });

  test('grantApprove before attaching renders the same statements as after', () => {
    const before = pipelineFixture();
    const g1 = new ApprovalGate(before.stack, 'ProdGate', { manual: true });
    g1.grantApprove(approverRole(before.stack, 'Oncall'));
    g1.attachTo(before.pipeline, { stageName: 'Approve' });

    const after = pipelineFixture();
    const g2 = new ApprovalGate(after.stack, 'ProdGate', { manual: true });
    g2.attachTo(after.pipeline, { stageName: 'Approve' });
    g2.grantApprove(approverRole(after.stack, 'Oncall'));

    const docs = (f: Fixture) => Object.values<any>(template(f).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Oncall') }] } }))
      .map((p) => p.Properties.PolicyDocument);
    expect(docs(before)).toEqual(docs(after));
  });

  test('grants no * resource and no ListPipelines', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { approvers: [approverRole(f.stack, 'Oncall')] }).attachTo(f.pipeline, { stageName: 'Approve' });
    const json = JSON.stringify(template(f).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Oncall') }] } }));
    expect(json).not.toContain('"*"');
    expect(json).not.toContain('ListPipelines');
  });
});

describe('ApprovalGate: events', () => {
  test.each([
    ['onApprovalNeeded', 'STARTED'],
    ['onApproved', 'SUCCEEDED'],
    ['onRejected', 'FAILED'],
  ] as const)('%s matches this action of this stage in state %s', (method, state) => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    const topic = new sns.Topic(f.stack, 'Pager', { enforceSSL: true });
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test fixture' });
    const rule = gate[method]('Event', { target: new targets.SnsTopic(topic) });
    expect(rule).toBeInstanceOf(events.Rule);
    gate.attachTo(f.pipeline, { stageName: 'Approve' });

    template(f).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Action Execution State Change'],
        'resources': [PIPELINE_ARN],
        'detail': { stage: ['Approve'], action: ['Approve'], state: [state] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Pager') } })],
    });
  });

  test('an event rule defined after attaching is the same', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    gate.attachTo(f.pipeline, { stageName: 'Approve' });
    gate.onApprovalNeeded('Page');
    template(f).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { stage: ['Approve'], action: ['Approve'], state: ['STARTED'] } }),
    });
  });
});

describe('ApprovalGate: automated conditions', () => {
  test('alarms block entry: CloudWatchAlarm rules, result FAIL, DescribeAlarms on those alarms only', () => {
    const f = pipelineFixture();
    const a = alarm(f.stack, 'StagingErrors');
    const b = alarm(f.stack, 'Latency');
    new ApprovalGate(f.stack, 'ProdGate', { alarms: [a, b], alarmWaitTime: Duration.minutes(20) })
      .attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const t = template(f);

    expect(stage(t, 'Prod').BeforeEntry).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [
          {
            Name: 'Prod.Alarm1',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
            Configuration: { AlarmName: { Ref: expect.stringMatching(/^StagingErrors/) }, AlarmStates: 'ALARM', WaitTime: '20' },
          },
          {
            Name: 'Prod.Alarm2',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
            Configuration: { AlarmName: { Ref: expect.stringMatching(/^Latency/) }, AlarmStates: 'ALARM', WaitTime: '20' },
          },
        ],
      }],
    });
    const pipelineRolePolicies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }] } });
    const grants = grantsOf(Object.values<any>(pipelineRolePolicies).flatMap((p) => p.Properties.PolicyDocument.Statement));
    expect(grants.filter((g) => g.action === 'cloudwatch:DescribeAlarms')).toEqual([
      { effect: 'Allow', action: 'cloudwatch:DescribeAlarms', resource: { 'Fn::GetAtt': [expect.stringMatching(/^Latency/), 'Arn'] } },
      { effect: 'Allow', action: 'cloudwatch:DescribeAlarms', resource: { 'Fn::GetAtt': [expect.stringMatching(/^StagingErrors/), 'Arn'] } },
    ]);
    expect(stage(t, 'Prod').Actions.map((x: any) => x.ActionTypeId.Category)).toEqual(['Deploy']);
  });

  test('deployment window: DeploymentWindow rule with the cron in the rule form and the time zone', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { deploymentWindow: { cron: 'cron(0 9-16 ? * MON-THU *)', timeZone: 'Europe/Berlin' } })
      .attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    expect(stage(template(f), 'Prod').BeforeEntry.Conditions[0].Rules).toEqual([{
      Name: 'Prod.DeploymentWindow1',
      RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
      Configuration: { Cron: '0 0 9-16 ? * MON-THU *', TimeZone: 'Europe/Berlin' },
    }]);
  });

  test('checks: LambdaInvoke rule; lambda:InvokeFunction on exactly that function', () => {
    const f = pipelineFixture();
    const fn = checkFunction(f.stack, 'ChangeFreeze');
    new ApprovalGate(f.stack, 'ProdGate', { checks: [fn] }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const t = template(f);
    expect(stage(t, 'Prod').BeforeEntry.Conditions[0].Rules).toEqual([{
      Name: 'Prod.Check1',
      RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'LambdaInvoke', Version: '1' },
      Configuration: { FunctionName: { Ref: expect.stringMatching(/^ChangeFreeze/) } },
    }]);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChangeFreeze'), 'Arn'] },
        }]),
      },
    });
  });

  test('rollbackOnAlarms: on-success condition with result ROLLBACK and CloudWatchAlarm rules', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { rollbackOnAlarms: [alarm(f.stack, 'ProdErrors')], rollbackWaitTime: Duration.minutes(30) })
      .attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const prod = stage(template(f), 'Prod');
    expect(prod.BeforeEntry).toBeUndefined();
    expect(prod.OnSuccess).toEqual({
      Conditions: [{
        Result: 'ROLLBACK',
        Rules: [{
          Name: 'Prod.RollbackAlarm1',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
          Configuration: { AlarmName: { Ref: expect.stringMatching(/^ProdErrors/) }, AlarmStates: 'ALARM', WaitTime: '30' },
        }],
      }],
    });
  });

  test('rollbackOnFailure: on-failure result ROLLBACK', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { rollbackOnFailure: true }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    expect(stage(template(f), 'Prod').OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('extra typed rules join the entry condition; SKIP is allowed with VariableCheck only', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      rules: [new VariableCheckRule({ variable: '#{SourceVariables.VersionId}', value: 'main' })],
      entryResult: codepipeline.Result.SKIP,
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    expect(stage(template(f), 'Prod').BeforeEntry.Conditions).toEqual([{
      Result: 'SKIP',
      Rules: [{
        Name: 'Prod.Variable1',
        RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
        Configuration: { Variable: '#{SourceVariables.VersionId}', Value: 'main', Operator: 'EQ' },
      }],
    }]);
  });

  test('snapshot: automated gate', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      alarms: [alarm(f.stack, 'StagingErrors')],
      deploymentWindow: { cron: 'cron(0 9-16 ? * MON-THU *)', timeZone: 'Europe/Berlin' },
      checks: [checkFunction(f.stack, 'ChangeFreeze')],
      rollbackOnAlarms: [alarm(f.stack, 'ProdErrors')],
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    expect(rawTemplate(f)).toMatchSnapshot();
  });
});

describe('ApprovalGate: manual and automated combined', () => {
  test('one stage holds the entry condition, the approval first, then the deploy, and the rollback', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', {
      emails: ['release@example.com'],
      message: 'Check the staging dashboard first',
      reviewUrl: 'https://example.com/release-notes',
      timeout: Duration.days(2),
      approvers: [approverRole(f.stack, 'ReleaseManagers')],
      alarms: [alarm(f.stack, 'StagingErrors')],
      deploymentWindow: { cron: 'cron(0 9-16 ? * MON-THU *)', timeZone: 'Europe/Berlin' },
      checks: [checkFunction(f.stack, 'ChangeFreeze')],
      rollbackOnAlarms: [alarm(f.stack, 'ProdErrors')],
    });
    gate.onApprovalNeeded('Page');
    gate.attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction('Ship')] });
    const raw = rawTemplate(f);
    const t = canonicalTemplate(raw);
    const prod = stage(t, 'Prod');
    expect(prod.Actions.map((a: any) => a.Name)).toEqual(['Approve', 'Ship']);
    expect(prod.BeforeEntry.Conditions[0].Rules.map((r: any) => r.RuleTypeId.Provider)).toEqual(['CloudWatchAlarm', 'DeploymentWindow', 'LambdaInvoke']);
    expect(prod.OnSuccess.Conditions[0].Result).toBe('ROLLBACK');
    expect(raw).toMatchSnapshot();
  });

  test('the stage conditions pass the CloudFormation validation engine with zero findings', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', {
      manual: true,
      alarms: [alarm(f.stack, 'A1'), alarm(f.stack, 'A2')],
      deploymentWindow: { cron: '0 0 9-17 ? * MON-FRI *', timeZone: 'UTC' },
      checks: [checkFunction(f.stack, 'C1')],
      rules: [new VariableCheckRule({ variable: '#{SourceVariables.VersionId}', value: 'main' })],
      rollbackOnAlarms: [alarm(f.stack, 'R1'), alarm(f.stack, 'R2')],
      rollbackOnFailure: true,
    }).attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] });
    const result = synthGate(f);
    expect(result.findings).toEqual([]);
  });
});

describe('ApprovalGate: bad input', () => {
  test.each([
    ['below 5 minutes', Duration.minutes(4)],
    ['above 7 days', Duration.days(8)],
  ])('fails when the timeout is %s', (_label, timeout) => {
    const stack = new Stack();
    expect(() => new ApprovalGate(stack, 'ProdGate', { manual: true, timeout }))
      .toThrow(/ApprovalGate 'ProdGate': timeout .* is outside 5 minutes\.\.7 days; pass a Duration in that range/);
  });

  test('fails when the timeout is not whole minutes', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: true, timeout: Duration.seconds(301) })).toThrow(/not a whole number of minutes/);
  });

  test('fails when a timeout is given to a gate without manual approval', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: false, timeout: Duration.hours(1), rollbackOnFailure: true }))
      .toThrow(/timeout .* is given but the gate has no manual approval/);
  });

  test('fails when an e-mail is malformed', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { emails: ['release@example.com', 'not-an-address'] }))
      .toThrow(/ApprovalGate 'ProdGate': emails entry 'not-an-address' is not an e-mail address/);
  });

  test('fails when the review URL is not http(s)', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { reviewUrl: 'example.com/notes' })).toThrow(/reviewUrl 'example.com\/notes' is not an http\(s\) URL/);
  });

  test('fails when the gate has neither manual approval nor any automated condition', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate')).toThrow(/ApprovalGate 'ProdGate': the gate has neither a manual approval nor any automated condition/);
    expect(() => new ApprovalGate(new Stack(), 'Other', { manual: false })).toThrow(/neither a manual approval nor any automated condition/);
  });

  test('fails when manual is false but manual-approval options are given', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: false, message: 'x', rollbackOnFailure: true })).toThrow(/manual is false but .* is given/);
  });

  test('fails when conditions are used on a V1 pipeline', () => {
    const f = pipelineFixture(codepipeline.PipelineType.V1);
    const gate = new ApprovalGate(f.stack, 'ProdGate', { alarms: [alarm(f.stack, 'A')] });
    expect(() => gate.attachTo(f.pipeline, { stageName: 'Prod', actions: [f.deployAction()] }))
      .toThrow(/ApprovalGate 'ProdGate': stage conditions .* need a V2 pipeline, and Gate\/Pipeline is V1; define the pipeline with pipelineType: codepipeline.PipelineType.V2/);
  });

  test('a manual-only gate works on a V1 pipeline', () => {
    const f = pipelineFixture(codepipeline.PipelineType.V1);
    new ApprovalGate(f.stack, 'ProdGate', { manual: true }).attachTo(f.pipeline, { stageName: 'Approve' });
    expect(stage(template(f), 'Approve').Actions[0].ActionTypeId.Provider).toBe('Manual');
  });

  test('fails when one condition would hold more than 5 rules', () => {
    const stack = new Stack();
    const alarms = [1, 2, 3, 4].map((i) => alarm(stack, `A${i}`));
    expect(() => new ApprovalGate(stack, 'ProdGate', { alarms, deploymentWindow: { cron: 'cron(0 9 ? * MON *)' }, checks: [checkFunction(stack, 'C')] }))
      .toThrow(/ApprovalGate 'ProdGate': the entry condition would hold 6 rules \(4 alarms, 1 deployment window, 1 check\); CodePipeline allows at most 5 rules in one condition/);
    expect(() => new ApprovalGate(stack, 'Rollback', { rollbackOnAlarms: [...alarms, alarm(stack, 'A5'), alarm(stack, 'A6')] }))
      .toThrow(/rollbackOnAlarms lists 6 alarms; CodePipeline allows at most 5 rules in one condition/);
  });

  test.each([
    ['a field count that is not 6', 'cron(0 9 * * MON)', /has 5 fields inside cron\(\.\.\.\); AWS cron takes exactly 6/],
    ['both day fields set', 'cron(0 9 1 * MON *)', /must have '\?' in exactly one of day-of-month \('1'\) and day-of-week \('MON'\)/],
    ['both day fields ?', 'cron(0 9 ? * ? *)', /must have '\?' in exactly one of day-of-month/],
    ['? outside the day fields', 'cron(? 9 ? * MON *)', /minutes field '\?' uses '\?', which only day-of-month and day-of-week allow/],
    ['an hour out of range', 'cron(0 9-25 ? * MON-FRI *)', /hours field '9-25' is outside 0-23/],
    ['an unknown day name', 'cron(0 9 ? * MON-FRY *)', /day-of-week field 'MON-FRY' is outside 1-7 \(or SUN-SAT\)/],
    ['a rate expression', 'rate(1 hour)', /is a rate expression/],
  ])('fails when the deployment window cron has %s', (_label, cron, message) => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { deploymentWindow: { cron } })).toThrow(message);
  });

  test('fails when the deployment window time zone is unknown or an abbreviation', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { deploymentWindow: { cron: 'cron(0 9 ? * MON *)', timeZone: 'Europe/Atlantis' } }))
      .toThrow(/ApprovalGate 'ProdGate': deployment window time zone 'Europe\/Atlantis' is not a known IANA time zone/);
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { deploymentWindow: { cron: 'cron(0 9 ? * MON *)', timeZone: 'CST' } }))
      .toThrow(/time zone 'CST' is an abbreviation, which is ambiguous/);
  });

  test('fails when the gate is attached twice', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    gate.attachTo(f.pipeline, { stageName: 'Approve' });
    expect(() => gate.attachTo(f.pipeline, { stageName: 'Approve2' }))
      .toThrow(/ApprovalGate 'ProdGate' is already attached to stage 'Approve' of Gate\/Pipeline; a gate guards one stage of one pipeline/);
  });

  test('fails when the gate is attached to the source stage', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    expect(() => gate.attachTo(f.pipeline, { stageName: 'Approve', placement: { rightBefore: f.pipeline.stages[0] } }))
      .toThrow(/cannot be placed before 'Source', the source stage of the pipeline/);
    expect(() => gate.bindToStage({ pipeline: f.pipeline, stageName: 'Source' })).toThrow(/stage 'Source' would be the first stage/);
    const empty = new codepipeline.Pipeline(new Stack(), 'Empty', { pipelineType: codepipeline.PipelineType.V2 });
    expect(() => new ApprovalGate(Stack.of(empty), 'G', { manual: true }).bindToStage({ pipeline: empty, stageName: 'First' }))
      .toThrow(/ApprovalGate 'G': stage 'First' would be the first stage of Default\/Empty, which holds only source actions/);
  });

  test('fails when SKIP is used with rules CodePipeline does not allow it for', () => {
    const stack = new Stack();
    expect(() => new ApprovalGate(stack, 'ProdGate', { alarms: [alarm(stack, 'A')], entryResult: codepipeline.Result.SKIP }))
      .toThrow(/ApprovalGate 'ProdGate': result SKIP is used with CloudWatchAlarm rules; CodePipeline allows SKIP only with LambdaInvoke and VariableCheck rules/);
    expect(() => new ApprovalGate(stack, 'Rb', { alarms: [alarm(stack, 'B')], entryResult: codepipeline.Result.ROLLBACK }))
      .toThrow(/entryResult ROLLBACK is not allowed before entry/);
  });

  test('fails when approval methods are used on an automated-only gate', () => {
    const stack = new Stack();
    const gate = new ApprovalGate(stack, 'ProdGate', { alarms: [alarm(stack, 'A')] });
    expect(() => gate.grantApprove(approverRole(stack, 'R'))).toThrow(/ApprovalGate 'ProdGate': grantApprove needs a manual approval/);
    expect(() => gate.onApprovalNeeded('X')).toThrow(/onApprovalNeeded needs a manual approval/);
  });

  test('fails at synth when the gate is never attached', () => {
    const f = pipelineFixture();
    new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    expect(() => synthGate(f)).toThrow(/ApprovalGate 'ProdGate': not attached to any stage/);
  });

  test('fails when a wait time or entryResult is given without the rules it applies to', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: true, alarmWaitTime: Duration.minutes(5) })).toThrow(/alarmWaitTime is given but alarms is empty/);
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: true, rollbackWaitTime: Duration.minutes(5) })).toThrow(/rollbackWaitTime is given but rollbackOnAlarms is empty/);
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: true, entryResult: codepipeline.Result.FAIL })).toThrow(/entryResult is given but the gate has no entry rules/);
  });

  test('fails with a clear message when a grant of a never-attached gate is resolved', () => {
    const f = pipelineFixture();
    const gate = new ApprovalGate(f.stack, 'ProdGate', { manual: true });
    gate.grantApprove(approverRole(f.stack, 'Oncall'));
    expect(() => synthGate(f)).toThrow(/ApprovalGate 'ProdGate': not attached to any stage/);
  });

  test('fails when the action name is invalid', () => {
    expect(() => new ApprovalGate(new Stack(), 'ProdGate', { manual: true, actionName: 'Approve now!' })).toThrow(/actionName 'Approve now!' is invalid/);
  });
});
