import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A build step on CodeBuild: a project you give, or one defined for you from a buildspec,
 * image, compute type and environment variables.
 */
export interface BuildOptions {
  /**
   * Name of the CodeBuild action.
   *
   * @default 'Build' for the build step; the test's `name` for a test
   */
  readonly actionName?: string;

  /**
   * A CodeBuild project to run instead of defining one. `buildSpec`, `buildImage`,
   * `computeType`, `privileged`, `timeout` and `rolePolicy` then do not apply (configure your project).
   *
   * @default - a PipelineProject is defined: encrypted with the artifact bucket's KMS key when
   * it has one, no privileged mode, logs to CloudWatch Logs
   */
  readonly project?: codebuild.IProject;

  /**
   * Build specification of the defined project.
   *
   * @default - `buildspec.yml` at the root of the input artifact (CodeBuild's default)
   */
  readonly buildSpec?: codebuild.BuildSpec;

  /**
   * Build image of the defined project.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * Compute type of the defined project.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Run the defined project in privileged mode, for builds that run Docker (`docker build`, Docker
   * CDK assets). Privileged builds can reach the host's Docker daemon: turn it on only for builds that need it.
   *
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * Timeout of the defined project.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;

  /**
   * More permissions for the defined project's role (what the build itself calls).
   *
   * @default - none beyond reading/writing artifacts and writing logs
   */
  readonly rolePolicy?: iam.PolicyStatement[];

  /**
   * Environment variables set on the action (they override the project's). Values may hold
   * pipeline variables, e.g. `{ value: source.variable('CommitId') }` (`#{SourceVariables.CommitId}`)
   * or `{ value: '#{variables.tag}' }`.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: codebuild.BuildEnvironmentVariable };

  /**
   * Namespace of the action's output variables: the variables the buildspec exports
   * (`env.exported-variables`). Reference them with `BuildStep.variable('NAME')`
   * (`#{BuildVariables.NAME}`), from actions that run after the build.
   *
   * @default 'BuildVariables' for the build step; none for a test
   */
  readonly variablesNamespace?: string;

  /**
   * Names of the output artifacts. With more than one, the buildspec lists them under
   * `secondary-artifacts` with these names as identifiers; the first is the primary output.
   * Pass `[]` for no output.
   *
   * @default ['BuildOutput'] for the build step; none for a test
   */
  readonly outputs?: string[];
}

/** A test step: a build step with a name, run in parallel with the other tests. */
export interface TestOptions extends BuildOptions {
  /** Name of the test, used as its action name unless `actionName` is given. */
  readonly name: string;

  /**
   * Name of the artifact the test reads.
   *
   * @default - the primary build output (the source output when there is no build)
   */
  readonly input?: string;

  /**
   * Names of more artifacts the test reads (at most 4).
   *
   * @default - none
   */
  readonly extraInputs?: string[];
}
