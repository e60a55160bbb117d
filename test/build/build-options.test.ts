import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { defineBuildStep } from '../../src/build/private/build-step';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { buildSpec, definePipeline, newStack, stage, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { defaultsSnapshotTest, exemptFixtureFromControlTower } from '../util';

function buildAction(template: Template): any {
  return stage(template, 'Build').Actions[0];
}

describe('BuildOptions: the project defined for the caller', () => {
  let template: Template;
  let acknowledged: { rule: string; constructPath: string; reason: string }[];

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      buildStep: {
        buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }),
        environmentVariables: {
          COMMIT: { value: '#{SourceVariables.CommitId}' },
          TAG: { value: '#{variables.releaseTag}' },
        },
        rolePolicy: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/app/token'] })],
      },
      variables: [new codepipeline.Variable({ variableName: 'releaseTag', defaultValue: 'latest' })],
    });
    const result = validatedTemplate(app);
    template = result.template;
    acknowledged = result.result.acknowledged;
  });

  defaultsSnapshotTest('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('defaults: standard 7.0 image, small compute, no privileged mode, 60 minute timeout, CloudWatch logs on', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false, Type: 'LINUX_CONTAINER' },
      TimeoutInMinutes: 60,
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.stringLikeRegexp('make') },
    });
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project')) as any[];
    expect(project.Properties.LogsConfig?.CloudWatchLogs?.Status ?? 'ENABLED').toBe('ENABLED');
  });

  test('environment variables with pipeline variables are set on the action', () => {
    const env = JSON.parse(buildAction(template).Configuration.EnvironmentVariables);
    expect(env).toEqual([
      { name: 'COMMIT', type: 'PLAINTEXT', value: '#{SourceVariables.CommitId}' },
      { name: 'TAG', type: 'PLAINTEXT', value: '#{variables.releaseTag}' },
    ]);
  });

  test('rolePolicy statements are added to the project role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/app/token' })]) },
    });
  });

  test('the build outputs BuildOutput by default', () => {
    expect(buildAction(template).OutputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(buildAction(template).InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('without a customer-managed key, CB4 is acknowledged on the project with the reason', () => {
    const ack = acknowledged.find((a) => a.rule === 'AwsSolutions-CB4');
    expect(ack?.constructPath).toBe('Stack/Pipeline/BuildProject');
    expect(ack?.reason).toMatch(/AWS managed key for S3/);
  });
});

describe('BuildOptions: other choices', () => {
  test('image, compute type, timeout and several outputs', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      buildStep: {
        buildSpec,
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
        computeType: codebuild.ComputeType.LARGE,
        timeout: Duration.minutes(20),
        outputs: ['App', 'Templates'],
        actionName: 'Compile',
      },
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'Templates::app.yaml', allowEmptyExecutionPolicy: true })] }],
    });
    const { template } = validatedTemplate(app);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Type: 'ARM_CONTAINER' }),
      TimeoutInMinutes: 20,
    });
    const action = buildAction(template);
    expect(action.Name).toBe('Compile');
    expect(action.OutputArtifacts).toEqual([{ Name: 'App' }, { Name: 'Templates' }]);
  });

  test('with a pipeline key, the project encrypts with it and CB4 holds without acknowledgment', () => {
    const { app, stack } = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    exemptFixtureFromControlTower(key, 'the caller\'s key; its key policy is the caller\'s');
    definePipeline(stack, { failureNotifications: false, encryptionKey: key });
    const { template, result } = validatedTemplate(app);
    template.hasResourceProperties('AWS::CodeBuild::Project', { EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    expect(result.acknowledged.filter((a) => a.rule === 'AwsSolutions-CB4')).toEqual([]);
  });

  test('a given project is used as is, and no project is defined', () => {
    const { app, stack } = newStack();
    const project = new codebuild.PipelineProject(stack, 'Mine', {
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    });
    exemptFixtureFromControlTower(stack, 'the caller\'s own project and key, used as they are');
    // The caller's own project: its grants on its own key are the caller's to review.
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(project.role!).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: 'test fixture: the caller\'s project key' });
    }
    definePipeline(stack, { failureNotifications: false, buildStep: { project } });
    const { template } = validatedTemplate(app);
    template.resourceCountIs('AWS::CodeBuild::Project', 1);
    expect(buildAction(template).Configuration.ProjectName.Ref).toMatch(/^Mine/);
  });

  test('tests run in parallel in a Test stage, as TEST actions, reading the build output or a named artifact', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      buildStep: { buildSpec, outputs: ['BuildOutput', 'Reports'] },
      tests: [{ name: 'Unit', buildSpec }, { name: 'Lint', buildSpec, input: 'Source' }, { name: 'Merge', buildSpec, extraInputs: ['Reports'] }],
    });
    const { template } = validatedTemplate(app);
    const tests = stage(template, 'Test').Actions;
    expect(tests.map((a: any) => [a.Name, a.ActionTypeId.Category, a.RunOrder])).toEqual([['Unit', 'Test', 1], ['Lint', 'Test', 1], ['Merge', 'Test', 1]]);
    expect(tests.map((a: any) => a.InputArtifacts)).toEqual([[{ Name: 'BuildOutput' }], [{ Name: 'Source' }], [{ Name: 'BuildOutput' }, { Name: 'Reports' }]]);
    expect(tests[2].Configuration.PrimarySource).toBe('BuildOutput');
    template.resourceCountIs('AWS::CodeBuild::Project', 4);
  });
});

