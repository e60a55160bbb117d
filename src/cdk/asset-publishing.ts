import { Duration, Names } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ASSEMBLY_FOLDER, AssemblyFile, shellQuote } from './private/assembly-file';
import { CdkAssetEnvironment, CdkStageDeployment } from './stage-deployment';
import { projectAllowances } from '../build/private/build-step';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import { CODEPIPELINE_NAME, REGION_NAME } from '../private/names';
import * as v from '../private/validate';
import { acknowledgeWildcards } from '../private/wildcard-allowances';

/** Major version of cdk-assets the publish scripts run unless told otherwise. */
const CDK_ASSETS_MAJOR = '4';

/** Props of `CdkAssetPublishing`. */
export interface CdkAssetPublishingProps {
  /** The CDK stages whose assets the pipeline publishes (all of them: one project per environment serves every stage there). */
  readonly stages: CdkStageDeployment[];

  /**
   * The artifact bucket of the pipeline (in the pipeline's region). The projects read the cloud
   * assembly from it (granted when their actions join the pipeline) and encrypt with its key.
   */
  readonly artifactBucket: s3.IBucket;

  /**
   * Version of cdk-assets the publish scripts run (`npx cdk-assets@<version>`): a major, or an exact version.
   *
   * @default '4'
   */
  readonly cdkAssetsVersion?: string;

  /**
   * Build image of the publishing projects.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * Compute type of the publishing projects.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Timeout of the publishing projects.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
}

/** Options of `CdkAssetPublishing.action`. */
export interface CdkPublishActionOptions {
  /** The cloud assembly artifact (the output of the `cdk synth` build). */
  readonly input: codepipeline.Artifact;

  /**
   * runOrder of the action.
   *
   * @default 1
   */
  readonly runOrder?: number;

  /**
   * Name of the action.
   *
   * @default 'Assets-<account>-<region>'
   */
  readonly actionName?: string;
}

/**
 * Publishes the assets of CDK stages with ONE CodeBuild project per target environment
 * (account + region), whatever the number of assets.
 *
 * Each project runs a publish script written into the cloud assembly at synth
 * (`cdk-delivery-pipelines/<id>/publish-<account>-<region>.sh`), which runs
 * `cdk-assets publish` on every asset manifest of that environment; cdk-assets assumes the
 * bootstrap publishing roles the manifests name. The project's role may only assume those roles
 * (and read the pipeline artifacts, granted by the action). It runs privileged only when the
 * environment has Docker image assets. Neither the projects nor the scripts depend on asset
 * hashes: changing a Lambda's code changes the assembly's assets, not the pipeline.
 */
export class CdkAssetPublishing extends Construct {
  /** The environments published to, each merged over all stages, in the order the stages reach them. */
  public readonly environments: CdkAssetEnvironment[];

  private readonly projects = new Map<string, codebuild.PipelineProject>();
  private readonly scripts = new Map<string, AssemblyFile>();

