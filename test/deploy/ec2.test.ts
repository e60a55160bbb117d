import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { harnessTemplate } from './actions-harness';
import { DeployTarget } from '../../src/deploy';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

function roleStatements(stack: Stack, template: Template, part: string): any[] {
  const role = stack.node.findAll().find((c) => c instanceof iam.Role && c.node.path.includes(part)) as iam.Role;
  expect(role).toBeDefined();
  const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('DeployTarget.ec2', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    const made = newStack();
    stack = made.stack;
    const tg = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', {
      targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/web/0123456789abcdef',
    });
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        targets: [DeployTarget.ec2({
          instanceTagKey: 'app',
          instanceTagValue: 'web',
          targetDirectory: '/opt/web',
          preScript: 'scripts/stop.sh',
          postScript: 'scripts/start.sh',
          maxBatch: actions.Ec2MaxInstances.percentage(25),
          maxError: actions.Ec2MaxInstances.targets(1),
          targetGroups: [tg],
        })],
      }],
    });
    template = harnessTemplate(made.app);
  });

  test('renders the EC2 deploy action with tags, directory, scripts and limits', () => {
    const action = stage(template, 'Prod').Actions.find((a: any) => a.Name === 'DeployEc2');
    expect(action.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'EC2', Version: '1' });
    expect(action.Configuration).toMatchObject({
      InstanceTagKey: 'app',
      InstanceTagValue: 'web',
      InstanceType: 'EC2',
      TargetDirectory: '/opt/web',
      PreScript: 'scripts/stop.sh',
      PostScript: 'scripts/start.sh',
      MaxBatch: '25%',
      MaxError: '1',
      TargetGroupNameList: 'web',
    });
  });

  test('commands are sent only to instances with the tag', () => {
    const send = roleStatements(stack, template, '/Prod/DeployEc2/')
      .find((s) => s.Action === 'ssm:SendCommand' && JSON.stringify(s.Resource).includes(':instance/*'));
    expect(send.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/app': 'web' } });
  });

  test('fails on a V1 pipeline', () => {
    const { stack: s } = newStack();
    expect(() => definePipeline(s, {
      pipelineType: codepipeline.PipelineType.V1,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.ec2({ instanceTagKey: 'app', targetDirectory: '/opt/app', postScript: 'start.sh' })] }],
    })).toThrow(/action 'DeployEc2': the EC2 deploy action runs only in V2 pipelines/);
  });
});

describe('DeployTarget.ec2 validation', () => {
  function define(options: Partial<Parameters<typeof DeployTarget.ec2>[0]>) {
    const { stack } = newStack();
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.ec2({ instanceTagKey: 'app', targetDirectory: '/opt/app', postScript: 'start.sh', ...options })] }],
    });
  }

  test('fails when targetDirectory is relative', () => {
    expect(() => define({ targetDirectory: 'opt/app' })).toThrow(/stage 'Prod', action 'DeployEc2': targetDirectory 'opt\/app' is not absolute; pass a path such as '\/opt\/app'\./);
  });

  test('fails when the tag key is reserved', () => {
    expect(() => define({ instanceTagKey: 'aws:cloudformation:stack-name' })).toThrow(/instanceTagKey 'aws:cloudformation:stack-name' is not a usable tag key/);
  });

  test('fails when postScript is empty', () => {
    expect(() => define({ postScript: ' ' })).toThrow(/postScript is empty; pass the script's path in the artifact\./);
  });
});
