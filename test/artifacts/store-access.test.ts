import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactStores } from '../../src/artifacts/artifact-stores';
import { grantStoreAccess } from '../../src/artifacts/store-access';
import { createTestApp, synthValidated } from '../util';

const env = { account: '111111111111', region: 'eu-west-1' };

function setup() {
  const app = createTestApp();
  const stack = new Stack(app, 'Home', { env });
  const stores = new ArtifactStores(stack, 'Stores', { trustedAccounts: ['222222222222'], regions: ['us-east-2', 'ap-southeast-2'] });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  return { app, stack, stores, role };
}

/** The policy statements of `stack`, synthesized through the validation harness (cdk-nag, cfn-lint, PipelineChecks). */
function statementsOf(app: ReturnType<typeof createTestApp>, stack: Stack): any[] {
  const policies = Template.fromJSON(synthValidated(app).templates[stack.stackName]).findResources('AWS::IAM::Policy');
  return Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('grantStoreAccess', () => {
  test('grants on every region of the stores merge into one S3 and one KMS statement per principal', () => {
    const { app, stack, stores, role } = setup();
    for (const region of stores.regions) grantStoreAccess(stores, stores.forRegion(region), role, false);
    grantStoreAccess(stores, stores.forRegion('us-east-2'), role, true);
    const statements = statementsOf(app, stack);
    expect(statements.map((s) => s.Sid)).toEqual(['ArtifactStores', 'ArtifactStoresKeys']);
    expect([...statements[0].Action].sort()).toEqual(['s3:GetBucketLocation', 's3:GetBucketVersioning', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:PutObject', 's3:PutObjectAcl']);
    expect(statements[0].Condition).toEqual({ StringEquals: { 's3:ResourceAccount': '111111111111' } });
    expect([...statements[1].Action].sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
    expect(statements[1].Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': stores.keyAliasName } });
  });

  test('what a principal was granted is kept in the construct tree, under the principal', () => {
    const { stores, role } = setup();
    grantStoreAccess(stores, stores.forRegion('eu-west-1'), role, false);
    grantStoreAccess(stores, stores.forRegion('us-east-2'), role, false);
    expect(role.node.children.filter((c) => c.node.id === 'ArtifactStoreAccess')).toHaveLength(1);
  });

  test('buckets passed in are granted by their exact ARN, not by the stores\' name pattern, and their object wildcard is acknowledged', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Home', { env });
    const bucket = new s3.Bucket(stack, 'Mine', { bucketName: 'my-artifacts', enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: a bucket the user passes in' });
    for (const rule of ['s3_bucket_default_encryption_kms_check', 's3_bucket_versioning_enabled_check', 's3_bucket_logging_enabled_check', 's3_event_notifications_enabled_check',
      's3_lifecycle_policy_check', 's3_bucket_object_lock_enabled_check', 's3_bucket_level_public_access_prohibited_check']) {
      Validations.of(bucket).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason: 'test fixture: a bucket the user passes in is theirs to configure (ArtifactStores uses it as it is)' });
    }
    const imported = s3.Bucket.fromBucketAttributes(stack, 'Imported', { bucketName: 'imported-artifacts', region: 'us-east-2' });
    const stores = new ArtifactStores(stack, 'Stores', { buckets: { 'eu-west-1': bucket, 'us-east-2': imported } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    grantStoreAccess(stores, stores.forRegion('eu-west-1'), role, false);
    grantStoreAccess(stores, stores.forRegion('us-east-2'), role, true);
    // synthValidated fails on an unacknowledged `<MineC1B42D3A.Arn>/*` or `arn:<AWS::Partition>:s3:::imported-artifacts/*`
    const [mine, other] = statementsOf(app, stack);
    expect(mine.Sid).toBeUndefined();
    expect(JSON.stringify(mine.Resource)).toMatch(/Mine/);
    expect(JSON.stringify(mine.Resource)).not.toMatch(/cdp-artifacts/);
    expect(JSON.stringify(other.Resource)).toMatch(/:s3:::imported-artifacts\/\*/);
    expect(other.Action).toContain('s3:PutObject');
  });
});
