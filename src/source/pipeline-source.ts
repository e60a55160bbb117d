// PipelineSource and its factories (CodeCommit, connections, S3, ECR) with their validation, behind one
// enum-like class as jsii needs; the options and binding structs are in source-options.ts. Over 400 lines because
// jsii wants the factories on the one abstract class and their four kinds beside it (about 80 lines each).
import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  CodeCommitSourceOptions, ConnectionSourceOptions, EcrSourceOptions, S3SourceOptions, SourceBindOptions, SourceBinding, SourceTrigger,
} from './source-options';
import { fail } from '../private/errors';
import { CODEPIPELINE_NAME } from '../private/names';
import * as v from '../private/validate';
import { acknowledgeWildcards } from '../private/wildcard-allowances';

const DEFAULT_BRANCH = 'main';
/** The namespace every source declares unless told otherwise. */
const DEFAULT_VARIABLES_NAMESPACE = 'SourceVariables';
const VARIABLES_NAMESPACE = /^[A-Za-z0-9@_-]{1,100}$/;

/** Output variables of each source provider (CodePipeline action structure reference). */
const OUTPUT_VARIABLES = {
  codeCommit: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'CommitterDate', 'RepositoryName'],
  connection: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'ConnectionArn', 'FullRepositoryName'],
  s3: ['ETag', 'VersionId'],
  ecr: ['ImageDigest', 'ImageTag', 'ImageURI', 'RegistryId', 'RepositoryName'],
};
const DEFAULT_ACTION_NAME = 'Source';
const DEFAULT_ARTIFACT_NAME = 'Source';

/**
 * Where a pipeline gets its source: CodeCommit, a connection (GitHub, Bitbucket, GitHub
 * Enterprise, GitLab), an S3 object or an ECR image.
 */
export abstract class PipelineSource {
  /** A CodeCommit repository branch. */
  public static codeCommit(repository: codecommit.IRepository, options: CodeCommitSourceOptions = {}): PipelineSource {
    v.checkArg('PipelineSource.codeCommit', 'repository', repository, v.required(v.cdk.codeCommitRepository));
    rejectConnectionOnly('PipelineSource.codeCommit', options, {
      filters: "CodeCommit's pushes start the pipeline for `branch` only (one source per branch); for tags, file paths or pull requests, "
        + "set trigger: SourceTrigger.NONE and start the pipeline from your own EventBridge rule on the repository's 'CodeCommit Repository State Change' events",
      triggerOnPush: 'use trigger: SourceTrigger.EVENTS (the default), POLL or NONE',
    });
    v.checkProps('PipelineSource.codeCommit', options, { actionName: v.str(), variablesNamespace: v.str(), branch: v.str(), trigger: v.oneOf('a SourceTrigger', Object.values(SourceTrigger), 'e.g. SourceTrigger.EVENTS'), fullClone: v.bool }, 'options');
    return new CodeCommitSource(repository, options);
  }

  /** A repository reached through a CodeStar connection, as 'owner/repo'. */
  public static connection(repoString: string, options: ConnectionSourceOptions): PipelineSource {
    v.checkArg('PipelineSource.connection', 'repoString', repoString, v.required(v.str("'owner/repo', e.g. 'my-org/my-app'")));
    v.checkProps(`PipelineSource.connection('${repoString}')`, options, {
      actionName: v.str(),
      variablesNamespace: v.str(),
      connectionArn: v.required(v.str('the ARN of a CodeStar connection in the AVAILABLE state')),
      branch: v.str(),
      triggerOnPush: v.bool,
      fullClone: v.bool,
      pushFilter: v.arrayOf(v.struct({
        branchesIncludes: v.strings,
        branchesExcludes: v.strings,
        tagsIncludes: v.strings,
        tagsExcludes: v.strings,
        filePathsIncludes: v.strings,
        filePathsExcludes: v.strings,
      })),
      pullRequestFilter: v.arrayOf(v.struct({
        branchesIncludes: v.strings,
        branchesExcludes: v.strings,
        filePathsIncludes: v.strings,
        filePathsExcludes: v.strings,
        events: v.arrayOf(v.anything),
      })),
    }, 'options');
    const what = `PipelineSource.connection('${repoString}')`;
    options.pushFilter?.forEach((f, i) => {
      if (!f.branchesIncludes && !f.branchesExcludes && !f.tagsIncludes && !f.tagsExcludes) {
        fail(what, `options.pushFilter[${i}] names no branches or tags; give branchesIncludes/branchesExcludes or tagsIncludes/tagsExcludes, e.g. { branchesIncludes: ['main'] }.`);
      }
    });
    options.pullRequestFilter?.forEach((f, i) => {
      if (!f.branchesIncludes && !f.branchesExcludes) {
        fail(what, `options.pullRequestFilter[${i}] names no branches; give branchesIncludes or branchesExcludes, e.g. { branchesIncludes: ['main'] }.`);
      }
    });
    return new ConnectionSource(repoString, options);
  }

