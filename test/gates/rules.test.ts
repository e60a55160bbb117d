import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { alarm, checkFunction, pipelineFixture, synthGate } from './fixtures';
import {
  CloudWatchAlarmRule, DeploymentWindowRule, GateCondition, LambdaInvokeRule, VariableCheckOperator, VariableCheckRule,
} from '../../src';

describe('typed rules composed into a GateCondition on a plain L2 pipeline', () => {
  test('renders the rules, names them per stage, and grants the pipeline role what each needs', () => {
    const f = pipelineFixture();
    const a = alarm(f.stack, 'Errors');
    const fn = checkFunction(f.stack, 'Freeze');
    const entry = new GateCondition({
      result: codepipeline.Result.FAIL,
      rules: [
        new CloudWatchAlarmRule({
          alarm: a,
          alarmStates: [cloudwatch.AlarmState.ALARM, cloudwatch.AlarmState.INSUFFICIENT_DATA],
          waitTime: Duration.minutes(10),
        }),
        new DeploymentWindowRule({ cron: 'cron(30 8-17 ? * MON-FRI *)', timeZone: 'America/New_York' }),
        new LambdaInvokeRule({ function: fn, userParameters: '{"service":"api"}', ruleName: 'FreezeCheck' }),
        new VariableCheckRule({ variable: '#{SourceVariables.ETag}', value: '^v', comparison: VariableCheckOperator.MATCHES }),
      ],
    });
    f.pipeline.addStage({
      stageName: 'Prod',
      actions: [f.deployAction()],
      beforeEntry: { conditions: [entry.bind(f.stack, { pipeline: f.pipeline, stageName: 'Prod' })] },
    });
    const t = Template.fromJSON(synthGate(f).templates.Gate);

    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Prod',
        BeforeEntry: {
          Conditions: [{
            Result: 'FAIL',
            Rules: [
              Match.objectLike({ Name: 'Prod.Alarm1', Configuration: { AlarmName: { Ref: Match.stringLikeRegexp('^Errors') }, AlarmStates: 'ALARM,INSUFFICIENT_DATA', WaitTime: '10' } }),
              Match.objectLike({ Name: 'Prod.DeploymentWindow1', Configuration: { Cron: '0 30 8-17 ? * MON-FRI *', TimeZone: 'America/New_York' } }),
              Match.objectLike({ Name: 'FreezeCheck', Configuration: { FunctionName: { Ref: Match.stringLikeRegexp('^Freeze') }, UserParameters: '{"service":"api"}' } }),
              Match.objectLike({ Name: 'Prod.Variable1', Configuration: { Variable: '#{SourceVariables.ETag}', Value: '^v', Operator: 'MATCHES' } }),
            ],
          }],
        },
      })]),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] } },
          { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Freeze'), 'Arn'] } },
        ]),
      },
    });
  });

  test('an alarm imported from another region gets the rule region', () => {
    const f = pipelineFixture();
    const remote = cloudwatch.Alarm.fromAlarmArn(f.stack, 'Remote', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:edge-errors');
    const condition = new GateCondition({ rules: [new CloudWatchAlarmRule({ alarm: remote })] });
    const rendered = condition.bind(f.stack, { pipeline: f.pipeline, stageName: 'Prod' });
    expect(rendered.rules![0]._render()).toMatchObject({ region: 'us-east-1', configuration: { AlarmName: 'edge-errors', AlarmStates: 'ALARM' } });
  });

  test('default rule names stay valid for long stage names (shortened with a hash, unique)', () => {
    const f = pipelineFixture();
    const stageName = 'S'.repeat(100);
    const condition = new GateCondition({
      rules: [new VariableCheckRule({ variable: '#{V.a}', value: 'x' }), new VariableCheckRule({ variable: '#{V.b}', value: 'y' })],
    });
    const names = condition.bind(f.stack, { pipeline: f.pipeline, stageName }).rules!.map((r) => r.ruleName!);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9.@_-]{1,100}$/);
  });

  test('fails when a condition holds more than 5 rules', () => {
    const rules = [1, 2, 3, 4, 5, 6].map((i) => new VariableCheckRule({ variable: `#{V.x${i}}`, value: 'y' }));
    expect(() => new GateCondition({ rules })).toThrow(/GateCondition: 6 rules .*; CodePipeline allows at most 5 rules in one condition/);
  });

  test('fails when a condition holds no rule', () => {
    expect(() => new GateCondition({ rules: [] })).toThrow(/GateCondition: no rules; a condition needs 1 to 5 rules/);
  });

  test('fails when two rules share a name', () => {
    const f = pipelineFixture();
    const condition = new GateCondition({
      rules: [new VariableCheckRule({ variable: '#{V.a}', value: 'x', ruleName: 'Same' }), new VariableCheckRule({ variable: '#{V.b}', value: 'y', ruleName: 'Same' })],
    });
    expect(() => condition.bind(f.stack, { pipeline: f.pipeline, stageName: 'Prod' })).toThrow(/two rules of stage 'Prod' are named 'Same'/);
  });

  test('fails when a rule name is invalid', () => {
    expect(() => new GateCondition({ rules: [new VariableCheckRule({ variable: '#{V.a}', value: 'x', ruleName: 'no spaces' })] }))
      .toThrow(/rule name 'no spaces' is invalid/);
  });

  test('fails when the alarm wait time is not whole minutes', () => {
    const stack = new Stack();
    expect(() => new CloudWatchAlarmRule({ alarm: alarm(stack, 'A'), waitTime: Duration.seconds(90) })).toThrow(/waitTime 1 minute 30 seconds is not a whole number of minutes/);
  });

  test('fails when the variable is empty', () => {
    expect(() => new VariableCheckRule({ variable: ' ', value: 'x' })).toThrow(/variable is empty/);
  });
});

