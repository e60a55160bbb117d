import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { ApprovalGate } from '../../src/gates/approval-gate';
import { PipelineSource } from '../../src/source/pipeline-source';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { arnOfResource, simulate } from '../util/iam';

/**
 * An approver of an ApprovalGate, simulated offline against the synthesized policies: it approves
 * its own gate and reads that pipeline, and is denied the other gate of the same pipeline and the
 * gate of another pipeline.
 */
describe('IAM simulation: ApprovalGate approvers', () => {
  let assembly: CloudAssembly;
  let pipelineArn: string;
  let otherPipelineArn: string;
  const STAGING = 'Stack/StagingApprovers';
  const PROD = 'Stack/ProdApprovers';

  beforeAll(() => {
    const { app, stack } = newStack();
    const approver = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
    const target = () => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 't.yaml', allowEmptyExecutionPolicy: true });
    definePipeline(stack, {
      failureNotifications: false,
      stages: [
        { stageName: 'Staging', gate: new ApprovalGate(stack, 'StagingGate', { approvers: [approver('StagingApprovers')] }), targets: [target()] },
        { stageName: 'Prod', gate: new ApprovalGate(stack, 'ProdGate', { approvers: [approver('ProdApprovers')], actionName: 'Release' }), targets: [target()] },
      ],
    });
    definePipeline(stack, {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'OtherRepo', 'other')),
      failureNotifications: false,
      stages: [{ stageName: 'Staging', gate: new ApprovalGate(stack, 'OtherGate', { manual: true }), targets: [target()] }],
    }, 'Other');
    assembly = synthValidated(app).assembly;
    pipelineArn = arnOfResource(assembly, 'Stack/Pipeline/Pipeline');
    otherPipelineArn = arnOfResource(assembly, 'Stack/Other/Pipeline');
  });

  const expectRequest = async (principal: string, action: string, resource: string, allowed: boolean) => {
    const outcome = await simulate(assembly, principal, { action, resource });
    expect(`${principal} ${action} ${resource}: ${outcome.reason}`).toMatch(allowed ? /: Allowed/ : /: (ExplicitlyDenied|ImplicitlyDenied)/);
  };

  test('each approver approves its own gate only (PutApprovalResult on pipeline/stage/action)', async () => {
    await expectRequest(STAGING, 'codepipeline:PutApprovalResult', `${pipelineArn}/Staging/Approve`, true);
    await expectRequest(PROD, 'codepipeline:PutApprovalResult', `${pipelineArn}/Prod/Release`, true);
    await expectRequest(STAGING, 'codepipeline:PutApprovalResult', `${pipelineArn}/Prod/Release`, false);
    await expectRequest(PROD, 'codepipeline:PutApprovalResult', `${pipelineArn}/Staging/Approve`, false);
  });

  test('an approver is denied the gate of another pipeline, even at the same stage and action name', async () => {
    await expectRequest(STAGING, 'codepipeline:PutApprovalResult', `${otherPipelineArn}/Staging/Approve`, false);
    await expectRequest(STAGING, 'codepipeline:GetPipelineState', otherPipelineArn, false);
  });

  test('an approver reads the state, definition and executions of its pipeline, and cannot change it', async () => {
    for (const action of ['codepipeline:GetPipelineState', 'codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution']) {
      await expectRequest(STAGING, action, pipelineArn, true);
    }
    for (const action of ['codepipeline:StartPipelineExecution', 'codepipeline:UpdatePipeline', 'codepipeline:DeletePipeline']) {
      await expectRequest(STAGING, action, pipelineArn, false);
    }
  });
});
