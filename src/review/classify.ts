/**
 * The change-set classifier: DescribeChangeSet responses (IncludePropertyValues, all pages merged, nested
 * change sets as their own entries) in, a `ReviewSummary` out. Pure: no AWS calls, no clock, no I/O.
 *
 * Rules (docs/change-set-review.md repeats them for users):
 * - Add is "added"; Remove is "removed"; Modify, Import and Dynamic are "modified".
 * - A replacement is a Modify whose `Replacement` is `True` or `Conditional`.
 * - Stateful: the resource types in `STATEFUL_TYPES` (they hold data that a replacement or removal loses).
 * - Security-relevant: the types in `SECURITY_TYPES`, and the types in `SECURITY_PROPERTIES` when one of the
 *   listed properties changes (or is set, on Add/Remove).
 * - Broadening (see broadening.ts): the after values grant what the before values did not.
 * - A FAILED change set whose reason says it "didn't contain changes" / "No updates are to be performed" is empty.
 * - A nested stack's own `AWS::CloudFormation::Stack` change is not counted when its nested change set was
 *   described: its resources are, under `Parent/NestedLogicalId`.
 */
// The types only (erased at compile time); the handler and the CLI bundle the client.
// eslint-disable-next-line import/no-extraneous-dependencies
import type { DescribeChangeSetOutput, ResourceChange } from '@aws-sdk/client-cloudformation';
import { broadeningOf, parseContext } from './broadening';

/** Where a change set is: the part of the handler's input that names it. */
export interface ChangeSetRef {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly changeSetName: string;
  /** The role in the target account that may describe it (STS AssumeRole). */
  readonly roleArn?: string;
}

/** One described change set: the root one of a stack, or a nested one (then `stackPath` names it). */
export interface DescribedChangeSet {
  readonly ref: ChangeSetRef;
  /** `Parent/Nested` for a nested stack's change set; the stack name otherwise. */
  readonly stackPath: string;
  /** Every page merged: the first page's fields, `Changes` of all pages. */
  readonly response: DescribeChangeSetOutput;
}

export type ChangeKind = 'added' | 'modified' | 'removed';

/** One resource change, classified. */
export interface ResourceReview {
  readonly account: string;
  readonly region: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly type: string;
  readonly action: string;
  readonly kind: ChangeKind;
  /** `True` or `Conditional` when the change replaces the resource. */
  readonly replacement?: 'True' | 'Conditional';
  /** CloudFormation's `PolicyAction` (Delete, Retain, Snapshot, ReplaceAndDelete...), when given. */
  readonly policyAction?: string;
  readonly stateful: boolean;
  readonly security: boolean;
  /** Why the change widens access (empty when it does not). */
  readonly broadening: string[];
  /** Top-level properties that change (Modify). */
  readonly properties: string[];
}

export interface ReviewCounts {
  readonly total: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly replacements: number;
  readonly statefulReplacements: number;
  readonly securityChanges: number;
  readonly broadening: number;
}

export interface ChangeSetReview {
  readonly ref: ChangeSetRef;
  readonly stackPath: string;
  /** True when CloudFormation found nothing to change. */
  readonly empty: boolean;
  readonly resources: ResourceReview[];
}

export interface ReviewSummary {
  readonly counts: ReviewCounts;
  /** Per described change set, in input order (nested ones after their parent). */
  readonly changeSets: ChangeSetReview[];
  /** Every resource change, the ones that matter most first (see `riskOf`). */
  readonly resources: ResourceReview[];
}

/**
 * Resource types that hold data or identity a replacement or removal would lose. Queues and streams are
 * included: messages and records in flight are lost with them.
 */
export const STATEFUL_TYPES: readonly string[] = [
  'AWS::S3::Bucket', 'AWS::S3Express::DirectoryBucket',
  'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable',
  'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::Neptune::DBCluster', 'AWS::Neptune::DBInstance',
  'AWS::DocDB::DBCluster', 'AWS::DocDB::DBInstance', 'AWS::Redshift::Cluster', 'AWS::Timestream::Table',
  'AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::MemoryDB::Cluster',
  'AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain',
  'AWS::EFS::FileSystem', 'AWS::FSx::FileSystem', 'AWS::EC2::Volume', 'AWS::Backup::BackupVault',
  'AWS::KMS::Key', 'AWS::SecretsManager::Secret',
  'AWS::Logs::LogGroup', 'AWS::Cognito::UserPool', 'AWS::Cognito::IdentityPool',
  'AWS::SQS::Queue', 'AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::MSK::Cluster',
  'AWS::ECR::Repository', 'AWS::CodeCommit::Repository',
];

/** Resource types whose every change is security-relevant (identities, permissions, resource policies, network rules). */
export const SECURITY_TYPES: readonly string[] = [
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::User',
  'AWS::IAM::UserPolicy', 'AWS::IAM::Group', 'AWS::IAM::GroupPolicy', 'AWS::IAM::UserToGroupAddition',
  'AWS::IAM::AccessKey', 'AWS::IAM::InstanceProfile', 'AWS::IAM::OIDCProvider', 'AWS::IAM::SAMLProvider',
  'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SNS::TopicInlinePolicy', 'AWS::SQS::QueuePolicy',
  'AWS::SQS::QueueInlinePolicy', 'AWS::Lambda::Permission', 'AWS::Lambda::LayerVersionPermission',
  'AWS::SecretsManager::ResourcePolicy', 'AWS::Events::EventBusPolicy', 'AWS::Logs::ResourcePolicy',
  'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::NetworkAclEntry',
];