  /** An object in a versioned S3 bucket. */
  public static s3(bucket: s3.IBucket, bucketKey: string, options: S3SourceOptions = {}): PipelineSource {
    v.checkArg('PipelineSource.s3', 'bucket', bucket, v.required(v.cdk.bucket));
    v.checkArg('PipelineSource.s3', 'bucketKey', bucketKey, v.required(v.str("the key of a zip object, e.g. 'source/app.zip'")));
    rejectConnectionOnly('PipelineSource.s3', options, {
      filters: 'an S3 source starts the pipeline on a new version of `bucketKey` only; upload what should start it to that key '
        + '(and anything else elsewhere), or define one pipeline per key',
      triggerOnPush: 'use trigger: SourceTrigger.EVENTS (the default), POLL or NONE',
    });
    v.checkProps('PipelineSource.s3', options, { actionName: v.str(), variablesNamespace: v.str(), trigger: v.oneOf('a SourceTrigger', Object.values(SourceTrigger), 'e.g. SourceTrigger.EVENTS') }, 'options');
    return new S3Source(bucket, bucketKey, options);
  }

  /** An image tag in an ECR repository. */
  public static ecr(repository: ecr.IRepository, options: EcrSourceOptions = {}): PipelineSource {
    v.checkArg('PipelineSource.ecr', 'repository', repository, v.required(v.cdk.ecrRepository));
    rejectConnectionOnly('PipelineSource.ecr', options, {
      filters: 'an ECR source starts the pipeline on a push of `imageTag` only; push the images that should start it with that tag',
      triggerOnPush: 'an ECR source always starts the pipeline on a push of `imageTag`',
    });
    v.checkProps('PipelineSource.ecr', options, { actionName: v.str(), variablesNamespace: v.str(), imageTag: v.str() }, 'options');
    return new EcrSource(repository, options);
  }

  /** Whether the output is a full git clone (build projects reading it need `fullClonePolicy`). */
  public abstract readonly fullClone: boolean;

  /** Namespace the source action declares for its output variables (`SourceVariables` unless `variablesNamespace` says otherwise). */
  public readonly variablesNamespace: string;

  private readonly outputVariables: string[];

  /**
   * @param variablesNamespace namespace the source action declares
   * @param outputVariables the variables the provider outputs (`variable()` accepts only these; empty: any name)
   */
  protected constructor(variablesNamespace: string = DEFAULT_VARIABLES_NAMESPACE, outputVariables: string[] = []) {
    if (!Token.isUnresolved(variablesNamespace) && !VARIABLES_NAMESPACE.test(variablesNamespace)) {
      fail('PipelineSource', `variablesNamespace '${variablesNamespace}' is invalid; use 1-100 of A-Za-z0-9@_-, e.g. 'SourceVariables'.`);
    }
    this.variablesNamespace = variablesNamespace;
    this.outputVariables = outputVariables;
  }

