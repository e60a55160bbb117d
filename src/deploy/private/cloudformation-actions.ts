import { CfnCapabilities } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { artifactBucketAllowances } from '../../build/private/build-step';
import { acknowledge } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import { nagRendering } from '../../private/nag-rendering';
import { acknowledgeWildcards } from '../../private/wildcard-allowances';

/**
 * The CloudFormation actions of both pipelines (`DeployTarget.cloudFormation` in
 * SourceBuildDeployPipeline, the waves and test stack of CrossRegionCfnPipeline), built in one
 * place: never administrator permissions, the execution role passed as CloudFormation's
 * `RoleArn`, and IAM statements that take effect (see `CorrectedGrants`), with the stack-ARN
 * wildcards acknowledged on the action role itself (so also in the `OverflowPolicyN` that
 * iam.Role splits a large policy into).
 *
 * ```ts
 * const cfn = new CloudFormationActions({ stackName: 'App', templatePath: out.atPath('app.yaml'), executionRole });
 * const [prepare, execute] = cfn.changeSet({ prepareName: 'App-Prepare', executeName: 'App-Execute', changeSetName: 'App-changes', runOrder: 1 });
 * ```
 */
export interface CloudFormationActionsProps {
  /** Name of the stack. */
  readonly stackName: string;

  /** The template in an artifact. Not needed for `executeChangeSet` / `deleteStack` alone. */
  readonly templatePath?: codepipeline.ArtifactPath;

  /** @default - none */
  readonly templateConfiguration?: codepipeline.ArtifactPath;

  /** @default - none */
  readonly parameterOverrides?: { [name: string]: any };

  /** More artifacts the deploy actions read (parameter overrides, template configuration). @default - none */
  readonly extraInputs?: codepipeline.Artifact[];

  /** @default - none */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Role CloudFormation assumes to create the stack's resources (the action's `RoleArn`).
   *
   * @default - aws-cdk-lib defines one per action, assumed by cloudformation.amazonaws.com, with read
   * access to the artifacts and nothing else (extend it with `addToExecutionRolePolicy`)
   */
  readonly executionRole?: iam.IRole;

  /** Role the actions run as. @default - aws-cdk-lib defines one per action, assumable by the pipeline role */
  readonly role?: iam.IRole;

  /** @default - the pipeline's account */
  readonly account?: string;

  /** @default - the pipeline's region */
  readonly region?: string;
}

/** Options of one create/update (or delete) action. */
export interface CloudFormationActionOptions {
  readonly actionName: string;
  readonly runOrder: number;
  /** Write the stack outputs to this file of `output`. @default - no outputs artifact */
  readonly outputFileName?: string;
  /** @default - none */
  readonly output?: codepipeline.Artifact;
  /** Namespace of the stack outputs as variables (see stack-outputs.ts). @default - none */
  readonly variablesNamespace?: string;
}

/** Options of the change set pair. */
export interface CloudFormationChangeSetOptions {
  readonly prepareName: string;
  readonly executeName: string;
  readonly changeSetName: string;
  /** runOrder of the prepare action; execute runs at `runOrder + 1` unless `executeRunOrder` says otherwise. */
  readonly runOrder: number;
  /** @default runOrder + 1 */
  readonly executeRunOrder?: number;
  /** Namespace of the stack outputs, on the execute action (the one that deploys the stack). @default - none */
  readonly variablesNamespace?: string;
}

/** Builds the CloudFormation actions of one stack (see the props' doc). */
export class CloudFormationActions {
  /** The change-set or create/update actions built so far (their execution roles exist once they are in a stage). */
  private readonly deployActions: Array<actions.CloudFormationCreateUpdateStackAction | actions.CloudFormationCreateReplaceChangeSetAction> = [];

  constructor(private readonly props: CloudFormationActionsProps) {}

  private get deployProps() {
    const p = this.props;
    if (!p.templatePath) fail(`CloudFormationActions('${p.stackName}')`, 'a deploy action needs templatePath; pass the template\'s ArtifactPath.');
    return {
      stackName: p.stackName,
      templatePath: p.templatePath,
      templateConfiguration: p.templateConfiguration,
      parameterOverrides: p.parameterOverrides,
      extraInputs: p.extraInputs,
      cfnCapabilities: p.capabilities,
      deploymentRole: p.executionRole,
      role: p.role,
      adminPermissions: false,
      account: p.account,
      region: p.region,
    };
  }

