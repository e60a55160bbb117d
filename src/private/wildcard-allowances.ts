import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';

/**
 * One kind of wildcard that aws-cdk-lib's own grants put in a policy, and why it is acceptable.
 *
 * A finding is acknowledged only when EVERY statement that produces it satisfies the allowance:
 * - an `action` allowance (e.g. `s3:GetObject*`) holds when all resources of those statements
 *   are among `resources` (tokens, compared in cdk-nag's flattened form) or match `resourcePattern`;
 * - a `resource` allowance holds when the flattened resource matches `resource` exactly
 *   (a token such as `bucket.arnForObjects('*')`) or the regular expression `resourcePattern`.
 */
export interface WildcardAllowance {
  readonly action?: string;
  readonly resources?: string[];
  readonly resource?: string;
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
  const root = scope.node.root;
  let entries = REGISTRY.get(root);
  if (!entries) {
    entries = [];
    REGISTRY.set(root, entries);
    Aspects.of(root).add(new AcknowledgeWildcards(entries));
  }
  for (const allowance of allowances) entries.push({ scope, allowance });
}

interface Entry {
  readonly scope: IConstruct;
  readonly allowance: WildcardAllowance;
}

/** One aspect per app judges every policy against all allowances whose scope holds it. */
const REGISTRY = new WeakMap<IConstruct, Entry[]>();

class AcknowledgeWildcards implements IAspect {
  constructor(private readonly entries: Entry[]) {}

  private allowancesFor(node: IConstruct): WildcardAllowance[] {
    const path = node.node.path;
    return this.entries
      .filter((e) => e.scope.node.path === '' || path === e.scope.node.path || path.startsWith(`${e.scope.node.path}/`))
      .map((e) => e.allowance);
  }

  public visit(node: IConstruct): void {
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
        const allowed = new Set((a.resources ?? []).map(flatten));
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

    // Resources: acknowledged when they match an allowance exactly or by pattern.
    for (const allowance of applicable.filter((a) => !a.action)) {
      const exact = allowance.resource !== undefined ? flatten(allowance.resource) : undefined;
      const pattern = allowance.resourcePattern?.(flatten);
      const candidates = new Set<string>();
      for (const st of statements) {
        for (const r of asArray(st.Resource).map(flattenCfnReference)) {
          if (r.includes('*') && (r === exact || pattern?.test(r))) candidates.add(r);
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
