import { MAX_ACTIONS_PER_STAGE, MAX_STAGES } from '../private/quotas';
import { CfnCapabilities, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IStageGate, StageGateBinding } from '../approval/stage-gate';
import { ArtifactStores } from '../artifacts/artifact-stores';
import { BuildOptions, TestOptions } from '../build/build-options';
import { PipelineChecks } from '../checks/pipeline-checks';
import { FailureNotifications, FailureNotificationsOptions } from '../notifications/failure-notifications';
import { acknowledge } from '../private/acknowledge';
import { defineBuildStep } from '../private/build-action';
import { AccountRoleFactory, acknowledgeStackAccess, nagRendering } from '../private/xr-accounts';
import {
  PlannedTarget, PlannedWave, checkAccount, checkChangeSetName, checkRegion, checkStackName, chunk, fail,
  fillTemplatePath, partName, planWaves,
} from '../private/xr-plan';
import { DEFINED_BY_STORES } from '../private/xr-registry';
import { grantStoreAccess, storeReference } from '../private/xr-store-access';
import { PipelineSource } from '../source/pipeline-source';

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

/** A group of targets deployed together, optionally behind a gate. */
export interface CrossRegionWave {
  /** Name of the wave: the name of its stages (1-80 of A-Za-z0-9.@_-). */
  readonly waveName: string;

  /** Where the wave deploys; the same account and region at most once. */
  readonly targets: CrossRegionTarget[];

  /**
   * Gate between creating the change sets and executing them (with `changeSets: false`,
   * before deploying), e.g. an `ApprovalGate`.
   *
   * @default - no gate
   */
  readonly approval?: IStageGate;

  /**
   * With `CfnDeployment.stackSet` and the service-managed model: the organizational units the
   * wave deploys to (in the regions of its targets; the targets' accounts are then ignored).
   * Anything else is an error: OUs need `StackSetDeploymentModel.organizations()`.
   *
   * @default - the accounts of the targets
   */
  readonly organizationalUnits?: string[];
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
   * Path of the one template all instances use, in the build output (no placeholders: a stack
   * set has one template).
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
    for (const [name, value] of [['failureTolerancePercentage', options.failureTolerancePercentage], ['maxAccountConcurrencyPercentage', options.maxAccountConcurrencyPercentage]] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && (value < 0 || value > 100 || !Number.isInteger(value))) {
        throw new Error(`CfnDeployment.stackSet: ${name} ${value} is not a whole percentage; pass 0-100.`);
      }
    }
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

  /** The build that emits one template per region (and account) into its first output. */
  readonly buildStep: BuildOptions;

  /** Name of the stack in every target (a target's `stackName` overrides it). */
  readonly stackName: string;

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
   * your stacks may create. Never administrator by default.
   *
   * @default - no permissions beyond reading the templates: add what your template defines
   */
  readonly executionPolicy?: iam.PolicyDocument;

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
}

