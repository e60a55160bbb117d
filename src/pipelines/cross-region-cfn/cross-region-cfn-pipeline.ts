import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccountRoleFactory } from './account-roles';
import { planPipeline } from './plan';
import { CrossRegionCfnPipelineProps } from './props';
import { renderPipeline } from './render-stages';
import { checkAccount, checkStores } from './validate';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { PipelineChecks } from '../../checks/pipeline-checks';
import { FailureNotifications } from '../../notifications/failure-notifications';

/**
 * Build per-region CloudFormation templates once, then roll them out wave by wave: change sets
 * in every target of a wave in parallel, the wave's gate, then execution in parallel. Artifact
 * stores per region (shareable), cross-account roles per account, stages split at 50 actions.
 */
export class CrossRegionCfnPipeline extends Construct {
  /** The aws-codepipeline Pipeline. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The artifact stores the pipeline uses. */
  public readonly artifactStores: ArtifactStores;

  /** The build step's project. */
  public readonly buildProject: codebuild.IProject;

  /** Failure notifications, unless `failureNotifications` is false. */
  public readonly failureNotifications?: FailureNotifications;

  /** Names of the stages, in order. */
  public readonly stageNames: string[];

  private readonly accountRoles: AccountRoleFactory;

  constructor(scope: Construct, id: string, props: CrossRegionCfnPipelineProps) {
    super(scope, id);
    // Validate and plan (nothing defined yet), then render the plan.
    const plan = planPipeline(this, props);
    this.artifactStores = plan.artifactStores ?? new ArtifactStores(this, 'ArtifactStores', { trustedAccounts: plan.crossAccounts });
    checkStores(this, plan, this.artifactStores);
    const rendered = renderPipeline(this, plan, this.artifactStores);
    this.pipeline = rendered.pipeline;
    this.buildProject = rendered.buildProject;
    this.accountRoles = rendered.accountRoles;
    this.stageNames = rendered.stageNames;
    if (plan.failureNotifications) {
      this.failureNotifications = new FailureNotifications(this, 'FailureNotifications', { pipeline: this.pipeline, ...plan.failureNotifications });
    }
    // Every CodePipeline rule and quota, checked on the synthesized pipeline (also what the
    // caller adds later, e.g. through `pipeline.addStage` or `DeployTarget.action`).
    PipelineChecks.enforce(this);
  }

  /** The CloudFormation execution role the pipeline defined for an account (defined on first use). */
  public executionRole(account: string): iam.IRole {
    checkAccount(this, account, 'executionRole()');
    return this.accountRoles.forAccount(account).executionRole;
  }

  /** The role that runs the CloudFormation actions in an account (defined on first use). */
  public actionRole(account: string): iam.IRole {
    checkAccount(this, account, 'actionRole()');
    return this.accountRoles.forAccount(account).actionRole;
  }
}
