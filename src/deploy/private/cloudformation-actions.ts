import { CfnCapabilities, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { fail } from '../../private/errors';
import { acknowledgeWildcards, escapeRegExp } from '../../private/wildcard-allowances';

/**
 * The CloudFormation actions of both pipelines (`DeployTarget.cloudFormation` in
 * SourceBuildDeployPipeline, the waves and test stack of CrossRegionCfnPipeline), built in one
 * place: never administrator permissions, the execution role passed as CloudFormation's
 * `RoleArn`, and one acknowledgment of the stack-ARN wildcards aws-cdk-lib grants.
 *
 * ```ts
 * const cfn = new CloudFormationActions({ stackName: 'App', templatePath: out.atPath('app.yaml'), executionRole });
 * const [prepare, execute] = cfn.changeSet({ prepareName: 'App-Prepare', executeName: 'App-Execute', changeSetName: 'App-changes', runOrder: 1 });
 * cfn.acknowledgeStackAccess(scope, '/Prod/App-Prepare/');
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
    const action = new actions.CloudFormationCreateUpdateStackAction({ ...this.deployProps, ...options });
    this.deployActions.push(action);
    return action;
  }

  /** A change set created (replaced) by one action. */
  public createReplaceChangeSet(actionName: string, changeSetName: string, runOrder: number): actions.CloudFormationCreateReplaceChangeSetAction {
    const action = new actions.CloudFormationCreateReplaceChangeSetAction({ ...this.deployProps, actionName, changeSetName, runOrder });
    this.deployActions.push(action);
    return action;
  }

  /** The action executing a change set. */
  public executeChangeSet(actionName: string, changeSetName: string, runOrder: number): actions.CloudFormationExecuteChangeSetAction {
    const p = this.props;
    return new actions.CloudFormationExecuteChangeSetAction({
      actionName, stackName: p.stackName, changeSetName, role: p.role, account: p.account, region: p.region, runOrder,
    });
  }

  /** Prepare (create/replace the change set) then execute it. */
  public changeSet(o: CloudFormationChangeSetOptions): [actions.CloudFormationCreateReplaceChangeSetAction, actions.CloudFormationExecuteChangeSetAction] {
    return [
      this.createReplaceChangeSet(o.prepareName, o.changeSetName, o.runOrder),
      this.executeChangeSet(o.executeName, o.changeSetName, o.executeRunOrder ?? o.runOrder + 1),
    ];
  }

  /** The action deleting the stack (e.g. a test stack). */
  public deleteStack(actionName: string, runOrder: number): actions.CloudFormationDeleteStackAction {
    const p = this.props;
    return new actions.CloudFormationDeleteStackAction({
      actionName, stackName: p.stackName, role: p.role, deploymentRole: p.executionRole, adminPermissions: false,
      account: p.account, region: p.region, runOrder,
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

  /**
   * Acknowledge, on the policies under `scope` (and, with `onlyUnder`, only those whose path
   * contains it: the role of one action), the wildcards aws-cdk-lib grants on this stack: its
   * ARN ends in the id CloudFormation generates at creation (`stack/<name>/*`), and
   * `DescribeStack*` / `GetTemplate*` are read-only action groups on it. A token stack name is
   * compared in cdk-nag's rendering (`<LogicalId>`).
   */
  public acknowledgeStackAccess(scope: IConstruct, onlyUnder?: string): void {
    const stackName = this.props.stackName;
    const shown = Token.isUnresolved(stackName) ? 'of this action' : `'${stackName}'`;
    const stackArn = (flatten: (t: unknown) => string) =>
      new RegExp(`^arn:<AWS::Partition>:cloudformation:[^:]+:[^:]+:stack/${escapeRegExp(flatten(stackName))}/\\*$`);
    const reason = `CloudFormation stack ARNs end in an id generated at creation: the wildcard covers only stack ${shown}, `
      + 'and DescribeStack*/GetTemplate* are read-only action groups on it (aws-cdk-lib CloudFormation action grants).';
    acknowledgeWildcards(scope, [
      { action: 'cloudformation:DescribeStack*', resourcePattern: stackArn, reason, onlyUnder },
      { action: 'cloudformation:GetTemplate*', resourcePattern: stackArn, reason, onlyUnder },
      { resourcePattern: stackArn, reason, onlyUnder },
    ]);
  }
}
