// The classifier is pure: DescribeChangeSet responses in, counts and classified resources out.
import { SCENARIOS, TARGET, change, described } from './fixtures';
import { cidrContains, covers } from '../../src/review/broadening';
import { classify, isEmptyChangeSet, riskOf } from '../../src/review/classify';
import { fitMessage, formatSummary, formatText, needsApproval, outputVariables, SUMMARY_MAX } from '../../src/review/format';

const one = (changes: any[]) => classify([described(changes)]);

describe('counts', () => {
  test('a change set with no changes (FAILED, "didn\'t contain changes") is an empty, normal result', () => {
    const reasons = [
      "The submitted information didn't contain changes. Submit different information to create a change set.",
      'No updates are to be performed.',
    ];
    for (const reason of reasons) {
      const s = classify([described([], { status: 'FAILED', statusReason: reason })]);
      expect(s.counts).toEqual({
        total: 0, added: 0, modified: 0, removed: 0, replacements: 0, statefulReplacements: 0, securityChanges: 0, broadening: 0,
      });
      expect(s.changeSets[0].empty).toBe(true);
    }
  });

  test('fails, naming the change set, stack, account and region, when a change set FAILED for another reason', () => {
    expect(() => classify([described([], { status: 'FAILED', statusReason: 'Template format error: Unresolved resource dependencies [Foo]' })]))
      .toThrow(`change set 'review-cs' of stack 'app-prod' (account ${TARGET}, eu-west-1) is FAILED: Template format error: Unresolved resource dependencies [Foo]; the review needs it CREATE_COMPLETE.`);
    expect(isEmptyChangeSet({ Status: 'CREATE_COMPLETE', StatusReason: "didn't contain changes" })).toBe(false);
  });

  test('additions only: added, nothing replaced or security-relevant', () => {
    const s = one(SCENARIOS.additions);
    expect(s.counts).toMatchObject({ total: 2, added: 2, modified: 0, removed: 0, replacements: 0, securityChanges: 0, broadening: 0 });
    expect(s.resources.map((r) => [r.logicalId, r.kind, r.stateful])).toEqual([['ReportsBucket', 'added', true], ['ExportFunction', 'added', false]]);
  });

  test('a replaced table is a stateful replacement, listed first with its policy action', () => {
    const s = one(SCENARIOS.statefulReplacement);
    expect(s.counts).toMatchObject({ total: 2, modified: 2, replacements: 1, statefulReplacements: 1, securityChanges: 0 });
    expect(s.resources[0]).toMatchObject({ logicalId: 'OrdersTable', replacement: 'True', stateful: true, policyAction: 'ReplaceAndDelete', properties: ['KeySchema'] });
    expect(s.resources[1]).toMatchObject({ logicalId: 'ApiFunction', replacement: undefined, stateful: false });
  });

  test('Conditional replacement counts as a replacement; False does not; Remove and Add never do', () => {
    const s = one([
      change('Modify', 'AWS::RDS::DBInstance', 'Db', { replacement: 'Conditional', changed: ['DBInstanceClass'] }),
      change('Modify', 'AWS::S3::Bucket', 'Data', { replacement: 'False', changed: ['Tags'] }),
      change('Remove', 'AWS::SQS::Queue', 'Jobs'),
    ]);
    expect(s.counts).toMatchObject({ total: 3, modified: 2, removed: 1, replacements: 1, statefulReplacements: 1 });
    expect(s.resources.map((r) => r.logicalId)).toEqual(['Db', 'Jobs', 'Data']); // replacement, stateful removal, modify
  });

  test('the nested stack resource is not counted; its nested change set\'s resources are, under Parent/Nested', () => {
    const nestedId = `arn:aws:cloudformation:eu-west-1:${TARGET}:changeSet/nested-1/2`;
    const s = classify([
      described([change('Modify', 'AWS::CloudFormation::Stack', 'DataStack', { changeSetId: nestedId })]),
      described([change('Modify', 'AWS::Logs::LogGroup', 'AuditLogs', { replacement: 'True', changed: ['LogGroupName'] })], { stackPath: 'app-prod/DataStack', id: nestedId }),
    ]);
    expect(s.counts).toMatchObject({ total: 1, statefulReplacements: 1 });
    expect(s.resources[0]).toMatchObject({ stack: 'app-prod/DataStack', type: 'AWS::Logs::LogGroup' });
  });
});

