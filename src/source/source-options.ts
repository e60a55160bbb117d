import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * How a source notices a change and starts the pipeline.
 */
export enum SourceTrigger {
  /** An EventBridge rule starts the pipeline on change (recommended; no polling). */
  EVENTS = 'EVENTS',
  /** CodePipeline polls the source periodically (legacy; slower and rate-limited). */
  POLL = 'POLL',
  /** Nothing starts the pipeline on change; start it by hand or with your own rule. */
  NONE = 'NONE',
}

/** Options every source shares. */
export interface SourceCommonOptions {
  /**
   * Name of the source action.
   *
   * @default 'Source'
   */
  readonly actionName?: string;

  /**
   * Namespace of the source action's output variables. Reference them with
   * `source.variable('CommitId')` (which gives `#{SourceVariables.CommitId}`), never by hand.
   *
   * @default 'SourceVariables'
   */
  readonly variablesNamespace?: string;
}

/** Options of `PipelineSource.codeCommit`. */
export interface CodeCommitSourceOptions extends SourceCommonOptions {
  /**
   * Branch to build.
   *
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * How changes are detected.
   *
   * @default SourceTrigger.EVENTS
   */
  readonly trigger?: SourceTrigger;

  /**
   * Output a full git clone (metadata and history) instead of a zip of the files. The build
   * project that reads it is granted `codecommit:GitPull` on exactly this repository.
   *
   * @default false
   */
  readonly fullClone?: boolean;
}

/** Options of `PipelineSource.connection` (GitHub, GitHub Enterprise, Bitbucket, GitLab through a CodeStar/CodeConnections connection). */
export interface ConnectionSourceOptions extends SourceCommonOptions {
  /**
   * ARN of the CodeStar connection (`arn:aws:codestar-connections:...` or `arn:aws:codeconnections:...`).
   */
  readonly connectionArn: string;

  /**
   * Branch to build.
   *
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * Start the pipeline on a push to `branch`. When `pushFilter` or `pullRequestFilter`
   * is given, the V2 trigger with those filters decides instead.
   *
   * @default true
   */
  readonly triggerOnPush?: boolean;

  /**
   * V2 trigger push filters (branches, tags, file paths, include/exclude globs); at most 3.
   *
   * @default - no push filter
   */
  readonly pushFilter?: codepipeline.GitPushFilter[];

  /**
   * V2 trigger pull-request filters (branches, file paths, events); at most 3.
   *
   * @default - no pull-request filter
   */
  readonly pullRequestFilter?: codepipeline.GitPullRequestFilter[];

  /**
   * Output a full git clone instead of a zip of the files. The build project that reads it is
   * granted `codestar-connections:UseConnection` on exactly this connection.
   *
   * @default false
   */
  readonly fullClone?: boolean;
}

/** Options of `PipelineSource.s3`. */
export interface S3SourceOptions extends SourceCommonOptions {
  /**
   * How changes are detected. With EVENTS, the rule matches CloudTrail data events for the
   * object: a CloudTrail trail that logs write data events of the bucket must exist.
   *
   * @default SourceTrigger.EVENTS
   */
  readonly trigger?: SourceTrigger;
}

/** Options of `PipelineSource.ecr`. */
export interface EcrSourceOptions extends SourceCommonOptions {
  /**
   * Image tag whose pushes start the pipeline.
   *
   * @default 'latest'
   */
  readonly imageTag?: string;
}

/** What the pipeline tells a source when binding it. */
export interface SourceBindOptions {
  /**
   * Name of the output artifact.
   *
   * @default 'Source'
   */
  readonly artifactName?: string;
}

/** What a bound source gives the pipeline. */
export interface SourceBinding {
  /** The source action, for the first stage. */
  readonly action: codepipeline.IAction;

  /** The artifact the source action outputs. */
  readonly output: codepipeline.Artifact;

  /**
   * V2 pipeline triggers the source needs (push/pull-request filters).
   *
   * @default - none
   */
  readonly triggers?: codepipeline.TriggerProps[];

  /**
   * The statement a build project's role needs to read a full-clone output: `codecommit:GitPull`
   * on the repository, or `codestar-connections:UseConnection` on the connection.
   *
   * @default - none (the output is a zip of the files)
   */
  readonly fullClonePolicy?: iam.PolicyStatement;
}
