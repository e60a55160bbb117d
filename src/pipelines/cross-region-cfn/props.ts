import { CfnCapabilities, Stage } from 'aws-cdk-lib';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { BuildOptions, TestOptions } from '../../build/build-options';
import { checkStackSetPercentage } from '../../deploy/private/stack-set';
import { IStageGate } from '../../gates/stage-gate';
import { FailureNotificationsOptions } from '../../notifications/failure-notifications';
import { STACK_SET_DEPLOYMENT_MODEL_MEMBERS } from '../../private/cdk-internals';
import * as v from '../../private/validate';
import { ReviewPolicy } from '../../review/review-policy';
import { PipelineSource } from '../../source/pipeline-source';

/** One stack deployment: a region, and an account when it is not the pipeline's. */
export interface CrossRegionTarget {
  /** Region to deploy the stack to (a concrete region name). */
  readonly region: string;

  /**
   * Account to deploy the stack to (a concrete 12-digit id). Another account needs
   * KMS-encrypted artifact stores that trust it (`ArtifactStores` `trustedAccounts`).
   *
   * @default - the pipeline's account
   */
  readonly account?: string;

  /**
   * Name of the stack in this target. Not with `CfnDeployment.stackSet` (an error).
   *
   * @default - the pipeline's `stackName`
   */
  readonly stackName?: string;

  /**
   * Template parameter values for this target. Not with `CfnDeployment.stackSet` (an error:
   * use its `parameters`).
   *
   * @default - none
   */
  readonly parameterOverrides?: { [name: string]: string };

  /**
   * CloudFormation execution role for this target's stack, instead of the role the pipeline
   * defines per account. Not with `CfnDeployment.stackSet` (an error).
   *
   * @default - the pipeline's execution role of the target's account (see `executionPolicy`)
   */
  readonly executionRole?: iam.IRole;
}

/** A group of targets (or CDK stages) deployed together, optionally behind a gate. */
export interface CrossRegionWave {
  /** Name of the wave: the name of its stages (1-80 of A-Za-z0-9.@_-). */
  readonly waveName: string;

  /**
   * Where the wave deploys the build's templates; the same account and region at most once.
   * Every wave of a pipeline has either `targets` or `cdkStages`.
   *
   * @default - none: the wave deploys `cdkStages`
   */
  readonly targets?: CrossRegionTarget[];

  /**
   * CDK stages the wave deploys (each with its own env, account and region), from the cloud
   * assembly `BuildStep.cdkSynth()` outputs: every stack's change set is created (in dependency
   * order), then the wave's gate, then every change set is executed (in dependency order), with
   * the CDK bootstrap roles of the stack's environment. Their assets are published before the
   * first wave, by one action per environment. Each stage is synthesized when the pipeline is
   * defined: define everything in it first. Not with `targets`, `testStack`, `stackName`,
   * `templatePath`, the execution role options, `capabilities` or a stack set (errors).
   *
   * @default - none: the wave deploys `targets`
   */
  readonly cdkStages?: Stage[];

  /**
   * Gate between creating the change sets and executing them (with `changeSets: false`,
   * before deploying), e.g. an `ApprovalGate`.
   *
   * @default - no gate
   */
  readonly gate?: IStageGate;

  /**
   * Review the wave's change sets before its gate's approval: a review action after the change sets
   * (in the last `<wave>.ChangeSets` stage) describes every change set of the wave in every account
   * and region, and the approval shows the summary and links the report (see
   * docs/change-set-review-setup.md). Needs a gate with a manual approval and change sets (not with
   * `changeSets: false`, nor with `CfnDeployment.stackSet`: CodePipeline has no preview of stack set
   * operations).
   *
   * @default false
   */
  readonly reviewChangeSets?: boolean;

  /**
   * When the reviewed wave asks for the approval (with `reviewChangeSets` only). The policies that
   * may skip it (`SKIP_WHEN_EMPTY`, `ON_RISK`) put the approval in a stage `<wave>.Approval` of its
   * own, skipped by a V2 entry condition.
   *
   * @default ReviewPolicy.ALWAYS
   */
  readonly reviewPolicy?: ReviewPolicy;