describe('DeploymentWindowRule: cron and time zone', () => {
  test.each([
    ['cron(0 9-16 ? * MON-THU *)', '0 0 9-16 ? * MON-THU *'],
    ['cron(0/15 22-23 ? * FRI#2 2027)', '0 0/15 22-23 ? * FRI#2 2027'],
    ['cron(0 10 L * ? *)', '0 0 10 L * ? *'],
    ['cron(0 10 15W JAN-MAR ? *)', '0 0 10 15W JAN-MAR ? *'],
    ['cron(0 10 ? * 6L *)', '0 0 10 ? * 6L *'],
    ['0 0 9-17 ? * MON-FRI *', '0 0 9-17 ? * MON-FRI *'],
    ['* * 9-17 ? * MON-FRI', '* * 9-17 ? * MON-FRI'],
  ])('accepts %s as %s', (cron, rendered) => {
    expect(new DeploymentWindowRule({ cron }).cron).toBe(rendered);
  });

  test.each(['UTC', 'UTC+05:30', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Calcutta'])('accepts the time zone %s', (timeZone) => {
    expect(new DeploymentWindowRule({ cron: 'cron(0 9 ? * MON *)', timeZone }).timeZone).toBe(timeZone);
  });

  test.each([
    ['cron(0 9 ? * MON)', /has 5 fields inside cron/],
    ['0 9 ? * MON', /has 5 fields;/],
    ['cron(60 9 ? * MON *)', /minutes field '60' is outside 0-59/],
    ['cron(0 9 32 * ? *)', /day-of-month field '32' is outside 1-31/],
    ['cron(0 9 ? 13 MON *)', /month field '13' is outside 1-12/],
    ['cron(0 9 ? * MON#6 *)', /day-of-week field 'MON#6'/],
    ['cron(0 9 ? * MON 1969)', /year field '1969' is outside 1970-2199/],
    ['cron(0/0 9 ? * MON *)', /has step 0/],
    ['cron(0 9 L * MON *)', /exactly one of day-of-month/],
    ['cron(0 9W ? * MON *)', /hours field '9W' uses a special character this field does not allow/],
  ])('fails when the cron is %s', (cron, message) => {
    expect(() => new DeploymentWindowRule({ cron })).toThrow(message);
  });

  test('fails when the time zone is not IANA', () => {
    expect(() => new DeploymentWindowRule({ cron: 'cron(0 9 ? * MON *)', timeZone: 'Mars/Olympus' })).toThrow(/DeploymentWindowRule: deployment window time zone 'Mars\/Olympus' is not a known IANA time zone/);
    expect(() => new DeploymentWindowRule({ cron: 'cron(0 9 ? * MON *)', timeZone: 'PST' })).toThrow(/'PST' is an abbreviation/);
  });
});