  /**
   * A reference to one of the source action's output variables, for action configuration and
   * build environment variables: `source.variable('CommitId')` is `#{SourceVariables.CommitId}`.
   * The name must be one the provider outputs (CodeCommit: CommitId, BranchName, ...; S3:
   * VersionId, ETag; ECR: ImageDigest, ImageTag, ImageURI, ...).
   */
  public variable(name: string): string {
    v.checkArg('PipelineSource.variable', 'name', name, v.required(v.str("a variable the provider outputs, e.g. 'CommitId'")));
    if (typeof name !== 'string' || (this.outputVariables.length > 0 && !this.outputVariables.includes(name))) {
      fail(`PipelineSource.variable(${typeof name === 'string' ? `'${name}'` : String(name)})`,
        `this source outputs no variable '${String(name)}'; use one of ${this.outputVariables.join(', ')}.`);
    }
    return `#{${this.variablesNamespace}.${name}}`;
  }

  /**
   * Define the source action. Called once per pipeline; `scope` names the pipeline in errors.
   */
  public abstract bind(scope: Construct, options?: SourceBindOptions): SourceBinding;

  /**
   * Grant what a build project needs to read this source's full-clone output (nothing when
   * the source is not a full clone).
   */
  public grantFullClone(grantee: iam.IGrantable): iam.Grant {
    v.checkArg('PipelineSource.grantFullClone', 'grantee', grantee, v.required(v.cdk.grantable));
    const statement = this._fullClonePolicyStatement();
    if (!statement) {
      return iam.Grant.drop(grantee, 'read a full-clone source output');
    }
    return iam.Grant.addToPrincipal({ grantee, actions: statement.actions, resourceArns: statement.resources });
  }

  /** @internal */
  public _fullClonePolicyStatement(): iam.PolicyStatement | undefined {
    return undefined;
  }
}

/** Options of `PipelineSource.connection` that other sources do not have: given to them they would be ignored. */
const CONNECTION_ONLY = ['pushFilter', 'pullRequestFilter', 'triggerOnPush'] as const;

/**
 * Push and pull-request filters (and `triggerOnPush`) given to a source that cannot have them:
 * CodePipeline's V2 trigger filters exist for connection sources only (GitHub, GitHub Enterprise
 * Server, Bitbucket, GitLab through CodeConnections). Fail with what to use instead.
 */
function rejectConnectionOnly(factory: string, options: unknown, instead: { filters: string; triggerOnPush: string }): void {
  if (typeof options !== 'object' || options === null) return;
  const given = CONNECTION_ONLY.find((key) => Object.prototype.hasOwnProperty.call(options, key));
  if (given === undefined) return;
  if (given === 'triggerOnPush') {
    fail(factory, `options.triggerOnPush is an option of PipelineSource.connection only; ${instead.triggerOnPush}.`);
  }
  fail(factory, `options.${given} is an option of PipelineSource.connection only: CodePipeline's push and pull-request trigger filters `
    + `exist for connection sources (GitHub, GitHub Enterprise Server, Bitbucket, GitLab) and would be ignored here; ${instead.filters}.`);
}

function artifactOf(scope: Construct, options?: SourceBindOptions): codepipeline.Artifact {
  v.checkArg('PipelineSource.bind', 'scope', scope, v.required(v.construct));
  v.checkProps(scope, options, { artifactName: v.str() }, 'bind options');
  const name = options?.artifactName ?? DEFAULT_ARTIFACT_NAME;
  if (!Token.isUnresolved(name) && !/^[A-Za-z0-9_-]{1,100}$/.test(name)) {
    fail(scope, `source artifact name '${name}' is invalid; use 1-100 of A-Za-z0-9_-.`);
  }
  v.checkArtifactName(scope, name, 'source artifact name');
  return new codepipeline.Artifact(name);
}

function checkActionName(scope: Construct, name: string): string {
  if (!Token.isUnresolved(name) && !CODEPIPELINE_NAME.test(name)) {
    fail(scope, `source actionName '${name}' is invalid; use 1-100 of A-Za-z0-9.@_-.`);
  }
  return name;
}

