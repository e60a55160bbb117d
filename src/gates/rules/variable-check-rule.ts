import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';

/** How a `VariableCheckRule` compares the variable with the value. */
export enum VariableCheckOperator {
  /** The variable equals the value. */
  EQUALS = 'EQ',
  /** The variable does not equal the value. */
  NOT_EQUALS = 'NE',
  /** The variable contains the value. */
  CONTAINS = 'CONTAINS',
  /** The variable matches the value as a (Java) regular expression. */
  MATCHES = 'MATCHES',
}

/** Properties of a `VariableCheckRule`. */
export interface VariableCheckRuleProps extends GateRuleOptions {
  /** The pipeline variable to check, e.g. `#{SourceVariables.BranchName}`. */
  readonly variable: string;

  /** The value to compare with. */
  readonly value: string;

  /**
   * How to compare.
   *
   * @default VariableCheckOperator.EQUALS
   */
  readonly comparison?: VariableCheckOperator;
}

/** The `VariableCheck` rule: passes when a pipeline variable meets the comparison. Needs no IAM. */
export class VariableCheckRule extends GateRule {
  private readonly variable: string;
  private readonly value: string;
  private readonly comparison: VariableCheckOperator;

  constructor(props: VariableCheckRuleProps) {
    super('VariableCheck', 'Variable', true, v.checked('VariableCheckRule', props, {
      variable: v.required(v.str("a variable reference, e.g. source.variable('BranchName')")),
      value: v.required(v.str()),
      comparison: v.oneOf('a VariableCheckOperator', Object.values(VariableCheckOperator), 'e.g. VariableCheckOperator.EQUALS'),
      ruleName: v.str(),
    }));
    if (props.variable.trim() === '') {
      fail('VariableCheckRule', "variable is empty; name a pipeline variable such as '#{SourceVariables.BranchName}'.");
    }
    this.variable = props.variable;
    this.value = props.value;
    this.comparison = props.comparison ?? VariableCheckOperator.EQUALS;
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('VariableCheckRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    return { configuration: { Variable: this.variable, Value: this.value, Operator: this.comparison } };
  }
}
