import { CfnCapabilities } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccountRoleFactory } from './account-roles';
import { checkBuildStep, planPipeline } from './plan';
import { CfnDeployment, CrossRegionCfnPipelineProps } from './props';
import { renderPipeline } from './render-stages';
import { checkAccount, checkStores } from './validate';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { PipelineChecks } from '../../checks/pipeline-checks';
import { productionStagesProps } from '../../notifications/delivery-options';
import { FailureNotifications } from '../../notifications/failure-notifications';
import { extendAcknowledgments } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { ReviewPolicy } from '../../review/review-policy';
import { PipelineSource } from '../../source/pipeline-source';
import { PipelineWebhook, PipelineWebhookOptions, WEBHOOK_OPTIONS_SPEC } from '../../webhook/pipeline-webhook';

/**
 * Build per-region CloudFormation templates once, then roll them out wave by wave: change sets
 * in every target of a wave in parallel, the wave's gate, then execution in parallel. Artifact
 * stores per region (shareable), cross-account roles per account, stages split at 50 actions.
 *
 * Or synthesize a CDK app once (`BuildStep.cdkSynth()`) and roll its stages out the same way
 * (waves of `cdkStages`): every stack's change set, the gate, every execution, in dependency
 * order, with the CDK bootstrap roles; assets published by one action per environment first.
 */
export class CrossRegionCfnPipeline extends Construct {
  /** The aws-codepipeline Pipeline. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The artifact stores the pipeline uses. */
  public readonly artifactStores: ArtifactStores;

  /** The build step's project (undefined without a `buildStep`). */
  public readonly buildProject?: codebuild.IProject;

  /** Failure notifications, unless `failureNotifications` is false. */
  public readonly failureNotifications?: FailureNotifications;

  /** Names of the stages, in order. */
  public readonly stageNames: string[];

  private readonly accountRoles: AccountRoleFactory;
  private readonly deploysCdkStages: boolean;

  constructor(scope: Construct, id: string, props: CrossRegionCfnPipelineProps) {
    v.checkScope('CrossRegionCfnPipeline', scope, id);
    super(scope, id);
    const capabilities = Object.values(CfnCapabilities);
    v.checkProps(this, props, {
      source: v.required(v.instance(PipelineSource, 'a source, e.g. PipelineSource.codeCommit(repository) (not the repository itself)')),
      buildStep: v.buildOptions,
      stackName: v.str("a stack name, e.g. 'my-service'"),
      templatePath: v.str(),
      testStack: v.struct({
        stackName: v.required(v.str()),
        region: v.str(),
        tests: v.required(v.arrayOf(v.testOptions)),
        parameterOverrides: v.mapOf(v.str()),
        retain: v.bool,
      }),
      waves: v.required(v.arrayOf(v.struct({
        waveName: v.required(v.str("a wave name, e.g. 'prod'")),
        targets: v.arrayOf(v.struct({
          region: v.required(v.str("a region, e.g. 'eu-west-1'")), account: v.str(), stackName: v.str(), parameterOverrides: v.mapOf(v.str()), executionRole: v.cdk.role,
        }, "a target, e.g. { region: 'eu-west-1' }")),
        cdkStages: v.arrayOf(v.cdk.stage),
        gate: v.cdk.stageGate,
        reviewChangeSets: v.bool,
        reviewPolicy: v.oneOf('a ReviewPolicy', Object.values(ReviewPolicy), 'e.g. ReviewPolicy.SKIP_WHEN_EMPTY'),
        organizationalUnits: v.strings,
        production: v.bool,
      }, "a wave, e.g. { waveName: 'prod', targets: [{ region: 'eu-west-1' }] }"), "a list of waves, e.g. [{ waveName: 'prod', targets: [...] }]")),
      artifactStores: v.instance(ArtifactStores, "e.g. new ArtifactStores(this, 'Stores', { regions: [...] })"),
      changeSets: v.bool,
      changeSetName: v.str(),
      executionPolicy: v.arrayOf(v.cdk.policyStatement),
      allowEmptyExecutionPolicy: v.bool,
      executionManagedPolicies: v.arrayOf(v.cdk.managedPolicy),
      capabilities: v.arrayOf(v.oneOf('a CfnCapabilities', capabilities, 'e.g. CfnCapabilities.NAMED_IAM')),
      deployment: v.instance(CfnDeployment, 'CfnDeployment.stacks() or CfnDeployment.stackSet({ ... })'),
      pipelineName: v.pipelineName,
      notifications: v.failureNotificationsOptions,
      failureNotifications: v.bool,
      selfUpdate: v.bool,
    });
    checkBuildStep(this, props);
    // Validate and plan (nothing defined yet), then render the plan.
    const plan = planPipeline(this, props);
    this.artifactStores = plan.artifactStores ?? new ArtifactStores(this, 'ArtifactStores', { trustedAccounts: plan.crossAccounts });
    checkStores(this, plan, this.artifactStores);
    const rendered = renderPipeline(this, plan, this.artifactStores);
    this.pipeline = rendered.pipeline;
    this.buildProject = rendered.buildProject;
    this.accountRoles = rendered.accountRoles;
    // An acknowledgment on this pipeline covers every role it defines, also those in the stacks of other accounts.
    extendAcknowledgments(this, () => this.accountRoles.rolesInOtherStacks());
    this.deploysCdkStages = plan.cdk !== undefined;
    this.stageNames = rendered.stageNames;
    // A wave's production stage is its last stage: '<wave>', or '<wave>.<n>' when split (not '<wave>.ChangeSets').
    const lastStage = (wave: string) => this.stageNames.filter((s) => s === wave || (s.startsWith(`${wave}.`) && /^\d+$/.test(s.slice(wave.length + 1)))).pop() ?? wave;
    const production = productionStagesProps(`CrossRegionCfnPipeline '${id}'`, plan.failureNotifications,
      props.waves.map((w) => ({ name: lastStage(w.waveName), production: w.production })));
    if (plan.failureNotifications) {
      this.failureNotifications = new FailureNotifications(this, 'FailureNotifications', { pipeline: this.pipeline, ...plan.failureNotifications, ...production });
    }
    // Every CodePipeline rule and quota, checked on the synthesized pipeline (also what the
    // caller adds later, e.g. through `pipeline.addStage` or `DeployTarget.action`).
    PipelineChecks.enforce(this);
  }

