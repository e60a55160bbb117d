import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PipelineSource } from '../../src';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { arnOfResource, simulate, SimulationRequest } from '../util/iam';

/**
 * The delivery metrics' calls of the stack's notifier (two pipelines in the stack), simulated
 * offline against the synthesized policy: for each pipeline, the action executions of an
 * execution and of the pipeline's history (ListActionExecutions), and the execution's source
 * revisions (GetPipelineExecution); nothing else (no ListPipelineExecutions, no other pipeline, no
 * cloudwatch:PutMetricData: the metrics are log lines).
 */
describe('IAM simulation: the notifier\'s delivery metrics', () => {
  const NOTIFIER = 'Stack/CdpFailureNotifier/Role';
  let assembly: CloudAssembly;
  let pipelineArns: string[];

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack);
    definePipeline(stack, { source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Other', 'other')) }, 'Second');
    assembly = synthValidated(app).assembly;
    pipelineArns = [arnOfResource(assembly, 'Stack/Pipeline/Pipeline'), arnOfResource(assembly, 'Stack/Second/Pipeline')];
  });

  const expectRequest = async (request: SimulationRequest, allowed: boolean) => {
    const outcome = await simulate(assembly, NOTIFIER, request);
    expect(`${request.action} ${request.resource}: ${outcome.reason}`).toMatch(allowed ? /: Allowed/ : /: (ExplicitlyDenied|ImplicitlyDenied)/);
  };

  test('reads the action executions and executions of both pipelines of the stack, and of no other', async () => {
    for (const arn of pipelineArns) {
      await expectRequest({ action: 'codepipeline:ListActionExecutions', resource: arn }, true);
      await expectRequest({ action: 'codepipeline:GetPipelineExecution', resource: arn }, true);
    }
    await expectRequest({ action: 'codepipeline:ListActionExecutions', resource: 'arn:aws:codepipeline:eu-west-1:111111111111:another-pipeline' }, false);
    await expectRequest({ action: 'codepipeline:GetPipelineExecution', resource: 'arn:aws:codepipeline:eu-west-1:222222222222:pipeline' }, false);
  });

  test('needs nothing more: no ListPipelineExecutions, no PutMetricData, no change to a pipeline', async () => {
    for (const arn of pipelineArns) {
      for (const action of ['codepipeline:ListPipelineExecutions', 'codepipeline:StopPipelineExecution', 'codepipeline:UpdatePipeline']) {
        await expectRequest({ action, resource: arn }, false);
      }
    }
    await expectRequest({ action: 'cloudwatch:PutMetricData', resource: '*' }, false);
  });
});
