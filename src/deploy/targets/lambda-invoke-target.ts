import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { escapeRegExp } from '../../private/wildcard-allowances';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** Options of `DeployTarget.lambdaInvoke`. */
export interface LambdaInvokeTargetOptions {
  /** The function; it must report back with PutJobSuccessResult / PutJobFailureResult. */
  readonly function: lambda.IFunction;

  /**
   * User parameters passed to the function as JSON.
   *
   * @default - none
   */
  readonly userParameters?: { [key: string]: any };

  /**
   * Names of artifacts the function reads.
   *
   * @default - none
   */
  readonly inputs?: string[];

  /**
   * Names of artifacts the function writes (usable by later stages).
   *
   * @default - none
   */
  readonly outputs?: string[];

  /**
   * Name of the action.
   *
   * @default 'Invoke'
   */
  readonly actionName?: string;
}

/** The actions of `DeployTarget.lambdaInvoke`. */
export function lambdaInvokeTarget(options: LambdaInvokeTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'Invoke', (b) => {
    b.allow([
      {
        resource: '*',
        onlyActions: ['lambda:ListFunctions'],
        reason: 'aws-cdk-lib grants the Lambda invoke action lambda:ListFunctions, which has no resource-level permissions; invoking is granted on this function only.',
      },
      {
        resourcePattern: (flatten) => new RegExp(`^${escapeRegExp(flatten(options.function.functionArn))}:\\*$`),
        reason: 'Versions and aliases of this one function (aws-cdk-lib Function.grantInvoke).',
      },
    ]);
    return new actions.LambdaInvokeAction({
      actionName: b.name,
      lambda: options.function,
      userParameters: options.userParameters,
      inputs: options.inputs?.map((i) => b.artifact(i, 'inputs')),
      outputs: b.newOutputs(options.outputs ?? []),
      runOrder: b.runOrder,
    });
  });
}
