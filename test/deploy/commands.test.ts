import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { harnessTemplate } from './actions-harness';
import { DeployTarget } from '../../src/deploy';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

describe('DeployTarget.commands', () => {
  let template: Template;

  beforeAll(() => {
    const { app, stack } = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Gate', 'arn:aws:lambda:eu-west-1:111111111111:function:coverage-gate');
    definePipeline(stack, {
      stages: [
        {
          stageName: 'UnitTests',
          targets: [DeployTarget.commands({
            commands: ['npm ci', 'npm test -- --coverage', 'export COVERAGE=$(node -p "require(\'./coverage/summary.json\').total")'],
            output: { name: 'Coverage', files: ['coverage/**'] },
            outputVariables: ['COVERAGE'],
            variablesNamespace: 'UnitTests',
          })],
        },
        {
          stageName: 'Prod',
          targets: [DeployTarget.lambdaInvoke({ function: fn, inputs: ['Coverage'], userParameters: { coverage: '#{UnitTests.COVERAGE}' } })],
        },
      ],
    });
    template = harnessTemplate(app);
  });

  test('renders the Compute/AWS/Commands action with commands, files and output variables', () => {
    const action = stage(template, 'UnitTests').Actions[0];
    expect(action.Name).toBe('Commands');
    expect(action.ActionTypeId).toEqual({ Category: 'Compute', Owner: 'AWS', Provider: 'Commands', Version: '1' });
    expect(action.Commands).toHaveLength(3);
    expect(action.OutputArtifacts).toEqual([{ Name: 'Coverage', Files: ['coverage/**'] }]);
    expect(action.OutputVariables).toEqual(['COVERAGE']);
    expect(action.Namespace).toBe('UnitTests');
    expect(action.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
  });

  test('a later stage reads its artifact and variable', () => {
    const invoke = stage(template, 'Prod').Actions[0];
    expect(invoke.InputArtifacts).toEqual([{ Name: 'Coverage' }]);
    expect(invoke.Configuration.UserParameters).toContain('#{UnitTests.COVERAGE}');
  });

  test('no CodeBuild project is defined for it (only the build step\'s)', () => {
    template.resourceCountIs('AWS::CodeBuild::Project', 1);
  });
});

describe('DeployTarget.commands validation', () => {
  function define(options: Partial<Parameters<typeof DeployTarget.commands>[0]>, pipelineType?: codepipeline.PipelineType) {
    const { stack } = newStack();
    definePipeline(stack, { pipelineType, stages: [{ stageName: 'Check', targets: [DeployTarget.commands({ commands: ['make test'], ...options })] }] });
  }

  test('fails with no commands or more than 50', () => {
    expect(() => define({ commands: [] })).toThrow(/stage 'Check', action 'Commands': commands has 0 commands; the Commands action takes 1 to 50/);
    expect(() => define({ commands: Array(51).fill('true') })).toThrow(/commands has 51 commands/);
  });

  test('fails on a multi-line command', () => {
    expect(() => define({ commands: ['for f in *; do\n echo $f; done'] })).toThrow(/commands\[0\] spans several lines; the Commands action takes single-line commands only/);
  });

  test('fails on a command longer than 1000 characters', () => {
    expect(() => define({ commands: ['echo ' + 'x'.repeat(1000)] })).toThrow(/commands\[0\] is 1005 characters/);
  });

  test('fails on a bad output variable name or an output without files', () => {
    expect(() => define({ outputVariables: ['1ST'] })).toThrow(/outputVariables has '1ST', which is not an environment variable name/);
    expect(() => define({ outputVariables: [] })).toThrow(/outputVariables has 0 names; give 1 to 15/);
    expect(() => define({ output: { name: 'Out', files: [] } })).toThrow(/output 'Out' lists no files/);
  });

  test('fails on a V1 pipeline', () => {
    expect(() => define({}, codepipeline.PipelineType.V1)).toThrow(/the Commands action runs only in V2 pipelines/);
  });
});
