import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, validationsApi } from './acknowledge';

/**
 * One kind of wildcard that aws-cdk-lib's own grants put in a policy, and why it is acceptable.
 *
 * A finding is acknowledged only when EVERY statement that produces it satisfies the allowance:
 * - an `action` allowance (e.g. `s3:GetObject*`) holds when all resources of those statements
 *   are among `resources`/`resource` or match `resourcePattern`;
 * - a `resource` allowance holds when the resource is one of `resource`/`resources` or matches
 *   the regular expression `resourcePattern`.
 *
 * Prefer values to patterns: give the very value the grant put in the policy (a token such as
 * `bucket.arnForObjects('*')`, or the `Stack.formatArn(...)` aws-cdk-lib uses). Both sides are
 * resolved in the policy's stack and rendered with cdk-nag's own flattening, so the
 * acknowledgment is the finding id whatever the feature flags (`arn:aws:` under
 * `@aws-cdk/core:enablePartitionLiterals`, `arn:<AWS::Partition>:` without) and whether the stack
 * has an environment (`<AWS::Region>`, `<AWS::AccountId>`) or not. Where only a pattern will do,
 * build it with `arnPattern` (one place that knows every rendering of partition, region, account).
 */
export interface WildcardAllowance {
  readonly action?: string;
  /** Resource values (tokens allowed), compared in cdk-nag's rendering. */
  readonly resources?: string[];
  /** One resource value (token allowed), compared in cdk-nag's rendering. */
  readonly resource?: string;
  /**
   * A pattern on cdk-nag's rendering of the resource; `flatten` renders a token of the policy's
   * stack. Build ARN patterns with `arnPattern`, never with a literal partition/region/account.
   */
  readonly resourcePattern?: (flatten: (token: unknown) => string) => RegExp;
  /**
   * Only for policies and roles whose construct path contains this (e.g. '/Prod/DeployEcs/':
   * the role of one action).
   */
  readonly onlyUnder?: string;
  /**
   * A whole finding id to acknowledge on roles (e.g. an `AwsSolutions-IAM4[Policy::...]`
   * managed policy that aws-cdk-lib attaches); use with `onlyUnder`.
   */
  readonly roleFinding?: string;
  /**
   * For a resource allowance: only when every statement naming the resource grants only these
   * actions (e.g. `Resource::*` for `kms:Decrypt` and nothing else).
   */
  readonly onlyActions?: string[];
  readonly reason: string;
}

/**
 * Acknowledge, on each IAM policy under `scope`, exactly the cdk-nag `AwsSolutions-IAM5`
 * findings that one of `allowances` explains. Any other wildcard still fails validation.
 * Runs as an aspect, once the policies are complete.
 */
export function acknowledgeWildcards(scope: IConstruct, allowances: WildcardAllowance[]): void {
  WildcardAllowances.of(scope).add(scope, allowances);
}

interface Entry {
  readonly scope: IConstruct;
  readonly allowance: WildcardAllowance;
}

/**
 * One per stack, found through the construct tree (as aws-cdk-lib's `SingletonPolicy.forRole`
 * keeps per-role state): the aspect that judges every policy of the stack against all
 * allowances whose scope holds it. The construct defines no resource.
 */
class WildcardAllowances extends Construct implements IAspect {
  public static of(scope: IConstruct): WildcardAllowances {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(WildcardAllowances.ID);
    return existing instanceof WildcardAllowances ? existing : new WildcardAllowances(stack, WildcardAllowances.ID);
  }

  private static readonly ID = 'CdkDeliveryPipelinesWildcardAllowances';

  private readonly entries: Entry[] = [];

  private constructor(stack: Stack, id: string) {
    super(stack, id);
    // cdk-nag v2 runs as an aspect and reads `cdk_nag` metadata: only then must the policies be judged as an
    // aspect too. With `Validations` (cdk-nag v3, validation plugins) the judgement after prepare is the one
    // that counts, and judging twice doubled this construct's share of synth time.
    if (!validationsApi()) Aspects.of(stack).add(this);
    this.node.addValidation({ validate: () => this.judgeAfterPrepare() });
  }

