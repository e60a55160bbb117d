import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { acknowledgeWildcards, REASONS, WildcardAllowance } from '../../private/wildcard-allowances';
import { BuildOptions } from '../build-options';

/** What to build: the options, plus where the step sits in a pipeline. */
export interface BuildStepProps {
  /** The caller's options. */
  readonly options: BuildOptions;
  /** Action name when `options.actionName` is not set. */
  readonly defaultActionName: string;
  /** Output artifact names when `options.outputs` is not set. */
  readonly defaultOutputs: string[];
  /** BUILD or TEST. */
  readonly type: actions.CodeBuildActionType;
  /** Primary input. */
  readonly input: codepipeline.Artifact;
  /** More inputs (at most 4). */
  readonly extraInputs?: codepipeline.Artifact[];
  /** runOrder within the stage. */
  readonly runOrder?: number;
  /**
   * Key to encrypt the defined project's outputs with. Default: the artifact bucket's key; without
   * one, CodeBuild uses the AWS managed key for S3, as the artifact bucket does.
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The artifact bucket of the pipeline region. The action grants the project read (and write,
   * with outputs) on it; the resulting cdk-nag wildcard findings are acknowledged on the
   * project's role for this bucket (and its key) only.
   */
  readonly artifactBucket?: s3.IBucket;
  /** What the project's role needs to read a full-clone input (from `SourceBinding.fullClonePolicy`). */
  readonly fullClonePolicy?: iam.PolicyStatement;
  /** How errors name the caller, e.g. "SourceBuildDeployPipeline 'Pipeline'". */
  readonly errorPrefix: string;
}

/** A defined build step. */
export interface BuildStep {
  readonly action: actions.CodeBuildAction;
  readonly project: codebuild.IProject;
  readonly outputs: codepipeline.Artifact[];
  readonly actionName: string;
}

const ARTIFACT_NAME = /^[A-Za-z0-9_-]{1,100}$/;
/** The namespace the build step (not a test) declares unless `variablesNamespace` says otherwise. */
export const DEFAULT_BUILD_NAMESPACE = 'BuildVariables';

/**
 * Turn `BuildOptions` into a CodeBuild action, defining a `PipelineProject` under `scope/id`
 * when no project is given. Knows nothing about which pipeline uses it.
 */
export function defineBuildStep(scope: Construct, id: string, props: BuildStepProps): BuildStep {
  const { options, errorPrefix } = props;
  const actionName = options.actionName ?? props.defaultActionName;
  if (!Token.isUnresolved(actionName) && !CODEPIPELINE_NAME.test(actionName)) {
    fail(errorPrefix, `action name '${actionName}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
  }
  if (options.variablesNamespace !== undefined && !Token.isUnresolved(options.variablesNamespace) && !/^[A-Za-z0-9@_-]{1,100}$/.test(options.variablesNamespace)) {
    fail(errorPrefix, `variablesNamespace '${options.variablesNamespace}' of '${actionName}' is invalid; use 1-100 of A-Za-z0-9@_-, e.g. 'BuildVariables'.`);
  }
  const outputNames = options.outputs ?? props.defaultOutputs;
  if (outputNames.length > 5) {
    fail(errorPrefix, `'${actionName}' has ${outputNames.length} outputs; CodeBuild allows at most 5.`);
  }
  for (const name of outputNames) {
    if (!ARTIFACT_NAME.test(name)) {
      fail(errorPrefix, `output artifact name '${name}' of '${actionName}' is invalid; use 1-100 characters of A-Za-z0-9_-.`);
    }
    v.checkArtifactName(errorPrefix, name, `output artifact name of '${actionName}'`);
  }
  if (new Set(outputNames).size !== outputNames.length) {
    fail(errorPrefix, `'${actionName}' lists an output artifact name twice (${outputNames.join(', ')}); give each output a distinct name.`);
  }
  if ((props.extraInputs?.length ?? 0) > 4) {
    fail(errorPrefix, `'${actionName}' has ${1 + props.extraInputs!.length} inputs; CodeBuild allows at most 5.`);
  }

  let project: codebuild.IProject;
  if (options.project) {
    const ignored = (['buildSpec', 'buildImage', 'computeType', 'privileged', 'timeout', 'rolePolicy'] as const).filter((k) => options[k] !== undefined);
    if (ignored.length > 0) {
      fail(errorPrefix, `'${actionName}' passes a project and also ${ignored.join(', ')}; those configure the project defined for you, so set them on your project or drop \`project\`.`);
    }
    project = options.project;
  } else {
    project = defineProject(scope, id, props, actionName);
  }

  if (props.fullClonePolicy) {
    project.addToRolePolicy(props.fullClonePolicy);
  }
  if (project.role) {
    const projectKey = options.project ? undefined : (props.encryptionKey ?? props.artifactBucket?.encryptionKey);
    acknowledgeWildcards(project.role, projectAllowances(project, props.artifactBucket, projectKey));
  }

  const outputs = outputNames.map((name) => new codepipeline.Artifact(name));
  const action = new actions.CodeBuildAction({
    actionName,
    project,
    input: props.input,
    extraInputs: props.extraInputs,
    outputs,
    type: props.type,
    runOrder: props.runOrder,
    environmentVariables: options.environmentVariables,
    variablesNamespace: options.variablesNamespace ?? (props.type === actions.CodeBuildActionType.BUILD ? DEFAULT_BUILD_NAMESPACE : undefined),
  });
  return { action, project, outputs, actionName };
}

