import { Stack } from 'aws-cdk-lib';

/**
 * Which stack's output `DeployTarget.output` reads, for a target that deploys several stacks
 * (`DeployTarget.cdkStage` of a stage with more than one stack).
 */
export interface StackOutputOptions {
  /**
   * The stack of the CDK stage whose output to read (a `Stack` defined in the stage).
   *
   * @default - the stage's only stack; a stage with several stacks fails at synth naming the
   * stacks that have the output
   */
  readonly stack?: Stack;
}
