import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ArtifactStores, RegionalArtifactStore } from './artifact-stores';
import { StoreScope } from './private/store-scope';
import { acknowledge as acknowledgeOn } from '../private/acknowledge';
import { acknowledgeWildcards } from '../private/wildcard-allowances';

const READ = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:GetBucketVersioning', 's3:ListBucket'];
const WRITE = ['s3:PutObject', 's3:PutObjectAcl'];
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

const ACCESS_ID = 'ArtifactStoreAccess';

/**
 * What one principal has been granted on the artifact stores: the statements (extended in place
 * as more regions and write access are granted) and the findings acknowledged on its policy.
 * Kept in the construct tree as a child of the principal, found again by its id, the way
 * aws-codepipeline-actions keeps its `SingletonPolicy` per role.
 */
class PrincipalAccess extends Construct {
  /** The access record of `principal`; a fresh, unshared one when the principal is no construct. */
  public static of(principal: iam.IPrincipal): PrincipalAccess {
    if (!Construct.isConstruct(principal)) return new PrincipalAccess(undefined as unknown as Construct, ACCESS_ID);
    const found = principal.node.tryFindChild(ACCESS_ID);
    return found instanceof PrincipalAccess ? found : new PrincipalAccess(principal, ACCESS_ID);
  }

  public readonly statements = new Map<string, iam.PolicyStatement>();
  public readonly acknowledged = new Set<string>();
  /** The policy our statements landed in (a role's DefaultPolicy), when it is a construct. */
  public policy?: IConstruct;
  /** Whether the principal's policy refused our statements (an immutable role, e.g. a CDK bootstrap role). */
  public refused = false;
}

/**
 * Grants on the artifact stores, merged per principal: one S3 statement and one KMS
 * statement for all the regions of one `ArtifactStores` (a bucket-name pattern pinned to the
 * stores' account, and `key/*` pinned by `kms:ResourceAliases`), so a role's policy stays the
 * same size whether the pipeline deploys to 3 regions or 30 (IAM's 10,240-byte limit).
 * Buckets and keys passed in by the user are granted by their exact ARN.
 */
export function grantStoreAccess(stores: ArtifactStores, store: RegionalArtifactStore, grantee: iam.IGrantable, write: boolean): iam.Grant {
  const principal = grantee.grantPrincipal;
  const access = PrincipalAccess.of(principal);
  const defined = StoreScope.definedByStores(store.bucket);
  const partition = Aws.PARTITION;
  if (defined) {
    const s3Stmt = statement(access, principal, 'pattern-s3', () => new iam.PolicyStatement({
      sid: 'ArtifactStores',
      actions: [...READ],
      resources: [`arn:${partition}:s3:::${stores.bucketNamePattern}`, `arn:${partition}:s3:::${stores.bucketNamePattern}/*`],
      conditions: { StringEquals: { 's3:ResourceAccount': stores.account } },
    }));
    if (write) addActions(s3Stmt, WRITE);
    acknowledge(access, principal, `Resource::arn:<AWS::Partition>:s3:::${stores.bucketNamePattern}`,
      `Artifact stores of ArtifactStores '${stores.node.path}': the only buckets named ${stores.bucketNamePattern} (one per region), pinned to account ${stores.account} by s3:ResourceAccount; one statement for all regions keeps the policy under IAM's size limit.`);
    acknowledge(access, principal, `Resource::arn:<AWS::Partition>:s3:::${stores.bucketNamePattern}/*`,
      `Pipeline artifacts are objects with generated keys in the artifact stores of ArtifactStores '${stores.node.path}' (buckets ${stores.bucketNamePattern}, account ${stores.account}).`);
  } else {
    const s3Stmt = statement(access, principal, `bucket-${store.region}`, () => new iam.PolicyStatement({
      actions: [...READ],
      resources: [store.bucket.bucketArn, store.bucket.arnForObjects('*')],
    }));
    if (write) addActions(s3Stmt, WRITE);
    // Judged in the stack holding the policy once the app is prepared: a bucket of another stack is
    // an `Fn::ImportValue` there, which cdk-nag renders as the export name, not as `<BucketA1B2.Arn>/*`.
    acknowledgeBucketObjects(access, principal, store.bucket);
  }
  if (store.encryptionKey) {
    if (StoreScope.definedByStores(store.encryptionKey)) {
      const kmsStmt = statement(access, principal, 'pattern-kms', () => new iam.PolicyStatement({
        sid: 'ArtifactStoresKeys',
        actions: [...KMS_READ],
        resources: [`arn:${partition}:kms:*:${stores.account}:key/*`],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': stores.keyAliasName } },
      }));
      if (write) addActions(kmsStmt, KMS_WRITE);
      acknowledge(access, principal, `Resource::arn:<AWS::Partition>:kms:*:${stores.account}:key/*`,
        `Only the artifact keys of ArtifactStores '${stores.node.path}': the kms:ResourceAliases condition pins the statement to keys aliased ${stores.keyAliasName}; their ARNs are not known in the pipeline's region.`);
    } else {
      const kmsStmt = statement(access, principal, `key-${store.region}`, () => new iam.PolicyStatement({
        actions: [...KMS_READ],
        resources: [store.encryptionKey!.keyArn],
      }));
      if (write) addActions(kmsStmt, KMS_WRITE);
    }
    if (write) {
      acknowledge(access, principal, 'Action::kms:ReEncrypt*', 'CodePipeline and S3 re-encrypt artifacts with the artifact store key; only that key is in the statement.');
      acknowledge(access, principal, 'Action::kms:GenerateDataKey*', 'S3 generates data keys with the artifact store key to encrypt artifacts; only that key is in the statement.');
    }
  }
  // A role of another (trusted) account also needs the bucket and key policies to name it; so
  // does a role of the stores' account whose own policy we cannot extend.
  if (isRole(principal)) stores._trustRole(store.region, principal, write, access.refused);
  return iam.Grant.drop(grantee, 'artifact store access is granted by grantStoreAccess');
}

