import { PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';

/** The two roles a pipeline uses in one target account. */
export interface AccountRoles {
  /** Assumed by the pipeline role to run the CloudFormation actions. */
  readonly actionRole: iam.IRole;
  /** Passed to CloudFormation to create the stack's resources. */
  readonly executionRole: iam.IRole;
  /** Stack the roles are defined in. */
  readonly stack: Stack;
}

export interface AccountRolesOptions {
  readonly pipelineRole: iam.IRole;
  readonly executionPolicy?: iam.PolicyDocument;
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

  constructor(private readonly scope: Construct, private readonly options: AccountRolesOptions) {}

  public get accounts(): string[] {
    return [...this.roles.keys()];
  }

  public forAccount(account: string): AccountRoles {
    const existing = this.roles.get(account);
    if (existing) return existing;
    const pipelineStack = Stack.of(this.scope);
    const crossAccount = account !== pipelineStack.account;
    let scope: Construct;
    let stack: Stack;
    if (crossAccount) {
      const app = pipelineStack.node.root as Construct;
      const relative = this.scope.node.scopes.slice(pipelineStack.node.scopes.length).map((c) => c.node.id).join('-');
      const stackId = `${pipelineStack.stackName}-${relative}-${account}`.replace(/[^A-Za-z0-9-]/g, '-');
      stack = (app.node.tryFindChild(stackId) as Stack | undefined) ?? new Stack(app, stackId, {
        env: { account, region: pipelineStack.region },
        description: `Roles of pipeline ${this.scope.node.path} in account ${account}: the CloudFormation action role and execution role.`,
      });
      scope = stack;
    } else {
      stack = pipelineStack;
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
      inlinePolicies: this.options.executionPolicy ? { Deploy: this.options.executionPolicy } : undefined,
      managedPolicies: this.options.executionManagedPolicies,
    });
    const roles = { actionRole, executionRole, stack };
    this.roles.set(account, roles);
    return roles;
  }
}

/**
 * Acknowledge, on the action role, the wildcards aws-codepipeline-actions puts in its
 * CloudFormation statements: the stack ARN ends in the stack id CloudFormation generates, and
 * CREATE_UPDATE/DELETE_ONLY read the stack with `DescribeStack*` / `GetTemplate*`.
 */
export function acknowledgeStackAccess(role: iam.IRole, region: string, account: string, stackName: string, directDeploy: boolean): void {
  const findings: Array<[string, string]> = [];
  // A token stack name (e.g. a CfnParameter) is rendered the way cdk-nag renders it (`<LogicalId>`);
  // one it cannot name (other intrinsics) is left unacknowledged rather than used in an id.
  const name = Token.isUnresolved(stackName) ? nagRendering(role, stackName) : stackName;
  if (name !== undefined) {
    findings.push([
      `Resource::arn:<AWS::Partition>:cloudformation:${region}:${account}:stack/${name}/*`,
      `Stack '${name}' in ${region}: the trailing /* is the stack id CloudFormation generates at creation; the statement names exactly this stack.`,
    ]);
  }
  if (directDeploy) {
    findings.push(
      ['Action::cloudformation:DescribeStack*', 'Read-only DescribeStacks/DescribeStackEvents/DescribeStackResource(s) on the deployed stacks only, which the CloudFormation action polls.'],
      ['Action::cloudformation:GetTemplate*', 'Read-only GetTemplate/GetTemplateSummary on the deployed stacks only, which the CloudFormation action calls to deploy.'],
    );
  }
  const ids = acknowledgedIds(role);
  for (const [finding, reason] of findings) {
    const id = `AwsSolutions-IAM5[${finding}]`;
    if (ids.has(id)) continue;
    ids.add(id);
    acknowledge(role, id, reason);
  }
}

const ACKED = new WeakMap<object, Set<string>>();
function acknowledgedIds(role: iam.IRole): Set<string> {
  let ids = ACKED.get(role);
  if (!ids) {
    ids = new Set();
    ACKED.set(role, ids);
  }
  return ids;
}

/** How cdk-nag writes a token in a finding: `<LogicalId>` for a Ref, `<LogicalId.Attribute>` for a GetAtt; undefined otherwise. */
export function nagRendering(scope: IConstruct, token: string): string | undefined {
  const resolved = Stack.of(scope).resolve(token);
  if (resolved && typeof resolved.Ref === 'string') return `<${resolved.Ref}>`;
  const getAtt = resolved?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2) return `<${getAtt[0]}.${getAtt[1]}>`;
  return undefined;
}
