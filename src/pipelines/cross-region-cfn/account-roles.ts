import { PhysicalName, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The two roles a pipeline uses in one target account. */
export class AccountRoles {
  constructor(
    /** Assumed by the pipeline role to run the CloudFormation actions. */
    public readonly actionRole: iam.IRole,
    /** Passed to CloudFormation to create the stack's resources. */
    public readonly executionRole: iam.IRole,
  ) {}
}

export interface AccountRolesOptions {
  readonly pipelineRole: iam.IRole;
  readonly executionPolicy?: iam.PolicyStatement[];
  readonly executionManagedPolicies?: iam.IManagedPolicy[];
}

/**
 * Defines, per target account, the CloudFormation action role (trusted by exactly the
 * pipeline role) and the CloudFormation execution role (trusted by CloudFormation, with the
 * caller's policy). Same-account roles live beside the pipeline; roles for another account
 * live in a stack for that account owned by this pipeline (never shared with another
 * pipeline), which the pipeline stack depends on.
 */
export class AccountRoleFactory {
  private readonly roles = new Map<string, AccountRoles>();
  private readonly elsewhere: iam.IRole[] = [];

  constructor(private readonly scope: Construct, private readonly options: AccountRolesOptions) {}

  /** The roles defined so far in the stacks of other accounts (outside the pipeline's construct subtree). */
  public rolesInOtherStacks(): iam.IRole[] {
    return [...this.elsewhere];
  }

  public forAccount(account: string): AccountRoles {
    const existing = this.roles.get(account);
    if (existing) return existing;
    const pipelineStack = Stack.of(this.scope);
    const crossAccount = account !== pipelineStack.account;
    let scope: Construct;
    if (crossAccount) {
      const app = pipelineStack.node.root as Construct;
      const relative = this.scope.node.scopes.slice(pipelineStack.node.scopes.length).map((c) => c.node.id).join('-');
      const stackId = `${pipelineStack.stackName}-${relative}-${account}`.replace(/[^A-Za-z0-9-]/g, '-');
      scope = (app.node.tryFindChild(stackId) as Stack | undefined) ?? new Stack(app, stackId, {
        env: { account, region: pipelineStack.region },
        description: `Roles of pipeline ${this.scope.node.path} in account ${account}: the CloudFormation action role and execution role.`,
      });
    } else {
      scope = new Construct(this.scope, `Account${account}`);
    }
    const pipelineRole = this.options.pipelineRole;
    const actionRole = new iam.Role(scope, crossAccount ? 'CloudFormationActionRole' : 'ActionRole', {
      roleName: crossAccount ? PhysicalName.GENERATE_IF_NEEDED : undefined,
      description: `Runs the CloudFormation actions of pipeline ${this.scope.node.path} in account ${account}`,
      // Trusted by exactly the pipeline role. A condition (not the role ARN as principal) so that
      // this stack can deploy before the pipeline role exists: IAM rejects unknown principals.
      assumedBy: crossAccount
        ? new iam.AccountPrincipal(pipelineStack.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': pipelineRole.roleArn } })
        : new iam.ArnPrincipal(pipelineRole.roleArn),
    });
    const executionRole = new iam.Role(scope, crossAccount ? 'CloudFormationExecutionRole' : 'ExecutionRole', {
      roleName: crossAccount ? PhysicalName.GENERATE_IF_NEEDED : undefined,
      description: `CloudFormation execution role for the stacks pipeline ${this.scope.node.path} deploys in account ${account}`,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      inlinePolicies: this.options.executionPolicy?.length
        ? { Deploy: new iam.PolicyDocument({ statements: this.options.executionPolicy }) }
        : undefined,
      managedPolicies: this.options.executionManagedPolicies,
    });
    if (crossAccount) this.elsewhere.push(actionRole, executionRole);
    const roles = new AccountRoles(actionRole, executionRole);
    this.roles.set(account, roles);
    return roles;
  }
}