  /** One action that creates or updates the stack directly. */
  public createUpdate(options: CloudFormationActionOptions): actions.CloudFormationCreateUpdateStackAction {
    const action = new CreateUpdateStackAction({ ...this.deployProps, ...options });
    this.deployActions.push(action);
    return action;
  }

  /** A change set created (replaced) by one action. */
  public createReplaceChangeSet(actionName: string, changeSetName: string, runOrder: number): actions.CloudFormationCreateReplaceChangeSetAction {
    const action = new CreateReplaceChangeSetAction({ ...this.deployProps, actionName, changeSetName, runOrder });
    this.deployActions.push(action);
    return action;
  }

  /** The action executing a change set (it publishes the stack outputs as variables when given a namespace). */
  public executeChangeSet(actionName: string, changeSetName: string, runOrder: number,
    variablesNamespace?: string): actions.CloudFormationExecuteChangeSetAction {
    const p = this.props;
    return new ExecuteChangeSetAction({
      actionName, stackName: p.stackName, changeSetName, role: p.role, account: p.account, region: p.region, runOrder, variablesNamespace,
    });
  }

  /** Prepare (create/replace the change set) then execute it. */
  public changeSet(o: CloudFormationChangeSetOptions):
  [actions.CloudFormationCreateReplaceChangeSetAction, actions.CloudFormationExecuteChangeSetAction] {
    return [
      this.createReplaceChangeSet(o.prepareName, o.changeSetName, o.runOrder),
      this.executeChangeSet(o.executeName, o.changeSetName, o.executeRunOrder ?? o.runOrder + 1, o.variablesNamespace),
    ];
  }

  /** The action deleting the stack (e.g. a test stack). */
  public deleteStack(actionName: string, runOrder: number): actions.CloudFormationDeleteStackAction {
    const p = this.props;
    return new DeleteStackAction({
      actionName,
      stackName: p.stackName,
      role: p.role,
      deploymentRole: p.executionRole,
      adminPermissions: false,
      account: p.account,
      region: p.region,
      runOrder,
    });
  }

  /**
   * Add statements to the execution roles aws-cdk-lib defined for the deploy actions (no-op
   * with `executionRole`, which is the caller's). Call once the actions are in their stage: the
   * roles exist only from then on.
   */
  public addToExecutionRolePolicy(statements: iam.PolicyStatement[]): void {
    if (this.props.executionRole) return;
    for (const action of this.deployActions) {
      for (const statement of statements) action.addToDeploymentRolePolicy(statement);
    }
  }
}

/** The stack set action (CloudFormation StackSets), with the grants corrected like the stack actions'. */
export function deployStackSetAction(props: actions.CloudFormationDeployStackSetActionProps): actions.CloudFormationDeployStackSetAction {
  return new DeployStackSetAction(props);
}

/** The stack instances action of a stack set, with the grants corrected like the stack actions'. */
export function deployStackInstancesAction(
  props: actions.CloudFormationDeployStackInstancesActionProps,
): actions.CloudFormationDeployStackInstancesAction {
  return new DeployStackInstancesAction(props);
}

// ------------------------------------------------------------------ corrected grants

const GRANTS_ID = 'CdpCloudFormationGrants';

/** Actions the `cloudformation:ChangeSetName` condition key is defined for (Service Authorization Reference). */
const CHANGE_SET_ACTIONS = ['cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet'];
/** Actions that take no resource ARN: on any ARN they never match. */
const WILDCARD_ONLY = ['cloudformation:ValidateTemplate', 'cloudformation:CreateStackSet'];

/**
 * What aws-codepipeline-actions' CloudFormation actions grant their role (its `SingletonPolicy`),
 * rewritten into statements that take effect, kept per role in the construct tree:
 * - `cloudformation:ChangeSetName` is a condition key of the change set actions only: on
 *   `DescribeStacks`/`DescribeStackEvents` it makes the statement never apply (the deploy action's
 *   polling would be denied), so those get their own statement without it;
 * - `ValidateTemplate` and `CreateStackSet` take only `*` (never a stack/stack set ARN): they move
 *   to one statement on `*` in a policy of their own (`WildcardOnlyActions`), acknowledged there;
 * - everything else as aws-cdk-lib writes it, and the stack / stack set ARN wildcards (the id
 *   CloudFormation appends) and `DescribeStack*`/`GetTemplate*` acknowledged on the role, as cdk-nag
 *   renders them (partition literal or `<AWS::Partition>`, concrete or env-agnostic region).
 */
