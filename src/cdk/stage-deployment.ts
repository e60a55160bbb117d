import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, Environment, Stage, Token } from 'aws-cdk-lib';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { fail } from '../private/errors';
import * as v from '../private/validate';

/** One stack of a CDK stage, as a pipeline deploys it. */
export interface CdkStackDeployment {
  /** Name of the CloudFormation stack. */
  readonly stackName: string;

  /** Artifact id of the stack in the cloud assembly (stable: derived from the construct path). */
  readonly artifactId: string;

  /** Construct path of the stack. */
  readonly constructPath: string;

  /** Account the stack deploys to. */
  readonly account: string;

  /** Region the stack deploys to. */
  readonly region: string;

  /**
   * The stack's template, relative to the root of the app's cloud assembly (the artifact a
   * `cdk synth` build outputs), POSIX separators: `assembly-<stage>/<artifactId>.template.json`.
   */
  readonly templatePath: string;

  /**
   * Template configuration file (the stack's tags), relative to the root of the cloud assembly,
   * written beside the template when the stack has tags.
   *
   * @default - none: the stack has no tags
   */
  readonly templateConfigurationPath?: string;

  /**
   * Position of the stack in the stage's deployment order, from 1: a stack deploys after every
   * stack it depends on; stacks with the same runOrder are independent of each other.
   */
  readonly runOrder: number;

  /** Artifact ids of the stacks of the same stage this stack depends on. */
  readonly dependsOn: string[];

  /**
   * The bootstrap deploy role: the role the CloudFormation action assumes. The partition is
   * the `AWS::Partition` of the stack that uses it.
   */
  readonly deployRoleArn: string;

  /**
   * The bootstrap CloudFormation execution role: the role CloudFormation creates the resources with.
   *
   * @default - none: CloudFormation uses the deploy role's credentials
   */
  readonly executionRoleArn?: string;

  /**
   * Lowest bootstrap stack version the stack needs (its template checks it at deploy time).
   *
   * @default - no requirement
   */
  readonly requiresBootstrapStackVersion?: number;

  /**
   * SSM parameter holding the bootstrap stack version of the target environment.
   *
   * @default - no requirement
   */
  readonly bootstrapStackVersionSsmParameter?: string;

  /** Whether the stack asks for termination protection (a CloudFormation action cannot set it: set it once with `cdk deploy` or the console). */
  readonly terminationProtection: boolean;

  /** Stack tags. */
  readonly tags: { [key: string]: string };

  /** Asset manifests of the stack, relative to the root of the cloud assembly. */
  readonly assetManifestPaths: string[];
}

/** The assets of one target environment (account + region). */
export interface CdkAssetEnvironment {
  /** Target account. */
  readonly account: string;

  /** Target region. */
  readonly region: string;

  /**
   * Asset manifests publishing to this environment, relative to the root of the cloud assembly, in deployment order:
   * those holding an asset other than their stack's template (a manifest holding only the template is left out).
   */
  readonly assetManifestPaths: string[];

  /**
   * Whether any manifest holds a file asset other than a stack's own template (Lambda code, nested stack
   * templates, files): the templates are read from the cloud assembly artifact and never published.
   */
  readonly hasFileAssets: boolean;

  /** Whether any manifest holds a Docker image asset (publishing builds images: needs a privileged build). */
  readonly hasDockerImageAssets: boolean;

  /** Roles publishing file assets assume (from the manifests' destinations), partition as `AWS::Partition`. */
  readonly fileAssetPublishingRoleArns: string[];

  /** Roles publishing Docker image assets assume (from the manifests' destinations), partition as `AWS::Partition`. */
  readonly imageAssetPublishingRoleArns: string[];
}

/**
 * A CDK `Stage` synthesized and described for a pipeline: its stacks in deployment order with
 * their bootstrap roles, and its assets grouped per target environment.
 *
 * Nothing here depends on an asset's hash: paths are named after stacks, roles after the
 * bootstrap qualifier, so an asset-only change leaves what a pipeline builds from this unchanged.
 */