  /**
   * With `CfnDeployment.stackSet` and the service-managed model: the organizational units the
   * wave deploys to (in the regions of its targets; the targets' accounts are then ignored).
   * Anything else is an error: OUs need `StackSetDeploymentModel.organizations()`.
   *
   * @default - the accounts of the targets
   */
  readonly organizationalUnits?: string[];

  /**
   * A production wave: the success or failure of its last stage is a deployment or failed
   * deployment of the delivery metrics (`notifications` `deliveryMetrics`, see `DeliveryDashboard`).
   *
   * @default - when no wave is marked true: the last wave
   */
  readonly production?: boolean;
}

/** A short-lived stack deployed and tested before the first wave, then deleted. */
export interface CrossRegionTestStack {
  /** Name of the test stack. */
  readonly stackName: string;

  /**
   * Region of the test stack.
   *
   * @default - the pipeline's region
   */
  readonly region?: string;

  /**
   * Tests to run (in parallel) against the stack. Each test gets the build output as its
   * primary input and the stack's outputs (`outputs.json`) as a second input named `TestStackOutputs`.
   */
  readonly tests: TestOptions[];

  /**
   * Template parameter values for the test stack.
   *
   * @default - none
   */
  readonly parameterOverrides?: { [name: string]: string };

  /**
   * Keep the test stack after the tests (no DELETE_ONLY action).
   *
   * @default false
   */
  readonly retain?: boolean;
}

/** Options of `CfnDeployment.stackSet`. */
export interface StackSetDeploymentOptions {
  /**
   * Name of the stack set.
   *
   * @default - the pipeline's `stackName`
   */
  readonly stackSetName?: string;

  /**
   * Self-managed (your administration and execution roles) or service-managed (AWS Organizations).
   *
   * @default StackSetDeploymentModel.selfManaged()
   */
  readonly deploymentModel?: cpactions.StackSetDeploymentModel;

  /**
   * Path of the one template all instances use, in the build output, or in the source when the
   * pipeline has no `buildStep` (relative, no placeholders: a stack set has one template).
   *
   * @default 'template.yaml'
   */
  readonly templatePath?: string;

  /**
   * Percentage of accounts per region that may fail before the operation stops.
   *
   * @default 0
   */
  readonly failureTolerancePercentage?: number;

  /**
   * Percentage of accounts per region deployed at the same time.
   *
   * @default 1 - one account at a time
   */
  readonly maxAccountConcurrencyPercentage?: number;

  /**
   * Template parameter values for every instance.
   *
   * @default - none
   */
  readonly parameters?: { [name: string]: string };

  /**
   * Description of the stack set.
   *
   * @default - none
   */
  readonly description?: string;
}

/** How the waves deploy the template: one stack per target, or a CloudFormation StackSet. */
export abstract class CfnDeployment {
  /** One CloudFormation stack per target, through change sets (the default). */
  public static stacks(): CfnDeployment {
    return new StacksDeployment();
  }

  /**
   * A CloudFormation StackSet: the first wave creates or updates the stack set and its
   * instances, later waves add instances. For hundreds of accounts.
   */
  public static stackSet(options: StackSetDeploymentOptions = {}): CfnDeployment {
    v.checkProps('CfnDeployment.stackSet', options, {
      stackSetName: v.str(),
      deploymentModel: v.implementing('a StackSetDeploymentModel', 'e.g. StackSetDeploymentModel.organizations()', ...STACK_SET_DEPLOYMENT_MODEL_MEMBERS),
      templatePath: v.str(),
      failureTolerancePercentage: v.num(),
      maxAccountConcurrencyPercentage: v.num(),
      parameters: v.mapOf(v.str()),
      description: v.str(),
    }, 'options');
    checkStackSetPercentage('CfnDeployment.stackSet', 'failureTolerancePercentage', options.failureTolerancePercentage);
    checkStackSetPercentage('CfnDeployment.stackSet', 'maxAccountConcurrencyPercentage', options.maxAccountConcurrencyPercentage);
    return new StackSetDeployment(options);
  }

  /** Options of a stack set deployment; undefined for stacks. */
  public abstract readonly stackSetOptions?: StackSetDeploymentOptions;
}

class StacksDeployment extends CfnDeployment {
  public readonly stackSetOptions = undefined;
}

class StackSetDeployment extends CfnDeployment {
  constructor(public readonly stackSetOptions: StackSetDeploymentOptions) {
    super();
  }
}

