import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { projectAllowances } from '../../build/private/build-step';
import { escapeRegExp, REASONS, WildcardAllowance } from '../../private/wildcard-allowances';

/** cdk-nag's flattened partition: `<AWS::Partition>`, or a literal (`aws`, `aws-cn`, ...) under `@aws-cdk/core:enablePartitionLiterals`. */
export const ANY_PARTITION = '(?:<AWS::Partition>|aws(?:-[a-z]+)*)';

/**
 * The wildcards aws-cdk-lib puts in a CodeBuild project role used by a pipeline (`projectAllowances`),
 * also when the partition is written as a literal (the flags `cdk init` writes).
 */
export function publishingProjectAllowances(project: codebuild.IProject, bucket: s3.IBucket, key?: kms.IKey): WildcardAllowance[] {
  return [
    ...projectAllowances(project, bucket, key),
    {
      resourcePattern: (flatten) => new RegExp(`^arn:${ANY_PARTITION}:logs:[^:]+:[^:]+:log-group:/aws/codebuild/${escapeRegExp(flatten(project.projectName))}:\\*$`),
      reason: REASONS.codeBuildLogs,
    },
    {
      resourcePattern: (flatten) => new RegExp(`^arn:${ANY_PARTITION}:codebuild:[^:]+:[^:]+:report-group/${escapeRegExp(flatten(project.projectName))}-\\*$`),
      reason: REASONS.codeBuildReports,
    },
  ];
}