export class CdkStageDeployment {
  /**
   * Synthesize `stage` (`stage.synth()`) and describe it. Every stack needs a synthesizer with
   * bootstrap roles (`DefaultStackSynthesizer`, the default). A stack without an account or
   * region (env-agnostic) deploys to `pipelineEnv`'s, as in CDK Pipelines. Add everything to the
   * stage before: synthesis freezes it.
   *
   * @param stage the CDK stage
   * @param pipelineEnv the environment of the pipeline that deploys the stage (concrete account and region):
   *   a stack without an account deploys to its account, a stack without a region to its region.
   *   Default - none: every stack needs a concrete account and region
   */
  public static fromStage(stage: Stage, pipelineEnv?: Environment): CdkStageDeployment {
    v.checkArg('CdkStageDeployment.fromStage', 'stage', stage, v.required(v.cdk.stage));
    v.checkProps('CdkStageDeployment.fromStage', pipelineEnv, { account: v.str(), region: v.str() }, 'pipelineEnv');
    return new CdkStageDeployment(stage, pipelineEnv);
  }

  /** Name of the stage. */
  public readonly stageName: string;

  /** Construct path of the stage. */
  public readonly stagePath: string;

  /** The stage's cloud assembly directory, relative to the root of the app's cloud assembly. */
  public readonly assemblyPath: string;

  /** The stacks, in deployment order (by `runOrder`, then as the assembly lists them). */
  public readonly stacks: CdkStackDeployment[];

  /** The stage's assets per target environment, in the order the stacks first reach each environment (an environment whose stacks have no asset but their templates is left out: nothing to publish). */
  public readonly assetEnvironments: CdkAssetEnvironment[];

  /** Number of deployment levels (the highest `runOrder`). */
  public readonly runOrders: number;

  private readonly pipelineEnv?: Environment;

  private constructor(stage: Stage, pipelineEnv: Environment | undefined) {
    this.pipelineEnv = pipelineEnv;
    if (App.isApp(stage)) {
      fail(stage, 'the App itself cannot be deployed as a stage of its own pipeline; pass a Stage defined in the app (new Stage(app, \'Prod\', { env })).');
    }
    const root = stage.node.root;
    if (!App.isApp(root)) {
      fail(stage, `the stage is not in an App (root '${root.node.id}'); define it in the App that holds the pipeline.`);
    }
    this.stageName = stage.stageName;
    this.stagePath = stage.node.path;
    const rootDir = root.outdir;
    const assembly = stage.synth({ validateOnSynthesis: true });
    this.assemblyPath = posix(path.relative(rootDir, assembly.directory));
    const artifacts = assembly.stacks;
    if (artifacts.length === 0) {
      fail(stage, 'the stage holds no stack; define at least one Stack in it.');
    }

    const ids = new Set(artifacts.map((a) => a.id));
    const levels = new Map<string, number>();
    const levelOf = (a: cxapi.CloudFormationStackArtifact): number => {
      const known = levels.get(a.id);
      if (known !== undefined) return known;
      const deps = a.dependencies.filter((d): d is cxapi.CloudFormationStackArtifact => d instanceof cxapi.CloudFormationStackArtifact);
      for (const d of deps) {
        if (!ids.has(d.id)) {
          fail(stage, `stack '${a.stackName}' depends on stack '${d.id}', which is not in this stage; keep dependent stacks in the same stage or deploy the other stage first without a dependency.`);
        }
      }
      const level = 1 + Math.max(0, ...deps.map(levelOf));
      levels.set(a.id, level);
      return level;
    };

    const described = artifacts.map((artifact, index) => ({ index, stack: this.describeStack(stage, artifact, rootDir, levelOf(artifact)) }));
    described.sort((x, y) => x.stack.runOrder - y.stack.runOrder || x.index - y.index);
    this.stacks = described.map((d) => d.stack);
    this.runOrders = Math.max(...this.stacks.map((s) => s.runOrder));
    this.assetEnvironments = this.groupAssets(stage, artifacts, rootDir);
  }

  /** The stacks deployed at `runOrder` (1 to `runOrders`). */
  public stacksAt(runOrder: number): CdkStackDeployment[] {
    v.checkArg(`CdkStageDeployment '${this.stageName}'.stacksAt`, 'runOrder', runOrder, v.required(v.literal(v.num('a runOrder, e.g. 1'))));
    return this.stacks.filter((s) => s.runOrder === runOrder);
  }

