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
    lifecycleRules: [{ expiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: options.removalPolicy,
  });
  acknowledge(logs, 'AwsSolutions-S1',
    'This bucket is the server access log destination of the artifact bucket beside it; logging a log bucket would need another log bucket without end.');
  return logs;
}