/**
 * Git branch names (git check-ref-format, simplified): no spaces, control characters,
 * `~^:?*[\`, `..`, `@{`, no leading `-` or `/`, no trailing `/`, `.` or `.lock`.
 */
function checkBranch(what_: string, branch: string): string {
  if (Token.isUnresolved(branch)) return branch;
  const bad =
    branch.length === 0 || branch.length > 255 ||
    /[\s~^:?*[\\\x00-\x1f\x7f]/.test(branch) ||
    branch.includes('..') || branch.includes('@{') || branch.includes('//') ||
    branch.startsWith('-') || branch.startsWith('/') || branch.endsWith('/') ||
    branch.endsWith('.') || branch.endsWith('.lock') || branch === '@';
  if (bad) {
    fail(what_, `branch '${branch}' is not a valid git branch name; use a name like 'main' or 'release/1.2' (no spaces, '..', '~^:?*[\\', leading '-' or trailing '/', '.', '.lock').`);
  }
  return branch;
}

class CodeCommitSource extends PipelineSource {
  public readonly fullClone: boolean;
  private readonly branch: string;

  constructor(private readonly repository: codecommit.IRepository, private readonly options: CodeCommitSourceOptions) {
    super(options.variablesNamespace, OUTPUT_VARIABLES.codeCommit);
    this.fullClone = options.fullClone ?? false;
    this.branch = checkBranch('PipelineSource.codeCommit', options.branch ?? DEFAULT_BRANCH);
  }

  public bind(scope: Construct, options?: SourceBindOptions): SourceBinding {
    const output = artifactOf(scope, options);
    const action = new actions.CodeCommitSourceAction({
      actionName: checkActionName(scope, this.options.actionName ?? DEFAULT_ACTION_NAME),
      repository: this.repository,
      branch: this.branch,
      trigger: codeCommitTrigger(this.options.trigger ?? SourceTrigger.EVENTS),
      codeBuildCloneOutput: this.fullClone,
      variablesNamespace: this.variablesNamespace,
      output,
    });
    return { action, output, fullClonePolicy: this._fullClonePolicyStatement() };
  }

  /** @internal */
  public _fullClonePolicyStatement(): iam.PolicyStatement | undefined {
    if (!this.fullClone) return undefined;
    return new iam.PolicyStatement({ actions: ['codecommit:GitPull'], resources: [this.repository.repositoryArn] });
  }
}

function codeCommitTrigger(trigger: SourceTrigger): actions.CodeCommitTrigger {
  switch (trigger) {
    case SourceTrigger.POLL: return actions.CodeCommitTrigger.POLL;
    case SourceTrigger.NONE: return actions.CodeCommitTrigger.NONE;
    default: return actions.CodeCommitTrigger.EVENTS;
  }
}

function s3Trigger(trigger: SourceTrigger): actions.S3Trigger {
  switch (trigger) {
    case SourceTrigger.POLL: return actions.S3Trigger.POLL;
    case SourceTrigger.NONE: return actions.S3Trigger.NONE;
    default: return actions.S3Trigger.EVENTS;
  }
}

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;

class ConnectionSource extends PipelineSource {
  public readonly fullClone: boolean;
  private readonly owner: string;
  private readonly repo: string;
  private readonly branch: string;

  constructor(repoString: string, private readonly options: ConnectionSourceOptions) {
    super(options.variablesNamespace, OUTPUT_VARIABLES.connection);
    const where = `PipelineSource.connection('${repoString}')`;
    const parts = repoString.split('/');
    if (Token.isUnresolved(repoString) || parts.length !== 2 || !/^[A-Za-z0-9_.-]+$/.test(parts[0]) || !/^[A-Za-z0-9_.-]+$/.test(parts[1])) {
      fail(where, `repository '${repoString}' is not 'owner/repo'; pass the owner (user, organization or workspace) and the repository name separated by one '/', e.g. 'my-org/my-app'.`);
    }
    [this.owner, this.repo] = parts;
    if (!options || options.connectionArn === undefined) {
      fail(where, 'connectionArn is required; pass the ARN of a CodeStar connection in the AVAILABLE state.');
    }
    if (!Token.isUnresolved(options.connectionArn) && !CONNECTION_ARN.test(options.connectionArn)) {
      fail(where, `connectionArn '${options.connectionArn}' is not a connection ARN; pass 'arn:aws:codestar-connections:<region>:<account>:connection/<id>' (or codeconnections).`);
    }
    this.fullClone = options.fullClone ?? false;
    this.branch = checkBranch(where, options.branch ?? DEFAULT_BRANCH);
    for (const [name, list] of [['pushFilter', options.pushFilter], ['pullRequestFilter', options.pullRequestFilter]] as const) {
      if (list && list.length > 3) {
        fail(where, `${name} has ${list.length} filters; CodePipeline allows at most 3 per trigger, merge their patterns.`);
      }
      for (const filter of list ?? []) {
        for (const [key, patterns] of Object.entries(filter)) {
          if (Array.isArray(patterns) && patterns.length > 8) {
            fail(where, `${name}.${key} has ${patterns.length} patterns; CodePipeline allows at most 8, use glob patterns to combine them.`);
          }
        }
      }
    }
  }

  public bind(scope: Construct, options?: SourceBindOptions): SourceBinding {
    const output = artifactOf(scope, options);
    const hasFilters = (this.options.pushFilter?.length ?? 0) + (this.options.pullRequestFilter?.length ?? 0) > 0;
    const action = new ConnectionSourceAction({
      actionName: checkActionName(scope, this.options.actionName ?? DEFAULT_ACTION_NAME),
      connectionArn: this.options.connectionArn,
      owner: this.owner,
      repo: this.repo,
      branch: this.branch,
      triggerOnPush: this.options.triggerOnPush ?? true,
      codeBuildCloneOutput: this.fullClone,
      variablesNamespace: this.variablesNamespace,
      output,
    });
    const triggers: codepipeline.TriggerProps[] = hasFilters
      ? [{
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: {
          sourceAction: action,
          pushFilter: this.options.pushFilter?.length ? this.options.pushFilter : undefined,
          pullRequestFilter: this.options.pullRequestFilter?.length ? this.options.pullRequestFilter : undefined,
        },
      }]
      : [];
    return { action, output, triggers, fullClonePolicy: this._fullClonePolicyStatement() };
  }

  /** @internal */
  public _fullClonePolicyStatement(): iam.PolicyStatement | undefined {
    if (!this.fullClone) return undefined;
    return new iam.PolicyStatement({ actions: useConnectionActions(this.options.connectionArn), resources: [this.options.connectionArn] });
  }
}

/**
 * The IAM action that can use a connection: its service prefix is the ARN's
 * (`codeconnections:UseConnection` for `arn:...:codeconnections:...`, what the console creates
 * since 2024; `codestar-connections:UseConnection` for `arn:...:codestar-connections:...`); both
 * when the ARN is a token. Granting the other prefix can never match the ARN.
 */
function useConnectionActions(connectionArn: string): string[] {
  if (Token.isUnresolved(connectionArn)) return ['codestar-connections:UseConnection', 'codeconnections:UseConnection'];
  return connectionArn.split(':')[2] === 'codeconnections' ? ['codeconnections:UseConnection'] : ['codestar-connections:UseConnection'];
}

/**
 * aws-cdk-lib's connection source action, granting the UseConnection action whose prefix matches
 * the connection ARN (aws-cdk-lib grants `codestar-connections:UseConnection` whatever the ARN).
 * The rest is what aws-cdk-lib's `bound` does, except that the output artifact does not carry the
 * connection ARN for CodeBuildAction (which would grant the same wrong prefix to the build's
 * role): a full-clone build gets `SourceBinding.fullClonePolicy` instead.
 */
class ConnectionSourceAction extends actions.CodeStarConnectionsSourceAction {
  constructor(private readonly sourceProps: actions.CodeStarConnectionsSourceActionProps) {
    super(sourceProps);
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const p = this.sourceProps;
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: useConnectionActions(p.connectionArn), resources: [p.connectionArn] }));
    options.bucket.grantReadWrite(options.role);
    options.bucket.grantPutAcl(options.role);
    return {
      configuration: {
        ConnectionArn: p.connectionArn,
        FullRepositoryId: `${p.owner}/${p.repo}`,
        BranchName: p.branch ?? 'master',
        OutputArtifactFormat: p.codeBuildCloneOutput === true ? 'CODEBUILD_CLONE_REF' : undefined,
        DetectChanges: p.triggerOnPush,
      },
    };
  }
}