  private describeStack(stage: Stage, artifact: cxapi.CloudFormationStackArtifact, rootDir: string, runOrder: number): CdkStackDeployment {
    const { account, region } = concreteEnv(stage, artifact, this.pipelineEnv);
    if (!artifact.assumeRoleArn) {
      fail(stage, `stack '${artifact.stackName}' names no deploy role (its synthesizer is ${synthesizerHint(artifact)}); use DefaultStackSynthesizer (the default) and bootstrap aws://${account}/${region} with \`cdk bootstrap --trust <pipeline account>\`.`);
    }
    if (artifact.assumeRoleAdditionalOptions?.Tags) {
      fail(stage, `stack '${artifact.stackName}' assumes its deploy role with session tags, which CodePipeline cannot pass; remove deployRoleAdditionalOptions.Tags from its synthesizer.`);
    }
    if (artifact.assumeRoleExternalId) {
      fail(stage, `stack '${artifact.stackName}' assumes its deploy role with an external id, which CodePipeline cannot pass; remove deployRoleExternalId from its synthesizer.`);
    }
    const templateFile = path.join(artifact.assembly.directory, artifact.templateFile);
    const tags = { ...artifact.tags };
    let templateConfigurationPath: string | undefined;
    if (Object.keys(tags).length > 0) {
      // CloudFormation actions take stack tags only from a template configuration file.
      const configFile = `${templateFile}.config.json`;
      fs.writeFileSync(configFile, JSON.stringify({ Tags: tags }, undefined, 2));
      templateConfigurationPath = posix(path.relative(rootDir, configFile));
    }
    const manifests = artifact.dependencies.filter((d): d is cxapi.AssetManifestArtifact => d instanceof cxapi.AssetManifestArtifact);
    const bootstrap = manifests.find((m) => m.requiresBootstrapStackVersion !== undefined);
    return {
      stackName: artifact.stackName,
      artifactId: artifact.id,
      constructPath: artifact.hierarchicalId,
      account,
      region,
      templatePath: posix(path.relative(rootDir, templateFile)),
      templateConfigurationPath,
      runOrder,
      dependsOn: artifact.dependencies.filter((d) => d instanceof cxapi.CloudFormationStackArtifact).map((d) => d.id),
      deployRoleArn: resolveArn(artifact.assumeRoleArn, account, region),
      executionRoleArn: artifact.cloudFormationExecutionRoleArn ? resolveArn(artifact.cloudFormationExecutionRoleArn, account, region) : undefined,
      requiresBootstrapStackVersion: artifact.requiresBootstrapStackVersion ?? bootstrap?.requiresBootstrapStackVersion,
      bootstrapStackVersionSsmParameter: artifact.bootstrapStackVersionSsmParameter ?? bootstrap?.bootstrapStackVersionSsmParameter,
      terminationProtection: artifact.terminationProtection ?? false,
      tags,
      assetManifestPaths: manifests.map((m) => posix(path.relative(rootDir, m.file))),
    };
  }

  private groupAssets(stage: Stage, artifacts: cxapi.CloudFormationStackArtifact[], rootDir: string): CdkAssetEnvironment[] {
    interface Group {
      account: string;
      region: string;
      manifests: string[];
      files: boolean;
      images: boolean;
      fileRoles: Set<string>;
      imageRoles: Set<string>;
    }
    const groups = new Map<string, Group>();
    // In deployment order (this.stacks), so each environment lists its manifests as its stacks deploy.
    const byOrder = this.stacks.map((s) => artifacts.find((a) => a.id === s.artifactId)!);
    for (const artifact of byOrder) {
      const { account, region } = concreteEnv(stage, artifact, this.pipelineEnv);
      const manifestArtifacts = artifact.dependencies.filter((d): d is cxapi.AssetManifestArtifact => d instanceof cxapi.AssetManifestArtifact);
      for (const manifestArtifact of manifestArtifacts) {
        const manifest = Manifest.loadAssetManifest(manifestArtifact.file);
        const relative = posix(path.relative(rootDir, manifestArtifact.file));
        const key = `${account}/${region}`;
        const group = groups.get(key)
          ?? { account, region, manifests: [], files: false, images: false, fileRoles: new Set<string>(), imageRoles: new Set<string>() };
        groups.set(key, group);
        const check = (kind: string, destination: { region?: string; assumeRoleArn?: string; assumeRoleExternalId?: string }): string => {
          const roleArn = destination.assumeRoleArn;
          if (!roleArn) {
            fail(stage, `a ${kind} asset of stack '${artifact.stackName}' names no publishing role in ${relative}; use DefaultStackSynthesizer (the default) so assets are published with the bootstrap publishing roles.`);
          }
          if (destination.assumeRoleExternalId) {
            fail(stage, `a ${kind} asset of stack '${artifact.stackName}' is published with an external id; remove the publishing external id from its synthesizer.`);
          }
          const resolved = cxapi.EnvironmentPlaceholders.replace(roleArn, { accountId: account, region, partition: 'aws' });
          const roleAccount = resolved.split(':')[4];
          if ((destination.region !== undefined && destination.region !== region) || roleAccount !== account) {
            fail(stage, `a ${kind} asset of stack '${artifact.stackName}' publishes to ${roleAccount}/${destination.region ?? region}, not the stack's environment ${account}/${region}; publish each stack's assets to its own environment (DefaultStackSynthesizer does).`);
          }
          return resolveArn(roleArn, account, region);
        };
        let entries = 0;
        for (const file of Object.values(manifest.files ?? {})) {
          // The stack's own template: the CloudFormation actions read it from the cloud assembly artifact, so it is not published.
          if (isStackTemplate(file.source, artifact)) continue;
          for (const destination of Object.values(file.destinations)) {
            group.fileRoles.add(check('file', destination));
            group.files = true;
            entries++;
          }
        }
        for (const image of Object.values(manifest.dockerImages ?? {})) {
          for (const destination of Object.values(image.destinations)) {
            group.imageRoles.add(check('Docker image', destination));
            group.images = true;
            entries++;
          }
        }
        if (entries > 0 && !group.manifests.includes(relative)) group.manifests.push(relative);
      }
    }
    return [...groups.values()]
      .filter((g) => g.manifests.length > 0)
      .map((g) => ({
        account: g.account,
        region: g.region,
        assetManifestPaths: g.manifests,
        hasFileAssets: g.files,
        hasDockerImageAssets: g.images,
        fileAssetPublishingRoleArns: [...g.fileRoles],
        imageAssetPublishingRoleArns: [...g.imageRoles],
      }));
  }
}

