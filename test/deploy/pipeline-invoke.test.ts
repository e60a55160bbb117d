import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { harnessTemplate } from './actions-harness';
import { DeployTarget } from '../../src/deploy';
import { codeCommitSource, definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

const TARGET_ARN = 'arn:aws:codepipeline:eu-west-1:111111111111:release-train';

describe('DeployTarget.pipelineInvoke', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    const made = newStack();
    stack = made.stack;
    const target = codepipeline.Pipeline.fromPipelineArn(stack, 'Train', TARGET_ARN);
    definePipeline(stack, {
      source: codeCommitSource(stack, { variablesNamespace: 'SourceVariables' }),
      stages: [{
        stageName: 'Release',
        targets: [DeployTarget.pipelineInvoke({
          pipeline: target,
          variables: { appVersion: '#{codepipeline.PipelineExecutionId}', env: 'prod' },
          sourceRevisions: [{ actionName: 'Source', revisionType: actions.RevisionType.COMMIT_ID, revisionValue: '#{SourceVariables.CommitId}' }],
        })],
      }],
    });
    template = harnessTemplate(made.app);
  });

  test('renders the Invoke/AWS/CodePipeline action with variables and source revisions', () => {
    const action = stage(template, 'Release').Actions[0];
    expect(action.Name).toBe('InvokePipeline');
    expect(action.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'CodePipeline', Version: '1' });
    expect(action.Configuration.PipelineName).toBe('release-train');
    expect(JSON.parse(action.Configuration.Variables)).toEqual([{ name: 'appVersion', value: '#{codepipeline.PipelineExecutionId}' }, { name: 'env', value: 'prod' }]);
    expect(JSON.parse(action.Configuration.SourceRevisions)).toEqual([{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '#{SourceVariables.CommitId}' }]);
  });

  test('the action role may start only the target pipeline', () => {
    const role = stack.node.findAll().find((c) => c instanceof iam.Role && c.node.path.includes('/Release/InvokePipeline/')) as iam.Role;
    const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: 'codepipeline:StartPipelineExecution', Resource: TARGET_ARN })]);
  });
});

describe('DeployTarget.pipelineInvoke validation', () => {
  test('fails when the pipeline invokes itself', () => {
    const { stack } = newStack();
    // the pipeline of the SourceBuildDeployPipeline is only known once it is defined: bind a second stage to it afterwards
    const sbd = definePipeline(stack);
    expect(() => sbd.pipeline.addStage({
      stageName: 'Loop',
      actions: DeployTarget.pipelineInvoke({ pipeline: sbd.pipeline }).bind(sbd, {
        stageName: 'Loop', runOrder: 1, defaultInput: new codepipeline.Artifact('X'), artifacts: {},
      }).actions,
    })).toThrow(/action 'InvokePipeline': pipeline is this pipeline itself/);
  });

  test('fails on a bad variable name', () => {
    const { stack } = newStack();
    const target = codepipeline.Pipeline.fromPipelineArn(stack, 'T', TARGET_ARN);
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Release', targets: [DeployTarget.pipelineInvoke({ pipeline: target, variables: { 'app version': '1' } })] }] }))
      .toThrow(/stage 'Release', action 'InvokePipeline': variables has the name 'app version'; pipeline variable names are 1-128 characters/);
  });

  test('fails when a source action is given two revisions', () => {
    const { stack } = newStack();
    const target = codepipeline.Pipeline.fromPipelineArn(stack, 'T', TARGET_ARN);
    const rev = { actionName: 'Source', revisionType: actions.RevisionType.COMMIT_ID, revisionValue: 'abc' };
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Release', targets: [DeployTarget.pipelineInvoke({ pipeline: target, sourceRevisions: [rev, rev] })] }] }))
      .toThrow(/sourceRevisions names source action 'Source' twice/);
  });
});