describe('BuildOptions bad input', () => {
  test('fails when a project is given together with options for the defined project', () => {
    const { stack } = newStack();
    const project = new codebuild.PipelineProject(stack, 'Mine');
    expect(() => definePipeline(stack, { buildStep: { project, buildSpec } }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': 'Build' passes a project and also buildSpec; those configure the project defined for you/);
  });

  test('fails when there are more than 5 outputs', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { buildStep: { outputs: ['a', 'b', 'c', 'd', 'e', 'f'] } })).toThrow(/'Build' has 6 outputs; CodeBuild allows at most 5/);
  });

  test('fails when an output name is invalid', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { buildStep: { outputs: ['my.output'] } })).toThrow(/output artifact name 'my.output' of 'Build' is invalid/);
  });

  test('fails when an output name repeats', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { buildStep: { outputs: ['A', 'A'] } })).toThrow(/'Build' lists an output artifact name twice \(A, A\)/);
  });

  test('fails when a test output reuses an artifact name', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { tests: [{ name: 'Unit', outputs: ['BuildOutput'] }] }))
      .toThrow(/artifact 'BuildOutput' is produced twice \(again by test 'Unit' in stage 'Test'\)/);
  });

  test('fails when the action name is invalid', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { buildStep: { actionName: 'my build' } })).toThrow(/action name 'my build' is invalid/);
  });
});

describe('defineBuildStep on its own (shared with other pipeline constructs)', () => {
  test('defines a project and a CodeBuild action for the given inputs, type and runOrder', () => {
    const { stack } = newStack();
    const input = new codepipeline.Artifact('In');
    const step = defineBuildStep(stack, 'Step', {
      options: { buildSpec },
      defaultActionName: 'Synth',
      defaultOutputs: ['Out'],
      type: actions.CodeBuildActionType.TEST,
      input,
      extraInputs: [new codepipeline.Artifact('Extra')],
      runOrder: 3,
      errorPrefix: "Other 'X'",
    });
    expect(step.actionName).toBe('Synth');
    expect(step.action.actionProperties).toMatchObject({ actionName: 'Synth', category: codepipeline.ActionCategory.TEST, runOrder: 3 });
    expect(step.outputs.map((o) => o.artifactName)).toEqual(['Out']);
    expect(step.project).toBeInstanceOf(codebuild.PipelineProject);
  });

  test('fails with the caller\'s prefix when there are more than 5 inputs', () => {
    const { stack } = newStack();
    const extra = [1, 2, 3, 4, 5].map((i) => new codepipeline.Artifact(`E${i}`));
    expect(() => defineBuildStep(stack, 'Step', {
      options: {},
      defaultActionName: 'Synth',
      defaultOutputs: [],
      type: actions.CodeBuildActionType.BUILD,
      input: new codepipeline.Artifact('In'),
      extraInputs: extra,
      errorPrefix: "Other 'X'",
    })).toThrow(/^Other 'X': 'Synth' has 6 inputs; CodeBuild allows at most 5/);
  });
});