class CorrectedGrants extends Construct {
  public static of(role: iam.IRole): CorrectedGrants {
    const found = role.node.tryFindChild(GRANTS_ID);
    return found instanceof CorrectedGrants ? found : new CorrectedGrants(role, GRANTS_ID);
  }

  /** The view of the role aws-cdk-lib's action binds with: statements it adds are recorded, not added. */
  public readonly view: iam.IRole;
  private readonly recorded: Array<{ original: iam.PolicyStatement; replacements: iam.PolicyStatement[] }> = [];
  private wildcardOnly?: iam.PolicyStatement;
  private readonly acknowledged = new Set<string>();
  private readonly bucketsAcknowledged = new Set<s3.IBucket>();

  private constructor(private readonly role: iam.IRole, id: string) {
    super(role, id);
    const record = (statement: iam.PolicyStatement) => this.record(statement);
    const result = (): iam.AddToPrincipalPolicyResult => ({ statementAdded: true, policyDependable: role });
    this.view = new Proxy(role, {
      get(target, prop, receiver) {
        if (prop === 'addToPolicy') return (s: iam.PolicyStatement) => { record(s); return true; };
        if (prop === 'addToPrincipalPolicy') return (s: iam.PolicyStatement) => { record(s); return result(); };
        if (prop === 'grantPrincipal') return receiver;
        return Reflect.get(target, prop, target);
      },
    });
  }

  /** Copy what aws-cdk-lib has put in the recorded statements so far (resources grow as actions bind) into ours. */
  public sync(): void {
    for (const { original, replacements } of this.recorded) {
      for (const r of replacements) {
        const missing = original.resources.filter((arn) => !r.resources.includes(arn));
        if (missing.length > 0) r.addResources(...missing);
      }
      for (const arn of original.resources) this.acknowledgeResource(arn);
    }
  }

  private record(original: iam.PolicyStatement) {
    const conditions = original.conditions ?? {};
    const conditioned = Object.values<any>(conditions).some((block) => block && 'cloudformation:ChangeSetName' in block);
    const wildcardOnly = original.actions.filter((a) => WILDCARD_ONLY.includes(a));
    const rest = original.actions.filter((a) => !WILDCARD_ONLY.includes(a));
    const groups = conditioned
      ? [
        { actions: rest.filter((a) => CHANGE_SET_ACTIONS.includes(a)), conditions },
        { actions: rest.filter((a) => !CHANGE_SET_ACTIONS.includes(a)), conditions: undefined },
      ]
      : [{ actions: rest, conditions: Object.keys(conditions).length > 0 ? conditions : undefined }];
    const replacements: iam.PolicyStatement[] = [];
    for (const g of groups.filter((x) => x.actions.length > 0)) {
      const statement = new iam.PolicyStatement({ actions: g.actions, conditions: g.conditions });
      this.role.addToPrincipalPolicy(statement);
      replacements.push(statement);
      for (const action of g.actions.filter((a) => a.includes('*'))) {
        this.acknowledgeOnRole(`Action::${action}`, `Read-only ${action} (aws-cdk-lib's CloudFormation action grant) on the CloudFormation stacks of this role's actions only, which the action polls and reads to deploy.`);
      }
    }
    if (wildcardOnly.length > 0) this.addWildcardOnly(wildcardOnly);
    this.recorded.push({ original, replacements });
  }

  private addWildcardOnly(actionNames: string[]) {
    if (!this.wildcardOnly) {
      this.wildcardOnly = new iam.PolicyStatement({ actions: [], resources: ['*'] });
      const reason = 'cloudformation:ValidateTemplate and cloudformation:CreateStackSet take no resource ARN (Service Authorization Reference: Resource \'*\' only); ' +
        'this policy holds only them, for the CloudFormation actions of this role.';
      if (this.role instanceof iam.Role) {
        const policy = new iam.Policy(this, 'WildcardOnlyActions', { statements: [this.wildcardOnly] });
        this.role.attachInlinePolicy(policy);
        acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', reason);
      } else {
        this.role.addToPrincipalPolicy(this.wildcardOnly);
        this.acknowledgeOnRole('Resource::*', reason);
      }
    }
    const missing = actionNames.filter((a) => !this.wildcardOnly!.actions.includes(a));
    if (missing.length > 0) this.wildcardOnly.addActions(...missing);
  }

