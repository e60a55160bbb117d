import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { WildcardAllowance } from '../../private/wildcard-allowances';

/**
 * The log permissions of an action that runs on CodePipeline-managed compute (Commands, EKS,
 * ECRBuildAndPublish, InspectorScan): CodePipeline writes its output to the log group
 * `/aws/codepipeline/<pipeline>` (as aws-cdk-lib's `CommandsAction` grants). Not `logs:GetLogEvents`: the action
 * reference pages list it for the console user who reads the logs, not for the action's role.
 */
export function grantManagedComputeLogs(scope: Construct, stage: codepipeline.IStage, role: iam.IRole): void {
  const logGroupArn = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `/aws/codepipeline/${stage.pipeline.pipelineName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroupArn, `${logGroupArn}:*`],
  }));
}

/** The acknowledgment of the log-stream wildcard `grantManagedComputeLogs` grants (for `Binder.allow`). */
export const MANAGED_COMPUTE_LOGS: WildcardAllowance = {
  resourcePattern: () => /^arn:(?:<AWS::[A-Za-z]+>|[^:<>*]+):logs:(?:<AWS::[A-Za-z]+>|[^:<>*]+):(?:<AWS::[A-Za-z]+>|[^:<>*]+):log-group:\/aws\/codepipeline\/[^:*]+:\*$/,
  onlyActions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  reason: 'Log streams of the pipeline\'s own log group /aws/codepipeline/<pipeline> (log-group:<name>:*): CodePipeline-managed compute '
    + 'names a stream per run; the role belongs to this one action.',
};
