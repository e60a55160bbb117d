import { CfnCapabilities, CfnParameter, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { buildSpec, definePipeline, newStack, stage, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { canonical, formatFindings, synthAndReport } from '../util';

/** The statements (canonical: the same under both flag sets) of every inline policy attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: string): any[] {
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(rolePrefix));
  expect(roleId).toBeDefined();
  return canonical(Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement));
}

/** The role of the action at `pathPart` (e.g. '/Prod/Invoke/'). */
function actionRole(scope: Stack, pathPart: string): iam.Role {
  const role = scope.node.findAll().find((c) => c instanceof iam.Role && c.node.path.includes(pathPart));
  expect(role).toBeDefined();
  return role as iam.Role;
}

function actionsOf(template: Template, stageName: string): any[] {
  return stage(template, stageName).Actions;
}
function action(template: Template, stageName: string, name: string): any {
  return actionsOf(template, stageName).find((a: any) => a.Name === name);
}

describe('DeployTarget, all kinds in one validated pipeline', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    const made = newStack();
    stack = made.stack;
    const deployRole = new iam.Role(stack, 'GivenDeployRole', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    const site = s3.Bucket.fromBucketName(stack, 'Site', 'my-site-bucket');
    const archive = s3.Bucket.fromBucketName(stack, 'Archive', 'my-release-archive');
    const service = ecs.BaseService.fromServiceArnWithCluster(stack, 'Service', 'arn:aws:ecs:eu-west-1:111111111111:service/main/web');
    const ecsGroup = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'EcsGroup', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'EcsApp', 'web'),
      deploymentGroupName: 'web-bg',
    });
    const serverGroup = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'ServerGroup', {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'ServerApp', 'api'),
      deploymentGroupName: 'api-fleet',
    });
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:smoke');
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:eu-west-1:111111111111:stateMachine:migrate');

    definePipeline(stack, {
      failureNotifications: false, // the snapshot shows the targets only
      buildStep: { buildSpec, outputs: ['BuildOutput', 'Templates'] },
      stages: [
        {
          stageName: 'Cfn',
          targets: [
            DeployTarget.cloudFormation({
              stackName: 'app-direct',
              templatePath: 'Templates::app.yaml',
              parameterOverrides: { Stage: 'dev' },
              capabilities: [CfnCapabilities.NAMED_IAM],
              executionPolicy: [new iam.PolicyStatement({ actions: ['sns:CreateTopic', 'sns:DeleteTopic'], resources: ['arn:aws:sns:eu-west-1:111111111111:app-events'] })],
            }),
            DeployTarget.cloudFormation({ stackName: 'app-changes', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, changeSet: true }),
            DeployTarget.cloudFormation({ stackName: 'app-given-role', templatePath: 'template.yaml', executionRole: deployRole, templateConfiguration: 'Templates::config.json' }),
          ],
        },
        {
          stageName: 'Containers',
          targets: [
            DeployTarget.ecs({ service }),
            DeployTarget.ecsBlueGreen({ deploymentGroup: ecsGroup, containerImageInputs: [{ input: 'BuildOutput' }] }),
            DeployTarget.codeDeploy({ deploymentGroup: serverGroup, input: 'BuildOutput' }),
          ],
        },
        {
          stageName: 'Other',
          targets: [
            DeployTarget.s3({ bucket: site, publishTo: { bucket: archive, extract: false, objectKey: 'releases/app.zip' } }),
            DeployTarget.elasticBeanstalk({ applicationName: 'shop', environmentName: 'shop-prod' }),
            DeployTarget.lambdaInvoke({ function: fn, userParameters: { url: 'https://example.com' }, outputs: ['SmokeReport'] }),
            DeployTarget.stepFunctions({ stateMachine: machine, stateMachineInput: actions.StateMachineInput.literal({ stage: 'prod' }) }),
            DeployTarget.action(new actions.ManualApprovalAction({ actionName: 'Escape', runOrder: 3 })),
          ],
        },
        {
          stageName: 'UsesLambdaOutput',
          targets: [DeployTarget.s3({ bucket: site, input: 'SmokeReport', actionName: 'ArchiveReport', extract: false, objectKey: 'report.json' })],
        },
      ],
    });
    template = validatedTemplate(made.app).template;
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('cloudFormation deploys directly with CREATE_UPDATE, the template from a named build output, overrides and capabilities', () => {
    const a = action(template, 'Cfn', 'app-direct');
    expect(a.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormation', Version: '1' });
    expect(a.Configuration).toMatchObject({
      ActionMode: 'CREATE_UPDATE',
      StackName: 'app-direct',
      TemplatePath: 'Templates::app.yaml',
      Capabilities: 'CAPABILITY_NAMED_IAM',
      ParameterOverrides: '{"Stage":"dev"}',
    });
    expect(a.RunOrder).toBe(1);
  });

  test('cloudFormation deployment role holds exactly the declared executionPolicy and is never admin', () => {
    const roleLogicalId = action(template, 'Cfn', 'app-direct').Configuration.RoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleLogicalId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'cloudformation.amazonaws.com' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['sns:CreateTopic', 'sns:DeleteTopic'], Resource: 'arn:aws:sns:eu-west-1:111111111111:app-events' })]) },
    });
    const allActions = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Action)));
    expect(allActions).not.toMatch(/"\*"/);
  });

  test('cloudFormation with allowEmptyExecutionPolicy (no executionPolicy) defines a deployment role that may only read the pipeline artifacts', () => {
    const roleLogicalId = action(template, 'Cfn', 'app-changes-Prepare').Configuration.RoleArn['Fn::GetAtt'][0];
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles).includes(roleLogicalId));
    const statements = canonical(attached.flatMap((p: any) => p.Properties.PolicyDocument.Statement));
    expect(statements.map((st: any) => st.Action)).toEqual([['s3:GetBucket*', 's3:GetObject*', 's3:List*']]);
    expect(JSON.stringify(statements[0].Resource)).toMatch(/PipelineArtifactBucket/);
  });

  test('cloudFormation with changeSet creates the change set, then executes it at the next runOrder', () => {
    const prepare = action(template, 'Cfn', 'app-changes-Prepare');
    const execute = action(template, 'Cfn', 'app-changes-Execute');
    expect(prepare.Configuration).toMatchObject({ ActionMode: 'CHANGE_SET_REPLACE', ChangeSetName: 'app-changes-changes', TemplatePath: 'BuildOutput::template.yaml' });
    expect(execute.Configuration).toMatchObject({ ActionMode: 'CHANGE_SET_EXECUTE', ChangeSetName: 'app-changes-changes' });
    expect([prepare.RunOrder, execute.RunOrder]).toEqual([1, 2]);
  });

  test('cloudFormation uses a given executionRole and template configuration', () => {
    const a = action(template, 'Cfn', 'app-given-role');
    expect(a.Configuration.RoleArn['Fn::GetAtt'][0]).toMatch(/^GivenDeployRole/);
    expect(a.Configuration.TemplateConfiguration).toBe('Templates::config.json');
  });

  test('ecs deploys imagedefinitions.json from the build output', () => {
    const a = action(template, 'Containers', 'DeployEcs');
    expect(a.ActionTypeId.Provider).toBe('ECS');
    expect(a.Configuration).toMatchObject({ ClusterName: 'main', ServiceName: 'web', FileName: 'imagedefinitions.json' });
    expect(a.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
  });

  test('ecs action role: UpdateService on the one service, no mutating action on "*", PassRole only to ECS tasks', () => {
    const statements = roleStatements(template, 'PipelineContainersDeployEcsCodePipelineActionRole');
    expect(statements.filter((st: any) => !JSON.stringify(st.Action).includes('s3:'))).toEqual([
      { Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: 'arn:aws:ecs:eu-west-1:111111111111:service/main/web' },
      { Effect: 'Allow', Action: 'ecs:DescribeTasks', Resource: 'arn:aws:ecs:eu-west-1:111111111111:task/main/*' },
      { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:111111111111:cluster/main' } } },
      { Effect: 'Allow', Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/*',
        Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      },
      // an imported service does not expose its task definition roles
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
    ]);
    const artifactRead = statements.filter((st: any) => JSON.stringify(st.Action).includes('s3:'));
    expect(JSON.stringify(artifactRead)).toMatch(/PipelineArtifactBucket/);
    const onStar = statements.filter((st: any) => st.Resource === '*').flatMap((st: any) => [st.Action].flat());
    expect(onStar.sort()).toEqual(['ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'iam:PassRole']);
  });

  test('ecsBlueGreen action role uses "*" only for RegisterTaskDefinition and ECS-conditioned PassRole', () => {
    const statements = roleStatements(template, 'PipelineContainersDeployBlueGreenCodePipelineActionRole');
    const onStar = statements.filter((st: any) => st.Resource === '*');
    expect(onStar).toEqual([
      { Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } } },
    ]);
  });

  test('ecsBlueGreen deploys through CodeDeploy with task definition, appspec and image inputs', () => {
    const a = action(template, 'Containers', 'DeployBlueGreen');
    expect(a.ActionTypeId.Provider).toBe('CodeDeployToECS');
    expect(a.Configuration).toMatchObject({
      ApplicationName: 'web',
      DeploymentGroupName: 'web-bg',
      TaskDefinitionTemplateArtifact: 'BuildOutput',
      TaskDefinitionTemplatePath: 'taskdef.json',
      AppSpecTemplatePath: 'appspec.yaml',
      Image1ArtifactName: 'BuildOutput',
      Image1ContainerName: 'IMAGE',
    });
  });

  test('codeDeploy deploys the named artifact to the server deployment group', () => {
    const a = action(template, 'Containers', 'DeployCodeDeploy');
    expect(a.ActionTypeId.Provider).toBe('CodeDeploy');
    expect(a.Configuration).toEqual({ ApplicationName: 'api', DeploymentGroupName: 'api-fleet' });
  });

  test('targets of a stage run in parallel (same runOrder)', () => {
    expect(actionsOf(template, 'Containers').map((a: any) => a.RunOrder)).toEqual([1, 1, 1]);
  });

  test('s3 extracts into the bucket and publishes to a second bucket as one object, in parallel', () => {
    const deploy = action(template, 'Other', 'DeployS3');
    const publish = action(template, 'Other', 'DeployS3-Publish');
    expect(deploy.Configuration).toEqual({ BucketName: 'my-site-bucket', Extract: 'true' });
    expect(publish.Configuration).toEqual({ BucketName: 'my-release-archive', Extract: 'false', ObjectKey: 'releases/app.zip' });
    expect(deploy.RunOrder).toBe(publish.RunOrder);
  });

  test('elasticBeanstalk deploys to the named environment', () => {
    const a = action(template, 'Other', 'DeployBeanstalk');
    expect(a.ActionTypeId.Provider).toBe('ElasticBeanstalk');
    expect(a.Configuration).toEqual({ ApplicationName: 'shop', EnvironmentName: 'shop-prod' });
  });

  test('lambdaInvoke passes user parameters and its output is usable by a later stage', () => {
    const a = action(template, 'Other', 'Invoke');
    expect(a.Configuration).toEqual({ FunctionName: 'smoke', UserParameters: '{"url":"https://example.com"}' });
    expect(a.OutputArtifacts).toEqual([{ Name: 'SmokeReport' }]);
    expect(action(template, 'UsesLambdaOutput', 'ArchiveReport').InputArtifacts).toEqual([{ Name: 'SmokeReport' }]);
  });

  test('stepFunctions starts the state machine with a literal input', () => {
    const a = action(template, 'Other', 'StartExecution');
    expect(a.ActionTypeId.Provider).toBe('StepFunctions');
    expect(a.Configuration).toMatchObject({ Input: '{"stage":"prod"}', InputType: 'Literal' });
  });

  test('action() adds any action as is, with its own runOrder', () => {
    const a = action(template, 'Other', 'Escape');
    expect(a.ActionTypeId.Category).toBe('Approval');
    expect(a.RunOrder).toBe(3);
  });
});

describe('DeployTarget bad input', () => {
  test('fails when templatePath names an artifact nobody produces', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput2::x.yaml', allowEmptyExecutionPolicy: true })] }],
    })).toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action 'app': templatePath 'BuildOutput2' is an artifact nobody produces before this stage; use one of 'Source', 'BuildOutput'/);
  });

  test('fails when an input names an artifact produced only in a later stage', () => {
    const { stack } = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:x');
    expect(() => definePipeline(stack, {
      stages: [
        { stageName: 'A', targets: [DeployTarget.lambdaInvoke({ function: fn, inputs: ['Later'] })] },
        { stageName: 'B', targets: [DeployTarget.lambdaInvoke({ function: fn, outputs: ['Later'] })] },
      ],
    })).toThrow(/stage 'A', action 'Invoke': inputs 'Later' is an artifact nobody produces before this stage/);
  });

  test('fails when templatePath has no file path', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::', allowEmptyExecutionPolicy: true })] }],
    })).toThrow(/templatePath 'BuildOutput::' has no file path/);
  });

  test('fails when the stack name is invalid', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'my_stack', templatePath: 't.yaml', allowEmptyExecutionPolicy: true })).toThrow(/stackName 'my_stack' is invalid/);
  });

  test('fails when both executionRole and executionPolicy are given', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionRole: role, executionPolicy: [] }))
      .toThrow(/pass executionRole or executionPolicy, not both/);
  });

  test('fails when neither executionPolicy nor executionRole is given: the role could only read artifacts, and the message says how to give it permissions', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml' })).toThrow(new RegExp(
      "^DeployTarget\\.cloudFormation\\('app'\\): neither executionPolicy nor executionRole is given, so the deployment role CloudFormation assumes " +
      "could only read the pipeline's artifacts and create no resource \\(the first deploy would fail with AccessDenied\\); " +
      "give it the permissions the stack's resources need, e\\.g\\. executionPolicy: \\[new iam\\.PolicyStatement\\(.*arn:aws:sns:eu-west-1:111111111111:app-\\*.*\\]" +
      ', or pass executionRole \\(a role of yours\\), or allowEmptyExecutionPolicy: true if the template needs no permissions\\.$'));
  });

  test('fails when executionPolicy is empty without the opt-out; allowEmptyExecutionPolicy allows it', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionPolicy: [] }))
      .toThrow(/^DeployTarget\.cloudFormation\('app'\): executionPolicy is empty and no executionRole is given, so the deployment role .* could only read/);
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionPolicy: [], allowEmptyExecutionPolicy: true })).not.toThrow();
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true })).not.toThrow();
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: false }))
      .toThrow(/neither executionPolicy nor executionRole is given/);
  });

  test('fails when allowEmptyExecutionPolicy would have no effect: with statements or with an executionRole', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    const statement = new iam.PolicyStatement({ actions: ['sns:CreateTopic'], resources: ['arn:aws:sns:eu-west-1:111111111111:app'] });
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionPolicy: [statement], allowEmptyExecutionPolicy: true }))
      .toThrow(/^DeployTarget\.cloudFormation\('app'\): allowEmptyExecutionPolicy is true, but executionPolicy has 1 statement\(s\); remove allowEmptyExecutionPolicy/);
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionRole: role, allowEmptyExecutionPolicy: true }))
      .toThrow(/^DeployTarget\.cloudFormation\('app'\): allowEmptyExecutionPolicy is true, but executionRole is given, whose permissions are yours; remove allowEmptyExecutionPolicy\.$/);
    // Statements alone, or a role alone, are what a deployment needs.
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionPolicy: [statement] })).not.toThrow();
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', executionRole: role })).not.toThrow();
  });

  test('fails when an action name is invalid', () => {
    const { stack } = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:x');
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.lambdaInvoke({ function: fn, actionName: 'bad name' })] }],
    })).toThrow(/stage 'Prod': action name 'bad name' is invalid/);
  });

  test('fails when an s3 target stores one object without an objectKey', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-bucket');
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.s3({ bucket, extract: false })] }],
    })).toThrow(/extract is false but no objectKey is given/);
  });

  test('fails when ecsBlueGreen has more than 4 image inputs', () => {
    const { stack } = newStack();
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'G', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'A', 'a'), deploymentGroupName: 'g',
    });
    const inputs = [1, 2, 3, 4, 5].map(() => ({ input: 'BuildOutput' }));
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.ecsBlueGreen({ deploymentGroup: group, containerImageInputs: inputs })] }],
    })).toThrow(/5 containerImageInputs; CodeDeploy ECS takes at most 4/);
  });

  test('fails when cloudFormation account is not 12 digits', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, account: '22' }))
      .toThrow(/DeployTarget.cloudFormation\('app'\): account '22' is invalid; pass the 12-digit AWS account id/);
  });

  test('fails when cloudFormation region does not look like a region', () => {
    expect(() => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true, region: 'mars-1' }))
      .toThrow(/DeployTarget.cloudFormation\('app'\): region 'mars-1' is invalid; pass an AWS region name, e.g. 'eu-west-1'/);
  });

  test('fails when the ecs deploymentTimeout is over 60 minutes', () => {
    const { stack } = newStack();
    const service = ecs.BaseService.fromServiceArnWithCluster(stack, 'Service', 'arn:aws:ecs:eu-west-1:111111111111:service/main/web');
    expect(() => definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.ecs({ service, deploymentTimeout: Duration.minutes(90) })] }],
    })).toThrow(/stage 'Prod', action 'DeployEcs': deploymentTimeout is 90 minutes; CodePipeline's ECS action takes 1 to 60 minutes/);
  });
});

describe('DeployTarget acknowledgments cover only what they name', () => {
  const iam5 = (result: { findings: any[] }) => formatFindings(result.findings);

  test('a wildcard on the stack of a cloudFormation target is still reported on a build project role', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true })] }] });
    const project = stack.node.findAll().find((c) => c instanceof codebuild.PipelineProject) as codebuild.PipelineProject;
    expect(project).toBeDefined();
    project.role!.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'app/*' })],
    }));
    const report = iam5(synthAndReport(app));
    expect(report).toMatch(/AwsSolutions-IAM5\[Resource::arn:(<AWS::Partition>|aws):cloudformation:eu-west-1:111111111111:stack\/app\/\*\][^\n]*Build/);
    expect(report).not.toMatch(/stack\/app\/\*\][^\n]*\/Prod\/app\//);
  });

  test('a mutating ECS action on "*" added to the ecs action role is reported', () => {
    const { app, stack } = newStack();
    const service = ecs.BaseService.fromServiceArnWithCluster(stack, 'Service', 'arn:aws:ecs:eu-west-1:111111111111:service/main/web');
    definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.ecs({ service })] }] });
    actionRole(stack, '/Prod/DeployEcs/').addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: ['*'] }));
    expect(iam5(synthAndReport(app))).toMatch(/AwsSolutions-IAM5\[Resource::\*\][^\n]*\/Prod\/DeployEcs\//);
  });

  test('lambdaInvoke acknowledges "*" for lambda:ListFunctions only', () => {
    const { app, stack } = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:smoke');
    definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.lambdaInvoke({ function: fn })] }] });
    actionRole(stack, '/Prod/Invoke/').addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: ['*'] }));
    expect(iam5(synthAndReport(app))).toMatch(/AwsSolutions-IAM5\[Resource::\*\][^\n]*\/Prod\/Invoke\//);
  });

  test('ecs with a service defined in the app: PassRole on its task definition roles, TagResource on its family only', () => {
    const { app, stack } = newStack();
    // A fixture that passes the Control Tower ECS/log rules itself, so only the target is judged.
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: false, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { family: 'web' });
    const logGroup = new logs.LogGroup(stack, 'WebLogs', { retention: logs.RetentionDays.ONE_YEAR });
    Validations.of(logGroup).acknowledge({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason: 'test fixture: the container logs of the service under test' });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup }),
      readonlyRootFilesystem: true,
      memoryLimitMiB: 512,
      user: '1000',
    });
    const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, minHealthyPercent: 100, circuitBreaker: { rollback: true } });
    Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'test fixture: an isolated VPC that only hosts the service under test' });
    definePipeline(stack, { failureNotifications: false, stages: [{ stageName: 'Prod', targets: [DeployTarget.ecs({ service })] }] });
    const result = synthAndReport(app);
    expect(formatFindings(result.findings)).toBe('');
    const update = roleStatements(Template.fromJSON(result.templates.Stack), 'PipelineProdDeployEcsCodePipelineActionRole')
      .find((st: any) => JSON.stringify(st.Action).includes('ecs:UpdateService'));
    // service/<cluster>/<service>: the ARN format IAM matches UpdateService against
    expect(JSON.stringify(update.Resource)).toMatch(/:service\/",\{"Ref":"Cluster\w+"\},"\/",\{"Fn::GetAtt":\["Web\w+","Name"\]\}/);
    const statements = roleStatements(Template.fromJSON(result.templates.Stack), 'PipelineProdDeployEcsCodePipelineActionRole');
    const tag = statements.find((st: any) => st.Action === 'ecs:TagResource');
    expect(JSON.stringify(tag.Resource)).toMatch(/:task-definition\/web:\*"/);
    expect(tag.Condition).toBeUndefined();
    const pass = statements.find((st: any) => st.Action === 'iam:PassRole');
    expect(pass.Resource).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^TaskExecutionRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^TaskTaskRole/), 'Arn'] }]);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(statements.filter((st: any) => st.Resource === '*').flatMap((st: any) => [st.Action].flat()).sort())
      .toEqual(['ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition']);
  });
});

describe('DeployTarget.stepFunctions with a state machine whose ARN is a token', () => {
  test.each([
    ['defined in the app', (stack: Stack) => new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Noop')) })],
    ['imported by a name parameter', (stack: Stack) => sfn.StateMachine.fromStateMachineName(stack, 'Machine', new CfnParameter(stack, 'MachineName').valueAsString)],
  ])('%s: DescribeExecution on its executions only (with the prefix), and no unacknowledged wildcard', (_name, machineOf) => {
    const { app, stack } = newStack();
    const stateMachine = machineOf(stack);
    definePipeline(stack, { failureNotifications: false, stages: [{ stageName: 'Prod', targets: [DeployTarget.stepFunctions({ stateMachine, executionNamePrefix: 'deploy-' })] }] });
    const result = synthAndReport(app);
    expect(formatFindings(result.findings.filter((f) => f.constructPath.includes('/Prod/StartExecution/')))).toBe('');
    const statements = roleStatements(Template.fromJSON(result.templates.Stack), 'PipelineProdStartExecutionCodePipelineActionRole');
    const describe = statements.find((st: any) => st.Action === 'states:DescribeExecution');
    expect(JSON.stringify(describe.Resource)).toMatch(/:execution:.*:deploy-\*"/);
  });
});
