// `review`: the change-set review of the pending approval. Finds the approval (GetPipelineState), then the
// review action of its stage in the same execution (ListActionExecutions: an action whose output variables
// carry `TotalChanges` and `Summary`) and prints its summary and report link. When there is none (the
// review has not run, or ran in an older execution), or with --describe, it reads the review action's
// UserParameters from the pipeline's declaration and describes the change sets itself (the review
// Lambda's code: describe.ts, classify.ts, format.ts), printing the whole review.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodePipelineClient, ListActionExecutionsCommand, type ActionExecutionDetail, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { PendingApproval, pendingApproval } from './approve';
import { AwsIo, EXIT, Target } from './commands';
import { getPipeline } from './start';
import { classify } from '../../review/classify';
import { describeChangeSets } from '../../review/describe';
import { changeSetsOfStages } from '../../review/discover';
import { formatText, outputVariables } from '../../review/format';
import { parseReviewParameters } from '../../review/parameters';

export interface ReviewOptions {
  readonly stage?: string;
  /** Describe the change sets even when the review action's output variables are there. */
  readonly describe: boolean;
  readonly json: boolean;
}

const MAX_PAGES = 10;

export async function review(t: Target, o: ReviewOptions, io: AwsIo): Promise<number> {
  const client = new CodePipelineClient(t.session.config(t.account, t.region));
  try {
    const declaration = await getPipeline(client, t);
    const p = await pendingApproval(client, t, o.stage, 'review');
    const header = `Approval ${p.stage}/${p.action} of ${t.pipeline} (${t.region}, account ${t.account.id}), execution ${p.executionId ?? 'unknown'}`;
    const ran = o.describe || !p.executionId ? undefined : await reviewActionRun(client, t, p);
    if (ran) {
      const vars = ran.output!.outputVariables!;
      if (o.json) {
        io.stdout(reviewJson(t, p, { reviewAction: ran.actionName, source: 'output-variables', variables: vars }));
      } else {
        io.stdout(`${header}\nReview ${p.stage}/${ran.actionName} (output variables):\n\n${vars.Summary}\n\n`
          + `Report: ${vars.ReportUrl || '(none written)'}\n`
          + `Every change: cdk-delivery-pipelines review ${t.pipeline} --region ${t.region} --stage ${p.stage} --describe\n`);
      }
      return EXIT.OK;
    }
    const action = reviewActionDeclared(declaration, p.stage);
    if (!action) {
      throw new Error(`review: stage '${p.stage}' of pipeline '${t.pipeline}' has no change-set review action (a Lambda invoke action whose UserParameters name changeSetStages or changeSets); `
        + 'turn on the review for the stage (docs/change-set-review.md).');
    }
    const params = parseReviewParameters(action.configuration!.UserParameters);
    const changeSets = params.changeSets ?? changeSetsOfStages(declaration, params.changeSetStages!, {
      account: t.account.id, region: t.region, partition: partitionOf(t.region), reviewRoleName: params.reviewRoleName,
    });
    const described = await describeChangeSets(changeSets, { credentials: t.account.credentials, maxWaitMs: 60_000 });
    const summary = classify(described);
    const ctx = { pipeline: t.pipeline, stage: params.stage, executionId: p.executionId };
    if (o.json) {
      io.stdout(reviewJson(t, p, { reviewAction: action.name, source: 'described', variables: outputVariables(summary, params.policy, ctx), summary }));
    } else {
      io.stdout(`${header}\nReview ${p.stage}/${action.name} (change sets described now):\n\n${formatText(summary, ctx)}`);
    }
    return EXIT.OK;
  } finally {
    client.destroy();
  }
}

/** One JSON line for `--json`: where the approval waits, then what the review found (`rest`). */
function reviewJson(t: Target, p: PendingApproval, rest: Record<string, unknown>): string {
  return JSON.stringify({
    pipeline: t.pipeline, region: t.region, account: t.account.id, stage: p.stage, approval: p.action, executionId: p.executionId, ...rest,
  }) + '\n';
}

/** The review action's execution in the approval's stage and execution, when it succeeded there. */
async function reviewActionRun(client: CodePipelineClient, t: Target, p: PendingApproval): Promise<ActionExecutionDetail | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(new ListActionExecutionsCommand({
      pipelineName: t.pipeline, filter: { pipelineExecutionId: p.executionId }, maxResults: 100, nextToken,
    }));
    const found = (out.actionExecutionDetails ?? []).find((a) => a.stageName === p.stage && a.status === 'Succeeded'
      && a.output?.outputVariables?.TotalChanges !== undefined && a.output.outputVariables.Summary !== undefined);
    if (found) return found;
    nextToken = out.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

/** The stage's Lambda invoke action whose UserParameters are the review's (they name `changeSets`). */
function reviewActionDeclared(declaration: PipelineDeclaration, stage: string) {
  return (declaration.stages ?? []).find((s) => s.name === stage)?.actions?.find((a) => a.actionTypeId?.category === 'Invoke'
    && a.actionTypeId.provider === 'Lambda' && /"changeSet(s|Stages)"\s*:/.test(a.configuration?.UserParameters ?? ''));
}

/** The partition of a region (for the review role ARNs of other accounts). */
function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}