class S3Source extends PipelineSource {
  public readonly fullClone = false;

  constructor(private readonly bucket: s3.IBucket, private readonly bucketKey: string, private readonly options: S3SourceOptions) {
    super(options.variablesNamespace, OUTPUT_VARIABLES.s3);
    if (!Token.isUnresolved(bucketKey) && (bucketKey.length === 0 || bucketKey.startsWith('/') || bucketKey.endsWith('/'))) {
      fail('PipelineSource.s3', `object key '${bucketKey}' is not an object key; pass the key of a zip file, e.g. 'source/app.zip' (no leading or trailing '/').`);
    }
  }

  public bind(scope: Construct, options?: SourceBindOptions): SourceBinding {
    // CodePipeline's S3 source reads object versions: a bucket without versioning cannot be a source.
    if (this.bucket instanceof s3.Bucket) {
      const cfn = this.bucket.node.defaultChild as s3.CfnBucket;
      const versioning = cfn.versioningConfiguration;
      const status = versioning && !Token.isUnresolved(versioning) ? (versioning as s3.CfnBucket.VersioningConfigurationProperty).status : undefined;
      if (versioning === undefined || (status !== undefined && !Token.isUnresolved(status) && status !== 'Enabled')) {
        fail(scope, `S3 source bucket '${this.bucket.node.path}' is not versioned; CodePipeline's S3 source needs object versions. Define it with \`versioned: true\`.`);
      }
    }
    acknowledgeWildcards(scope, ['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((action) => ({
      action,
      resources: [this.bucket.bucketArn, this.bucket.arnForObjects(this.bucketKey)],
      reason: 'aws-cdk-lib grants the S3 source action read on this bucket and this one object key only (Bucket.grantRead): '
        + 'GetObject* covers the object versions and tags CodePipeline reads.',
    })));
    const output = artifactOf(scope, options);
    const action = new actions.S3SourceAction({
      actionName: checkActionName(scope, this.options.actionName ?? DEFAULT_ACTION_NAME),
      bucket: this.bucket,
      bucketKey: this.bucketKey,
      trigger: s3Trigger(this.options.trigger ?? SourceTrigger.EVENTS),
      variablesNamespace: this.variablesNamespace,
      output,
    });
    return { action, output };
  }
}

class EcrSource extends PipelineSource {
  public readonly fullClone = false;
  private readonly imageTag: string;

  constructor(private readonly repository: ecr.IRepository, private readonly options: EcrSourceOptions) {
    super(options.variablesNamespace, OUTPUT_VARIABLES.ecr);
    this.imageTag = options.imageTag ?? 'latest';
    if (!Token.isUnresolved(this.imageTag) && !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(this.imageTag)) {
      fail('PipelineSource.ecr', `imageTag '${this.imageTag}' is not a valid image tag; use 1-128 of A-Za-z0-9._- starting with a letter, digit or '_'.`);
    }
  }

  public bind(scope: Construct, options?: SourceBindOptions): SourceBinding {
    const output = artifactOf(scope, options);
    const action = new actions.EcrSourceAction({
      actionName: checkActionName(scope, this.options.actionName ?? DEFAULT_ACTION_NAME),
      repository: this.repository,
      imageTag: this.imageTag,
      variablesNamespace: this.variablesNamespace,
      output,
    });
    return { action, output };
  }
}
