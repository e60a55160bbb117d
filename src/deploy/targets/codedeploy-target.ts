import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** Options of `DeployTarget.codeDeploy` (EC2/on-premises). */
export interface CodeDeployTargetOptions {
  /** The server deployment group. */
  readonly deploymentGroup: codedeploy.IServerDeploymentGroup;

  /**
   * Artifact holding the revision (with `appspec.yml`).
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployCodeDeploy'
   */
  readonly actionName?: string;
}

/** The actions of `DeployTarget.codeDeploy`. */
export function codeDeployTarget(options: CodeDeployTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployCodeDeploy', (b) => new actions.CodeDeployServerDeployAction({
    actionName: b.name,
    deploymentGroup: options.deploymentGroup,
    input: b.artifact(options.input, 'input'),
    runOrder: b.runOrder,
  }));
}