/** Properties of `CrossRegionCfnPipeline`. */
export interface CrossRegionCfnPipelineProps {
  /** Where the pipeline gets its source (in the pipeline's region). */
  readonly source: PipelineSource;

  /**
   * The build that emits one template per region (and account) into its first output, or for
   * waves of `cdkStages` the cloud assembly (`BuildStep.cdkSynth()`). Leave it out to deploy a
   * stack set (`CfnDeployment.stackSet`) from a template in the source: the pipeline is then
   * Source and the waves, and `templatePath` is a path in the source (not with `testStack` or
   * `selfUpdate`, which need a build: errors).
   *
   * @default - none: only with `CfnDeployment.stackSet`, whose template is read from the source
   */
  readonly buildStep?: BuildOptions;

  /**
   * Name of the stack in every target (a target's `stackName` overrides it). Required with
   * `targets`; not with `cdkStages` (the CDK stacks name themselves).
   *
   * @default - none: only with waves of `cdkStages`
   */
  readonly stackName?: string;

  /**
   * Path of a target's template in the build output; `{region}` and `{account}` are filled in.
   *
   * @default 'template-{region}.yaml'
   */
  readonly templatePath?: string;

  /**
   * A test stack deployed, tested and deleted before the first wave.
   *
   * @default - no test stack
   */
  readonly testStack?: CrossRegionTestStack;

  /** The waves, deployed one after the other. */
  readonly waves: CrossRegionWave[];

  /**
   * Artifact stores to use (shareable by several pipelines).
   *
   * @default - stores are defined beside this pipeline, with KMS keys only when a target is in another account
   */
  readonly artifactStores?: ArtifactStores;

  /**
   * Create a change set in every target of a wave, pass the gate, then execute them.
   * `false` deploys directly with CREATE_UPDATE (after the gate).
   *
   * @default true
   */
  readonly changeSets?: boolean;

  /**
   * Name of the change sets.
   *
   * @default 'PipelineChangeSet'
   */
  readonly changeSetName?: string;

  /**
   * Policy of the CloudFormation execution roles the pipeline defines (one per account): what
   * your stacks may create, as statements (the same type as `DeployTarget.cloudFormation`'s
   * `executionPolicy`). Never administrator by default. A pipeline whose targets (or test stack)
   * deploy with those roles fails at synth without it, `executionManagedPolicies` or
   * `allowEmptyExecutionPolicy: true`: the roles could only read the templates.
   *
   * @default - none: needed unless every target has its own `executionRole` (or the waves deploy CDK stages or a stack set)
   */
  readonly executionPolicy?: iam.PolicyStatement[];

  /**
   * Deploy with execution roles that hold no permissions beyond reading the templates:
   * `executionPolicy` and `executionManagedPolicies` left out or empty on purpose, for templates
   * whose resources need none. Without it, such a pipeline fails at synth, since its first
   * deployment would fail with AccessDenied.
   *
   * @default false
   */
  readonly allowEmptyExecutionPolicy?: boolean;

  /**
   * Managed policies of the CloudFormation execution roles.
   *
   * @default - none
   */
  readonly executionManagedPolicies?: iam.IManagedPolicy[];

  /**
   * Capabilities the stacks are deployed with.
   *
   * @default [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND] - what the execution role may do is set by its policy
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Stacks per target (default) or a StackSet.
   *
   * @default CfnDeployment.stacks()
   */
  readonly deployment?: CfnDeployment;

  /**
   * Name of the pipeline.
   *
   * @default - generated
   */
  readonly pipelineName?: string;

  /**
   * Where failure notifications go.
   *
   * @default - an SSL-only topic without subscriptions
   */
  readonly notifications?: FailureNotificationsOptions;

  /**
   * Define EventBridge rules that publish the pipeline's failures.
   *
   * @default true
   */
  readonly failureNotifications?: boolean;

  /**
   * Update the pipeline from the new cloud assembly (a CDK app holding the pipeline stack): an
   * 'UpdatePipeline' stage after the build deploys the pipeline stack only when its template
   * changed, without restarting the execution. Needs `BuildStep.cdkSynth()` as the build.
   *
   * @default false: deploy the pipeline stack with `cdk deploy` when waves, stages or environments change
   */
  readonly selfUpdate?: boolean;
}
