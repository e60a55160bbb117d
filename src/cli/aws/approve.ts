// `approve`: the pending manual approval of a pipeline (GetPipelineState's token), what it asks
// (GetPipeline: CustomData, ExternalEntityLink), then PutApprovalResult.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { AwsIo, EXIT, Target } from './commands';
import { getPipeline } from './start';

export interface ApproveOptions {
  readonly stage?: string;
  readonly reject: boolean;
  readonly comment?: string;
  readonly json: boolean;
}

export async function approve(t: Target, o: ApproveOptions, io: AwsIo): Promise<number> {
  if (o.comment !== undefined && (o.comment.length < 1 || o.comment.length > 512)) {
    throw new Error(`approve: --comment has ${o.comment.length} characters; CodePipeline records 1 to 512.`);
  }
  const client = new CodePipelineClient(t.session.config(t.account, t.region));
  try {
    const declaration = await getPipeline(client, t);
    const state = await client.send(new GetPipelineStateCommand({ name: t.pipeline }));
    const stages = state.stageStates ?? [];
    if (o.stage && !stages.some((s) => s.stageName === o.stage)) {
      throw new Error(`approve: --stage '${o.stage}' is not a stage of pipeline '${t.pipeline}'; its stages are ${stages.map((s) => s.stageName).join(', ')}.`);
    }
    const pending = stages
      .filter((s) => !o.stage || s.stageName === o.stage)
      .flatMap((s) => (s.actionStates ?? [])
        .filter((a) => a.latestExecution?.status === 'InProgress' && a.latestExecution.token)
        .map((a) => ({
          stage: s.stageName!,
          action: a.actionName!,
          token: a.latestExecution!.token!,
          executionId: s.latestExecution?.pipelineExecutionId,
          since: a.latestExecution!.lastStatusChange,
        })));
    if (pending.length === 0) {
      throw new Error(`approve: nothing is waiting for approval in pipeline '${t.pipeline}'${o.stage ? ` stage '${o.stage}'` : ''} (${t.region}, account ${t.account.id}); `
        + `'cdk-delivery-pipelines status --regions ${t.region}' shows pending approvals.`);
    }
    if (pending.length > 1) {
      throw new Error(`approve: ${pending.length} approvals are waiting in pipeline '${t.pipeline}' (${pending.map((p) => `${p.stage}/${p.action}`).join(', ')}); `
        + `pass --stage to choose one${o.stage ? ' (this stage has several; approve them one by one in the console)' : ''}.`);
    }
    const p = pending[0];
    const config = (declaration.stages ?? []).find((s) => s.name === p.stage)?.actions?.find((a) => a.name === p.action)?.configuration ?? {};
    const status = o.reject ? 'Rejected' : 'Approved';
    const summary = o.comment ?? `${status} with cdk-delivery-pipelines`;
    await client.send(new PutApprovalResultCommand({
      pipelineName: t.pipeline, stageName: p.stage, actionName: p.action, token: p.token, result: { status, summary },
    }));
    const out = {
      pipeline: t.pipeline,
      region: t.region,
      account: t.account.id,
      stage: p.stage,
      action: p.action,
      executionId: p.executionId,
      customData: config.CustomData,
      reviewLink: config.ExternalEntityLink,
      result: status,
      comment: summary,
    };
    if (o.json) {
      io.stdout(JSON.stringify(out) + '\n');
    } else {
      io.stdout(`Approval ${p.stage}/${p.action} of ${t.pipeline} (${t.region}, account ${t.account.id}), execution ${p.executionId ?? 'unknown'}\n`
        + `  asks:   ${config.CustomData ?? '(no custom data)'}\n`
        + `  review: ${config.ExternalEntityLink ?? '(no review link)'}\n`
        + `${status}: "${summary}"\n`);
    }
    return EXIT.OK;
  } finally {
    client.destroy();
  }
}
