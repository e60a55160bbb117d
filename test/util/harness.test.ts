import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { createTestApp, synthAndReport, synthValidated } from '.';

const env = { account: '111111111111', region: 'eu-west-1' };

describe('validation harness', () => {
  test('passes a stack with no findings and counts its footprint', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Clean', { env });
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
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
    const bucket = new s3.CfnBucket(stack, 'Bucket', { bucketName: 'Not_A_Valid_Name' });
    Validations.of(bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'test fixture' },
      { id: 'AwsSolutions-S10', reason: 'test fixture' },
    );

    expect(() => synthValidated(app)).toThrow(/\[CloudFormation Validate\] F3031 \(error\) at Bad\/Bucket: BucketName/);
  });

  test('fails when the CloudFormation validation engine reports only a warning', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Warn', { env });
    const bucket = new s3.CfnBucket(stack, 'Bucket', { versioningConfiguration: { status: 'Sometimes' } });
    Validations.of(bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'test fixture' },
      { id: 'AwsSolutions-S10', reason: 'test fixture' },
    );

    const report = synthAndReport(app);
    expect(report.findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['W3030:warning']);
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