  /**
   * The artifact read (and write) the actions need, granted on this role: aws-cdk-lib's
   * `Bucket.grantRead/grantReadWrite` wildcards (`s3:GetObject*`, `<bucket>/*`) on exactly the
   * pipeline's artifact bucket and key, acknowledged on the role like its stack-ARN wildcards, so
   * also on a role the user passes (`actionRole`), which lies outside the pipeline's own scope.
   */
  public grantArtifacts(bucket: s3.IBucket, write: boolean): void {
    if (write) bucket.grantReadWrite(this.role);
    else bucket.grantRead(this.role);
    if (this.bucketsAcknowledged.has(bucket)) return;
    this.bucketsAcknowledged.add(bucket);
    // Judged in the policy's stack once the app is prepared: right also for a bucket of another stack.
    acknowledgeWildcards(this.role, artifactBucketAllowances(bucket));
  }

  private acknowledgeResource(arn: string) {
    const shown = nagRendering(this, arn);
    if (shown === undefined || !shown.includes('*')) return;
    const kind = /:stackset\//.test(shown) ? 'stack set' : /:stack\//.test(shown) ? 'stack' : undefined;
    if (!kind) return;
    this.acknowledgeOnRole(`Resource::${shown}`, `CloudFormation ${kind} ARN ${shown}: the trailing wildcard is the id CloudFormation generates at creation; the statement names exactly this ${kind}.`);
  }

  private acknowledgeOnRole(finding: string, reason: string) {
    if (this.acknowledged.has(finding)) return;
    this.acknowledged.add(finding);
    // On the role: covers its DefaultPolicy and the OverflowPolicyN iam.Role splits a large one into.
    acknowledge(this.role, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}

/**
 * The artifact bucket as aws-cdk-lib's action sees it: its grants are dropped (they would go to
 * the view of the role); the action's own grants are made on the real role by `bindCorrected`.
 */
function silentBucket(bucket: s3.IBucket): s3.IBucket {
  const drop = (grantee: iam.IGrantable) => iam.Grant.drop(grantee, 'granted by CloudFormationActions on the action role');
  return new Proxy(bucket, {
    get(target, prop) {
      if (typeof prop === 'string' && /^grant(Read|Write|ReadWrite|Put|PutAcl)$/.test(prop)) return drop;
      return Reflect.get(target, prop, target);
    },
  });
}

interface Bindable {
  readonly actionProperties: codepipeline.ActionProperties;
}

/**
 * Bind an aws-cdk-lib CloudFormation action with the role's view and a silent bucket, then grant
 * on the real role what it needs: the corrected statements, and read (write too, with outputs)
 * access to the artifacts; an execution role aws-cdk-lib defined reads the artifacts.
 */
function bindCorrected(action: Bindable, options: codepipeline.ActionBindOptions,
  bind: (o: codepipeline.ActionBindOptions) => codepipeline.ActionConfig,
  definedDeploymentRole?: () => iam.IRole | undefined): codepipeline.ActionConfig {
  const grants = CorrectedGrants.of(options.role);
  const config = bind({ ...options, role: grants.view, bucket: silentBucket(options.bucket) });
  grants.sync();
  if ((action.actionProperties.outputs ?? []).length > 0) {
    grants.grantArtifacts(options.bucket, true);
  } else if ((action.actionProperties.inputs ?? []).length > 0) {
    grants.grantArtifacts(options.bucket, false);
  }
  const deploymentRole = definedDeploymentRole?.();
  if (deploymentRole) options.bucket.grantRead(deploymentRole);
  return config;
}

class CreateUpdateStackAction extends actions.CloudFormationCreateUpdateStackAction {
  constructor(private readonly given: actions.CloudFormationCreateUpdateStackActionProps) { super(given); }
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o), () => (this.given.deploymentRole ? undefined : this.deploymentRole));
  }
}

class CreateReplaceChangeSetAction extends actions.CloudFormationCreateReplaceChangeSetAction {
  constructor(private readonly given: actions.CloudFormationCreateReplaceChangeSetActionProps) { super(given); }
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o), () => (this.given.deploymentRole ? undefined : this.deploymentRole));
  }
}

class ExecuteChangeSetAction extends actions.CloudFormationExecuteChangeSetAction {
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o));
  }
}

class DeleteStackAction extends actions.CloudFormationDeleteStackAction {
  constructor(private readonly given: actions.CloudFormationDeleteStackActionProps) { super(given); }
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o), () => (this.given.deploymentRole ? undefined : this.deploymentRole));
  }
}

class DeployStackSetAction extends actions.CloudFormationDeployStackSetAction {
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o));
  }
}

class DeployStackInstancesAction extends actions.CloudFormationDeployStackInstancesAction {
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return bindCorrected(this, options, (o) => super.bound(scope, stage, o));
  }
}
