// `approve`: the pending manual approval of a pipeline (GetPipelineState's token), what it asks
// (GetPipeline: CustomData, ExternalEntityLink), then PutApprovalResult.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
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
    const p = await pendingApproval(client, t, o.stage, 'approve');
    const config = declaredAction(declaration, p.stage, p.action)?.configuration ?? {};
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

/** The manual approval waiting in the pipeline (in `stage`, when given). */
export interface PendingApproval {
  readonly stage: string;
  readonly action: string;
  readonly token: string;
  readonly executionId?: string;
  readonly since?: Date;
}

/** The one approval waiting (GetPipelineState); errors, prefixed with `command`, when none or several are. */
export async function pendingApproval(client: CodePipelineClient, t: Target, stage: string | undefined, command: string): Promise<PendingApproval> {
  const state = await client.send(new GetPipelineStateCommand({ name: t.pipeline }));
  const stages = state.stageStates ?? [];
  if (stage && !stages.some((s) => s.stageName === stage)) {
    throw new Error(`${command}: --stage '${stage}' is not a stage of pipeline '${t.pipeline}'; its stages are ${stages.map((s) => s.stageName).join(', ')}.`);
  }
  const pending = stages
    .filter((s) => !stage || s.stageName === stage)
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
    throw new Error(`${command}: nothing is waiting for approval in pipeline '${t.pipeline}'${stage ? ` stage '${stage}'` : ''} (${t.region}, account ${t.account.id}); `
      + `'cdk-delivery-pipelines status --regions ${t.region}' shows pending approvals.`);
  }
  if (pending.length > 1) {
    throw new Error(`${command}: ${pending.length} approvals are waiting in pipeline '${t.pipeline}' (${pending.map((p) => `${p.stage}/${p.action}`).join(', ')}); `
      + `pass --stage to choose one${stage ? ' (this stage has several; approve them one by one in the console)' : ''}.`);
  }
  return pending[0];
}

/** The action declared as `stage/action` in the pipeline. */
export function declaredAction(declaration: PipelineDeclaration, stage: string, action: string) {
  return (declaration.stages ?? []).find((s) => s.name === stage)?.actions?.find((a) => a.name === action);
}
