import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { WildcardAllowance } from '../../private/wildcard-allowances';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** A bucket to copy an artifact to. */
export interface S3PublishOptions {
  /** Destination bucket. */
  readonly bucket: s3.IBucket;

  /**
   * Unzip the artifact into the bucket; otherwise store it as one object at `objectKey`.
   *
   * @default true
   */
  readonly extract?: boolean;

  /**
   * Key prefix (with `extract`) or object key (without). Required when `extract` is false.
   *
   * @default - the bucket root
   */
  readonly objectKey?: string;

  /**
   * KMS key to encrypt the copied objects with.
   *
   * @default - the bucket's default encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Cache-Control headers of the copied objects.
   *
   * @default - none
   */
  readonly cacheControl?: actions.CacheControl[];
}

/** Options of `DeployTarget.s3`. */
export interface S3TargetOptions extends S3PublishOptions {
  /**
   * Artifact to copy.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Also copy the same artifact to another bucket (e.g. an archive of release artifacts),
   * in parallel (same runOrder).
   *
   * @default - no second copy
   */
  readonly publishTo?: S3PublishOptions;

  /**
   * Name of the action (the copy to `publishTo` is named `<actionName>-Publish`).
   *
   * @default 'DeployS3'
   */
  readonly actionName?: string;
}

function s3DeployAllowances(o: S3PublishOptions): WildcardAllowance[] {
  const reason = 'aws-cdk-lib grants the S3 deploy action read/write on its destination bucket only (Bucket.grantReadWrite): '
    + 'the object keys come from the artifact and are not known at synth.';
  const objects = o.bucket.arnForObjects('*');
  const out: WildcardAllowance[] = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']
    .map((action) => ({ action, resources: [o.bucket.bucketArn, objects], reason }));
  out.push({ resource: objects, reason });
  const keys = [o.encryptionKey, o.bucket.encryptionKey].filter((k): k is kms.IKey => k !== undefined);
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    if (keys.length > 0) {
      out.push({ action, resources: keys.map((k) => k.keyArn), reason: 'Data-key operations on the destination\'s KMS key only (aws-cdk-lib Key.grantEncryptDecrypt).' });
    }
  }
  return out;
}

/** The actions of `DeployTarget.s3`. */
export class S3Target implements TargetKind {
  constructor(private readonly options: S3TargetOptions) {
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const name = this.options.actionName ?? 'DeployS3';
    const b = new Binder(scope, options, name);
    const input = b.artifact(this.options.input, 'input');
    const copy = (o: S3PublishOptions, actionName: string, field: string) => {
      new Binder(scope, options, actionName).allow(s3DeployAllowances(o));
      const extract = o.extract ?? true;
      if (!extract && !o.objectKey) {
        fail(b.where, `${field}extract is false but no objectKey is given; pass the object key to store the artifact under, e.g. 'releases/app.zip'.`);
      }
      return new actions.S3DeployAction({
        actionName,
        bucket: o.bucket,
        input,
        extract,
        objectKey: o.objectKey,
        encryptionKey: o.encryptionKey,
        cacheControl: o.cacheControl,
        runOrder: options.runOrder,
      });
    };
    const result = [copy(this.options, name, '')];
    if (this.options.publishTo) {
      const publishName = `${name}-Publish`;
      new Binder(scope, options, publishName);
      result.push(copy(this.options.publishTo, publishName, 'publishTo.'));
    }
    return { actions: result, lastRunOrder: options.runOrder };
  }
}
