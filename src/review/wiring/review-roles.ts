import { createHash } from 'crypto';
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards, arnPattern } from '../../private/wildcard-allowances';

/**
 * The change-set review roles of one pipeline: one per target account other than the pipeline's, in
 * the stack of that account the pipeline owns (`<pipeline stack>-<path>-<account>`, the stack
 * CrossRegionCfnPipeline keeps its account roles in), which the pipeline stack depends on.
 *
 * A role may only `cloudformation:DescribeChangeSet` and `DescribeStacks` on this pipeline's stacks of
 * its account (`stack/<name>/*` in each region they deploy to), and only the review function's role
 * may assume it (the account of the pipeline, with `aws:PrincipalArn` equal to that role: a condition,
 * so that the stack deploys before the function's role exists). In the pipeline's own account the
 * function describes directly (see `ChangeSetReviewer`).
 */
export class ReviewRoles extends Construct {
  /** The review roles of the pipeline `owner` (the pipeline construct; kept in the tree as its child, which defines no resource). */
  public static of(owner: Construct, reviewerRole: iam.IRole): ReviewRoles {
    const found = owner.node.tryFindChild(ReviewRoles.ID);
    return found instanceof ReviewRoles ? found : new ReviewRoles(owner, reviewerRole);
  }

  private static readonly ID = 'ChangeSetReviewRoles';

  /**
   * The name of the review role, the same in every account (so the handler knows the role of an
   * account it finds in the pipeline: `arn:<partition>:iam::<account>:role/<name>`); unique per pipeline.
   */
  public readonly roleName: string;

  private readonly roles = new Map<string, { role: iam.Role; roleArn: string; describe: iam.PolicyStatement; arns: Set<string> }>();

  private constructor(private readonly owner: Construct, private readonly reviewerRole: iam.IRole) {
    super(owner, ReviewRoles.ID);
    const pipelineStack = Stack.of(owner);
    this.roleName = `cdp-review-${createHash('sha256').update(`${pipelineStack.stackName}/${owner.node.path}`).digest('hex').slice(0, 16)}`;
  }

  /** The roles defined so far, in the stacks of other accounts. */
  public get all(): iam.Role[] {
    return [...this.roles.values()].map((r) => r.role);
  }

  /**
   * The review role of `account` (not the pipeline's), allowed to describe `stackName` in `region` and its
   * nested stacks (`<stackName>-<NestedLogicalId>-<suffix>`): the role and its ARN.
   */
  public forStack(account: string, region: string, stackName: string): { role: iam.Role; roleArn: string } {
    const entry = this.roles.get(account) ?? this.define(account);
    for (const arn of stackArns(region, account, stackName)) {
      if (!entry.arns.has(arn)) {
        entry.arns.add(arn);
        entry.describe.addResources(arn);
      }
    }
    return { role: entry.role, roleArn: entry.roleArn };
  }

  private define(account: string) {
    const pipelineStack = Stack.of(this.owner);
    const app = pipelineStack.node.root as Construct;
    const relative = this.owner.node.scopes.slice(pipelineStack.node.scopes.length).map((c) => c.node.id).join('-');
    const stackId = `${pipelineStack.stackName}-${relative}-${account}`.replace(/[^A-Za-z0-9-]/g, '-');
    const stack = (app.node.tryFindChild(stackId) as Stack | undefined) ?? new Stack(app, stackId, {
      env: { account, region: pipelineStack.region },
      description: `Roles of pipeline ${this.owner.node.path} in account ${account}`,
    });
    pipelineStack.node.addDependency(stack);
    // One name in every account: the review action's UserParameters carry it once, whatever the number of accounts.
    const roleName = this.roleName;
    const role = new iam.Role(stack, 'ChangeSetReviewRole', {
      roleName,
      description: `Describes the change sets of the stacks pipeline ${this.owner.node.path} deploys in account ${account}, for its approval`,
      assumedBy: new iam.AccountPrincipal(pipelineStack.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': this.reviewerRole.roleArn } }),
    });
    const describe = new iam.PolicyStatement({ actions: ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks'] });
    role.addToPrincipalPolicy(describe);
    acknowledgeWildcards(role, [{
      onlyActions: ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks'],
      resourcePattern: () => arnPattern('cloudformation', NAMED_STACK, { account }),
      reason: `Read-only: describes the named stacks pipeline ${this.owner.node.path} deploys in this account and their change sets; \`/*\` is the stack id CloudFormation appends to the name, `
        + '`<name>-*` their nested stacks (named `<name>-<NestedLogicalId>-<suffix>`).',
    }]);
    const entry = { role, roleArn: `arn:${Aws.PARTITION}:iam::${account}:role/${roleName}`, describe, arns: new Set<string>() };
    this.roles.set(account, entry);
    return entry;
  }
}

/** The stack ARN patterns the review may describe for a stack: `stack/<name>/*` and its nested stacks, `stack/<name>-*`. */
export function stackArns(region: string, account: string, stackName: string): string[] {
  const base = `arn:${Aws.PARTITION}:cloudformation:${region}:${account}:stack/${stackName}`;
  return [`${base}/*`, `${base}-*`];
}

/** The resource pattern of the acknowledged describe statements (a stack name, then its id or a nested stack's rest). */
export const NAMED_STACK = 'stack/[A-Za-z][A-Za-z0-9-]*(/|-)\\*';
