import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/**
 * The server access log destination of an artifact bucket: SSE-S3, SSL only, no public access,
 * logs kept a year. Shared by `SourceBuildDeployPipeline` and `ArtifactStores`.
 */
export function defineAccessLogBucket(scope: Construct, id: string, options: {
  readonly removalPolicy: RemovalPolicy;
  /** OBJECT_WRITER only where S3 log delivery goes through the legacy ACL. */
  readonly objectOwnership: s3.ObjectOwnership;
}): s3.Bucket {
  const logs = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: options.objectOwnership,
    versioned: true,
    lifecycleRules: [
      { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      { expiredObjectDeleteMarker: true },
    ],
    removalPolicy: options.removalPolicy,
  });
  bucketEventsToEventBridge(logs);
  const loop = 'This bucket is the server access log destination of the artifact bucket beside it; logging a log bucket would need another log bucket without end.';
  acknowledge(logs, 'AwsSolutions-S1', loop);
  acknowledge(logs, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', `${loop} An account that enables CT.S3.PR.2 fails its deployment.`);
  acknowledge(logs, 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    'S3 server access log delivery writes only to buckets encrypted with SSE-S3 (SSE-KMS destinations are not supported), so this bucket uses SSE-S3. '
    + 'An account that enables CT.S3.PR.10 fails its deployment.');
  acknowledge(logs, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'Object Lock (CT.S3.PR.9) cannot be turned off once on, and these access logs expire after a year by lifecycle. '
    + 'An account that enables CT.S3.PR.9 fails the deployment of this bucket.');
  return logs;
}

/**
 * Send the bucket's events to the account's default EventBridge bus (Control Tower CT.S3.PR.4),
 * set on the CloudFormation resource: aws-cdk-lib's `eventBridgeEnabled` adds a Lambda-backed
 * custom resource, CloudFormation itself needs none. S3 delivers to EventBridge at no charge.
 */
export function bucketEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