function defineProject(scope: Construct, id: string, props: BuildStepProps, actionName: string): codebuild.PipelineProject {
  const { options } = props;
  const encryptionKey = props.encryptionKey ?? props.artifactBucket?.encryptionKey;
  const project = new codebuild.PipelineProject(scope, id, {
    buildSpec: options.buildSpec,
    environment: {
      buildImage: options.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0,
      computeType: options.computeType ?? codebuild.ComputeType.SMALL,
      privileged: options.privileged ?? false,
    },
    timeout: options.timeout ?? Duration.hours(1),
    encryptionKey,
    description: `Runs '${actionName}' for ${props.errorPrefix.replace(/'/g, '')}`,
  });
  // Build logs to CloudWatch Logs (Control Tower CT.CODEBUILD.PR.3), in CodeBuild's default log group
  // /aws/codebuild/<project>, which the project role may already write. Set on the resource:
  // aws-cdk-lib's `logging.cloudWatch` requires a log group of our own.
  (project.node.defaultChild as codebuild.CfnProject).logsConfig = { cloudWatchLogs: { status: 'ENABLED' } };
  for (const statement of options.rolePolicy ?? []) {
    project.addToRolePolicy(statement);
  }
  if (options.privileged) {
    // cdk-nag's AwsSolutions pack no longer has a privileged-mode rule (CB3); Control Tower's CT.CODEBUILD.PR.4 has.
    acknowledge(project, 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check',
      `Privileged mode was requested for '${actionName}' (BuildOptions.privileged: true) to run Docker in the build (docker build, Docker assets). `
        + 'The project is this step\'s own: its role holds only artifact, log and the caller\'s rolePolicy permissions, and it runs only what the '
        + 'buildspec of the pipeline source says. An account that enables CT.CODEBUILD.PR.4 fails the deployment of this project.');
  }
  if (!encryptionKey) {
    acknowledge(project, 'AwsSolutions-CB4',
      'The pipeline artifact bucket has no customer-managed key (the caller chose AWS-managed encryption), so the build outputs ' +
        'are encrypted with the AWS managed key for S3, like every other artifact of this pipeline. Pass an encryption key to the ' +
        'pipeline to encrypt the artifacts and this project with a customer-managed key.');
  }
  return project;
}

const S3_GRANT_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'];
const KMS_GRANT_ACTIONS = ['kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** The wildcards aws-cdk-lib puts in a CodeBuild project role used by a pipeline, and why each is fine. */
export function projectAllowances(project: codebuild.IProject, bucket?: s3.IBucket, projectKey?: kms.IKey): WildcardAllowance[] {
  const out: WildcardAllowance[] = [
    // The very values aws-cdk-lib's Project grants (createLoggingPermission, renderReportGroupArn):
    // compared in cdk-nag's rendering, they match under any feature flags and stack environment.
    { resource: `${codeBuildLogGroupArn(project)}:*`, reason: REASONS.codeBuildLogs },
    { resource: codeBuildReportGroupsArn(project), reason: REASONS.codeBuildReports },
  ];
  if (bucket) {
    out.push(...artifactBucketAllowances(bucket));
  }
  if (projectKey) {
    out.push(...KMS_GRANT_ACTIONS.map((action) => ({ action, resources: [projectKey.keyArn], reason: REASONS.artifactKey })));
  }
  return out;
}

/** The log group ARN aws-cdk-lib's `Project` grants its role (`/aws/codebuild/<project>`), built as aws-cdk-lib builds it. */
export function codeBuildLogGroupArn(project: codebuild.IProject): string {
  return Stack.of(project).formatArn({
    service: 'logs',
    resource: 'log-group',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: `/aws/codebuild/${project.projectName}`,
  });
}

/** The report groups ARN aws-cdk-lib's `Project` grants its role (`<project>-*`), built as aws-cdk-lib builds it. */
export function codeBuildReportGroupsArn(project: codebuild.IProject): string {
  return Stack.of(project).formatArn({ service: 'codebuild', resource: 'report-group', resourceName: `${project.projectName}-*` });
}

/** The wildcards of aws-cdk-lib's grants on an artifact bucket (and its key), for any role. */
export function artifactBucketAllowances(bucket: s3.IBucket): WildcardAllowance[] {
  const objects = bucket.arnForObjects('*');
  const out: WildcardAllowance[] = [
    ...S3_GRANT_ACTIONS.map((action) => ({ action, resources: [bucket.bucketArn, objects], reason: REASONS.artifactObjects })),
    { resource: objects, reason: REASONS.artifactObjects },
  ];
  if (bucket.encryptionKey) {
    out.push(...KMS_GRANT_ACTIONS.map((action) => ({ action, resources: [bucket.encryptionKey!.keyArn], reason: REASONS.artifactKey })));
  }
  return out;
}
