/**
 * Change-set review: a CodePipeline Lambda invoke action that describes the change sets of a stage or wave
 * (every account and region, nested stacks, all pages), classifies them, writes the Markdown report to S3,
 * publishes the plain-text summary to SNS, and ends the job with output variables for the approval and for
 * stage conditions (`TotalChanges`, `NeedsApproval`, `Summary`, `ReportUrl`...; see format.ts).
 *
 * Input: the action's UserParameters, JSON (`ReviewParameters`). Any failure ends the job with
 * PutJobFailureResult and a message naming what failed (a change set: account, region, stack and the
 * error); policy `fail-on-stateful-replacement` fails it when a stateful resource would be replaced.
 * Only a failed PutJob*Result call fails the invocation.
 *
 * Environment: REVIEW_MAX_WAIT_MS (wait for change sets still being created, default 300000),
 * REVIEW_POLL_MS (default 5000). The wait also ends `RESERVE_MS` before the function's own timeout, so
 * that the job is always ended with a result, whatever timeout the function has.
 */
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReviewSummary, classify } from './classify';
import { describeChangeSets } from './describe';
import { discoverChangeSets } from './discover';
import { ReviewContext, fitMessage, formatMarkdown, formatSummary, formatText, outputVariables } from './format';
import { ReviewParameters, parseReviewParameters } from './parameters';

/** The parts of the CodePipeline job event the handler reads. */
export interface ReviewEvent {
  readonly 'CodePipeline.job': {
    readonly id: string;
    readonly accountId?: string;
    readonly data?: {
      readonly actionConfiguration?: { readonly configuration?: { readonly UserParameters?: string } };
      readonly pipelineContext?: { readonly pipelineExecutionId?: string };
    };
  };
}

/** FailureDetails.message holds at most 5000 characters; executionDetails.summary 2048. */
const FAILURE_MAX = 5000;
const DETAILS_MAX = 2048;
/** Kept free before the function's timeout for the report, the notification and the job result. */
const RESERVE_MS = 20_000;

/** The part of the Lambda context the handler reads. */
export interface ReviewLambdaContext {
  getRemainingTimeInMillis(): number;
}

export async function handler(event: ReviewEvent, context?: ReviewLambdaContext): Promise<void> {
  const job = event?.['CodePipeline.job'];
  if (!job?.id) {
    throw new Error(`the change-set review handles CodePipeline Lambda invoke jobs ({ "CodePipeline.job": { id, data } }); got ${JSON.stringify(event)?.slice(0, 200)}`);
  }
  const codepipeline = new CodePipelineClient({ maxAttempts: 5 });
  try {
    const left = context?.getRemainingTimeInMillis?.();
    const maxWaitMs = Math.min(envNumber('REVIEW_MAX_WAIT_MS', 300_000), left === undefined ? Infinity : Math.max(0, left - RESERVE_MS));
    const outcome = await review(job, maxWaitMs, codepipeline);
    if (outcome.failure) {
      await codepipeline.send(new PutJobFailureResultCommand({
        jobId: job.id,
        failureDetails: { type: outcome.failure.type, message: truncate(outcome.failure.message, FAILURE_MAX) },
      }));
      return;
    }
    await codepipeline.send(new PutJobSuccessResultCommand({
      jobId: job.id,
      outputVariables: outcome.variables,
      executionDetails: { summary: truncate(outcome.details!, DETAILS_MAX), percentComplete: 100 },
    }));
  } finally {
    codepipeline.destroy();
  }
}

type FailureType = 'ConfigurationError' | 'JobFailed' | 'PermissionError';

interface Outcome {
  readonly variables?: Record<string, string>;
  readonly details?: string;
  readonly failure?: { type: FailureType; message: string };
}

