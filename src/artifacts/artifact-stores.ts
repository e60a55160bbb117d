import { Duration, FeatureFlags, RemovalPolicy, Stack, Token, DefaultStackSynthesizer, BootstraplessSynthesizer, StackSynthesizer } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactStoresProps, RegionalArtifactStore } from './artifact-stores-props';
import { StoreScope } from './private/store-scope';
import { defineAccessLogBucket } from '../private/access-logs';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import { allowGrantsOnlyForAwsResources } from '../private/kms';
import { ACCOUNT_ID, REGION_NAME } from '../private/names';
import * as v from '../private/validate';

interface TrustedStatements {
  readonly s3: iam.PolicyStatement;
  readonly kms?: iam.PolicyStatement;
  readonly principals: Set<string>;
  pending?: boolean;
}

interface DefinedStore {
  readonly bucket: s3.Bucket;
  readonly key?: kms.Key;
  readonly stack: Stack;
  readonly trusted: Map<string, TrustedStatements>;
}

export * from './artifact-stores-props';

const ARTIFACT_STORES_SYMBOL = Symbol.for('cdk-delivery-pipelines.ArtifactStores');

/**
 * Artifact buckets for CodePipeline in the stores' own region and in every region a pipeline
 * deploys to, each in a per-region support stack that these stores own. Several pipelines
 * can share one `ArtifactStores`: pipelines only reference the stores (by name, never by a
 * cross-stack export) and depend on their stacks, so deploying or deleting one pipeline never
 * changes another's stores.
 *
 * Buckets are SSL-only, block all public access and expire artifacts. KMS keys (rotating,
 * one per region) are defined only when `trustedAccounts` lists another account.
 */
export class ArtifactStores extends Construct {
  /** Whether `x` is an `ArtifactStores`. */
  public static isArtifactStores(x: any): x is ArtifactStores {
    // The aws-cdk-lib idiom (Stack.isStack): a Symbol.for mark on the prototype holds across copies of this library.
    return typeof x === 'object' && x !== null && ARTIFACT_STORES_SYMBOL in x;
  }

  /** Account of the stores (the account of the stack they are defined in). */
  public readonly account: string;

  /** Region of the stack the stores are defined in. */
  public readonly homeRegion: string;

  /** Accounts whose roles may read the artifacts, beside the stores' own. */
  public readonly trustedAccounts: string[];

  /** Whether the stores are encrypted with KMS keys that other accounts can use. */
  public readonly kmsEncrypted: boolean;

  /** Name of the KMS alias defined beside every key these stores define (same in every region). */
  public readonly keyAliasName: string;

  private readonly props: ArtifactStoresProps;
  private readonly stores = new Map<string, RegionalArtifactStore>();
  /** The bucket and key these stores defined per region, and their statements trusting roles of other accounts. */
  private readonly defined = new Map<string, DefinedStore>();
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(scope: Construct, id: string, props: ArtifactStoresProps = {}) {
    v.checkScope('ArtifactStores', scope, id);
    super(scope, id);
    v.checkProps(this, props, {
      trustedAccounts: v.strings,
      regions: v.strings,
      buckets: v.mapOf(v.cdk.bucket, 'an object mapping regions to buckets'),
      encryptionKeys: v.mapOf(v.cdk.key, 'an object mapping regions to keys'),
      artifactExpiration: v.wholeDays('e.g. Duration.days(30)'),
      removalPolicy: v.oneOf('a RemovalPolicy', Object.values(RemovalPolicy), 'e.g. RemovalPolicy.RETAIN'),
      serverAccessLogs: v.bool,
      bucketNamePrefix: v.str(),
    });
    this.props = props;
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail(this, `stack '${stack.node.path}' has no concrete account and region (got account '${stack.account}', region '${stack.region}'); ` +
        "define the stack with env: { account: '111111111111', region: 'eu-west-1' }: stores in other regions are found by name.");
    }
    this.account = stack.account;
    this.homeRegion = stack.region;
    this.prefix = props.bucketNamePrefix ?? 'cdp-artifacts';
    if (!/^[a-z0-9][a-z0-9-]{0,19}$/.test(this.prefix)) {
      fail(this, `bucketNamePrefix '${this.prefix}' is not 1-20 lowercase letters, digits or hyphens; pass a prefix like 'cdp-artifacts'.`);
    }
    this.suffix = this.node.addr.slice(-8);
    this.keyAliasName = `alias/${this.prefix}-${this.suffix}`;