function isRole(principal: iam.IPrincipal): principal is iam.IRole {
  return Construct.isConstruct(principal) && 'roleArn' in principal && 'env' in principal;
}

function statement(access: PrincipalAccess, principal: iam.IPrincipal, key: string, make: () => iam.PolicyStatement): iam.PolicyStatement {
  let stmt = access.statements.get(key);
  if (!stmt) {
    stmt = make();
    access.statements.set(key, stmt);
    const added = principal.addToPrincipalPolicy(stmt);
    if (added.policyDependable && Construct.isConstruct(added.policyDependable)) access.policy = added.policyDependable;
    if (!added.statementAdded) access.refused = true;
  }
  return stmt;
}

function addActions(stmt: iam.PolicyStatement, actions: string[]) {
  const missing = actions.filter((a) => !stmt.actions.includes(a));
  if (missing.length > 0) stmt.addActions(...missing);
}

function acknowledge(access: PrincipalAccess, principal: iam.IPrincipal, finding: string, reason: string) {
  if (access.acknowledged.has(finding)) return;
  access.acknowledged.add(finding);
  // On the policy that holds our statements, not on the whole principal (its other policies).
  const target = access.policy ?? principalConstruct(principal);
  if (target) acknowledgeOn(target, `AwsSolutions-IAM5[${finding}]`, reason);
}

function acknowledgeBucketObjects(access: PrincipalAccess, principal: iam.IPrincipal, bucket: s3.IBucket) {
  const key = `objects:${bucket.node.path}`;
  if (access.acknowledged.has(key)) return;
  access.acknowledged.add(key);
  // On the policy that holds our statements (as `acknowledge` above), not on the whole principal.
  const target = access.policy ?? principalConstruct(principal);
  if (target) {
    acknowledgeWildcards(target, [{ resource: bucket.arnForObjects('*'), reason: 'Pipeline artifacts are objects with generated keys in this artifact bucket.' }]);
  }
}

function principalConstruct(principal: iam.IPrincipal): IConstruct | undefined {
  return Construct.isConstruct(principal) ? principal : undefined;
}

/**
 * A reference to one regional store, defined in the pipeline's own scope (no cross-stack
 * or cross-region export), whose grants go through `grantStoreAccess`. This is what the
 * aws-codepipeline Pipeline receives as `crossRegionReplicationBuckets`. `encryptionKey`
 * replaces the reference to the store's key (e.g. `storeKeyReference`, for constructs that
 * grant themselves the bucket's key).
 */
export function storeReference(scope: Construct, id: string, stores: ArtifactStores, store: RegionalArtifactStore,
  encryptionKey?: kms.IKey): s3.IBucket {
  encryptionKey ??= store.encryptionKeyId
    ? kms.Key.fromKeyArn(scope, `${id}Key`, store.encryptionKeyId)
    : undefined;
  const ref = s3.Bucket.fromBucketAttributes(scope, id, {
    bucketName: store.bucketName,
    region: store.region,
    account: stores.account,
    encryptionKey,
  });
  const grant = (write: boolean) => (identity: iam.IGrantable) => grantStoreAccess(stores, store, identity, write);
  Object.assign(ref, {
    grantRead: grant(false),
    grantWrite: grant(true),
    grantReadWrite: grant(true),
    grantPut: grant(true),
    grantPutAcl: grant(true),
  });
  return ref;
}

/**
 * A reference to the key of one regional store, for a CodeBuild project's `EncryptionKey`
 * (undefined without a key). The stores' own keys are known here by their ALIAS ARN (the key
 * ARN is in another stack): that is what CodeBuild needs, but IAM does not authorize key use
 * through an alias ARN, so the project's usual grant on it would be a dead statement. The
 * project's real key access is what its CodeBuild action grants on the artifact bucket (read,
 * and write with outputs), through the stores' kms:ResourceAliases-conditioned statement.
 */
export function storeKeyReference(scope: Construct, id: string, store: RegionalArtifactStore): kms.IKey | undefined {
  if (!store.encryptionKeyId) return undefined;
  const key = kms.Key.fromKeyArn(scope, id, store.encryptionKeyId);
  if (store.encryptionKey && StoreScope.definedByStores(store.encryptionKey)) {
    Object.assign(key, { grantEncryptDecrypt: (grantee: iam.IGrantable) => iam.Grant.drop(grantee, 'key access comes from the artifact bucket grants') });
  }
  return key;
}