  constructor(scope: Construct, id: string, props: CdkAssetPublishingProps) {
    v.checkScope('CdkAssetPublishing', scope, id);
    super(scope, id);
    v.checkProps(this, props, {
      artifactBucket: v.required(v.cdk.bucket),
      stages: v.required(v.arrayOf(v.instance(CdkStageDeployment, 'CdkStageDeployment.fromStage(stage)'))),
      buildImage: v.cdk.buildImage,
      cdkAssetsVersion: v.str(),
      computeType: v.BUILD_OPTIONS_SPEC.computeType,
      timeout: v.duration(),
    });
    if (props.stages.length === 0) {
      fail(this, 'stages is empty; pass the CdkStageDeployment of every CDK stage the pipeline deploys.');
    }
    const version = props.cdkAssetsVersion ?? CDK_ASSETS_MAJOR;
    if (!/^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$/.test(version)) {
      fail(this, `cdkAssetsVersion '${version}' is not a version; give a major ('4') or an exact version ('4.7.3').`);
    }
    this.environments = mergeEnvironments(props.stages);
    const folder = `${ASSEMBLY_FOLDER}/${Names.uniqueId(this)}`;
    const key = props.artifactBucket.encryptionKey;

    for (const env of this.environments) {
      const name = envName(env);
      const script = new AssemblyFile(this, `Script-${name}`, `${folder}/publish-${name}.sh`, () => publishScript(env, version), 0o755);
      const project = new codebuild.PipelineProject(this, `Publish-${name}`, {
        description: `Publishes the CDK assets of aws://${env.account}/${env.region} for ${this.node.path}`,
        buildSpec: codebuild.BuildSpec.fromObject({
          version: '0.2',
          phases: {
            install: { 'runtime-versions': { nodejs: 20 } },
            build: { commands: [`bash ${shellQuote(script.relativePath)}`] },
          },
        }),
        environment: {
          buildImage: props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: props.computeType ?? codebuild.ComputeType.SMALL,
          privileged: env.hasDockerImageAssets,
        },
        timeout: props.timeout ?? Duration.hours(1),
        encryptionKey: key,
      });
      // Build logs to CloudWatch Logs (Control Tower CT.CODEBUILD.PR.3), CodeBuild's default log group.
      (project.node.defaultChild as codebuild.CfnProject).logsConfig = { cloudWatchLogs: { status: 'ENABLED' } };
      const roles = [...env.fileAssetPublishingRoleArns, ...env.imageAssetPublishingRoleArns];
      project.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles }));
      acknowledgeWildcards(project.role!, projectAllowances(project, props.artifactBucket, key));
      if (!key) {
        acknowledge(project, 'AwsSolutions-CB4',
          'The pipeline artifact bucket has no customer-managed key (the caller chose AWS-managed encryption), so this project encrypts ' +
            'like every other artifact of the pipeline, with the AWS managed key for S3; it writes no output artifact.');
      }
      if (env.hasDockerImageAssets) {
        acknowledge(project, 'AwsSolutions-CB3',
          `Privileged mode is on only for this project because aws://${env.account}/${env.region} has Docker image assets: cdk-assets builds ` +
            'them with the Docker daemon, which needs privileged mode in CodeBuild. The project runs only the publish script written at synth, ' +
            'with a role that may only assume the bootstrap publishing roles of this environment.');
        acknowledge(project, 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check',
          `Privileged mode is on only where aws://${env.account}/${env.region} has Docker image assets: cdk-assets builds them with the Docker ` +
            'daemon, which CodeBuild runs only in privileged mode. An account that enables CT.CODEBUILD.PR.4 fails the deployment of this project: ' +
            'build the images before the pipeline and reference them by tag (ContainerImage.fromEcrRepository) to go without it.');
      }
      this.projects.set(name, project);
      this.scripts.set(name, script);
    }
  }

  /** The publishing project of an environment. */
  public project(account: string, region: string): codebuild.IProject {
    return this.lookup(this.projects, account, region);
  }

  /** Path of the publish script of an environment, relative to the root of the cloud assembly. */
  public scriptPath(account: string, region: string): string {
    return this.lookup(this.scripts, account, region).relativePath;
  }

  /** The publish script of an environment as it is written into the cloud assembly. */
  public scriptContent(account: string, region: string): string {
    return this.lookup(this.scripts, account, region).content;
  }

  /** The action publishing the assets of one environment (define it once per pipeline run: every stage's assets of that environment go). */
  public action(account: string, region: string, options: CdkPublishActionOptions): actions.CodeBuildAction {
    this.checkEnvironment(account, region);
    v.checkProps(`${v.where(this)}.action`, options, { input: v.required(v.cdk.artifact), actionName: v.str(), runOrder: v.runOrder }, 'options');
    const actionName = options.actionName ?? `Assets-${account}-${region}`;
    if (!CODEPIPELINE_NAME.test(actionName)) {
      fail(this, `action name '${actionName}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
    }
    return new actions.CodeBuildAction({
      actionName,
      project: this.project(account, region),
      input: options.input,
      runOrder: options.runOrder,
    });
  }

  /** One action per environment, all at the same runOrder (in `environments` order). */
  public actions(options: CdkPublishActionOptions): actions.CodeBuildAction[] {
    v.checkProps(`${v.where(this)}.actions`, options, { input: v.required(v.cdk.artifact), actionName: v.str(), runOrder: v.runOrder }, 'options');
    if (options.actionName !== undefined) {
      fail(this, `actionName '${options.actionName}' cannot name several actions; leave it unset or call action() per environment.`);
    }
    return this.environments.map((env) => this.action(env.account, env.region, options));
  }

  private checkEnvironment(account: string, region: string): void {
    v.checkArg(this, 'account', account, v.required(v.matching('an account id', /^\d{12}$/, "an account id, e.g. '123456789012'")));
    v.checkArg(this, 'region', region, v.required(v.matching('a region name', REGION_NAME, "a region, e.g. 'eu-west-1'")));
  }

  private lookup<T>(map: Map<string, T>, account: string, region: string): T {
    this.checkEnvironment(account, region);
    const found = map.get(`${account}-${region}`);
    if (!found) {
      const known = this.environments.map((e) => `${e.account}/${e.region}`).join(', ');
      fail(this, `no stage has assets in ${account}/${region}; use one of the environments with assets (${known}).`);
    }
    return found;
  }
}

function envName(env: { account: string; region: string }): string {
  return `${env.account}-${env.region}`;
}

function mergeEnvironments(stages: CdkStageDeployment[]): CdkAssetEnvironment[] {
  const merged = new Map<string, CdkAssetEnvironment>();
  const union = (a: string[], b: string[]) => [...a, ...b.filter((x) => !a.includes(x))];
  for (const stage of stages) {
    for (const env of stage.assetEnvironments) {
      const name = envName(env);
      const seen = merged.get(name);
      merged.set(name, seen === undefined ? env : {
        account: env.account,
        region: env.region,
        assetManifestPaths: union(seen.assetManifestPaths, env.assetManifestPaths),
        hasFileAssets: seen.hasFileAssets || env.hasFileAssets,
        hasDockerImageAssets: seen.hasDockerImageAssets || env.hasDockerImageAssets,
        fileAssetPublishingRoleArns: union(seen.fileAssetPublishingRoleArns, env.fileAssetPublishingRoleArns),
        imageAssetPublishingRoleArns: union(seen.imageAssetPublishingRoleArns, env.imageAssetPublishingRoleArns),
      });
    }
  }
  return [...merged.values()];
}

/** The publish script: paths of manifests only (never an asset hash), run from the assembly root. */
function publishScript(env: CdkAssetEnvironment, version: string): string {
  const depth = 2; // cdk-delivery-pipelines/<id>/
  return [
    '#!/usr/bin/env bash',
    `# Written by cdk-delivery-pipelines at synth: publishes the CDK assets of aws://${env.account}/${env.region}.`,
    '# cdk-assets assumes the publishing role each manifest names for its destinations.',
    'set -euo pipefail',
    `cd "$(dirname "$0")/${Array(depth).fill('..').join('/')}"`,
    `CDK_ASSETS="npx --yes cdk-assets@${version}"`,
    ...env.assetManifestPaths.map((manifest) => `$CDK_ASSETS --path ${shellQuote(manifest)} --verbose publish`),
    '',
  ].join('\n');
}