  public add(scope: IConstruct, allowances: WildcardAllowance[]): void {
    for (const allowance of allowances) this.entries.push({ scope, allowance });
  }

  private allowancesFor(node: IConstruct): WildcardAllowance[] {
    const path = node.node.path;
    return this.entries
      .filter((e) => e.scope.node.path === '' || path === e.scope.node.path || path.startsWith(`${e.scope.node.path}/`))
      .map((e) => e.allowance);
  }

  public visit(node: IConstruct): void {
    this.judge(node);
  }

  /**
   * Judge every IAM role and policy of the stack once more after aws-cdk-lib has resolved
   * cross-stack references (construct validation runs after `prepare`, before the validation
   * plugins): a resource of another stack is then an `Fn::ImportValue`, rendered by cdk-nag as the
   * export name, so the acknowledgment must be derived from that final form. The aspect above
   * covers cdk-nag v2, which runs as an aspect itself.
   */
  private judgeAfterPrepare(): string[] {
    for (const node of this.node.scope!.node.findAll()) {
      if (node instanceof iam.CfnRole || node instanceof iam.CfnPolicy) this.judge(node);
    }
    return [];
  }

  private judge(node: IConstruct): void {
    if (node instanceof iam.CfnRole) {
      for (const a of this.allowancesFor(node)) {
        if (a.roleFinding && a.onlyUnder && node.node.path.includes(a.onlyUnder)) {
          acknowledge(node, a.roleFinding, a.reason);
        }
      }
      return;
    }
    if (!(node instanceof iam.CfnPolicy)) return;
    const stack = Stack.of(node);
    const flatten = (token: unknown) => flattenCfnReference(stack.resolve(token));
    const doc = stack.resolve(node.policyDocument);
    const statements: any[] = (doc?.Statement ?? []).filter((s: any) => s.Effect === 'Allow');
    const reasons = new Map<string, string>();

    const applicable = this.allowancesFor(node).filter((a) => !a.roleFinding && (!a.onlyUnder || node.node.path.includes(a.onlyUnder)));

    // Actions: acknowledged when every resource of every statement using the action is covered
    // by some allowance for that action (several allowances may share an action: artifact
    // bucket and source bucket reads).
    const byAction = new Map<string, WildcardAllowance[]>();
    for (const a of applicable) {
      if (a.action) byAction.set(a.action, [...(byAction.get(a.action) ?? []), a]);
    }
    for (const [action, list] of byAction) {
      const users = statements.filter((st) => asArray(st.Action).includes(action));
      if (users.length === 0) continue;
      const matchers = list.map((a) => {
        const allowed = new Set([...(a.resources ?? []), ...(a.resource !== undefined ? [a.resource] : [])].map(flatten));
        const pattern = a.resourcePattern?.(flatten);
        return { a, ok: (r: string) => allowed.has(r) || (pattern?.test(r) ?? false) };
      });
      const used = new Set<string>();
      const covered = users.every((st) => asArray(st.Resource).every((r) => {
        const m = matchers.find((x) => x.ok(flattenCfnReference(r)));
        if (m) used.add(m.a.reason);
        return m !== undefined;
      }));
      if (covered) reasons.set(`Action::${action}`, [...used].join(' '));
    }

    // Resources: acknowledged when they render exactly as an allowance's value, or match its pattern.
    for (const allowance of applicable.filter((a) => !a.action)) {
      const exact = new Set([...(allowance.resource !== undefined ? [allowance.resource] : []), ...(allowance.resources ?? [])].map(flatten));
      const pattern = allowance.resourcePattern?.(flatten);
      const candidates = new Set<string>();
      for (const st of statements) {
        for (const r of asArray(st.Resource).map(flattenCfnReference)) {
          if (r.includes('*') && (exact.has(r) || pattern?.test(r))) candidates.add(r);
        }
      }
      for (const r of candidates) {
        const users = statements.filter((st) => asArray(st.Resource).map(flattenCfnReference).includes(r));
        const actionsOk = !allowance.onlyActions || users.every((st) => asArray(st.Action).every((a) => allowance.onlyActions!.includes(a)));
        if (actionsOk) reasons.set(`Resource::${r}`, allowance.reason);
      }
    }
    for (const [finding, reason] of reasons) {
      acknowledge(node, `AwsSolutions-IAM5[${finding}]`, reason);
    }
  }
}


