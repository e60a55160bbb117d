import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { harnessTemplate } from './actions-harness';
import { DeployStrategy, DeployTarget } from '../../src/deploy';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

const FN_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:api';

function fnIn(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionArn(stack, 'Api', FN_ARN);
}

function alarm(stack: Stack, name: string): cloudwatch.IAlarm {
  return cloudwatch.Alarm.fromAlarmArn(stack, name, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`);
}

/** Statements of the policies whose path contains `part`. */
function statementsUnder(stack: Stack, template: Template, part: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => stack.node.findAll().some((c) => c.node.path.includes(part) && (c.node.defaultChild as any)?.logicalId !== undefined
      && stack.resolve((c.node.defaultChild as any).logicalId) === id))
    .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);
}

describe('DeployTarget.lambdaDeploy', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    const made = newStack();
    stack = made.stack;
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        targets: [DeployTarget.lambdaDeploy({
          function: fnIn(stack),
          aliasName: 'live',
          deployStrategy: DeployStrategy.canary(10, Duration.minutes(5)),
          alarms: [alarm(stack, 'api-errors'), alarm(stack, 'api-p99')],
        })],
      }],
    });
    template = harnessTemplate(made.app);
  });

  test('renders the Deploy/AWS/Lambda action with alias, strategy and alarms', () => {
    const action = stage(template, 'Prod').Actions.find((a: any) => a.Name === 'DeployLambda');
    expect(action.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' });
    expect(action.Configuration).toEqual({
      FunctionName: 'api',
      FunctionAlias: 'live',
      DeployStrategy: 'Canary10Percent5Minutes',
      Alarms: 'api-errors,api-p99',
    });
    expect(action.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(action.RoleArn).toBeDefined();
  });

  test('the action role may change this function only and describe only its alarms', () => {
    const statements = statementsUnder(stack, template, '/Prod/DeployLambda/');
    const lambdaStatement = statements.find((s) => ([] as string[]).concat(s.Action).includes('lambda:UpdateAlias'));
    expect(lambdaStatement.Resource).toEqual([FN_ARN, `${FN_ARN}:*`]);
    expect(lambdaStatement.Action).toContain('lambda:GetProvisionedConcurrencyConfig');
    const alarmStatement = statements.find((s) => s.Action === 'cloudwatch:DescribeAlarms');
    expect(alarmStatement.Resource).toEqual([
      'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:api-errors',
      'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:api-p99',
    ]);
    for (const s of statements) expect(([] as string[]).concat(s.Action).some((a: string) => a.endsWith(':*') || a === '*')).toBe(false);
  });
});

describe('DeployStrategy', () => {
  test.each([
    [DeployStrategy.allAtOnce(), 'AllAtOnce'],
    [DeployStrategy.canary(10, Duration.minutes(5)), 'Canary10Percent5Minutes'],
    [DeployStrategy.canary(25, Duration.hours(1)), 'Canary25Percent60Minutes'],
    [DeployStrategy.linear(10, Duration.minutes(1)), 'Linear10PercentEvery1Minute'],
    [DeployStrategy.linear(20, Duration.minutes(3)), 'Linear20PercentEvery3Minutes'],
  ])('renders %o as %s', (strategy, value) => {
    expect(strategy.value).toBe(value);
  });

  test('fails when the percentage is not 1-99', () => {
    expect(() => DeployStrategy.canary(100, Duration.minutes(5))).toThrow(/DeployStrategy.canary: percent is 100; pass an integer from 1 to 99\./);
    expect(() => DeployStrategy.linear(2.5, Duration.minutes(5))).toThrow(/percent is 2.5/);
  });

  test('fails when the interval is not whole minutes', () => {
    expect(() => DeployStrategy.canary(10, Duration.seconds(90))).toThrow(/interval is 1 minute 30 seconds; pass whole minutes/);
  });

  test('fails when the shift waits more than 2 days', () => {
    // 10% every 6 hours: 9 waits of 360 minutes = 3240 > 2880
    expect(() => DeployStrategy.linear(10, Duration.hours(6))).toThrow(/wait 3240 minutes in total; CodePipeline allows at most 2 days/);
    expect(() => DeployStrategy.canary(10, Duration.days(3))).toThrow(/at most 2 days/);
  });
});

describe('DeployTarget.lambdaDeploy validation', () => {
  function define(options: Partial<Parameters<typeof DeployTarget.lambdaDeploy>[0]>, pipelineType?: codepipeline.PipelineType) {
    const { app, stack } = newStack();
    definePipeline(stack, {
      pipelineType,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.lambdaDeploy({ function: fnIn(stack), ...options })] }],
    });
    return app;
  }

  test('without alias, deploys to $LATEST with only FunctionName', () => {
    const template = harnessTemplate(define({}));
    const action = stage(template, 'Prod').Actions[0];
    expect(action.Configuration).toEqual({ FunctionName: 'api' });
  });

  test('fails when deployStrategy is given without aliasName', () => {
    expect(() => define({ deployStrategy: DeployStrategy.linear(10, Duration.minutes(1)) }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action 'DeployLambda': deployStrategy 'Linear10PercentEvery1Minute' needs aliasName/);
  });

  test('fails when targetVersion is given without aliasName', () => {
    expect(() => define({ targetVersion: '3' })).toThrow(/targetVersion '3' needs aliasName/);
  });

  test('fails when targetVersion is not a version number or variable', () => {
    expect(() => define({ aliasName: 'live', targetVersion: 'latest' })).toThrow(/targetVersion 'latest' is not a published version number/);
  });

  test('fails when aliasName is not a Lambda alias name', () => {
    expect(() => define({ aliasName: 'my alias' })).toThrow(/aliasName 'my alias' is not a Lambda alias name/);
  });

  test('fails when more than 10 alarms are given', () => {
    expect(() => {
      const { stack } = newStack();
      const alarms = Array.from({ length: 11 }, (_, i) => alarm(stack, `a${i}`));
      definePipeline(stack, { stages: [{ stageName: 'Prod', targets: [DeployTarget.lambdaDeploy({ function: fnIn(stack), aliasName: 'live', alarms })] }] });
    }).toThrow(/alarms has 11 alarms; the Lambda deploy action monitors at most 10/);
  });

  test('fails on a V1 pipeline', () => {
    expect(() => harnessTemplate(define({}, codepipeline.PipelineType.V1)))
      .toThrow(/the Lambda deploy action runs only in V2 pipelines.*is V1; use pipelineType: codepipeline.PipelineType.V2\./);
  });
});
