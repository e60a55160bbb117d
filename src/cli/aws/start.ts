// `start`: variables and source revisions checked against GetPipeline, then StartPipelineExecution;
// --wait follows the execution stage by stage.
import { randomUUID } from 'crypto';
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand, GetPipelineStateCommand,
  ListActionExecutionsCommand, PipelineDeclaration, SourceRevisionType, StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { AwsIo, EXIT, sleep, Target } from './commands';

export interface StartOptions {
  /** `NAME=VALUE` each. */
  readonly variables: string[];
  /** `ACTION=REVISION` each. */
  readonly sourceRevisions: string[];
  readonly wait: boolean;
  readonly pollSeconds: number;
  readonly json: boolean;
}

const REVISION_TYPE: Record<string, SourceRevisionType> = {
  CodeStarSourceConnection: 'COMMIT_ID',
  CodeCommit: 'COMMIT_ID',
  ECR: 'IMAGE_DIGEST',
  S3: 'S3_OBJECT_VERSION_ID',
};

const TERMINAL = ['Succeeded', 'Failed', 'Stopped', 'Superseded', 'Cancelled'];

export async function start(t: Target, o: StartOptions, io: AwsIo): Promise<number> {
  const client = new CodePipelineClient(t.session.config(t.account, t.region));
  try {
    const declaration = await getPipeline(client, t);
    const variables = o.variables.map((v) => checkVariable(v, declaration, t.pipeline));
    const sourceRevisions = o.sourceRevisions.map((v) => checkRevision(v, declaration, t.pipeline));
    const { pipelineExecutionId: id } = await client.send(new StartPipelineExecutionCommand({
      name: t.pipeline,
      variables: variables.length ? variables : undefined,
      sourceRevisions: sourceRevisions.length ? sourceRevisions : undefined,
      clientRequestToken: randomUUID(),
    }));
    const where = `${t.region}, account ${t.account.id}`;
    if (!o.json) {
      io.stdout(`Started ${t.pipeline} (${where}): execution ${id}\n`
        + (variables.length ? `  variables: ${variables.map((v) => `${v.name}=${v.value}`).join(', ')}\n` : '')
        + (sourceRevisions.length ? `  source revisions: ${sourceRevisions.map((r) => `${r.actionName}=${r.revisionValue}`).join(', ')}\n` : '')
        + `  ${consoleUrl(t.region, t.pipeline, id!)}\n`);
    }
    if (!o.wait) {
      if (o.json) io.stdout(JSON.stringify({ pipeline: t.pipeline, region: t.region, account: t.account.id, executionId: id }) + '\n');
      return EXIT.OK;
    }
    return await follow(client, t, id!, o, io);
  } finally {
    client.destroy();
  }
}

export async function getPipeline(client: CodePipelineClient, t: Target): Promise<PipelineDeclaration> {
  try {
    return (await client.send(new GetPipelineCommand({ name: t.pipeline }))).pipeline!;
  } catch (e: any) {
    if (e?.name === 'PipelineNotFoundException') {
      throw new Error(`no pipeline '${t.pipeline}' in ${t.region} (account ${t.account.id}); check the name and --region ('cdk-delivery-pipelines status' lists them).`);
    }
    throw e;
  }
}

function checkVariable(raw: string, d: PipelineDeclaration, pipeline: string): { name: string; value: string } {
  const eq = raw.indexOf('=');
  if (eq < 1) throw new Error(`start: --var '${raw}' is not NAME=VALUE; pass e.g. --var ReleaseLabel=v1.2.3.`);
  const name = raw.slice(0, eq);
  const value = raw.slice(eq + 1);
  const declared = (d.variables ?? []).map((v) => v.name!);
  if (!declared.includes(name)) {
    const has = declared.length ? `it declares ${declared.join(', ')}` : 'it declares no variables (pipeline-level variables need a V2 pipeline)';
    throw new Error(`start: --var '${name}' is not a variable of pipeline '${pipeline}'; ${has}.`);
  }
  if (value.length < 1 || value.length > 1000) {
    throw new Error(`start: --var '${name}' has a value of ${value.length} characters; CodePipeline takes 1 to 1000.`);
  }
  return { name, value };
}

