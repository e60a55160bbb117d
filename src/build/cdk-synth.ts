import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BuildOptions } from './build-options';
import { fail } from '../private/errors';

/** Options of `BuildStep.cdkSynth`. */
export interface CdkSynthOptions {
  /**
   * Commands that install and synthesize the app; they must leave the cloud assembly in `cdkOutDir`.
   *
   * @default ['npm ci', 'npx cdk synth --no-notices']
   */
  readonly commands?: string[];

  /**
   * Directory of the cloud assembly the commands write, relative to the source root.
   *
   * @default 'cdk.out'
   */
  readonly cdkOutDir?: string;

  /**
   * Name of the output artifact holding the whole cloud assembly.
   *
   * @default 'CloudAssembly'
   */
  readonly outputName?: string;

  /**
   * Name of the CodeBuild action.
   *
   * @default 'Synth'
   */
  readonly actionName?: string;

  /**
   * Build image of the project.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * Compute type of the project.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Privileged mode, for apps whose assets are built with Docker during synth.
   *
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * Timeout of the project.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;

  /**
   * More permissions for the project's role (e.g. context lookups the app makes).
   *
   * @default - none: the synth reads only the source
   */
  readonly rolePolicy?: iam.PolicyStatement[];

  /**
   * Environment variables of the action.
   *
   * @default - CDK_DISABLE_CLI_TELEMETRY=true only
   */
  readonly environmentVariables?: { [name: string]: codebuild.BuildEnvironmentVariable };
}

/**
 * A build that synthesizes a CDK app and outputs its whole cloud assembly (`cdk.out`, with
 * the stage assemblies, asset manifests, assets and the scripts this library writes there)
 * as one artifact, the input of `DeployTarget.cdkStage` and of the asset publishing.
 */
export function cdkSynthBuild(options: CdkSynthOptions = {}): BuildOptions {
  const outDir = options.cdkOutDir ?? 'cdk.out';
  if (outDir.length === 0 || outDir.startsWith('/') || outDir.split('/').includes('..')) {
    fail('BuildStep.cdkSynth', `cdkOutDir '${outDir}' is not a directory inside the source; pass a relative path such as 'cdk.out'.`);
  }
  const commands = options.commands ?? ['npm ci', 'npx cdk synth --no-notices'];
  if (commands.length === 0) {
    fail('BuildStep.cdkSynth', 'commands is empty; give the commands that synthesize the app, e.g. [\'npm ci\', \'npx cdk synth\'].');
  }
  return {
    actionName: options.actionName ?? 'Synth',
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: {
        install: { 'runtime-versions': { nodejs: 20 } },
        build: { commands },
      },
      artifacts: { 'base-directory': outDir, 'files': ['**/*'] },
    }),
    buildImage: options.buildImage,
    computeType: options.computeType,
    privileged: options.privileged,
    timeout: options.timeout,
    rolePolicy: options.rolePolicy,
    environmentVariables: { CDK_DISABLE_CLI_TELEMETRY: { value: 'true' }, ...options.environmentVariables },
    outputs: [options.outputName ?? 'CloudAssembly'],
  };
}
