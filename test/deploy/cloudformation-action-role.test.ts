import * as iam from 'aws-cdk-lib/aws-iam';
import { harnessTemplate } from './actions-harness';
import { DeployTarget } from '../../src/deploy';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

describe('DeployTarget.cloudFormation actionRole', () => {
  test('both change-set actions run as the given role of the target account, and the artifacts get a customer-managed key', () => {
    const { app, stack } = newStack();
    const actionRole = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::222222222222:role/cfn-deployer', { mutable: false });
    const executionRole = iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::222222222222:role/cfn-exec', { mutable: false });
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', changeSet: true, actionRole, executionRole })] }],
    });
    const template = harnessTemplate(app, { crossAccount: true });
    const actions = stage(template, 'Prod').Actions;
    expect(actions.map((a: any) => a.RoleArn)).toEqual(['arn:aws:iam::222222222222:role/cfn-deployer', 'arn:aws:iam::222222222222:role/cfn-deployer']);
    expect(actions[0].Configuration.RoleArn).toBe('arn:aws:iam::222222222222:role/cfn-exec');
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('fails when actionRole is not a role', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, actionRole: 'arn:aws:iam::222222222222:role/x' as any }))
      .toThrow(/DeployTarget.cloudFormation: options.actionRole is a string .*not an iam.IRole/);
  });
});