  /**
   * Define a webhook (a Lambda function URL) that starts this pipeline with the variables of a JSON
   * body, signed with a secret (`WebhookAuth.hmac()`, the default) or SigV4 (`WebhookAuth.iam()`).
   * One per pipeline (construct id `Webhook`). See docs/webhook.md.
   */
  public addWebhook(options: PipelineWebhookOptions = {}): PipelineWebhook {
    v.checkProps(this, options, WEBHOOK_OPTIONS_SPEC, 'options');
    if (this.node.tryFindChild('Webhook')) fail(this, 'addWebhook() was called twice; a pipeline has one webhook: reuse the first one it returned.');
    return new PipelineWebhook(this, 'Webhook', { ...options, pipeline: this.pipeline });
  }

  /** The CloudFormation execution role the pipeline defined for an account (defined on first use; not with waves of CDK stages). */
  public executionRole(account: string): iam.IRole {
    v.checkArg(this, 'account', account, v.required(v.str("an account id, e.g. '222222222222'")));
    this.checkOwnRoles('executionRole()', 'the bootstrap CloudFormation execution role (cdk-<qualifier>-cfn-exec-role-<account>-<region>)');
    checkAccount(this, account, 'executionRole()');
    return this.accountRoles.forAccount(account).executionRole;
  }

  /** The role that runs the CloudFormation actions in an account (defined on first use; not with waves of CDK stages). */
  public actionRole(account: string): iam.IRole {
    v.checkArg(this, 'account', account, v.required(v.str("an account id, e.g. '222222222222'")));
    this.checkOwnRoles('actionRole()', 'the bootstrap deploy role (cdk-<qualifier>-deploy-role-<account>-<region>)');
    checkAccount(this, account, 'actionRole()');
    return this.accountRoles.forAccount(account).actionRole;
  }

  private checkOwnRoles(method: string, instead: string): void {
    if (this.deploysCdkStages) {
      fail(this, `${method} is a role of template targets, but the waves deploy CDK stages, whose actions use ${instead} of the stack's environment; ` +
        'grant to that role in its account (cdk bootstrap), not through the pipeline.');
    }
  }
}