    this.trustedAccounts = [];
    for (const account of props.trustedAccounts ?? []) {
      if (Token.isUnresolved(account) || !ACCOUNT_ID.test(account)) {
        fail(this, `trusted account '${account}' is not a concrete 12-digit account id; pass the account id as a string literal.`);
      }
      if (account !== this.account && !this.trustedAccounts.includes(account)) this.trustedAccounts.push(account);
    }
    this.kmsEncrypted = this.trustedAccounts.length > 0;

    for (const [region, bucket] of Object.entries(props.buckets ?? {})) {
      this.checkRegion(region);
      if (Token.isUnresolved(bucket.bucketName) && Stack.of(bucket).region !== region) {
        fail(this, `the bucket passed for region '${region}' has no concrete name; import it with s3.Bucket.fromBucketAttributes(this, 'Store', { bucketName: 'my-bucket', region: '${region}' }).`);
      }
      if (this.kmsEncrypted && !bucket.encryptionKey) {
        fail(this, `the bucket passed for region '${region}' has no encryptionKey but trustedAccounts lists other accounts; pass a bucket with a customer-managed KMS key (s3.Bucket.fromBucketAttributes(..., { encryptionKey })).`);
      }
    }
    for (const region of Object.keys(props.encryptionKeys ?? {})) this.checkRegion(region);

