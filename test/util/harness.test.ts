import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { createTestApp, currentFlagSet, exemptFixtureFromControlTower, FLAG_SETS, flagsOf, synthAndReport, synthValidated, TEST_ENV, testStackEnvs } from '.';

const env = TEST_ENV;

/** A topic every validator accepts: SSL enforced, KMS-encrypted (Control Tower CT.SNS.PR.1). */
function cleanTopic(stack: Stack, id: string): sns.Topic {
  return new sns.Topic(stack, id, { enforceSSL: true });
}

describe('validation harness', () => {
  test('passes a stack with no findings and counts its footprint', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Clean', { env });
    const topic = cleanTopic(stack, 'Topic');
    topic.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'],
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      resources: [topic.topicArn],
    }));

    const result = synthValidated(app);

    expect(result.findings).toEqual([]);
    expect(result.footprint.templates).toBe(1);
    expect(result.footprint.resourcesByType['AWS::SNS::Topic']).toBe(1);
    expect(result.footprint.kmsKeys).toBe(0);
    expect(result.footprint.templateBytes).toBeGreaterThan(100);
  });

  test('fails when the CloudFormation validation engine reports an error', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Bad', { env });
    new s3.CfnBucket(stack, 'Bucket', { bucketName: 'Not_A_Valid_Name' });

    expect(() => synthValidated(app)).toThrow(/\[CloudFormation Validate\] F3031 \(error\) at Bad\/Bucket: BucketName/);
  });

  test('fails when the CloudFormation validation engine reports only a warning', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Warn', { env });
    new s3.CfnBucket(stack, 'Bucket', { versioningConfiguration: { status: 'Sometimes' } });

    const report = synthAndReport(app);
    expect(report.findings.filter((f) => f.plugin === 'CloudFormation Validate').map((f) => `${f.rule}:${f.severity}`)).toEqual(['W3030:warning']);
    expect(() => synthValidated(app)).toThrow(/W3030 \(warning\)/);
  });

  test('fails when cdk-nag reports a finding nobody acknowledged', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Nag', { env });
    new sns.Topic(stack, 'Topic');

    expect(() => synthValidated(app)).toThrow(/\[AwsSolutions\] AwsSolutions-SNS3 \(error\) at Nag\/Topic\/Resource/);
  });

  test('an acknowledgment on the exact construct clears the finding and is reported with its reason', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Ack', { env });
    const topic = new sns.Topic(stack, 'Topic');
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'fixture: publishers are in-account services only' });

    const result = synthValidated(app);
    expect(result.acknowledged).toEqual([
      { rule: 'AwsSolutions-SNS3', constructPath: 'Ack/Topic', reason: 'fixture: publishers are in-account services only' },
    ]);
  });

  test('an acknowledgment on a sibling construct does not clear the finding', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Sibling', { env });
    new sns.Topic(stack, 'Topic');
    const other = new sns.Topic(stack, 'Other', { enforceSSL: true });
    Validations.of(other).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'covers Other only' });

    expect(() => synthValidated(app)).toThrow(/AwsSolutions-SNS3 \(error\) at Sibling\/Topic\/Resource/);
  });
});

describe('flag sets', () => {
  test('the run has a flag set, and cdk-init is aws-cdk-lib\'s recommended flags, not a copy', () => {
    expect(FLAG_SETS).toContain(currentFlagSet());
    expect(flagsOf('defaults')).toEqual({});
    expect(flagsOf('cdk-init')).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
    expect(flagsOf('cdk-init')['@aws-cdk/core:enablePartitionLiterals']).toBe(true);
  });

  test.each(FLAG_SETS)('an app made under %s gets its flags: partition literal or token in ARNs', (flagSet) => {
    const app = createTestApp({ flagSet });
    const stack = new Stack(app, 'Flags', { env });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: 'bucket/*' })] }));
    const result = synthAndReport(app);
    expect(result.flagSet).toBe(flagSet);
    const resource = JSON.stringify(result.templates.Flags.Resources.RoleDefaultPolicy5FFB7DAB.Properties.PolicyDocument.Statement[0].Resource);
    expect(resource).toBe(flagSet === 'cdk-init'
      ? '"arn:aws:s3:::bucket/*"'
      : '{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":s3:::bucket/*"]]}');
  });

  test('env-agnostic stacks are offered beside the test environment', () => {
    expect(testStackEnvs()).toEqual([['env 111111111111/eu-west-1', env], ['env-agnostic', undefined]]);
  });
});

