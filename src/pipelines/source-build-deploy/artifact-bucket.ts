import { Duration, Names, PhysicalName, RemovalPolicy, Stack, Stage as CdkStage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ArtifactStorePlan } from './plan';
import { artifactBucketAllowances } from '../../build/private/build-step';
import { DeployTarget } from '../../deploy/deploy-target';
import { bucketEventsToEventBridge, defineAccessLogBucket } from '../../private/access-logs';
import { acknowledge } from '../../private/acknowledge';
import { policyStatements } from '../../private/cdk-internals';
import { fail } from '../../private/errors';
import { allowGrantsOnlyForAwsResources } from '../../private/kms';
import { acknowledgeWildcards, arnPattern, WildcardAllowance } from '../../private/wildcard-allowances';

/**
 * The artifact stores of a `SourceBuildDeployPipeline`: the bucket it defines (or the caller's),
 * and what it adjusts and acknowledges on the stores and roles aws-cdk-lib defines in its support
 * stacks for targets in other accounts and regions.
 */

/** The caller's bucket, or one defined in `scope`: KMS-encrypted with a key of its own when a target is in another account. */
export function defineArtifactBucket(scope: Construct, me: string, store: ArtifactStorePlan): s3.IBucket {
  const crossAccountTargets = store.kmsNeededBy;
  const crossAccount = crossAccountTargets.length > 0;
  if (store.given) {
    if (crossAccount && !store.given.encryptionKey) {
      fail(me, `a target deploys to account ${crossAccountTargets[0].account} but the given artifactBucket has no KMS key; ` +
        'the AWS managed S3 key cannot be shared across accounts: pass a bucket encrypted with a customer-managed key, or leave artifactBucket out.');
    }
    return store.given;
  }
  const key = store.encryptionKey ?? (crossAccount
    ? new kms.Key(scope, 'ArtifactKey', {
      description: `Artifacts of pipeline ${scope.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    : undefined);
  if (key instanceof kms.Key && !store.encryptionKey) allowGrantsOnlyForAwsResources(key);
  const logs = defineAccessLogBucket(scope, 'AccessLogs', {
    removalPolicy: RemovalPolicy.RETAIN,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, // delivery through the bucket policy below
  });
  const bucket = new s3.Bucket(scope, 'ArtifactBucket', {
    // Named only when another account's stack refers to it (a cross-account target).
    bucketName: PhysicalName.GENERATE_IF_NEEDED,
    encryption: key ? s3.BucketEncryption.KMS : s3.BucketEncryption.KMS_MANAGED,
    encryptionKey: key,
    bucketKeyEnabled: key ? true : undefined,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Versioned (Control Tower CT.S3.PR.11, with lifecycle CT.S3.PR.3): an overwritten or expired artifact stays
    // recoverable for a day, then its noncurrent version and delete marker go too.
    versioned: true,
    lifecycleRules: [{
      expiration: store.expiration,
      noncurrentVersionExpiration: Duration.days(1),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }, {
      expiredObjectDeleteMarker: true,
    }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  bucketEventsToEventBridge(bucket);
  acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'Object Lock (CT.S3.PR.9) cannot be turned off once on, and pipeline artifacts are transient: they expire after artifactExpiration. '
    + 'An account that enables CT.S3.PR.9 fails the deployment of this bucket: pass artifactBucket, a bucket of your own with Object Lock.');
  // Server access logging through a bucket policy (not the legacy log-delivery ACL), whatever
  // the app's @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy flag says.
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: logs.bucketName,
    logFilePrefix: 'artifacts/',
  };
  logs.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogsPolicy',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logs.arnForObjects('artifacts/*')],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  return bucket;
}

/**
 * aws-cdk-lib puts the roles of cross-account actions in a support stack per account
 * ('cross-account-support-stack-<account>'). Acknowledge there, on this pipeline's roles only,
 * the wildcards its grants cause (artifact reads, the artifact key, the target stack).
 */
export function acknowledgeCrossAccountSupport(scope: Construct, pipeline: codepipeline.Pipeline, artifactBucket: s3.IBucket,
  targets: DeployTarget[]): void {
  const stage = CdkStage.of(scope);
  if (!stage) return;
  const onlyUnder = `/${Names.uniqueId(pipeline)}-`;
  for (const account of new Set(targets.map((t) => t.account!))) {
    const support = stage.node.tryFindChild(`cross-account-support-stack-${account}`);
    if (!support) continue;
    const stackArn = arnPattern('cloudformation', 'stack/[A-Za-z][A-Za-z0-9-]*/\\*', { account });
    const stackReason = 'CloudFormation stack ARNs end in an id generated at creation: the wildcard covers only the named stack of this action, '
      + 'and DescribeStack*/GetTemplate* are read-only action groups on it (aws-cdk-lib CloudFormation action grants).';
    const keyAccounts = narrowCrossAccountKeyGrants(pipeline, artifactBucket, support, onlyUnder);
    const allowances: WildcardAllowance[] = [
      ...artifactBucketAllowances(artifactBucket),
      {
        resource: '*',
        onlyActions: ['kms:Decrypt', 'kms:DescribeKey'],
        reason: 'The artifact keys live in the pipeline account and have no physical name, so aws-cdk-lib cannot name them in a policy of another '
          + 'account and grants kms:Decrypt/DescribeKey on "*" here. '
          + (keyAccounts ? `The statement holds only for keys owned by account ${keyAccounts.join(', ')} (condition aws:ResourceAccount), and `
            : 'The artifact key\'s account is not known at synth, so the statement is not narrowed further; ')
          + 'the key policy of each artifact key decides which roles of this account may use it.',
      },
      { action: 'cloudformation:DescribeStack*', resourcePattern: () => stackArn, reason: stackReason },
      { action: 'cloudformation:GetTemplate*', resourcePattern: () => stackArn, reason: stackReason },
      { resourcePattern: () => stackArn, reason: stackReason },
    ];
    // Replication buckets in other regions: the action and deployment roles read their artifacts there.
    for (const replication of Object.values(pipeline.crossRegionSupport)) {
      if (replication.replicationBucket !== artifactBucket) allowances.push(...artifactBucketAllowances(replication.replicationBucket));
    }
    acknowledgeWildcards(support, allowances.map((a) => ({ ...a, onlyUnder })));
  }
}

/**
 * aws-cdk-lib grants the roles it defines in a target account's support stack (action and deployment
 * roles) kms:Decrypt/DescribeKey on "*": the artifact keys are in another account and have no name an
 * IAM policy can hold. Hold those statements to keys of the accounts owning the artifact stores
 * (`aws:ResourceAccount`; the replication keys are in the pipeline account too). Returns those accounts,
 * or undefined when one is a token (then the statements stay as aws-cdk-lib wrote them).
 */
function narrowCrossAccountKeyGrants(pipeline: codepipeline.Pipeline, artifactBucket: s3.IBucket, support: IConstruct,
  onlyUnder: string): string[] | undefined {
  const keys = [artifactBucket, ...Object.values(pipeline.crossRegionSupport).map((r) => r.replicationBucket)]
    .map((b) => b.encryptionKey).filter((k): k is kms.IKey => k !== undefined);
  const accounts = [...new Set(keys.map((k) => k.env.account))].sort();
  if (accounts.length === 0 || accounts.some((a) => Token.isUnresolved(a))) return undefined;
  for (const policy of support.node.findAll()) {
    if (!(policy instanceof iam.Policy) || !policy.node.path.includes(onlyUnder)) continue;
    const statements = policyStatements(policy.document)
      .filter((st) => st.effect === iam.Effect.ALLOW && st.resources.length === 1 && st.resources[0] === '*' && !st.frozen
        && st.actions.length > 0 && st.actions.every((a) => a === 'kms:Decrypt' || a === 'kms:DescribeKey') && Object.keys(st.conditions ?? {}).length === 0);
    for (const st of statements) st.addCondition('StringEquals', { 'aws:ResourceAccount': accounts.length === 1 ? accounts[0] : accounts });
  }
  return accounts;
}

/**
 * A target in another region: aws-cdk-lib defines a replication bucket in a support stack of
 * that region. Acknowledge the grants on it (like those on the artifact bucket) and its
 * missing access logs.
 */
export function acknowledgeCrossRegionSupport(scope: Construct, pipeline: codepipeline.Pipeline, artifactBucket: s3.IBucket,
  expiration: Duration): void {
  const aliases: string[] = [];
  for (const support of Object.values(pipeline.crossRegionSupport)) {
    const bucket = support.replicationBucket;
    if (bucket === artifactBucket) continue;
    acknowledgeWildcards(scope, artifactBucketAllowances(bucket));
    if (bucket.encryptionKey instanceof kms.Alias) {
      aliases.push(bucket.encryptionKey.aliasName);
      if (bucket.encryptionKey.aliasTargetKey instanceof kms.Key) allowGrantsOnlyForAwsResources(bucket.encryptionKey.aliasTargetKey);
    }
    // What costs nothing on aws-cdk-lib's replication bucket, as on the artifact bucket: versioning,
    // expiry of artifacts and of their noncurrent versions, events to EventBridge.
    const cfnBucket = bucket.node.defaultChild;
    if (bucket instanceof s3.Bucket && cfnBucket instanceof s3.CfnBucket) {
      cfnBucket.versioningConfiguration = { status: 'Enabled' };
      cfnBucket.lifecycleConfiguration = {
        rules: [
          { status: 'Enabled', expirationInDays: expiration.toDays(), noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
          { status: 'Enabled', expiredObjectDeleteMarker: true },
        ],
      };
      bucketEventsToEventBridge(bucket);
      acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        'Object Lock (CT.S3.PR.9) cannot be turned off once on, and replicated artifacts are transient (they expire like the artifact bucket\'s). '
        + 'An account that enables CT.S3.PR.9 fails the deployment of this aws-cdk-lib support stack.');
      acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        'aws-cdk-lib defines this replication bucket in its own support stack with no server access logs (see AwsSolutions-S1 here). '
        + 'An account that enables CT.S3.PR.2 fails the deployment of that support stack.');
    }
    acknowledge(bucket, 'AwsSolutions-S1',
      'Replication artifact store that aws-cdk-lib defines in its own cross-region support stack (SSL enforced, public access blocked): aws-cdk-lib '
      + 'gives it no server access logs and offers no option to add them, and this construct does not take replication buckets of your own, so reads '
      + 'and writes of its objects are not logged unless you enable CloudTrail S3 data events (off by default). Only the pipeline role and its action '
      + 'roles are granted access to it.');
  }
  narrowReplicationKeyGrants(pipeline, aliases);
}

/**
 * aws-cdk-lib grants the pipeline role the keys of replication buckets in other regions on "*"
 * (the key is in another stack and has no name an IAM policy can hold). Limit that statement to
 * the keys behind those aliases (`kms:ResourceAliases`), and acknowledge the "*" it keeps.
 */
function narrowReplicationKeyGrants(pipeline: codepipeline.Pipeline, aliases: string[]): void {
  if (aliases.length === 0) return;
  const policy = pipeline.role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const statements = policyStatements(policy.document)
    .filter((st) => st.effect === iam.Effect.ALLOW && st.resources.length === 1 && st.resources[0] === '*'
      && st.actions.length > 0 && st.actions.every((a) => a.startsWith('kms:')) && Object.keys(st.conditions ?? {}).length === 0 && !st.frozen);
  for (const st of statements) st.addCondition('ForAnyValue:StringEquals', { 'kms:ResourceAliases': aliases });
  if (statements.length === 0) return;
  const reason = 'Keys of the replication buckets aws-cdk-lib defines in other regions: the key has no name an IAM policy can hold, so aws-cdk-lib grants on "*"; '
    + `the statement holds only for keys with the alias ${aliases.join(', ')} (condition kms:ResourceAliases), i.e. those replication keys.`;
  acknowledgeWildcards(pipeline.role, [
    { resource: '*', onlyActions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], reason },
    { action: 'kms:ReEncrypt*', resources: ['*'], reason },
    { action: 'kms:GenerateDataKey*', resources: ['*'], reason },
  ]);
}
