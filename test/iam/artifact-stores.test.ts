import { PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactStores } from '../../src/artifacts/artifact-stores';
import { grantStoreAccess } from '../../src/artifacts/store-access';
import { createTestApp, synthValidated } from '../util';
import { arnOfResource, IAM_AUDIT_TOTALS, simulate } from '../util/iam';

const env = { account: '111111111111', region: 'eu-west-1' };
const TRUSTED = '222222222222';

/**
 * Requests a real execution makes against the artifact stores, simulated offline against the
 * synthesized policies (identity, bucket and key policies): what must pass, and what must not.
 */
describe('IAM simulation: ArtifactStores', () => {
  const app = createTestApp();
  const home = new Stack(app, 'Home', { env });
  const stores = new ArtifactStores(home, 'Stores', { regions: ['us-east-2'], trustedAccounts: [TRUSTED] });
  const otherStores = new ArtifactStores(home, 'OtherStores', { bucketNamePrefix: 'other-artifacts' });
  const pipelineRole = new iam.Role(home, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
  for (const region of stores.regions) grantStoreAccess(stores, stores.forRegion(region), pipelineRole, true);
  const roles = new Stack(app, 'Roles', { env: { account: TRUSTED, region: 'eu-west-1' } });
  const deployer = new iam.Role(roles, 'Deployer', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
  grantStoreAccess(stores, stores.forRegion('us-east-2'), deployer, false);
  // Another role of the trusted account, allowed everything on S3 objects and KMS keys by its own identity policy.
  const other = new iam.Role(roles, 'Other', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 'kms:Decrypt'], resources: ['*'] }));
  Validations.of(other).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'test fixture: a broad role of the trusted account, to prove the store policies keep it out' });
  const result = synthValidated(app);
  const assembly = result.assembly;
  const bucket = (path: string) => arnOfResource(assembly, path);
  const usBucket = bucket('Home-Stores-us-east-2/ArtifactStore/Default/Bucket');
  const usKey = arnOfResource(assembly, 'Home-Stores-us-east-2/ArtifactStore/Default/Key');
  const homeBucket = bucket('Home/Stores/eu-west-1/Bucket');
  const homeKey = arnOfResource(assembly, 'Home/Stores/eu-west-1/Key');
  const otherBucket = bucket('Home/OtherStores/eu-west-1/Bucket');
  const s3Context = { 'aws:SecureTransport': 'true', 's3:ResourceAccount': env.account };
  const kmsContext = { 'kms:ResourceAliases': [stores.keyAliasName] };

  test.each([
    ['eu-west-1', () => homeBucket, () => homeKey],
    ['us-east-2', () => usBucket, () => usKey],
  ])('the pipeline role reads and writes artifacts and uses the key in %s', async (_region, b, k) => {
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      const out = await simulate(assembly, 'Home/PipelineRole', { action, resource: `${b()}/Pipeline/Build/artifact.zip`, context: s3Context });
      expect(out.reason).toMatch(/^Allowed/);
    }
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      const out = await simulate(assembly, 'Home/PipelineRole', { action, resource: k(), context: kmsContext });
      expect(out.reason).toMatch(/^Allowed/);
    }
  });

  test('a granted role of the trusted account reads the artifacts and decrypts with the key of its region', async () => {
    expect((await simulate(assembly, 'Roles/Deployer', { action: 's3:GetObject', resource: `${usBucket}/a.zip`, context: s3Context })).allowed).toBe(true);
    expect((await simulate(assembly, 'Roles/Deployer', { action: 'kms:Decrypt', resource: usKey, context: kmsContext })).allowed).toBe(true);
  });

  test('the granted role is denied the store of a region it was not granted', async () => {
    expect((await simulate(assembly, 'Roles/Deployer', { action: 's3:GetObject', resource: `${homeBucket}/a.zip`, context: s3Context })).allowed).toBe(false);
    expect((await simulate(assembly, 'Roles/Deployer', { action: 'kms:Decrypt', resource: homeKey, context: kmsContext })).allowed).toBe(false);
  });

  test('another role of the trusted account is denied the bucket and the key, whatever its own policy allows', async () => {
    const read = await simulate(assembly, 'Roles/Other', { action: 's3:GetObject', resource: `${usBucket}/a.zip`, context: s3Context });
    expect(read.allowed).toBe(false);
    expect(read.resourcePolicy).toBeDefined();
    expect((await simulate(assembly, 'Roles/Other', { action: 'kms:Decrypt', resource: usKey, context: kmsContext })).allowed).toBe(false);
  });

  test('the pipeline role is denied the buckets of other stores (another pipeline\'s)', async () => {
    const out = await simulate(assembly, 'Home/PipelineRole', { action: 's3:GetObject', resource: `${otherBucket}/a.zip`, context: s3Context });
    expect(out.allowed).toBe(false);
    expect(otherStores.bucketNamePattern).not.toBe(stores.bucketNamePattern);
  });

  afterAll(() => {
    // Figures for the README: policies and statements audited in this file's synths, requests simulated.
    // eslint-disable-next-line no-console
    console.log(`IAM figures (artifact stores): ${JSON.stringify(IAM_AUDIT_TOTALS)}`);
  });
});
