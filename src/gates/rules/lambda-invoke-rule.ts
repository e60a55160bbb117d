import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import * as v from '../../private/validate';

/** Properties of a `LambdaInvokeRule`. */
export interface LambdaInvokeRuleProps extends GateRuleOptions {
  /** The function CodePipeline invokes for the check. */
  readonly function: lambda.IFunction;

  /**
   * Input for the function (`UserParameters`).
   *
   * @default - none
   */
  readonly userParameters?: string;
}

/**
 * The `LambdaInvoke` rule: the condition passes only when the function's check succeeds.
 * Grants the pipeline role `lambda:InvokeFunction` on this function only.
 */
export class LambdaInvokeRule extends GateRule {
  /** The function CodePipeline invokes. */
  public readonly function: lambda.IFunction;

  private readonly userParameters?: string;

  constructor(props: LambdaInvokeRuleProps) {
    super('LambdaInvoke', 'Check', true, v.checked('LambdaInvokeRule', props, { function: v.required(v.cdk.function), userParameters: v.str(), ruleName: v.str() }));
    this.function = props.function;
    this.userParameters = props.userParameters;
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('LambdaInvokeRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    iam.Grant.addToPrincipal({
      grantee: options.pipeline.role,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.function.functionArn],
    });
    const configuration: { [key: string]: string } = { FunctionName: this.function.functionName };
    if (this.userParameters !== undefined) {
      configuration.UserParameters = this.userParameters;
    }
    return { configuration };
  }
}