/** Types that are security-relevant only when these properties change: their resource policies and public access. */
export const SECURITY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::KMS::Key': ['KeyPolicy'],
  'AWS::S3::Bucket': ['PublicAccessBlockConfiguration', 'OwnershipControls'],
  'AWS::ECR::Repository': ['RepositoryPolicyText'],
  'AWS::Lambda::Url': ['AuthType'],
  'AWS::ApiGateway::RestApi': ['Policy'],
  'AWS::SecretsManager::Secret': ['KmsKeyId'],
};

const EMPTY_REASON = /didn't contain changes|No updates are to be performed/i;

/** True when the change set is CloudFormation's "nothing to change" (FAILED, but a normal result). */
export function isEmptyChangeSet(r: Pick<DescribeChangeSetOutput, 'Status' | 'StatusReason'>): boolean {
  return r.Status === 'FAILED' && EMPTY_REASON.test(r.StatusReason ?? '');
}

/**
 * Classify described change sets. Throws (naming account, region and stack) for a change set that is not
 * CREATE_COMPLETE and not empty: the review cannot say what it would do.
 */
export function classify(described: readonly DescribedChangeSet[]): ReviewSummary {
  const nestedIds = new Set(described.map((d) => d.response.ChangeSetId).filter((id): id is string => !!id));
  const changeSets = described.map((d): ChangeSetReview => {
    const r = d.response;
    const where = `change set '${d.ref.changeSetName}' of stack '${d.stackPath}' (account ${d.ref.account}, ${d.ref.region})`;
    if (isEmptyChangeSet(r)) return { ref: d.ref, stackPath: d.stackPath, empty: true, resources: [] };
    if (r.Status !== 'CREATE_COMPLETE') {
      throw new Error(`${where} is ${r.Status ?? 'of unknown status'}${r.StatusReason ? `: ${r.StatusReason}` : ''}; the review needs it CREATE_COMPLETE.`);
    }
    const resources = (r.Changes ?? [])
      .map((c) => c.ResourceChange)
      .filter((c): c is ResourceChange => !!c)
      .filter((c) => !(c.ResourceType === 'AWS::CloudFormation::Stack' && c.ChangeSetId && nestedIds.has(c.ChangeSetId)))
      .map((c) => classifyResource(c, d));
    return { ref: d.ref, stackPath: d.stackPath, empty: resources.length === 0, resources };
  });
  const all = changeSets.flatMap((c) => c.resources);
  const count = (f: (r: ResourceReview) => boolean) => all.filter(f).length;
  return {
    counts: {
      total: all.length,
      added: count((r) => r.kind === 'added'),
      modified: count((r) => r.kind === 'modified'),
      removed: count((r) => r.kind === 'removed'),
      replacements: count((r) => !!r.replacement),
      statefulReplacements: count((r) => !!r.replacement && r.stateful),
      securityChanges: count((r) => r.security),
      broadening: count((r) => r.broadening.length > 0),
    },
    changeSets,
    resources: [...all].sort((a, b) => riskOf(b) - riskOf(a)),
  };
}

/** Higher first in summaries: stateful replacement, broadening, stateful removal, replacement, security, removal, rest. */
export function riskOf(r: ResourceReview): number {
  if (r.replacement && r.stateful) return 70;
  if (r.broadening.length) return 60;
  if (r.kind === 'removed' && r.stateful) return 50;
  if (r.replacement) return 40;
  if (r.security) return 30;
  if (r.kind === 'removed') return 20;
  if (r.kind === 'modified') return 10;
  return 0;
}

function classifyResource(c: ResourceChange, d: DescribedChangeSet): ResourceReview {
  const type = c.ResourceType ?? 'unknown';
  const action = c.Action ?? 'Modify';
  const kind: ChangeKind = action === 'Add' ? 'added' : action === 'Remove' ? 'removed' : 'modified';
  const before = parseContext(c.BeforeContext) ?? fromDetails(c, 'BeforeValue');
  const after = parseContext(c.AfterContext) ?? fromDetails(c, 'AfterValue');
  const properties = [...new Set((c.Details ?? [])
    .map((x) => x.Target)
    .filter((t) => t?.Attribute === 'Properties' && t.Name)
    .map((t) => t!.Name!.split('.')[0]))].sort();
  const replacement = kind === 'modified' && (c.Replacement === 'True' || c.Replacement === 'Conditional') ? c.Replacement : undefined;
  const watched = SECURITY_PROPERTIES[type] ?? [];
  const touched = kind === 'modified'
    ? properties.some((p) => watched.includes(p)) || watched.some((p) => JSON.stringify(before?.[p]) !== JSON.stringify(after?.[p]))
    : watched.some((p) => (before ?? after)?.[p] !== undefined);
  const security = SECURITY_TYPES.includes(type) || touched;
  return {
    account: d.ref.account,
    region: d.ref.region,
    stack: d.stackPath,
    logicalId: c.LogicalResourceId ?? '?',
    physicalId: c.PhysicalResourceId || undefined,
    type,
    action,
    kind,
    replacement,
    policyAction: c.PolicyAction,
    stateful: STATEFUL_TYPES.includes(type),
    security,
    broadening: security && kind !== 'removed' ? broadeningOf(type, before, after) : [],
    properties,
  };
}

/** Without contexts, the top-level property values the details carry (`/Properties/Name`), JSON parsed where they are JSON. */
function fromDetails(c: ResourceChange, side: 'BeforeValue' | 'AfterValue'): Record<string, any> | undefined {
  const props: Record<string, any> = {};
  for (const t of (c.Details ?? []).map((x) => x.Target)) {
    const value = t?.[side];
    if (!t?.Path || value === undefined || !/^\/Properties\/[^/]+$/.test(t.Path)) continue;
    try {
      props[t.Path.split('/')[2]] = JSON.parse(value);
    } catch {
      props[t.Path.split('/')[2]] = value; // a plain string value
    }
  }
  return Object.keys(props).length ? props : undefined;
}