function checkRevision(raw: string, d: PipelineDeclaration, pipeline: string) {
  const eq = raw.indexOf('=');
  if (eq < 1 || eq === raw.length - 1) throw new Error(`start: --source-revision '${raw}' is not ACTION=REVISION; pass e.g. --source-revision Source=9f8e7d6c.`);
  const actionName = raw.slice(0, eq);
  const revisionValue = raw.slice(eq + 1);
  const sources = (d.stages ?? []).flatMap((s) => s.actions ?? []).filter((a) => a.actionTypeId?.category === 'Source');
  const action = sources.find((a) => a.name === actionName);
  if (!action) {
    throw new Error(`start: --source-revision '${actionName}' is not a source action of pipeline '${pipeline}'; its source actions are ${sources.map((a) => a.name).join(', ') || 'none'}.`);
  }
  const revisionType = REVISION_TYPE[action.actionTypeId!.provider!];
  if (!revisionType) {
    throw new Error(`start: --source-revision '${actionName}': a ${action.actionTypeId!.provider} source cannot be pinned to a revision; CodePipeline supports CodeCommit, CodeStarSourceConnection, ECR and S3 sources.`);
  }
  return { actionName, revisionType, revisionValue };
}

async function follow(client: CodePipelineClient, t: Target, id: string, o: StartOptions, io: AwsIo): Promise<number> {
  const seen = new Map<string, string>();
  for (;;) {
    const [exec, state] = await Promise.all([
      client.send(new GetPipelineExecutionCommand({ pipelineName: t.pipeline, pipelineExecutionId: id })),
      client.send(new GetPipelineStateCommand({ name: t.pipeline })),
    ]);
    for (const s of state.stageStates ?? []) {
      if (s.latestExecution?.pipelineExecutionId !== id) continue;
      const status = s.latestExecution.status!;
      if (seen.get(s.stageName!) !== status) {
        seen.set(s.stageName!, status);
        const waiting = (s.actionStates ?? []).find((a) => a.latestExecution?.status === 'InProgress' && a.latestExecution.token);
        if (!o.json) io.stdout(`  ${s.stageName}: ${status}${waiting ? ` (waiting for approval ${s.stageName}/${waiting.actionName})` : ''}\n`);
      }
    }
    const status = exec.pipelineExecution?.status ?? 'Unknown';
    if (TERMINAL.includes(status)) {
      const failures = status === 'Succeeded' ? [] : await failedActions(client, t.pipeline, id);
      if (o.json) {
        const brief = failures.map(({ stage, action, message }) => ({ stage, action, message }));
        io.stdout(JSON.stringify({ pipeline: t.pipeline, region: t.region, account: t.account.id, executionId: id, status, failures: brief }) + '\n');
      } else {
        io.stdout(`Execution ${id}: ${status}${exec.pipelineExecution?.statusSummary ? ` (${exec.pipelineExecution.statusSummary})` : ''}\n`);
        for (const f of failures) io.stdout(`  ${f.stage}/${f.action} failed: ${f.message}\n`);
        if (status !== 'Succeeded') io.stdout(`  explain: cdk-delivery-pipelines why ${t.pipeline} --region ${t.region} --execution ${id}\n`);
      }
      return status === 'Succeeded' ? EXIT.OK : EXIT.FAILED;
    }
    if (io.signal?.aborted) {
      io.stderr(`cdk-delivery-pipelines: start: stopped following execution ${id} (still ${status}); it keeps running.\n`);
      return EXIT.ERROR;
    }
    await sleep(o.pollSeconds * 1000, io.signal);
  }
}

export async function failedActions(client: CodePipelineClient, pipeline: string, id: string) {
  const out = await client.send(new ListActionExecutionsCommand({ pipelineName: pipeline, filter: { pipelineExecutionId: id } }));
  return (out.actionExecutionDetails ?? []).filter((a) => a.status === 'Failed').map((a) => ({
    stage: a.stageName!,
    action: a.actionName!,
    message: a.output?.executionResult?.errorDetails?.message ?? a.output?.executionResult?.externalExecutionSummary ?? 'no error message recorded',
    detail: a,
  }));
}

export function consoleUrl(region: string, pipeline: string, id?: string): string {
  const base = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}`;
  return `${id ? `${base}/executions/${id}/timeline` : `${base}/view`}?region=${region}`;
}