function asArray(x: unknown): any[] {
  if (x === undefined) return [];
  return Array.isArray(x) ? x : [x];
}

/** Escape a string for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One field of an ARN (partition, region, account) as cdk-nag renders it: a literal (`aws`,
 * `aws-cn`, `eu-west-1`, `111111111111`, empty), a pseudo parameter or other reference
 * (`<AWS::Partition>`, `<AWS::Region>`, `<AWS::AccountId>`, `<Param>`, which contain `::`), or a
 * concatenation of them. Never `[^:]+`: it cannot match `<AWS::Region>`.
 */
export const ARN_FIELD = '(?:<[^<>]*>|[^:<>])*';

/** Where an `arnPattern` may match. */
export interface ArnPatternOptions {
  /** Region of the ARN, a literal or a token (rendered in `flatten`). Default: any rendering. */
  readonly region?: string;
  /** Account of the ARN, a literal or a token. Default: any rendering. */
  readonly account?: string;
}

/**
 * A regular expression for cdk-nag's rendering of `arn:<partition>:<service>:<region>:<account>:<resource>`,
 * whatever the partition is written as (`aws`, `aws-cn`, `<AWS::Partition>`), and the region and
 * account unless given. `resource` is a regular expression source (escape literals with
 * `escapeRegExp`).
 */
export function arnPattern(service: string, resource: string, options: ArnPatternOptions = {}, flatten?: (token: unknown) => string): RegExp {
  const field = (v: string | undefined) => (v === undefined ? ARN_FIELD : escapeRegExp(flatten ? flatten(v) : v));
  return new RegExp(`^arn:${ARN_FIELD}:${escapeRegExp(service)}:${field(options.region)}:${field(options.account)}:${resource}$`);
}

/** cdk-nag's flattened form of a CloudFormation value (`<Logical.Arn>`, `<AWS::Partition>`). */
export function flattenCfnReference(reference: unknown): string {
  const visit = (node: any): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
    if (node['Fn::Join']) {
      const [delimiter, items] = node['Fn::Join'];
      return items.map(visit).join(delimiter);
    }
    if (node['Fn::Sub']) return visit(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [resource, attribute] = node['Fn::GetAtt'];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return visit(node['Fn::ImportValue']);
    if (node.Ref) return `<${visit(node.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(reference);
}

/** Reasons shared by the pipelines of this library. */
export const REASONS = {
  artifactObjects:
    'aws-cdk-lib grants pipeline roles and CodeBuild projects read/write on the pipeline artifact bucket only (Bucket.grantRead/grantReadWrite); ' +
    'CodePipeline writes each artifact under a key generated per execution, so object-level access is scoped to this one bucket and cannot name objects in advance.',
  artifactKey:
    'aws-cdk-lib grants encrypt/decrypt on the artifact bucket key only (Key.grantEncryptDecrypt): GenerateDataKey* and ReEncrypt* are the data-key operations S3 needs for SSE-KMS on that one key.',
  codeBuildLogs:
    'CodeBuild creates one log stream per build inside this project\'s own log group /aws/codebuild/<project>; the wildcard covers only that group\'s streams.',
  codeBuildReports:
    'CodeBuild report groups of this project are named <project>-<report>; the wildcard covers only this project\'s report groups (aws-cdk-lib default).',
};