    this.forRegion(this.homeRegion);
    for (const region of props.regions ?? []) this.forRegion(region);
  }

  /** Regions with a store, in the order they were defined. */
  public get regions(): string[] {
    return [...this.stores.keys()];
  }

  /**
   * The store of a region, defined on first use (in the stores' own stack for their region,
   * in a support stack of these stores for any other region).
   */
  public forRegion(region: string): RegionalArtifactStore {
    this.checkRegion(region);
    const existing = this.stores.get(region);
    if (existing) return existing;
    const store = this.defineStore(region);
    this.stores.set(region, store);
    return store;
  }

  /**
   * The pattern that matches every bucket these stores define (`<prefix>-<account>-*-<suffix>`),
   * used to grant one constant-size statement for all regions.
   */
  public get bucketNamePattern(): string {
    return `${this.prefix}-${this.account}-*-${this.suffix}`;
  }

  private checkRegion(region: string) {
    v.checkArg(this, 'region', region, v.required(v.str("a region, e.g. 'eu-west-1'")));
    if (Token.isUnresolved(region) || !REGION_NAME.test(region)) {
      fail(this, `region '${region}' is not a concrete region name; pass a region like 'eu-west-1'.`);
    }
  }

  private defineStore(region: string): RegionalArtifactStore {
    const passed = this.props.buckets?.[region];
    if (passed) {
      const stack = Stack.of(passed);
      return {
        region,
        bucket: passed,
        bucketName: passed.bucketName,
        encryptionKey: passed.encryptionKey,
        encryptionKeyId: passed.encryptionKey?.keyArn,
        stack,
      };
    }
    const stack = region === this.homeRegion ? Stack.of(this) : this.supportStack(region);
    const scope = region === this.homeRegion ? this : new Construct(stack, 'ArtifactStore');
    const id = region === this.homeRegion ? region : 'Default';
    const store = new StoreScope(scope, id);
    const removalPolicy = this.props.removalPolicy ?? RemovalPolicy.RETAIN;
    let encryptionKey: kms.IKey | undefined;
    let encryptionKeyId: string | undefined;
    if (this.kmsEncrypted) {
      const passedKey = this.props.encryptionKeys?.[region];
      if (passedKey) {
        encryptionKey = passedKey;
        encryptionKeyId = passedKey.keyArn;
      } else {
        const key = new kms.Key(store, 'Key', {
          description: `CodePipeline artifacts in ${region} (ArtifactStores ${this.node.path})`,
          enableKeyRotation: true,
          removalPolicy,
        });
        allowGrantsOnlyForAwsResources(key);
        new kms.Alias(store, 'Alias', { aliasName: this.keyAliasName, targetKey: key, removalPolicy });
        encryptionKey = key;
        encryptionKeyId = stack.formatArn({ service: 'kms', region, account: this.account, resource: 'alias', resourceName: this.keyAliasName.slice('alias/'.length) });
      }
    }

    let logs: s3.IBucket | undefined;
    if (this.props.serverAccessLogs ?? false) {
      // Without the bucket-policy feature flag, CDK grants S3 log delivery through an ACL, which needs ObjectWriter.
      const policyDelivery = FeatureFlags.of(this).isEnabled('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy');
      const logBucket = defineAccessLogBucket(store, 'AccessLogs', {
        removalPolicy,
        objectOwnership: policyDelivery ? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED : s3.ObjectOwnership.OBJECT_WRITER,
      });
      logs = logBucket;
      const ct = (rule: string, reason: string) => acknowledge(logBucket, `cdk-validator-cfnguard::${rule}`, reason);
      const where = 'Where this control is enabled the deployment fails; serverAccessLogs is off by default.';
      ct('s3_bucket_logging_enabled_check', `CT.S3.PR.2: this bucket is the server access log destination of the artifact store beside it; logging it would need another log bucket without end. ${where}`);
      ct('s3_bucket_default_encryption_kms_check', `CT.S3.PR.10: S3 server access log delivery writes only to buckets with S3-managed encryption (SSE-S3), not SSE-KMS. ${where}`);
      ct('s3_bucket_versioning_enabled_check', `CT.S3.PR.11: S3 log delivery writes each log object once under a new key; nothing overwrites it, and logs expire after a year. ${where}`);
      ct('s3_event_notifications_enabled_check', `CT.S3.PR.4: log objects have no consumer of their events. ${where}`);
      ct('s3_bucket_object_lock_enabled_check', `CT.S3.PR.9: S3 Object Lock cannot be turned off once on, and log objects expire after a year. ${where}`);
      if (!policyDelivery) {
        ct('s3_bucket_acl_prohibited_check', 'CT.S3.PR.5: without the feature flag @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, aws-cdk-lib grants S3 log delivery through the log-delivery ACL, ' +
          `which needs ObjectWriter ownership; turn the flag on (cdk init does) and the bucket uses a bucket policy and BucketOwnerEnforced. ${where}`);
      }
    }

    const bucketName = `${this.prefix}-${this.account}-${region}-${this.suffix}`;
    const bucket = new s3.Bucket(store, 'Bucket', {
      bucketName,
      encryption: encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey,
      bucketKeyEnabled: encryptionKey ? true : undefined,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned (Control Tower CT.S3.PR.11): an overwritten or deleted artifact stays recoverable for a day.
      versioned: true,
      lifecycleRules: [{
        expiration: this.props.artifactExpiration ?? Duration.days(30),
        noncurrentVersionExpiration: Duration.days(1),
        expiredObjectDeleteMarker: false,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      serverAccessLogsBucket: logs,
      removalPolicy,
    });
    // Object events to EventBridge (Control Tower CT.S3.PR.4): CloudFormation's own property, no custom resource; S3 events on the default bus cost nothing.
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    this.acknowledgeControls(bucket, !!encryptionKey, !!logs);
    const ownKey = encryptionKey instanceof kms.Key && StoreScope.definedByStores(encryptionKey) ? encryptionKey : undefined;
    this.defined.set(region, { bucket, key: ownKey, stack, trusted: new Map() });
    if (!logs) {
      acknowledge(bucket, 'AwsSolutions-S1', 'CodePipeline artifact store without server access logs (serverAccessLogs is off): only the pipeline, action and CloudFormation roles ' +
          'are granted access, objects expire, public access is blocked and SSL is enforced. Object reads and writes are not logged unless you enable CloudTrail S3 data events; ' +
          'set serverAccessLogs: true on ArtifactStores for S3 server access logs.');
    }
    return { region, bucket, bucketName, encryptionKey, encryptionKeyId, stack };
  }

  /**
   * Let a role of a trusted account read (and with `write`, write) the artifacts of the store these
   * stores define in `region`: its ARN in the bucket policy and key policy, and the store's stack
   * depending on the role's stack (a policy naming a role that does not exist yet fails to deploy).
   * Roles of the stores' own account need no resource policy, unless `sameAccountToo` (a role
   * whose own policy cannot be extended, e.g. a CDK bootstrap deploy role, which reads buckets of
   * its account only through their bucket policies); stores passed in (`buckets`,
   * `encryptionKeys`) keep the policies you gave them. Called by the grants on the stores.
   *
   * @internal
   */
  public _trustRole(region: string, role: iam.IRole, write: boolean, sameAccountToo = false): void {
    const account = role.env.account;
    if (Token.isUnresolved(account) || (account === this.account && !sameAccountToo)) return;
    if (account !== this.account && !this.trustedAccounts.includes(account)) {
      fail(this, `role '${role.node.path}' of account '${account}' is granted the artifacts in ${region}, but trustedAccounts does not list '${account}'; add '${account}' to trustedAccounts.`);
    }
    const store = this.defined.get(region);
    if (!store) return;
    const principal = new iam.ArnPrincipal(role.roleArn);
    const key = write ? 'write' : 'read';
    let statements = store.trusted.get(key);
    if (!statements) {
      const suffix = write ? 'Write' : 'Read';
      const s3Stmt = new iam.PolicyStatement({
        sid: `TrustedRoles${suffix}Artifacts`,
        actions: write ? ['s3:PutObject'] : ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:ListBucket'],
        resources: write ? [store.bucket.arnForObjects('*')] : [store.bucket.bucketArn, store.bucket.arnForObjects('*')],
      });
      const kmsStmt = store.key ? new iam.PolicyStatement({
        sid: `TrustedRoles${suffix}Artifacts`,
        actions: write ? ['kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'],
      }) : undefined;
      statements = { s3: s3Stmt, kms: kmsStmt, principals: new Set() };
      store.trusted.set(key, statements);
      // Added once they name a principal (a statement without one is invalid).
      statements.pending = true;
    }
    const id = role.node.path;
    if (statements.principals.has(id)) return;
    statements.principals.add(id);
    statements.s3.addPrincipals(principal);
    statements.kms?.addPrincipals(principal);
    if (statements.pending) {
      statements.pending = false;
      store.bucket.addToResourcePolicy(statements.s3);
      if (statements.kms) store.key!.addToResourcePolicy(statements.kms);
    }
    // An imported role (fromRoleArn) sits in a stack of its own importer's account, and one whose
    // policy we could not extend is not ours (it exists before the pipeline): no dependency on it.
    const roleStack = Stack.of(role);
    if (!sameAccountToo && roleStack !== store.stack && roleStack.account === account) store.stack.node.addDependency(roleStack);
  }

  /** The Control Tower controls a store bucket does not meet, acknowledged with what turns them on. */
  private acknowledgeControls(bucket: s3.Bucket, kmsEncrypted: boolean, logged: boolean) {
    const ct = (rule: string, reason: string) => acknowledge(bucket, `cdk-validator-cfnguard::${rule}`, reason);
    if (!logged) {
      ct('s3_bucket_logging_enabled_check', 'CT.S3.PR.2: serverAccessLogs is off (a log bucket per region costs storage and two more resources); ' +
        'set serverAccessLogs: true on ArtifactStores to meet it. Where this control is enabled the deployment fails until you do.');
    }
    if (!kmsEncrypted) {
      ct('s3_bucket_default_encryption_kms_check', 'CT.S3.PR.10: without trustedAccounts the artifacts are encrypted with S3-managed keys (SSE-S3), which no other account can use, ' +
        'and no KMS key ($1/month per region) is defined; list another account in trustedAccounts to get a KMS key per region. Where this control is enabled the deployment fails until you do.');
    }
    ct('s3_bucket_object_lock_enabled_check', 'CT.S3.PR.9: artifacts are transient (they expire after artifactExpiration) and S3 Object Lock cannot be turned off again once on; ' +
      'not enabled on artifact stores. Where this control is enabled, pass your own locked buckets in ArtifactStores buckets.');
  }

  private supportStack(region: string): Stack {
    const home = Stack.of(this);
    const app = home.node.root as Construct;
    // The construct path below the home stack keeps the id unique per ArtifactStores (never shared by accident).
    const relative = this.node.scopes.slice(home.node.scopes.length).map((c) => c.node.id).join('-');
    const id = `${home.stackName}-${relative}-${region}`.replace(/[^A-Za-z0-9-]/g, '-');
    const found = app.node.tryFindChild(id);
    if (found) return found as Stack;
    let synthesizer: StackSynthesizer | undefined;
    if (home.synthesizer instanceof DefaultStackSynthesizer) {
      synthesizer = new BootstraplessSynthesizer({
        deployRoleArn: home.synthesizer.deployRoleArn,
        cloudFormationExecutionRoleArn: home.synthesizer.cloudFormationExecutionRoleArn,
      });
    }
    return new Stack(app, id, {
      env: { account: this.account, region },
      synthesizer,
      description: `CodePipeline artifact store in ${region} for ArtifactStores ${this.node.path} (shared by the pipelines that use it)`,
    });
  }
}

Object.defineProperty(ArtifactStores.prototype, ARTIFACT_STORES_SYMBOL, { value: true });