const SOURCE_ARTIFACT = 'Source';
const TEST_OUTPUTS = 'TestStackOutputs';

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
  public readonly stageNames: string[] = [];

  private readonly accountRoles: AccountRoleFactory;
  private readonly pipelineAccount: string;
  private readonly pipelineRegion: string;

  constructor(scope: Construct, id: string, props: CrossRegionCfnPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail(id, `stack '${stack.node.path}' has no concrete env (account '${stack.account}', region '${stack.region}'); ` +
        "define it with env: { account: '111111111111', region: 'eu-west-1' }: cross-region stores and cross-account roles are located at synth time.");
    }
    this.pipelineAccount = stack.account;
    this.pipelineRegion = stack.region;
    const stackSet = props.deployment?.stackSetOptions;
    const templatePath = stackSet ? (stackSet.templatePath ?? 'template.yaml') : (props.templatePath ?? 'template-{region}.yaml');
    if (stackSet && /\{[^}]*\}/.test(templatePath)) {
      fail(id, `templatePath '${templatePath}' has placeholders but a stack set deploys one template everywhere; pass a path without placeholders, e.g. 'template.yaml'.`);
    }
    const waves = planWaves({
      id,
      pipelineAccount: this.pipelineAccount,
      pipelineRegion: this.pipelineRegion,
      stackName: props.stackName,
      templatePath,
      waves: props.waves,
      reservedStageNames: ['Source', 'Build', ...(props.testStack ? ['Test'] : [])],
    });
    if (props.changeSetName !== undefined) checkChangeSetName(id, props.changeSetName);
    if (stackSet) {
      checkStackSetOptions(id, props, stackSet);
    } else {
      props.waves.forEach((wave) => {
        if (wave.organizationalUnits !== undefined) {
          fail(id, `wave '${wave.waveName}' has organizationalUnits, which only a stack set deploys to; remove them, or pass deployment: CfnDeployment.stackSet({ deploymentModel: StackSetDeploymentModel.organizations() }).`);
        }
      });
    }
    const testRegion = props.testStack?.region ?? this.pipelineRegion;
    if (props.testStack) {
      checkRegion(id, testRegion, 'testStack');
      checkStackName(id, props.testStack.stackName, 'testStack');
      if (props.testStack.tests.length === 0) fail(id, 'testStack.tests is empty; pass at least one test, or remove testStack.');
      const testNames = new Set<string>();
      for (const t of props.testStack.tests) {
        const name = t.actionName ?? t.name;
        if (name === 'Deploy' || name === 'Delete') {
          fail(id, `test '${name}' of testStack has the name of the test stack's own '${name}' action; give the test another name (or actionName), e.g. '${name}Test'.`);
        }
        if (testNames.has(name)) fail(id, `test name '${name}' is used by two tests of testStack; give each test its own name (or actionName).`);
        testNames.add(name);
      }
    }

    // Artifact stores: trusted accounts come from the targets (stack sets: the pipeline account runs the operations).
    const crossAccounts = stackSet ? [] : unique(waves.flatMap((w) => w.targets.filter((t) => t.crossAccount).map((t) => t.account)));
    this.artifactStores = props.artifactStores ?? new ArtifactStores(this, 'ArtifactStores', { trustedAccounts: crossAccounts });
    const stores = this.artifactStores;
    if (stores.account !== this.pipelineAccount) {
      fail(id, `artifactStores '${stores.node.path}' are in account '${stores.account}', not the pipeline's account '${this.pipelineAccount}'; define the stores in a stack of account ${this.pipelineAccount}.`);
    }
    for (const account of crossAccounts) {
      if (!stores.trustedAccounts.includes(account)) {
        fail(id, `target account '${account}' is another account, but artifactStores '${stores.node.path}' ${stores.kmsEncrypted ? 'do not trust it' : 'have no KMS keys (the AWS-managed S3 key cannot be shared)'}; ` +
          `add '${account}' to the ArtifactStores trustedAccounts.`);
      }
    }
    const targetRegions = stackSet ? [] : waves.flatMap((w) => w.targets.map((t) => t.region));
    const regions = unique([this.pipelineRegion, ...(props.testStack ? [testRegion] : []), ...targetRegions]);
    const buckets: { [region: string]: s3.IBucket } = {};
    for (const region of regions) {
      const store = stores.forRegion(region);
      buckets[region] = storeReference(this, `Store-${region}`, stores, store);
      if (store.stack !== stack) stack.node.addDependency(store.stack);
    }

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      roleName: crossAccounts.length > 0 ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    });
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      role,
      crossRegionReplicationBuckets: buckets,
      crossAccountKeys: false,
    });
    const homeStore = stores.forRegion(this.pipelineRegion);
    if (homeStore.stack === stack && Construct.isConstruct(homeStore.bucket)) {
      this.pipeline.node.defaultChild!.node.addDependency(homeStore.bucket);
    }
    this.accountRoles = new AccountRoleFactory(this, {
      pipelineRole: role,
      executionPolicy: props.executionPolicy,
      executionManagedPolicies: props.executionManagedPolicies,
    });

    // Source
    const source = props.source.bind(this, { artifactName: SOURCE_ARTIFACT });
    const sourceRegion = source.action.actionProperties.resource?.env.region ?? source.action.actionProperties.region;
    if (sourceRegion !== undefined && !Token.isUnresolved(sourceRegion) && sourceRegion !== this.pipelineRegion) {
      fail(id, `the source action '${source.action.actionProperties.actionName}' is in region '${sourceRegion}', but CodePipeline runs source actions in the pipeline's region '${this.pipelineRegion}'; ` +
        'use a source in the pipeline region (replicate the repository or bucket there).');
    }
    for (const trigger of source.triggers ?? []) this.pipeline.addTrigger(trigger);
    this.addStage('Source', [source.action]);

    // Build
    const homeKey = homeStore.encryptionKeyId ? kms.Key.fromKeyArn(this, 'ArtifactKey', homeStore.encryptionKeyId) : undefined;
    if (homeKey && homeStore.encryptionKey && DEFINED_BY_STORES.has(homeStore.encryptionKey)) {
      // The stores' own keys are known here by their ALIAS ARN (the key ARN is in another stack).
      // That is what CodeBuild needs for the project's EncryptionKey, but IAM does not authorize key
      // use through an alias ARN: the project's usual grant on it would be a dead statement. The
      // project's real key access is what its CodeBuild action grants on the artifact bucket (read,
      // and write with outputs), through the stores' kms:ResourceAliases-conditioned statement.
      Object.assign(homeKey, { grantEncryptDecrypt: (grantee: iam.IGrantable) => iam.Grant.drop(grantee, 'key access comes from the artifact bucket grants') });
    }
    const build = defineBuildStep(this, 'Build', {
      options: props.buildStep,
      defaultActionName: 'Build',
      defaultOutputs: ['BuildOutput'],
      type: cpactions.CodeBuildActionType.BUILD,
      input: source.output,
      encryptionKey: homeKey,
      fullClonePolicy: source.fullClonePolicy,
      errorPrefix: `CrossRegionCfnPipeline '${id}'`,
    });
    if (build.outputs.length === 0) fail(id, 'build.outputs is empty; the build must output the templates, e.g. outputs: [\'BuildOutput\'].');
    this.buildProject = build.project;
    this.addStage('Build', [build.action]);
    const templates = build.outputs[0];

    const capabilities = props.capabilities ?? [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND];

    // Test stack
    if (props.testStack) {
      const test = props.testStack;
      const roles = this.accountRoles.forAccount(this.pipelineAccount);
      this.grantExecution(roles.executionRole, testRegion);
      acknowledgeStackAccess(roles.actionRole, testRegion, this.pipelineAccount, test.stackName, true);
      const outputs = new codepipeline.Artifact(TEST_OUTPUTS);
      const actions: codepipeline.IAction[] = [new cpactions.CloudFormationCreateUpdateStackAction({
        actionName: 'Deploy',
        stackName: test.stackName,
        templatePath: templates.atPath(fillTemplatePath(id, templatePath, testRegion, this.pipelineAccount)),
        parameterOverrides: test.parameterOverrides,
        region: testRegion,
        role: roles.actionRole,
        deploymentRole: roles.executionRole,
        adminPermissions: false,
        cfnCapabilities: capabilities,
        outputFileName: 'outputs.json',
        output: outputs,
        runOrder: 1,
      })];
      test.tests.forEach((t, i) => {
        const step = defineBuildStep(this, `Test${i}`, {
          options: t,
          defaultActionName: t.name,
          defaultOutputs: [],
          type: cpactions.CodeBuildActionType.TEST,
          input: templates,
          extraInputs: [outputs],
          runOrder: 2,
          encryptionKey: homeKey,
          errorPrefix: `CrossRegionCfnPipeline '${id}'`,
        });
        actions.push(step.action);
      });
      if (!(test.retain ?? false)) {
        actions.push(new cpactions.CloudFormationDeleteStackAction({
          actionName: 'Delete',
          stackName: test.stackName,
          region: testRegion,
          role: roles.actionRole,
          deploymentRole: roles.executionRole,
          adminPermissions: false,
          runOrder: 3,
        }));
      }
      this.addStage('Test', actions);
    }

    // Waves
    if (stackSet) {
      this.addStackSetWaves(waves, props, stackSet, templates.atPath(templatePath), capabilities);
    } else {
      const changeSetName = props.changeSetName ?? 'PipelineChangeSet';
      for (const [i, wave] of waves.entries()) {
        this.addWave(wave, props.waves[i].approval, props, templates, changeSetName, capabilities);
      }
    }

    if (this.stageNames.length > MAX_STAGES) {
      fail(id, `the pipeline needs ${this.stageNames.length} stages but CodePipeline allows ${MAX_STAGES}; merge waves, or deploy through CfnDeployment.stackSet(...).`);
    }

    if (props.failureNotifications ?? true) {
      this.failureNotifications = new FailureNotifications(this, 'FailureNotifications', { pipeline: this.pipeline, ...props.notifications });
    }

    // Every CodePipeline rule and quota, checked on the synthesized pipeline (also what the
    // caller adds later, e.g. through `pipeline.addStage` or `DeployTarget.action`).
    PipelineChecks.enforce(this);
  }

  /** The CloudFormation execution role the pipeline defined for an account (defined on first use). */
  public executionRole(account: string): iam.IRole {
    checkAccount(this.node.id, account, 'executionRole()');
    return this.accountRoles.forAccount(account).executionRole;
  }

  /** The role that runs the CloudFormation actions in an account (defined on first use). */
  public actionRole(account: string): iam.IRole {
    checkAccount(this.node.id, account, 'actionRole()');
    return this.accountRoles.forAccount(account).actionRole;
  }

  private addWave(wave: PlannedWave, gate: IStageGate | undefined, props: CrossRegionCfnPipelineProps, templates: codepipeline.Artifact,
    changeSetName: string, capabilities: CfnCapabilities[]) {
    const useChangeSets = props.changeSets ?? true;
    const targetProps = (target: PlannedTarget) => {
      const roles = this.accountRoles.forAccount(target.account);
      acknowledgeStackAccess(roles.actionRole, target.region, target.account, target.stackName, !useChangeSets);
      const executionRole = props.waves.find((w) => w.waveName === wave.waveName)!.targets[target.index].executionRole ?? roles.executionRole;
      this.grantExecution(executionRole, target.region);
      return {
        actionName: target.actionName,
        stackName: target.stackName,
        region: target.region,
        role: roles.actionRole,
        deploymentRole: executionRole,
        adminPermissions: false,
        cfnCapabilities: capabilities,
        parameterOverrides: target.parameterOverrides,
        templatePath: templates.atPath(target.templatePath),
      };
    };

    if (useChangeSets) {
      const parts = chunk(wave.targets, MAX_ACTIONS_PER_STAGE, MAX_ACTIONS_PER_STAGE);
      parts.forEach((part, i) => this.addStage(partName(`${wave.waveName}.ChangeSets`, i, parts.length), part.map((t) =>
        new cpactions.CloudFormationCreateReplaceChangeSetAction({ ...targetProps(t), changeSetName }))));
    }
    const deployAction = (target: PlannedTarget, runOrder: number): codepipeline.IAction => {
      if (useChangeSets) {
        const roles = this.accountRoles.forAccount(target.account);
        return new cpactions.CloudFormationExecuteChangeSetAction({
          actionName: target.actionName, stackName: target.stackName, region: target.region, role: roles.actionRole, changeSetName, runOrder,
        });
      }
      return new cpactions.CloudFormationCreateUpdateStackAction({ ...targetProps(target), runOrder });
    };
    this.addGatedStages(wave.waveName, gate, wave.targets, deployAction);
  }

  private addStackSetWaves(waves: PlannedWave[], props: CrossRegionCfnPipelineProps, options: StackSetDeploymentOptions,
    template: codepipeline.ArtifactPath, capabilities: CfnCapabilities[]) {
    const stackSetName = options.stackSetName ?? props.stackName;
    const instancesOf = (wave: PlannedWave, i: number) => {
      const regionsOfWave = unique(wave.targets.map((t) => t.region));
      const ous = props.waves[i].organizationalUnits;
      return ous && ous.length > 0
        ? cpactions.StackInstances.inOrganizationalUnits(ous, regionsOfWave)
        : cpactions.StackInstances.inAccounts(unique(wave.targets.map((t) => t.account)), regionsOfWave);
    };
    const roles = this.accountRoles.forAccount(this.pipelineAccount);
    // A token name is written as cdk-nag writes it (`<LogicalId>`); one it cannot name stays unacknowledged.
    const setName = Token.isUnresolved(stackSetName) ? nagRendering(roles.actionRole, stackSetName) : stackSetName;
    if (setName !== undefined) {
      acknowledge(roles.actionRole, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${this.pipelineRegion}:${this.pipelineAccount}:stackset/${setName}:*]`,
        `Stack set '${setName}': the trailing :* is the stack set id CloudFormation generates; the statement names exactly this stack set.`);
    }
    const common = {
      role: roles.actionRole,
      stackSetName,
      failureTolerancePercentage: options.failureTolerancePercentage ?? 0,
      maxAccountConcurrencyPercentage: options.maxAccountConcurrencyPercentage ?? 1,
    };
    waves.forEach((wave, i) => {
      this.addGatedStages(wave.waveName, props.waves[i].approval, [wave], (w, runOrder) => i === 0
        ? new cpactions.CloudFormationDeployStackSetAction({
          ...common,
          actionName: 'StackSet',
          runOrder,
          template: cpactions.StackSetTemplate.fromArtifactPath(template),
          description: options.description,
          deploymentModel: options.deploymentModel,
          parameters: options.parameters ? cpactions.StackSetParameters.fromLiteral(options.parameters) : undefined,
          cfnCapabilities: capabilities,
          stackInstances: instancesOf(w, i),
        })
        : new cpactions.CloudFormationDeployStackInstancesAction({
          ...common,
          actionName: 'StackInstances',
          runOrder,
          stackInstances: instancesOf(w, i),
        }));
    });
    // The self-managed model's administration role (defined by aws-codepipeline-actions) may assume
    // the standard execution role in ANY account: its policy names `iam::*:role/...`.
    for (const c of this.pipeline.node.findAll()) {
      if (c.node.id === 'StackSetAdministrationRole' && c instanceof iam.Role) {
        acknowledge(c, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/AWSCloudFormationStackSetExecutionRole]', 'Self-managed StackSets (the default administration role of aws-codepipeline-actions): ' +
            'the role may assume the role named AWSCloudFormationStackSetExecutionRole in any account (the policy does not name accounts); it only succeeds in accounts whose execution role trusts it. ' +
            'To narrow it to your accounts, pass deploymentModel: StackSetDeploymentModel.selfManaged({ administrationRole }) with your own role.');
      }
    }
  }

  /** Stages `<base>`, `<base>.2`, ... holding `items`' actions after the gate, at most 50 actions each. */
  private addGatedStages<T>(base: string, gate: IStageGate | undefined, items: T[], toAction: (item: T, runOrder: number) => codepipeline.IAction) {
    const stageName = base;
    const binding = gate?.bindToStage({ pipeline: this.pipeline, stageName, runOrder: 1 });
    const gateActions = binding?.actions ?? [];
    const runOrder = gateActions.length > 0 ? 2 : 1;
    const parts = chunk(items, MAX_ACTIONS_PER_STAGE - gateActions.length, MAX_ACTIONS_PER_STAGE);
    parts.forEach((part, i) => {
      const name = partName(base, i, parts.length);
      const actions = part.map((item) => toAction(item, i === 0 ? runOrder : 1));
      if (i === 0) {
        this.addStage(name, [...gateActions, ...actions], binding);
      } else {
        this.addStage(name, actions);
      }
    });
  }

  private addStage(stageName: string, actions: codepipeline.IAction[], binding?: StageGateBinding) {
    // The planner rejects colliding wave names; this catches any combination it does not foresee.
    if (this.stageNames.includes(stageName)) {
      fail(this.node.id, `two stages would be named '${stageName}'; rename the wave whose name or generated stage name ('<wave>.ChangeSets', '<wave>.2') collides.`);
    }
    this.pipeline.addStage({
      stageName,
      actions,
      beforeEntry: binding?.beforeEntry,
      onSuccess: binding?.onSuccess,
      onFailure: binding?.onFailure,
    });
    this.stageNames.push(stageName);
  }

  private grantExecution(role: iam.IRole, region: string) {
    grantStoreAccess(this.artifactStores, this.artifactStores.forRegion(region), role, false);
  }
}

/**
 * Stack set options that would be ignored or that CloudFormation rejects: fail at synth.
 * Organizational units need the service-managed model; a target's `executionRole`,
 * `parameterOverrides` and `stackName` have no place in a stack set (one template, one
 * stack set name, the `parameters` and execution role of the stack set).
 */
function checkStackSetOptions(id: string, props: CrossRegionCfnPipelineProps, options: StackSetDeploymentOptions) {
  checkStackName(id, options.stackSetName ?? props.stackName, 'the stack set', 'stack set name');
  const ouWaves = props.waves.filter((w) => w.organizationalUnits !== undefined);
  if (ouWaves.length > 0 && !serviceManaged(options.deploymentModel)) {
    fail(id, `wave '${ouWaves[0].waveName}' has organizationalUnits, but the stack set is self-managed (the default), which deploys to accounts only; ` +
      'pass CfnDeployment.stackSet({ deploymentModel: StackSetDeploymentModel.organizations() }), or list the accounts as targets instead.');
  }
  for (const wave of props.waves) {
    if (wave.organizationalUnits !== undefined && wave.organizationalUnits.length === 0) {
      fail(id, `wave '${wave.waveName}' has an empty organizationalUnits list; pass at least one OU id like 'ou-ab12-cdefgh34', or remove organizationalUnits.`);
    }
    (wave.targets ?? []).forEach((target, i) => {
      const where = `target ${i + 1} of wave '${wave.waveName}'`;
      if (target.executionRole !== undefined) {
        fail(id, `${where} has an executionRole, which a stack set does not use (its instances run with the stack set's execution role); remove it, or pass the role through deploymentModel: StackSetDeploymentModel.selfManaged({ executionRoleName }).`);
      }
      if (target.parameterOverrides !== undefined) {
        fail(id, `${where} has parameterOverrides, which a stack set does not use (every instance gets the same parameters); remove them, and pass CfnDeployment.stackSet({ parameters }).`);
      }
      if (target.stackName !== undefined) {
        fail(id, `${where} has a stackName, which a stack set does not use (instances are named after the stack set); remove it, and pass CfnDeployment.stackSet({ stackSetName }).`);
      }
    });
  }
}

/**
 * Whether a stack set deployment model is service-managed (AWS Organizations), read from what it
 * binds to. It is bound to a detached construct (no app, no stack, nothing written): the
 * organizations model ignores the scope; the self-managed one, when it would define its
 * administration role there, throws, which also means self-managed.
 */
function serviceManaged(model: cpactions.StackSetDeploymentModel | undefined): boolean {
  if (!model) return false;
  try {
    const config = model._bind(new Construct(undefined as unknown as Construct, 'StackSetModelProbe')).stackSetConfiguration;
    return config?.PermissionModel === 'SERVICE_MANAGED';
  } catch {
    return false;
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
