import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** Options of `DeployTarget.elasticBeanstalk`. */
export interface ElasticBeanstalkTargetOptions {
  /** Application name. */
  readonly applicationName: string;

  /** Environment name. */
  readonly environmentName: string;

  /**
   * Artifact holding the application bundle.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployBeanstalk'
   */
  readonly actionName?: string;
}

/** The actions of `DeployTarget.elasticBeanstalk`. */
export function elasticBeanstalkTarget(options: ElasticBeanstalkTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployBeanstalk', (b) => {
    b.allow([{
      roleFinding: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk]',
      reason: 'aws-cdk-lib attaches this AWS managed policy to the role of the Elastic Beanstalk deploy action only (the role is assumable only by the '
        + 'pipeline role): an environment update drives EC2, Auto Scaling, ELB and CloudFormation on the environment\'s behalf, as the CodePipeline '
        + 'documentation for this action requires. Use DeployTarget.action() with your own role to narrow it.',
    }]);
    return new actions.ElasticBeanstalkDeployAction({
      actionName: b.name,
      applicationName: options.applicationName,
      environmentName: options.environmentName,
      input: b.artifact(options.input, 'input'),
      runOrder: b.runOrder,
    });
  });
}
