import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import type { StackOutputOptions } from '../stack-outputs';

/**
 * What each built-in target (`targets/<kind>-target.ts`) implements; `DeployTarget`'s factories
 * wrap one. (The targets do not extend `DeployTarget` themselves: its factories import them, and a
 * subclass importing its base back would be an import cycle.)
 */
export interface TargetKind {
  readonly account?: string;
  bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding;
  afterActionsAdded?(): void;
  /** A stack output as a variable reference (targets that deploy CloudFormation stacks). */
  output?(outputName: string, options: StackOutputOptions): string;
  /** A `CfnOutput` of a stack the target deploys, as a variable reference (CDK stage targets). */
  outputOf?(cfnOutput: CfnOutput): string;
}
