import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';

/** Properties of a `CloudWatchAlarmRule`. */
export interface CloudWatchAlarmRuleProps extends GateRuleOptions {
  /** The alarm the rule checks. */
  readonly alarm: cloudwatch.IAlarm;

  /**
   * Alarm states that make the rule fail (so that the condition's result engages).
   *
   * @default [cloudwatch.AlarmState.ALARM]
   */
  readonly alarmStates?: cloudwatch.AlarmState[];

  /**
   * How long CodePipeline waits for the alarm to leave those states before the result engages
   * (`WaitTime`, whole minutes). For an entry condition: the wait when the alarm is in ALARM at the
   * first check; an alarm that is OK at the first check passes at once.
   *
   * @default - CodePipeline's default
   */
  readonly waitTime?: Duration;
}

/**
 * The `CloudWatchAlarm` rule: fails while the alarm is in one of the given states (ALARM by default).
 * Grants the pipeline role `cloudwatch:DescribeAlarms` on this alarm only.
 */
export class CloudWatchAlarmRule extends GateRule {
  /** The alarm the rule checks. */
  public readonly alarm: cloudwatch.IAlarm;

  private readonly alarmStates: cloudwatch.AlarmState[];
  private readonly waitTime?: Duration;

  constructor(props: CloudWatchAlarmRuleProps) {
    super('CloudWatchAlarm', 'Alarm', false, v.checked('CloudWatchAlarmRule', props, { alarm: v.required(v.cdk.alarm), alarmStates: v.arrayOf(v.str('e.g. cloudwatch.AlarmState.ALARM')), waitTime: v.duration(), ruleName: v.str() }));
    this.alarm = props.alarm;
    this.alarmStates = props.alarmStates ?? [cloudwatch.AlarmState.ALARM];
    if (this.alarmStates.length === 0) {
      fail('CloudWatchAlarmRule', 'alarmStates is empty; list at least one state (e.g. [cloudwatch.AlarmState.ALARM]) or leave it out.');
    }
    if (props.waitTime && !Token.isUnresolved(props.waitTime.toSeconds())) {
      const minutes = props.waitTime.toSeconds() / 60;
      if (!Number.isInteger(minutes) || minutes < 1) {
        fail('CloudWatchAlarmRule', `waitTime ${props.waitTime.toHumanString()} is not a whole number of minutes (at least 1); pass e.g. Duration.minutes(20).`);
      }
    }
    this.waitTime = props.waitTime;
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('CloudWatchAlarmRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    iam.Grant.addToPrincipal({
      grantee: options.pipeline.role,
      actions: ['cloudwatch:DescribeAlarms'],
      resourceArns: [this.alarm.alarmArn],
    });
    const configuration: { [key: string]: string } = {
      AlarmName: this.alarm.alarmName,
      AlarmStates: [...new Set(this.alarmStates)].join(','),
    };
    if (this.waitTime) {
      configuration.WaitTime = String(this.waitTime.toMinutes());
    }
    return { configuration, region: this.alarmRegion(options) };
  }

  /** The alarm's region when it is known and differs from the pipeline's. */
  private alarmRegion(options: GateRuleBindOptions): string | undefined {
    if (Token.isUnresolved(this.alarm.alarmArn)) return undefined;
    const region = Arn.split(this.alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME).region;
    const pipelineRegion = Stack.of(options.pipeline).region;
    if (!region || Token.isUnresolved(pipelineRegion) || region === pipelineRegion) return undefined;
    return region;
  }
}
