import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Properties of `ArtifactStores`.
 */
export interface ArtifactStoresProps {
  /**
   * Accounts, other than the stores' own, whose deploy roles read artifacts (the accounts
   * of cross-account targets). When the list is not empty, every regional store is
   * encrypted with a rotating customer-managed KMS key (one per region, shared by all the
   * pipelines that use these stores); the AWS-managed S3 key cannot be shared across accounts.
   * The key and bucket policies never trust these accounts as a whole: they name the roles of
   * these accounts that a pipeline grants read access to in that region (the pipelines' own
   * CloudFormation action and execution roles, by ARN), and the store's stack depends on the
   * stacks of those roles so that they exist when the policies are written.
   *
   * @default - no other account: buckets use S3-managed encryption and no KMS key is defined
   */
  readonly trustedAccounts?: string[];

  /**
   * Regions to define stores for right away, beside the stores' own region. Pipelines add
   * the regions they deploy to when they are defined, so this is only needed to define
   * stores before any pipeline uses them.
   *
   * @default - the stores' own region only
   */
  readonly regions?: string[];

  /**
   * Existing buckets to use as the store of a region, by region. A bucket passed here is
   * used as it is (its policies, encryption and lifecycle are yours); it must have a
   * concrete name, and an `encryptionKey` when `trustedAccounts` is not empty.
   *
   * @default - a bucket is defined for every region
   */
  readonly buckets?: { [region: string]: s3.IBucket };

  /**
   * Existing KMS keys, by region, for the buckets these stores define. Only used when
   * `trustedAccounts` is not empty; the key policy is yours to manage (it must let the
   * trusted accounts decrypt).
   *
   * @default - a rotating customer-managed key is defined per region when `trustedAccounts` is not empty
   */
  readonly encryptionKeys?: { [region: string]: kms.IKey };

  /**
   * How long artifacts are kept before S3 expires them. Pipelines only read the artifacts of
   * running executions, so a few weeks is plenty.
   *
   * @default Duration.days(30)
   */
  readonly artifactExpiration?: Duration;

  /**
   * What happens to the buckets and keys when they are removed from the app.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Define a server access log bucket per region and log every request to the artifact
   * bucket there.
   *
   * @default false - no log buckets (two more resources per region); the missing access
   *   log is acknowledged on each artifact bucket, see README
   */
  readonly serverAccessLogs?: boolean;

  /**
   * First part of the bucket names: `<prefix>-<account>-<region>-<8 hex of the construct path>`.
   * Lowercase letters, digits and hyphens.
   *
   * @default 'cdp-artifacts'
   */
  readonly bucketNamePrefix?: string;
}

/**
 * The artifact store of one region.
 */
export interface RegionalArtifactStore {
  /** The region. */
  readonly region: string;

  /** The bucket (defined by `ArtifactStores`, or passed in `buckets`). */
  readonly bucket: s3.IBucket;

  /** The bucket's name, a concrete string usable from any stack. */
  readonly bucketName: string;

  /**
   * The key that encrypts the bucket.
   *
   * @default - S3-managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What CodePipeline puts in the artifact store's `EncryptionKey.Id`: the key ARN, or the
   * ARN of the alias `ArtifactStores` defines beside its own keys (usable from any stack).
   *
   * @default - S3-managed encryption
   */
  readonly encryptionKeyId?: string;

  /** The stack that holds the store (the stores' own stack for its region, a support stack otherwise). */
  readonly stack: Stack;
}