/**
 * The stack's account and region; an env-agnostic account or region is the pipeline's (CDK Pipelines
 * deploys such a stack with actions without account and region, i.e. to the pipeline's own).
 */
function concreteEnv(stage: Stage, artifact: cxapi.CloudFormationStackArtifact, pipelineEnv?: Environment): { account: string; region: string } {
  const concrete = (value: string | undefined, unknown: string): value is string => !!value && value !== unknown && !Token.isUnresolved(value);
  const account = concrete(artifact.environment.account, cxapi.UNKNOWN_ACCOUNT) ? artifact.environment.account : pipelineEnv?.account;
  const region = concrete(artifact.environment.region, cxapi.UNKNOWN_REGION) ? artifact.environment.region : pipelineEnv?.region;
  const pipeline = pipelineEnv ? ' and neither has the pipeline\'s stack' : '';
  const fix = pipelineEnv ? 'define the pipeline in a stack with a concrete env' : 'pass the pipeline\'s env as pipelineEnv';
  if (!concrete(account, cxapi.UNKNOWN_ACCOUNT)) {
    fail(stage, `stack '${artifact.stackName}' has no concrete account (env-agnostic)${pipeline}; give the stage or stack env: { account: '123456789012', region: '${concrete(region, cxapi.UNKNOWN_REGION) ? region : 'eu-west-1'}' }` +
      `, or ${fix} (an env-agnostic stage then deploys to the pipeline's account and region).`);
  }
  if (!concrete(region, cxapi.UNKNOWN_REGION)) {
    fail(stage, `stack '${artifact.stackName}' has no concrete region (env-agnostic)${pipeline}; give the stage or stack env: { account: '${account}', region: 'eu-west-1' }` +
      `, or ${fix} (an env-agnostic stage then deploys to the pipeline's account and region).`);
  }
  return { account, region };
}

/** Replace the bootstrap placeholders of a role ARN: account and region by the stack's, partition by `AWS::Partition`. */
function resolveArn(arn: string, account: string, region: string): string {
  const concrete = cxapi.EnvironmentPlaceholders.replace(arn, { accountId: account, region, partition: '%%PARTITION%%' });
  if (concrete.includes('${')) {
    fail('CdkStageDeployment', `role ARN '${arn}' holds a placeholder other than AWS::Partition, AWS::AccountId, AWS::Region; give the synthesizer concrete role ARNs.`);
  }
  return concrete.split('%%PARTITION%%').join(Aws.PARTITION);
}

/** Whether a file asset is the stack's own template (as CDK Pipelines tells it: a plain file at the template's path). */
function isStackTemplate(source: { path?: string; packaging?: string }, artifact: cxapi.CloudFormationStackArtifact): boolean {
  return (source.packaging ?? 'file') === 'file' && source.path === artifact.templateFile;
}

function synthesizerHint(artifact: cxapi.CloudFormationStackArtifact): string {
  return artifact.stackTemplateAssetObjectUrl ? 'one without a deploy role, e.g. CliCredentialsStackSynthesizer' : 'LegacyStackSynthesizer or another without bootstrap roles';
}

function posix(p: string): string {
  return p.split(path.sep).join('/');
}