describe('security and broadening', () => {
  test('an IAM policy that gains "*" actions is a broadening security change', () => {
    const s = one(SCENARIOS.iamStar);
    expect(s.counts).toMatchObject({ securityChanges: 1, broadening: 1 });
    expect(s.resources[0].broadening).toEqual(['new actions *']);
  });

  test('a security group opened to 0.0.0.0/0 says so, with the port', () => {
    const r = one(SCENARIOS.openSecurityGroup).resources[0];
    expect(r.security).toBe(true);
    expect(r.broadening).toEqual(['opens ingress to 0.0.0.0/0 (tcp 443)']);
  });

  test('a wider CIDR, ::/0, wider ports and a new peer are broadening; a narrower rule is not', () => {
    const sg = (rules: any[]) => ({ GroupDescription: 'x', SecurityGroupIngress: rules });
    const rule = (cidr: any, from = 443, to = from, proto = 'tcp') => ({ IpProtocol: proto, FromPort: from, ToPort: to, ...cidr });
    const check = (before: any[], after: any[]) => one([change('Modify', 'AWS::EC2::SecurityGroup', 'Sg', { before: sg(before), after: sg(after), changed: ['SecurityGroupIngress'] })]).resources[0].broadening;
    expect(check([rule({ CidrIp: '10.1.0.0/24' })], [rule({ CidrIp: '10.0.0.0/8' })])).toEqual(['widens ingress 10.1.0.0/24 to 10.0.0.0/8 (tcp 443)']);
    expect(check([], [rule({ CidrIpv6: '::/0' })])).toEqual(['opens ingress to ::/0 (tcp 443)']);
    expect(check([rule({ CidrIp: '10.0.0.0/8' })], [rule({ CidrIp: '10.0.0.0/8' }, 0, 65535)])).toEqual(['widens ingress ports for 10.0.0.0/8 (tcp 0-65535)']);
    expect(check([rule({ CidrIp: '10.0.0.0/8' })], [rule({ CidrIp: '10.2.0.0/16' })])).toEqual([]);
    expect(check([rule({ CidrIp: '10.0.0.0/8' }, 0, 0, '-1')], [rule({ CidrIp: '10.0.0.0/8' }, 22)])).toEqual([]);
    expect(check([], [rule({ SourceSecurityGroupId: 'sg-0abc' })])).toEqual(['new ingress rule for sg-0abc (tcp 443)']);
  });

  test('a standalone ingress rule and an allow NACL entry are read too', () => {
    const s = one([
      change('Add', 'AWS::EC2::SecurityGroupIngress', 'Ssh', { after: { GroupId: 'sg-1', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' } }),
      change('Add', 'AWS::EC2::NetworkAclEntry', 'Deny', { after: { RuleAction: 'deny', Protocol: -1, CidrBlock: '0.0.0.0/0', Egress: false } }),
    ]);
    expect(s.resources.map((r) => [r.logicalId, r.broadening])).toEqual([['Ssh', ['opens ingress to 0.0.0.0/0 (tcp 22)']], ['Deny', []]]);
  });

  test('new principals in a trust policy and a bucket policy; new resources; NotAction counts as "*"', () => {
    const trust = (principal: any) => ({ AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] } });
    const role = one([change('Modify', 'AWS::IAM::Role', 'Role', { changed: ['AssumeRolePolicyDocument'], before: trust({ Service: 'lambda.amazonaws.com' }), after: trust({ Service: 'lambda.amazonaws.com', AWS: 'arn:aws:iam::444444444444:root' }) })]);
    expect(role.resources[0].broadening).toEqual(['new principals AWS:arn:aws:iam::444444444444:root']);
    const bucketPolicy = (principal: any, resource: string) => ({ Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: resource }] } });
    const bp = one([change('Modify', 'AWS::S3::BucketPolicy', 'Policy', { changed: ['PolicyDocument'], before: bucketPolicy({ AWS: 'arn:aws:iam::111111111111:role/r' }, 'arn:aws:s3:::b/public/*'), after: bucketPolicy('*', 'arn:aws:s3:::b/*') })]);
    expect(bp.resources[0].broadening).toEqual(['new principals *', 'new resources arn:aws:s3:::b/*']);
    const notAction = one([change('Modify', 'AWS::IAM::ManagedPolicy', 'Mp', { changed: ['PolicyDocument'], before: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }, after: { PolicyDocument: { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] } } })]);
    expect(notAction.resources[0].broadening).toEqual(['new actions *']);
  });

  test('narrowing, Deny statements and wildcard-covered actions are not broadening, but still security changes', () => {
    const doc = (stmts: any[]) => ({ PolicyDocument: { Statement: stmts } });
    const s = one([change('Modify', 'AWS::IAM::Policy', 'P', {
      changed: ['PolicyDocument'],
      before: doc([{ Effect: 'Allow', Action: ['s3:*', 'kms:Decrypt'], Resource: '*' }]),
      after: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }, { Effect: 'Deny', Action: '*', Resource: '*' }]),
    })]);
    expect(s.resources[0]).toMatchObject({ security: true, broadening: [] });
    expect(s.counts).toMatchObject({ securityChanges: 1, broadening: 0 });
  });

  test('managed policies attached, Lambda permission opened to anyone, function URL without auth, public access block off', () => {
    const s = one([
      change('Modify', 'AWS::IAM::Role', 'R', { changed: ['ManagedPolicyArns'], before: { ManagedPolicyArns: [] }, after: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } }),
      change('Modify', 'AWS::Lambda::Permission', 'Perm', { replacement: 'True', changed: ['Principal', 'SourceArn'], before: { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::b' }, after: { Action: 'lambda:InvokeFunction', Principal: '*' } }),
      change('Modify', 'AWS::Lambda::Url', 'Url', { changed: ['AuthType'], before: { AuthType: 'AWS_IAM' }, after: { AuthType: 'NONE' } }),
      change('Modify', 'AWS::S3::Bucket', 'Site', { changed: ['PublicAccessBlockConfiguration'], before: { PublicAccessBlockConfiguration: { BlockPublicPolicy: true, BlockPublicAcls: true } }, after: { PublicAccessBlockConfiguration: { BlockPublicAcls: true } } }),
    ]);
    const by = Object.fromEntries(s.resources.map((r) => [r.logicalId, r.broadening]));
    expect(by).toEqual({
      R: ['attaches managed policies AdministratorAccess'],
      Perm: ['new principals *', 'drops the SourceArn condition'],
      Url: ['function URL without authentication (AuthType NONE)'],
      Site: ['turns off BlockPublicPolicy'],
    });
    expect(s.counts).toMatchObject({ securityChanges: 4, broadening: 4, statefulReplacements: 0 });
  });

  test('a KMS key is security-relevant only when its key policy changes; its description is not', () => {
    const s = one([
      change('Modify', 'AWS::KMS::Key', 'K1', { changed: ['Description'], before: { Description: 'a', KeyPolicy: { Statement: [] } }, after: { Description: 'b', KeyPolicy: { Statement: [] } } }),
      change('Modify', 'AWS::KMS::Key', 'K2', { changed: ['KeyPolicy'], before: { KeyPolicy: { Statement: [] } }, after: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }] } } }),
    ]);
    expect(s.resources.map((r) => [r.logicalId, r.security, r.broadening])).toEqual([
      ['K2', true, ['new principals *', 'new actions kms:Decrypt', 'new resources *']],
      ['K1', false, []],
    ]);
  });

  test('without contexts, the details\' before and after values are read', () => {
    const c = change('Modify', 'AWS::IAM::Policy', 'P', { changed: ['PolicyDocument'], before: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }, after: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } } });
    delete c.BeforeContext;
    delete c.AfterContext;
    expect(one([c]).resources[0].broadening).toEqual(['new actions iam:*']);
  });

  test('IAM wildcards and CIDR containment', () => {
    expect(covers('s3:Get*', 's3:GetObject', true)).toBe(true);
    expect(covers('s3:get*', 'S3:GetObject', true)).toBe(true);
    expect(covers('s3:Get*', 's3:PutObject', true)).toBe(false);
    expect(covers('arn:aws:s3:::b/a?c', 'arn:aws:s3:::b/abc', false)).toBe(true);
    expect(cidrContains('10.0.0.0/8', '10.20.0.0/16')).toBe(true);
    expect(cidrContains('10.20.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8:1::/48')).toBe(true);
    expect(cidrContains('::/0', '10.0.0.0/8')).toBe(false);
  });
});

