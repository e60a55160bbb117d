import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ApprovalGate, CodeBuildRule, CommandsRule, DeployTarget } from '../../src';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthAndReport } from '../util';
import { simulate, SimulationRequest } from '../util/iam';

/**
 * The requests CodePipeline makes as the pipeline role for the on-success rules of a gate (a Commands
 * smoke test and a CodeBuild rule), simulated offline against the synthesized policies.
 */
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const PIPELINE_ROLE = 'Stack/Pipeline/Pipeline/Role';
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codepipeline/app-pipeline`;

let assembly: CloudAssembly;

async function expectRequest(request: SimulationRequest, allowed: boolean) {
  const outcome = await simulate(assembly, PIPELINE_ROLE, request);
  if (outcome.allowed !== allowed) {
    throw new Error(`${request.action} on ${request.resource}: expected ${allowed ? 'Allowed' : 'denied'}, got ${outcome.reason}`);
  }
}

beforeAll(() => {
  const { app, stack } = newStack();
  const project = codebuild.Project.fromProjectName(stack, 'Smoke', 'smoke-tests');
  const gate = new ApprovalGate(stack, 'ProdGate', {
    successRules: [new CommandsRule({ commands: ['./smoke.sh'], inputs: ['Source'] }), new CodeBuildRule({ project })],
  });
  definePipeline(stack, {
    pipelineName: 'app-pipeline',
    failureNotifications: false,
    stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true })], gate }],
  });
  ({ assembly } = synthAndReport(app));
});

describe('gate rules IAM, simulated', () => {
  test('the Commands rule writes the pipeline\'s own log group only, and does not read it back (GetLogEvents is the console user\'s)', async () => {
    await expectRequest({ action: 'logs:CreateLogGroup', resource: LOG_GROUP }, true);
    await expectRequest({ action: 'logs:CreateLogStream', resource: `${LOG_GROUP}:log-stream:run-1` }, true);
    await expectRequest({ action: 'logs:PutLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, true);
    await expectRequest({ action: 'logs:GetLogEvents', resource: `${LOG_GROUP}:log-stream:run-1` }, false);
    await expectRequest({ action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codepipeline/other-pipeline:log-stream:x` }, false);
    await expectRequest({ action: 'logs:DeleteLogGroup', resource: LOG_GROUP }, false);
  });

  test('the CodeBuild rule starts and reads builds of its project only', async () => {
    const project = `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/smoke-tests`;
    await expectRequest({ action: 'codebuild:StartBuild', resource: project }, true);
    await expectRequest({ action: 'codebuild:BatchGetBuilds', resource: project }, true);
    await expectRequest({ action: 'codebuild:StartBuild', resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/other` }, false);
    await expectRequest({ action: 'codebuild:StopBuild', resource: project }, false);
  });
});