async function review(job: ReviewEvent['CodePipeline.job'], maxWaitMs: number, codepipeline: CodePipelineClient): Promise<Outcome> {
  let params: ReviewParameters;
  try {
    params = parseReviewParameters(job.data?.actionConfiguration?.configuration?.UserParameters);
  } catch (e: any) {
    return { failure: { type: 'ConfigurationError', message: e.message } };
  }
  let changeSets = params.changeSets ?? [];
  let pipelineName = params.pipeline;
  let foundExecutionId: string | undefined;
  if (params.changeSetStages) {
    try {
      const found = await discoverChangeSets(codepipeline, job.id, params.changeSetStages, params.reviewRoleName);
      changeSets = found.changeSets;
      pipelineName = found.pipelineName;
      foundExecutionId = found.executionId;
    } catch (e: any) {
      const denied = /AccessDenied|not authorized/i.test(`${e?.name} ${e?.message}`);
      return {
        failure: {
          type: denied ? 'PermissionError' : 'ConfigurationError',
          message: `Change-set review of ${params.stage}: cannot find the change sets in the pipeline: ${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e?.message ?? e}`,
        },
      };
    }
  }
  let summary: ReviewSummary;
  try {
    const described = await describeChangeSets(changeSets, {
      maxWaitMs,
      pollMs: envNumber('REVIEW_POLL_MS', 5000),
    });
    summary = classify(described);
  } catch (e: any) {
    const denied = /AccessDenied|not authorized|UnauthorizedOperation/i.test(String(e?.message));
    return { failure: { type: denied ? 'PermissionError' : 'JobFailed', message: `Change-set review of ${params.stage}: ${e?.message ?? e}` } };
  }
  const executionId = params.executionId ?? foundExecutionId ?? job.data?.pipelineContext?.pipelineExecutionId ?? job.id;
  let ctx: ReviewContext = { pipeline: pipelineName ?? 'pipeline', stage: params.stage, executionId };
  try {
    if (params.reportBucket) ctx = { ...ctx, reportUrl: await writeReport(params, summary, ctx, executionId) };
  } catch (e: any) {
    return { failure: { type: 'JobFailed', message: `Change-set review of ${params.stage}: cannot write the report to s3://${params.reportBucket}/: ${e?.name}: ${e?.message}` } };
  }
  try {
    if (params.topicArn) await publish(params.topicArn, summary, ctx);
  } catch (e: any) {
    return { failure: { type: 'JobFailed', message: `Change-set review of ${params.stage}: cannot publish to ${params.topicArn}: ${e?.name}: ${e?.message}` } };
  }
  if (params.policy === 'fail-on-stateful-replacement' && summary.counts.statefulReplacements > 0) {
    const replaced = summary.resources.filter((r) => r.replacement && r.stateful)
      .map((r) => `${r.type} ${r.logicalId} (stack ${r.stack}, account ${r.account}, ${r.region}; Replacement ${r.replacement})`);
    return {
      failure: {
        type: 'JobFailed',
        message: `Change-set review of ${params.stage}: ${replaced.length} stateful resource${replaced.length === 1 ? '' : 's'} would be replaced `
          + `(policy fail-on-stateful-replacement): ${replaced.join('; ')}. Keep their replacement-causing properties, or change the review policy.`
          + `${ctx.reportUrl ? ` Report: ${ctx.reportUrl}` : ''}`,
      },
    };
  }
  return { variables: outputVariables(summary, params.policy, ctx), details: formatSummary(summary, DETAILS_MAX) };
}

async function writeReport(params: ReviewParameters, summary: ReviewSummary, ctx: ReviewContext, executionId: string): Promise<string> {
  const s3 = new S3Client({ maxAttempts: 5 });
  try {
    const key = `${params.reportPrefix ?? ''}${executionId}/${params.stage}.md`;
    await s3.send(new PutObjectCommand({
      Bucket: params.reportBucket,
      Key: key,
      Body: formatMarkdown(summary, ctx),
      ContentType: 'text/markdown; charset=utf-8',
      ...(params.reportKmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: params.reportKmsKeyArn } : {}),
    }));
    const region = await s3.config.region();
    return `https://${region}.console.aws.amazon.com/s3/object/${params.reportBucket}?region=${region}&prefix=${encodeURIComponent(key)}`;
  } finally {
    s3.destroy();
  }
}

async function publish(topicArn: string, summary: ReviewSummary, ctx: ReviewContext): Promise<void> {
  const region = topicArn.split(':')[3] || undefined;
  const sns = new SNSClient({ region, maxAttempts: 5 });
  try {
    const c = summary.counts;
    // Subject: ASCII, one line, at most 100 characters.
    const subject = `Review ${ctx.pipeline}/${ctx.stage}: ${c.total} changes, ${c.replacements} replacements, ${c.securityChanges} security`
      .replace(/[^\x20-\x7e]/g, '?');
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject.slice(0, 100), Message: fitMessage(formatText(summary, ctx)) }));
  } finally {
    sns.destroy();
  }
}

function envNumber(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
