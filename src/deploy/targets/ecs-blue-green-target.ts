import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { fail } from '../../private/errors';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** An image the ECS blue/green deployment substitutes into the task definition. */
export interface BlueGreenImageInput {
  /** Artifact holding `imageDetail.json` (an ECR source output, or a build output). */
  readonly input: string;

  /**
   * Placeholder in the task definition template.
   *
   * @default 'IMAGE'
   */
  readonly taskDefinitionPlaceholder?: string;
}

/** Options of `DeployTarget.ecsBlueGreen`. */
export interface EcsBlueGreenTargetOptions {
  /** The CodeDeploy ECS deployment group. */
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;

  /**
   * The task definition template.
   *
   * @default 'taskdef.json' in the default input
   */
  readonly taskDefinitionTemplatePath?: string;

  /**
   * The AppSpec template.
   *
   * @default 'appspec.yaml' in the default input
   */
  readonly appSpecTemplatePath?: string;

  /**
   * Images substituted into the task definition (at most 4).
   *
   * @default - none
   */
  readonly containerImageInputs?: BlueGreenImageInput[];

  /**
   * Name of the action.
   *
   * @default 'DeployBlueGreen'
   */
  readonly actionName?: string;
}

const ECS_BLUE_GREEN_REASON = 'aws-cdk-lib grants the ECS blue/green deploy action ecs:RegisterTaskDefinition on "*" (registering a task definition '
  + 'has no resource-level permissions: the new revision does not exist before the call) and iam:PassRole on "*" conditioned on iam:PassedToService '
  + 'ecs-tasks.amazonaws.com (the deployment group does not expose the task definition roles to narrow it). Only these two actions use "*"; the '
  + 'CodeDeploy actions are on this deployment group, its application and deployment config. The role belongs to this one action.';

/** The actions of `DeployTarget.ecsBlueGreen`. */
export function ecsBlueGreenTarget(options: EcsBlueGreenTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployBlueGreen', (b) => {
    if ((options.containerImageInputs?.length ?? 0) > 4) {
      fail(b.where, `${options.containerImageInputs!.length} containerImageInputs; CodeDeploy ECS takes at most 4.`);
    }
    b.allow([{ resource: '*', onlyActions: ['ecs:RegisterTaskDefinition', 'iam:PassRole'], reason: ECS_BLUE_GREEN_REASON }]);
    return new actions.CodeDeployEcsDeployAction({
      actionName: b.name,
      deploymentGroup: options.deploymentGroup,
      taskDefinitionTemplateFile: b.file(options.taskDefinitionTemplatePath ?? 'taskdef.json', 'taskDefinitionTemplatePath'),
      appSpecTemplateFile: b.file(options.appSpecTemplatePath ?? 'appspec.yaml', 'appSpecTemplatePath'),
      containerImageInputs: options.containerImageInputs?.map((i) => ({
        input: b.artifact(i.input, 'containerImageInputs.input'),
        taskDefinitionPlaceholder: i.taskDefinitionPlaceholder,
      })),
      runOrder: b.runOrder,
    });
  });
}
