import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createTestApp, synthAndReport, TEST_ENV } from '.';
import { arnOfResource, auditPolicy, resourceMatchesFormat, simulate } from './iam';
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, TemplateResolver } from './resolve';

describe('intrinsic resolver', () => {
  const template = {
    Parameters: { Stage: { Type: 'String', Default: 'prod' } },
    Resources: {
      Bucket83908E77: { Type: 'AWS::S3::Bucket' },
      Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-bucket' } },
      Key961B73FD: { Type: 'AWS::KMS::Key' },
      Role1ABCC5F0: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'deployer' } },
      Topic: { Type: 'AWS::SNS::Topic' },
    },
  };
  const agnostic = new TemplateResolver(template, { account: PLACEHOLDER_ACCOUNT, region: PLACEHOLDER_REGION });

  test('pseudo parameters, parameters and imports become placeholders', () => {
    expect(agnostic.resolve({ 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'Stage' }]] }))
      .toBe('aws:us-east-1:111111111111:prod');
    expect(agnostic.resolve({ 'Fn::ImportValue': 'Other:ExportsOutputRefBucket' })).toBe('import-other:exportsoutputrefbucket');
  });

  test('GetAtt Arn is built from the type\'s ARN format in iam-data, and Ref/Join agree with it', () => {
    expect(agnostic.resolve({ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] })).toBe('arn:aws:s3:::bucket83908e77');
    expect(agnostic.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket83908E77' }, '/*']] })).toBe('arn:aws:s3:::bucket83908e77/*');
    expect(agnostic.resolve({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe('arn:aws:s3:::my-bucket');
    expect(agnostic.resolve({ 'Fn::GetAtt': ['Key961B73FD', 'Arn'] })).toBe('arn:aws:kms:us-east-1:111111111111:key/key961b73fd');
    expect(agnostic.resolve({ 'Fn::GetAtt': ['Role1ABCC5F0', 'Arn'] })).toBe('arn:aws:iam::111111111111:role/deployer');
    expect(agnostic.resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:us-east-1:111111111111:topic');
    expect(agnostic.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket83908E77}/${Stage}/*' })).toBe('arn:aws:s3:::bucket83908e77/prod/*');
  });

  test('resource patterns are matched against ARN formats, wildcards included', () => {
    expect(resourceMatchesFormat('arn:aws:s3:::b/*', 'arn:${Partition}:s3:::${BucketName}/${ObjectName}')).toBe(true);
    expect(resourceMatchesFormat('arn:aws:s3:::b', 'arn:${Partition}:s3:::${BucketName}/${ObjectName}')).toBe(false);
    expect(resourceMatchesFormat('arn:aws:codeconnections:eu-west-1:1:connection/x', 'arn:${Partition}:codestar-connections:${Region}:${Account}:connection/${ConnectionId}')).toBe(false);
    expect(resourceMatchesFormat('arn:aws:*:*:*:*', 'arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}')).toBe(true);
  });
});

describe('auditPolicy', () => {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const policy = (Statement: any[]) => ({ templatePath: 'T.template.json', logicalId: 'P', resourceType: 'AWS::IAM::Policy', kind: 'identity' as const, location: 'Properties/PolicyDocument', document: { Statement }, env });

  test('a good policy has no finding', () => {
    expect(auditPolicy(policy([
      { Effect: 'Allow', Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'], Resource: 'arn:aws:codebuild:eu-west-1:111111111111:project/p' },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::222222222222:role/r' },
    ]))).toEqual([]);
  });

  test('a bad policy has one finding per defect, each naming the action', () => {
    const findings = auditPolicy(policy([
      { Effect: 'Allow', Action: ['cloudformation:CreateStackSet'], Resource: 'arn:aws:cloudformation:eu-west-1:111111111111:stackset/s:*' },
      { Effect: 'Allow', Action: ['codebuild:StartBuild'], Resource: 'arn:aws:codebuild:eu-west-1:111111111111:project/p', Condition: { StringEquals: { 's3:prefix': 'x' } } },
      { Effect: 'Allow', Action: ['*'], Resource: '*' },
    ]));
    expect(findings.map((f) => `${f.rule} ${f.location}`)).toEqual([
      'IAM-NO-RESOURCE Properties/PolicyDocument/Statement/0',
      'IAM-CONDITION-KEY Properties/PolicyDocument/Statement/1',
      'IAM-ACTION-STAR Properties/PolicyDocument/Statement/2',
    ]);
  });
});

describe('simulate', () => {
  function app() {
    const a = createTestApp();
    const stack = new Stack(a, 'Sim', { env: TEST_ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, encryptionKey: key, serverAccessLogsPrefix: 'logs/' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('artifacts/*')] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['codestar-connections:UseConnection'], resources: [Fn.sub('arn:${AWS::Partition}:codeconnections:${AWS::Region}:${AWS::AccountId}:connection/abc')] }));
    return synthAndReport(a).assembly;
  }

  test('allows what the role\'s identity policy grants, and names the statement', async () => {
    const assembly = app();
    const object = `${arnOfResource(assembly, 'Sim/Bucket')}/artifacts/build.zip`;
    const outcome = await simulate(assembly, 'Sim/Reader', { action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'true' } });
    expect(outcome).toMatchObject({ allowed: true, result: 'Allowed' });
    expect(outcome.principalArn).toMatch(/^arn:aws:iam::111111111111:role\/reader/);
    expect(outcome.reason).toMatch(/^Allowed: grant by identity ReaderDefaultPolicy\w+ \(AWS::IAM::Policy\) statement \d+$/);
    expect(outcome.resourcePolicy).toMatch(/BucketPolicy/);
  });

  test('denies what no statement grants, what the bucket policy denies, and UseConnection on a codeconnections ARN', async () => {
    const assembly = app();
    const object = `${arnOfResource(assembly, 'Sim/Bucket')}/artifacts/build.zip`;
    const put = await simulate(assembly, 'Sim/Reader', { action: 's3:PutObject', resource: object, context: { 'aws:SecureTransport': 'true' } });
    expect(put).toMatchObject({ allowed: false, result: 'ImplicitlyDenied' });
    const other = await simulate(assembly, 'Sim/Reader', { action: 's3:GetObject', resource: `${arnOfResource(assembly, 'Sim/Bucket')}/other/x`, context: { 'aws:SecureTransport': 'true' } });
    expect(other.allowed).toBe(false);
    const insecure = await simulate(assembly, 'Sim/Reader', { action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
    expect(insecure).toMatchObject({ allowed: false, result: 'ExplicitlyDenied' });
    expect(insecure.reason).toMatch(/Explicit by resource/);
    const connection = await simulate(assembly, 'Sim/Reader', { action: 'codestar-connections:UseConnection', resource: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc' });
    expect(connection.allowed).toBe(false);
  });
});