describe('Control Tower proactive controls (cdk-validator-cfnguard)', () => {
  // Findings fail by default; CDP_CONTROL_TOWER=report (catalogue runs) makes them notices.
  const before = process.env.CDP_CONTROL_TOWER;
  beforeEach(() => { delete process.env.CDP_CONTROL_TOWER; });
  afterAll(() => { if (before === undefined) delete process.env.CDP_CONTROL_TOWER; else process.env.CDP_CONTROL_TOWER = before; });

  test('fail a log group without a KMS key, on its construct', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Ct', { env });
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });

    expect(() => synthValidated(app)).toThrow(/\[cdk-validator-cfnguard\] cloudwatch_log_group_encrypted_check \(error\) at Ct\/Logs\/Resource: \[CT\.CLOUDWATCH\.PR\.3\]/);
  });

  test('an acknowledgment with the plugin namespace on the exact construct clears it; a sibling\'s does not', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'CtAck', { env });
    const acked = new logs.LogGroup(stack, 'Acked', { retention: logs.RetentionDays.ONE_YEAR });
    new logs.LogGroup(stack, 'Other', { retention: logs.RetentionDays.ONE_YEAR });
    Validations.of(acked).acknowledge({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason: 'fixture: holds no secrets' });

    const report = synthAndReport(app);
    expect(report.findings.filter((f) => f.plugin === 'cdk-validator-cfnguard').map((f) => f.constructPath)).toEqual(['CtAck/Other/Resource']);
    expect(report.acknowledged).toContainEqual({ constructPath: 'CtAck/Acked', rule: 'cloudwatch_log_group_encrypted_check', reason: 'fixture: holds no secrets' });
  });

  test('with CDP_CONTROL_TOWER=report the findings are notices, not failures', () => {
    process.env.CDP_CONTROL_TOWER = 'report';
    const app = createTestApp();
    new logs.LogGroup(new Stack(app, 'CtReport', { env }), 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const report = synthAndReport(app);
    expect(report.findings.filter((f) => f.plugin === 'cdk-validator-cfnguard')).toEqual([]);
    expect(report.notices.filter((f) => f.plugin === 'cdk-validator-cfnguard').map((f) => f.constructPath)).toContain('CtReport/Logs/Resource');
  });

  test('exemptFixtureFromControlTower acknowledges every guard rule of the fixture\'s resource types, with the reason, and not IAM', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'CtFixture', { env });
    const fixture = new s3.Bucket(stack, 'Fixture');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    exemptFixtureFromControlTower(stack, 'a bucket the caller owns');
    new logs.LogGroup(stack, 'After', { retention: logs.RetentionDays.ONE_YEAR });
    const report = synthAndReport(app);
    expect(report.findings.filter((f) => f.plugin === 'cdk-validator-cfnguard').map((f) => f.constructPath)).toEqual(['CtFixture/After/Resource']);
    const acked = report.acknowledged.filter((a) => a.constructPath === fixture.node.defaultChild!.node.path);
    expect(acked.map((a) => a.rule)).toEqual(expect.arrayContaining(['s3_bucket_versioning_enabled_check', 's3_bucket_logging_enabled_check']));
    expect(acked.every((a) => a.reason === 'test fixture: a bucket the caller owns')).toBe(true);
    expect(report.acknowledged.filter((a) => a.constructPath.startsWith(role.node.path))).toEqual([]);
  });
});

describe('IAM audit (IamAudit plugin)', () => {
  function roleWith(stack: Stack, ...statements: iam.PolicyStatement[]): iam.Role {
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    statements.forEach((s) => role.addToPolicy(s));
    return role;
  }

  test('a narrow, valid policy passes', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Good', { env });
    roleWith(stack,
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }),
      new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: ['arn:aws:codeconnections:eu-west-1:111111111111:connection/abc'] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['arn:aws:kms:eu-west-1:111111111111:key/k'], conditions: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }),
    );
    const result = synthAndReport(app);
    expect(result.findings.filter((f) => f.plugin === 'IamAudit')).toEqual([]);
  });

  test.each([
    ['unknown action', new iam.PolicyStatement({ actions: ['s3:GetObjekt'], resources: ['arn:aws:s3:::bucket/*'] }), /IAM-ACTION-UNKNOWN .*'s3:GetObjekt'/],
    ['a * action', new iam.PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::bucket/*'] }), /IAM-ACTION-STAR/],
    ['CreateStackSet on a stack-set ARN', new iam.PolicyStatement({ actions: ['cloudformation:CreateStackSet'], resources: ['arn:aws:cloudformation:eu-west-1:111111111111:stackset/s:*'] }), /IAM-NO-RESOURCE .*cloudformation:CreateStackSet takes only Resource '\*'/],
    ['ValidateTemplate on a stack ARN', new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['arn:aws:cloudformation:eu-west-1:111111111111:stack/s/*'] }), /IAM-NO-RESOURCE .*ValidateTemplate/],
    ['codestar-connections:UseConnection on a codeconnections ARN', new iam.PolicyStatement({ actions: ['codestar-connections:UseConnection'], resources: ['arn:aws:codeconnections:eu-west-1:111111111111:connection/abc'] }), /IAM-NO-RESOURCE .*codestar-connections:UseConnection/],
    ['a condition key the action does not have', new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'], conditions: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }), /IAM-CONDITION-KEY .*'kms:ViaService'/],
  ])('fails %s, at the policy\'s construct', (_name, statement, message) => {
    const app = createTestApp();
    const stack = new Stack(app, 'Bad', { env });
    roleWith(stack, statement);
    expect(() => synthValidated(app)).toThrow(new RegExp(`\\[IamAudit\\] ${message.source.replace(/^(IAM-[A-Z-]+) /, '$1 \\(error\\) at Bad/Role/DefaultPolicy/Resource: ')}`));
  });

  test('fails another account\'s root in a bucket policy, and reports s3:GetObject* prefixes as notices', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Root', { env });
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    bucket.grantRead(new iam.AccountPrincipal('222222222222'));
    const result = synthAndReport(app);
    expect(result.findings.filter((f) => f.plugin === 'IamAudit').map((f) => `${f.rule} ${f.constructPath}`)).toEqual(['IAM-CROSS-ACCOUNT-ROOT Root/Bucket/Policy/Resource']);
    expect(result.notices.filter((f) => f.rule === 'IAM-ACTION-WILDCARD').map((f) => f.description)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^'s3:GetObject\*' expands to \d+ actions/)]));
  });

  test('an acknowledgment IamAudit::<rule> on the exact construct clears it', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'IamAck', { env });
    const role = roleWith(stack, new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['arn:aws:cloudformation:eu-west-1:111111111111:stack/s/*'] }));
    Validations.of(role).acknowledge({ id: 'IamAudit::IAM-NO-RESOURCE', reason: 'fixture' });
    expect(synthAndReport(app).findings.filter((f) => f.plugin === 'IamAudit')).toEqual([]);
  });
});
