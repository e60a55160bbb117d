import { App, Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { canonical, grantsOf } from './canonical';

describe('canonical', () => {
  test('folds the partition of a Join into its literals, and a Join left with one literal into that string', () => {
    const stack = new Stack(new App(), 'S');
    expect(canonical(stack.resolve(`arn:${Aws.PARTITION}:s3:::bucket/*`))).toBe('arn:aws:s3:::bucket/*');
    expect(canonical({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':1:t']] }))
      .toEqual({ 'Fn::Join': ['', ['arn:aws:sns:', { Ref: 'AWS::Region' }, ':1:t']] });
    expect(canonical({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' })).toEqual({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' });
    // a Join with another delimiter is not an ARN being built: left alone
    expect(canonical({ 'Fn::Join': [',', ['a', { Ref: 'AWS::Partition' }]] })).toEqual({ 'Fn::Join': [',', ['a', 'aws']] });
  });

  test('sorts actions and resources of statements only', () => {
    expect(canonical({ Effect: 'Allow', Action: ['s3:Put*', 's3:Get*'], Resource: ['b', 'a'], Other: ['z', 'y'] }))
      .toEqual({ Effect: 'Allow', Action: ['s3:Get*', 's3:Put*'], Resource: ['a', 'b'], Other: ['z', 'y'] });
    expect(canonical({ Stages: ['Source', 'Build'] })).toEqual({ Stages: ['Source', 'Build'] });
  });

  test.each([false, true])('grantsOf gives the same pairs with minimizePolicies %s', (minimize) => {
    const stack = new Stack(new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': minimize } }), 'S');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:1:b'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:1:a'] }));
    const [policy] = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(minimize ? 1 : 2);
    expect(grantsOf(statements)).toEqual([
      { effect: 'Allow', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:1:a' },
      { effect: 'Allow', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:1:b' },
    ]);
  });
});
