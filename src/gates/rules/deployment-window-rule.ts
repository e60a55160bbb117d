import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import * as v from '../../private/validate';
import { normalizeDeploymentWindowCron, validateTimeZone } from '../private/schedule';

/** When deployments may enter a stage. */
export interface DeploymentWindowOptions {
  /**
   * When the window is open, as AWS cron: `cron(Minutes Hours Day-of-month Month Day-of-week Year)`
   * with `?` in exactly one of the two day fields, e.g. `cron(0 9-16 ? * MON-THU *)`.
   * Rendered in the rule's own 7-field form (seconds first); that form is accepted as-is too.
   */
  readonly cron: string;

  /**
   * Time zone of the window: an IANA name (`Europe/Berlin`), `UTC`, or `UTC+05:30`.
   *
   * @default - UTC (CodePipeline's default)
   */
  readonly timeZone?: string;
}

/** Properties of a `DeploymentWindowRule`. */
export interface DeploymentWindowRuleProps extends DeploymentWindowOptions, GateRuleOptions {}

/**
 * The `DeploymentWindow` rule: passes only while the window is open. The cron expression and the
 * time zone are checked at synth. Needs no IAM.
 */
export class DeploymentWindowRule extends GateRule {
  /** The cron expression as rendered (the rule's 7-field form). */
  public readonly cron: string;

  /** The time zone, if one was given. */
  public readonly timeZone?: string;

  constructor(props: DeploymentWindowRuleProps) {
    super('DeploymentWindow', 'DeploymentWindow', false, v.checked('DeploymentWindowRule', props, { cron: v.required(v.str("a cron expression, e.g. 'cron(0 9 ? * MON-FRI *)'")), timeZone: v.str(), ruleName: v.str() }));
    this.cron = Token.isUnresolved(props.cron) ? props.cron : normalizeDeploymentWindowCron('DeploymentWindowRule', props.cron);
    if (props.timeZone !== undefined && !Token.isUnresolved(props.timeZone)) {
      validateTimeZone('DeploymentWindowRule', props.timeZone);
    }
    this.timeZone = props.timeZone;
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('DeploymentWindowRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    const configuration: { [key: string]: string } = { Cron: this.cron };
    if (this.timeZone !== undefined) {
      configuration.TimeZone = this.timeZone;
    }
    return { configuration };
  }
}
