import { App, Duration, PhysicalName, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactStores } from '../../src/artifacts/artifact-stores';
import { grantStoreAccess } from '../../src/artifacts/store-access';
import { createTestApp, synthValidated } from '../util';

const env = { account: '111111111111', region: 'eu-west-1' };

/** Fixture keys meet Control Tower CT.KMS.PR.3 the way the stores' own keys do. */
const GRANTS_ONLY_FOR_AWS = new iam.PolicyStatement({
  effect: iam.Effect.DENY,
  principals: [new iam.AnyPrincipal()],
  actions: ['kms:CreateGrant'],
  resources: ['*'],
  conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
});

function setup(props: ConstructorParameters<typeof ArtifactStores>[2] = {}) {
  const app = createTestApp();
  const stack = new Stack(app, 'Home', { env });
  const stores = new ArtifactStores(stack, 'Stores', props);
  return { app, stack, stores };
}

describe('ArtifactStores', () => {
  test('snapshot: home region plus one support stack, no other account', () => {
    const { app } = setup({ regions: ['us-east-2'] });
    const result = synthValidated(app);
    expect(Object.keys(result.templates).sort()).toEqual(['Home', 'Home-Stores-us-east-2']);
    expect(result.templates.Home).toMatchSnapshot();
    expect(result.templates['Home-Stores-us-east-2']).toMatchSnapshot();
  });

  test('snapshot: cross-account stores with one KMS key per region', () => {
    const { app } = setup({ regions: ['us-east-2'], trustedAccounts: ['222222222222'] });
    const result = synthValidated(app);
    expect(result.templates['Home-Stores-us-east-2']).toMatchSnapshot();
  });

  test('buckets are SSL-only, block public access, expire artifacts and use S3-managed keys without other accounts', () => {
    const { app } = setup();
    const result = synthValidated(app);
    const template = Template.fromJSON(result.templates.Home);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.stringLikeRegexp('^cdp-artifacts-111111111111-eu-west-1-[0-9a-f]{8}$'),
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(result.footprint.kmsKeys).toBe(0);
  });

  test('versioned, noncurrent versions expire after a day, object events go to EventBridge (Control Tower S3 controls)', () => {
    const { app } = setup();
    const template = Template.fromJSON(synthValidated(app).templates.Home);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } })] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the Control Tower controls a store does not meet are acknowledged on its bucket, saying what turns them on', () => {
    const { app } = setup();
    const acks = synthValidated(app).acknowledged.filter((a) => a.constructPath === 'Home/Stores/eu-west-1/Bucket' && a.rule.startsWith('s3_'));
    expect(acks.map((a) => a.rule).sort()).toEqual(['s3_bucket_default_encryption_kms_check', 's3_bucket_logging_enabled_check', 's3_bucket_object_lock_enabled_check']);
    expect(acks.find((a) => a.rule === 's3_bucket_logging_enabled_check')!.reason).toMatch(/serverAccessLogs: true/);
    expect(acks.find((a) => a.rule === 's3_bucket_default_encryption_kms_check')!.reason).toMatch(/trustedAccounts/);
  });

  test('the missing access log is acknowledged on each artifact bucket, with the reason', () => {
    const { app } = setup({ regions: ['us-east-2'] });
    const result = synthValidated(app);
    const s1 = result.acknowledged.filter((a) => a.rule === 'AwsSolutions-S1');
    expect(s1.map((a) => a.constructPath).sort()).toEqual(['Home-Stores-us-east-2/ArtifactStore/Default/Bucket', 'Home/Stores/eu-west-1/Bucket']);
    expect(s1[0].reason).toMatch(/serverAccessLogs: true/);
  });

  test('one rotating KMS key per region, with an alias, only when another account is trusted', () => {
    const { app, stores } = setup({ regions: ['us-east-2', 'ap-southeast-2'], trustedAccounts: ['222222222222'] });
    const result = synthValidated(app);
    expect(result.footprint.kmsKeys).toBe(3);
    expect(stores.kmsEncrypted).toBe(true);
    const support = Template.fromJSON(result.templates['Home-Stores-us-east-2']);
    support.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'GrantsOnlyForAwsResources',
          Effect: 'Deny',
          Action: 'kms:CreateGrant',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        })]),
      },
    });
    // No account is trusted as a whole: only roles that are granted read access are named (see below).
    expect(JSON.stringify(result.templates['Home-Stores-us-east-2'])).not.toMatch(/222222222222:root/);
    support.hasResourceProperties('AWS::KMS::Alias', { AliasName: stores.keyAliasName });
    support.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
    });
  });

  test('a role of a trusted account granted a store is named by its ARN in that store\'s bucket and key policies, and the store stack deploys after the role', () => {
    const { app, stores } = setup({ regions: ['us-east-2'], trustedAccounts: ['222222222222'] });
    const roleStack = new Stack(app, 'Roles', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(roleStack, 'Deployer', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
    grantStoreAccess(stores, stores.forRegion('us-east-2'), role, false);
    const result = synthValidated(app);
    const support = result.templates['Home-Stores-us-east-2'];
    const statement = (type: string, property: string) => Object.values<any>(support.Resources).filter((r) => r.Type === type)
      .flatMap((r) => r.Properties[property].Statement).find((st: any) => st.Sid === 'TrustedRolesReadArtifacts');
    const s3Statement = statement('AWS::S3::BucketPolicy', 'PolicyDocument');
    const kmsStatement = statement('AWS::KMS::Key', 'KeyPolicy');
    // The role's own ARN (its generated name), partition as the flag set renders it; never the account root.
    for (const st of [s3Statement, kmsStatement]) expect(JSON.stringify(st.Principal)).toMatch(/:iam::222222222222:role\/roles[a-z0-9]+"/);
    expect([...s3Statement.Action].sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    expect([...kmsStatement.Action].sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    // The home region's store was not granted: its policies name no role of 222222222222.
    expect(JSON.stringify(result.templates.Home)).not.toMatch(/222222222222/);
    expect(result.assembly.getStackArtifact('Home-Stores-us-east-2').dependencies.map((d) => d.id)).toContain('Roles');
  });

  test('fails when a role of an account that is not trusted is granted a store', () => {
    const { app, stores } = setup({ trustedAccounts: ['222222222222'] });
    const roleStack = new Stack(app, 'Roles', { env: { account: '333333333333', region: 'eu-west-1' } });
    const role = new iam.Role(roleStack, 'Deployer', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
    expect(() => grantStoreAccess(stores, stores.forRegion('eu-west-1'), role, false))
      .toThrow(/ArtifactStores 'Stores': role 'Roles\/Deployer' of account '333333333333' is granted the artifacts in eu-west-1, but trustedAccounts does not list '333333333333'; add '333333333333' to trustedAccounts\./);
  });

  test('the stores\' own account is not a trusted account and does not make keys', () => {
    const { app, stores } = setup({ trustedAccounts: ['111111111111'] });
    expect(stores.kmsEncrypted).toBe(false);
    expect(synthValidated(app).footprint.kmsKeys).toBe(0);
  });

  test('support stacks are per region, owned by the stores, and reused on every call', () => {
    const { app, stores } = setup();
    const a = stores.forRegion('us-east-2');
    const b = stores.forRegion('us-east-2');
    expect(a).toBe(b);
    expect(a.stack.stackName).toBe('Home-Stores-us-east-2');
    expect(a.stack.region).toBe('us-east-2');
    expect(a.stack.account).toBe('111111111111');
    expect(stores.forRegion('eu-west-1').stack).toBe(Stack.of(stores));
    expect(stores.regions).toEqual(['eu-west-1', 'us-east-2']);
    expect(app.node.children.filter((c) => Stack.isStack(c)).length).toBe(2);
    expect(a.bucketName).toMatch(/^cdp-artifacts-111111111111-us-east-2-[0-9a-f]{8}$/);
    expect(ArtifactStores.isArtifactStores(stores)).toBe(true);
    expect(ArtifactStores.isArtifactStores(a.stack)).toBe(false);
  });

  test('existing buckets are used as they are', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Home', { env });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Existing', { bucketName: 'my-artifacts-us-east-2', region: 'us-east-2', encryptionKey: key });
    const stores = new ArtifactStores(stack, 'Stores', { buckets: { 'us-east-2': bucket }, trustedAccounts: ['222222222222'], regions: ['us-east-2'] });
    const store = stores.forRegion('us-east-2');
    expect(store.bucket).toBe(bucket);
    expect(store.bucketName).toBe('my-artifacts-us-east-2');
    expect(store.encryptionKeyId).toBe(key.keyArn);
    const result = synthValidated(app);
    expect(Object.keys(result.templates)).toEqual(['Home']);
  });

  test('existing keys encrypt the buckets the stores define', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Home', { env });
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    key.addToResourcePolicy(GRANTS_ONLY_FOR_AWS);
    new ArtifactStores(stack, 'Stores', { encryptionKeys: { 'eu-west-1': key }, trustedAccounts: ['222222222222'] });
    const template = Template.fromJSON(synthValidated(app).templates.Home);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } } }] },
    });
  });

  test('serverAccessLogs defines a log bucket per region and logs to it', () => {
    const { app } = setup({ serverAccessLogs: true });
    const template = Template.fromJSON(synthValidated(app).templates.Home);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.stringLikeRegexp('^cdp-artifacts-'),
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') } },
    });
  });

  test('artifactExpiration, removalPolicy and bucketNamePrefix are applied', () => {
    const { app } = setup({ artifactExpiration: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY, bucketNamePrefix: 'acme-art' });
    const template = Template.fromJSON(synthValidated(app).templates.Home);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketName: Match.stringLikeRegexp('^acme-art-111111111111-eu-west-1-'),
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
      }),
    });
  });

  test('retains buckets by default', () => {
    const { app } = setup();
    Template.fromJSON(synthValidated(app).templates.Home).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('fails when the stack has no concrete env', () => {
    const app = new App();
    const stack = new Stack(app, 'NoEnv');
    expect(() => new ArtifactStores(stack, 'Stores')).toThrow(/ArtifactStores 'Stores': stack 'NoEnv' has no concrete account and region.*env: \{ account/);
  });

  test('fails when a trusted account is not a 12-digit id', () => {
    expect(() => setup({ trustedAccounts: ['2222'] })).toThrow(/ArtifactStores 'Stores': trusted account '2222' is not a concrete 12-digit account id/);
  });

  test('fails when a region is a token or not a region', () => {
    expect(() => setup({ regions: [Token.asString({ Ref: 'Region' })] })).toThrow(/ArtifactStores 'Stores': region '\$\{Token\[.*\]\}' is not a concrete region name/);
    expect(() => setup({ regions: ['mars-1'] })).toThrow(/region 'mars-1' is not a concrete region name; pass a region like 'eu-west-1'/);
  });

  test('fails when bucketNamePrefix is not lowercase', () => {
    expect(() => setup({ bucketNamePrefix: 'Art' })).toThrow(/bucketNamePrefix 'Art' is not 1-20 lowercase letters/);
  });

  test('fails when an existing bucket has no key but other accounts are trusted', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Home', { env });
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'plain-bucket');
    expect(() => new ArtifactStores(stack, 'Stores', { buckets: { 'eu-west-1': bucket }, trustedAccounts: ['222222222222'] }))
      .toThrow(/the bucket passed for region 'eu-west-1' has no encryptionKey but trustedAccounts lists other accounts/);
  });
});
