import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { arnOfResource, simulate, SimulationRequest } from '../util/iam';

/**
 * The calls of the failure notifier (the Lambda function that enriches and publishes failure
 * notifications), simulated offline against the synthesized policies: it reads the executions of
 * the pipelines it watches, publishes to their topics over TLS and writes its own log group; the
 * rest (another pipeline, another topic, another log group, changing a pipeline) is denied.
 */
describe('IAM simulation: FailureNotifications notifier', () => {
  const NOTIFIER = 'Stack/CdpFailureNotifier/Role';
  const TLS = { 'aws:SecureTransport': 'true' };
  let assembly: CloudAssembly;
  let pipelineArn: string;
  let topicArn: string;
  let logGroupArn: string;

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack);
    assembly = synthValidated(app).assembly;
    pipelineArn = arnOfResource(assembly, 'Stack/Pipeline/Pipeline');
    topicArn = arnOfResource(assembly, 'Stack/Pipeline/FailureNotifications/Topic');
    logGroupArn = arnOfResource(assembly, 'Stack/CdpFailureNotifier/Logs');
  });

  const expectRequest = async (request: SimulationRequest, allowed: boolean) => {
    const outcome = await simulate(assembly, NOTIFIER, request);
    expect(`${request.action} ${request.resource}: ${outcome.reason}`).toMatch(allowed ? /: Allowed/ : /: (ExplicitlyDenied|ImplicitlyDenied)/);
  };

  test('reads the failed execution and its action executions of the watched pipeline only', async () => {
    for (const action of ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions']) {
      await expectRequest({ action, resource: pipelineArn }, true);
      await expectRequest({ action, resource: 'arn:aws:codepipeline:eu-west-1:111111111111:another-pipeline' }, false);
    }
    for (const action of ['codepipeline:StartPipelineExecution', 'codepipeline:GetPipeline', 'codepipeline:UpdatePipeline']) {
      await expectRequest({ action, resource: pipelineArn }, false);
    }
    await expectRequest({ action: 'codepipeline:PutApprovalResult', resource: `${pipelineArn}/Prod/Approve` }, false);
  });

  test('publishes to the pipeline\'s topic over TLS only, and to no other topic', async () => {
    await expectRequest({ action: 'sns:Publish', resource: topicArn, context: TLS }, true);
    await expectRequest({ action: 'sns:Publish', resource: topicArn, context: { 'aws:SecureTransport': 'false' } }, false);
    await expectRequest({ action: 'sns:Publish', resource: 'arn:aws:sns:eu-west-1:111111111111:another-topic', context: TLS }, false);
    await expectRequest({ action: 'sns:Subscribe', resource: topicArn, context: TLS }, false);
  });

  test('writes its own log group and no other', async () => {
    const group = logGroupArn.replace(/:\*$/, '');
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      await expectRequest({ action, resource: `${group}:log-stream:2026/12/02/[$LATEST]0123456789abcdef` }, true);
      await expectRequest({ action, resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/another:log-stream:x' }, false);
    }
    await expectRequest({ action: 'logs:DeleteLogGroup', resource: logGroupArn }, false);
  });
});
