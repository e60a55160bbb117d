import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** Options of `DeployTarget.stepFunctions`. */
export interface StepFunctionsTargetOptions {
  /** The state machine to start. */
  readonly stateMachine: sfn.IStateMachine;

  /**
   * Input of the execution: a literal, or a file path in an artifact.
   *
   * @default - an empty input
   */
  readonly stateMachineInput?: actions.StateMachineInput;

  /**
   * Prefix of the execution name.
   *
   * @default - none
   */
  readonly executionNamePrefix?: string;

  /**
   * Name of the action.
   *
   * @default 'StartExecution'
   */
  readonly actionName?: string;
}

/** The actions of `DeployTarget.stepFunctions`. */
export function stepFunctionsTarget(options: StepFunctionsTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'StartExecution', (b) => {
    // The very ARN aws-cdk-lib's StepFunctionInvokeAction grants DescribeExecution on, so the
    // acknowledgment holds for a state machine whose ARN is a token (defined in the app, imported).
    const sm = options.stateMachine;
    const stack = Stack.of(sm);
    const { account, region, partition, resourceName } = stack.splitArn(sm.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
    const executions = stack.formatArn({
      account,
      region,
      partition,
      service: 'states',
      resource: 'execution',
      resourceName: `${resourceName}:${options.executionNamePrefix ?? ''}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    b.allow([{
      resource: executions,
      reason: 'Executions of this one state machine (execution:<state machine name>:<prefix>*): execution names are generated per run; aws-cdk-lib grants DescribeExecution on them.',
    }]);
    return new actions.StepFunctionInvokeAction({
      actionName: b.name,
      stateMachine: options.stateMachine,
      stateMachineInput: options.stateMachineInput,
      executionNamePrefix: options.executionNamePrefix,
      runOrder: b.runOrder,
    });
  });
}