describe('policies and the summary', () => {
  test('NeedsApproval follows the policy', () => {
    const empty = classify([described([], { status: 'FAILED', statusReason: 'No updates are to be performed.' })]).counts;
    const plain = one(SCENARIOS.additions).counts;
    const risky = one(SCENARIOS.iamStar).counts;
    const replaced = one(SCENARIOS.statefulReplacement).counts;
    expect([empty, plain, risky, replaced].map((c) => needsApproval('always', c))).toEqual([true, true, true, true]);
    expect([empty, plain, risky, replaced].map((c) => needsApproval('skip-when-empty', c))).toEqual([false, true, true, true]);
    expect([empty, plain, risky, replaced].map((c) => needsApproval('on-risk', c))).toEqual([false, false, true, true]);
    expect([empty, plain].map((c) => needsApproval('fail-on-stateful-replacement', c))).toEqual([true, true]);
  });

  test('output variables: exact names, all strings', () => {
    const vars = outputVariables(one([...SCENARIOS.statefulReplacement, ...SCENARIOS.iamStar]), 'on-risk', { pipeline: 'p', stage: 'Prod', reportUrl: 'https://x' });
    expect(vars).toEqual({
      TotalChanges: '3',
      Added: '0',
      Modified: '3',
      Removed: '0',
      Replacements: '1',
      StatefulReplacements: '1',
      SecurityChanges: '1',
      Broadening: '1',
      NeedsApproval: 'true',
      Summary: expect.stringMatching(/^3 changes in 1 change set: /),
      ReportUrl: 'https://x',
    });
    expect(Object.values(vars).every((v) => typeof v === 'string')).toBe(true);
  });

  test('the summary keeps to 500 characters: counts first, the riskiest lines, then how many more', () => {
    const many = Array.from({ length: 40 }, (_, i) => change('Modify', 'AWS::DynamoDB::Table', `Table${i}`, { replacement: 'True', changed: ['KeySchema'] }));
    const text = formatSummary(one(many));
    expect(text.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(text.split('\n')[0]).toBe('40 changes in 1 change set: 0 added, 40 modified, 0 removed; 40 replacements (40 stateful); 0 security changes (0 broadening).');
    expect(text).toMatch(/\n- replace stateful AWS::DynamoDB::Table Table0 \(app-prod, 222222222222 eu-west-1\)\n/);
    const shown = text.split('\n').filter((l) => l.startsWith('- ')).length;
    expect(text).toMatch(new RegExp(`\\n\\(\\+${40 - shown} more in the report\\)$`));
    expect(riskOf(one(many).resources[0])).toBe(70);
  });

  test('the notification of a very large review is cut at a line to fit SNS, saying so', () => {
    const many = Array.from({ length: 4000 }, (_, i) => change('Add', 'AWS::SNS::Topic', `Topic${String(i).padStart(4, '0')}WithAFairlyLongLogicalIdToFillTheLine`));
    const full = formatText(one(many), { pipeline: 'p', stage: 'Prod' });
    expect(Buffer.byteLength(full)).toBeGreaterThan(250_000);
    const cut = fitMessage(full);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(250_000);
    expect(cut).toMatch(/\n {2}add {2}AWS::SNS::Topic Topic\d{4}WithAFairlyLongLogicalIdToFillTheLine\n… cut to fit the notification; the report lists every change\.\n$/);
    expect(fitMessage('short')).toBe('short');
  });
});
