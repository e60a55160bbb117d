/**
 * Pipeline webhook: a Lambda function URL request (payload format 2.0) starts ONE pipeline
 * (StartPipelineExecution) with the variables and source revisions of its JSON body.
 *
 * Authentication (env WEBHOOK_AUTH):
 * - HMAC: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with the secret in
 *   Secrets Manager (env SECRET_ARN; read with the SDK, cached for SECRET_CACHE_MS), compared in
 *   constant time; the body's `timestamp` (signed with it) must be within MAX_AGE_SECONDS of now.
 *   A replay inside that window starts nothing new: this container answers it from its cache of
 *   signatures with the same execution id, and another container sends the same
 *   `clientRequestToken` (derived from the signature), which CodePipeline treats as the same request.
 * - IAM: the function URL checked SigV4 (AWS_IAM) before the request got here.
 *
 * Answers: 202 `{ pipelineExecutionId }` (200 with `replayed: true` for a replay), 400 for a body
 * that fails a check (the message names the declared variables), 401 for authentication, 405, 413,
 * 503 when CodePipeline throttles after the SDK's retries, 500 for any other AWS error (details in
 * the log only). Logged per request: the outcome, variable names (values only with
 * LOG_VARIABLE_VALUES=true); never the signature, the secret or the body.
 */
import { CodePipelineClient, SourceRevisionType, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  FunctionUrlEvent,
  FunctionUrlResult,
  idempotencyToken,
  rawBody,
  readBody,
  readConfig,
  Refusal,
  ReplayCache,
  respond,
  StartRequest,
  verifySignature,
  WebhookConfig,
} from './webhook-request';

/** How long the secret is kept in memory: a rotated secret is used at the latest this long after rotation. */
const SECRET_CACHE_MS = Number(process.env.SECRET_CACHE_MS ?? 300_000);

let codepipeline: CodePipelineClient | undefined;
let secretsManager: SecretsManagerClient | undefined;
let secret: { value: string; fetchedMs: number } | undefined;
const replays = new ReplayCache();

async function readSecret(arn: string, nowMs: number): Promise<string> {
  if (secret && nowMs - secret.fetchedMs < SECRET_CACHE_MS) return secret.value;
  secretsManager ??= new SecretsManagerClient({ maxAttempts: 3 });
  const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new Error('the webhook secret has no SecretString');
  secret = { value: out.SecretString, fetchedMs: nowMs };
  return secret.value;
}

function log(config: WebhookConfig, entry: Record<string, unknown>, request?: StartRequest): void {
  const variables = request?.variables.map((v) => config.logValues ? `${v.name}=${v.value}` : v.name);
  console.log(JSON.stringify({ pipeline: config.pipelineName, ...entry, variables }));
}

async function start(config: WebhookConfig, request: StartRequest): Promise<string> {
  codepipeline ??= new CodePipelineClient({ maxAttempts: 4 });
  const out = await codepipeline.send(new StartPipelineExecutionCommand({
    name: config.pipelineName,
    variables: request.variables.length ? request.variables : undefined,
    sourceRevisions: request.sourceRevisions.length
      ? request.sourceRevisions.map((r) => ({ ...r, revisionType: r.revisionType as SourceRevisionType }))
      : undefined,
    clientRequestToken: request.signature ? idempotencyToken(request.signature) : undefined,
  }));
  return out.pipelineExecutionId ?? '';
}

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  const config = readConfig(process.env);
  const requestId = event.requestContext?.requestId;
  const nowMs = Date.now();
  let request: StartRequest | undefined;
  try {
    const body = rawBody(event, config);
    let signature: string | undefined;
    if (config.auth === 'HMAC') signature = verifySignature(event, body, await readSecret(process.env.SECRET_ARN ?? '', nowMs));
    request = { ...readBody(body, config, nowMs), signature };
    const previous = signature ? replays.get(signature, nowMs) : undefined;
    if (previous !== undefined) {
      log(config, { outcome: 'replayed', status: 200, requestId, pipelineExecutionId: previous }, request);
      return respond(200, { pipelineExecutionId: previous, replayed: true });
    }
    const pipelineExecutionId = await start(config, request);
    if (signature) replays.put(signature, pipelineExecutionId, nowMs + 2 * config.maxAgeSeconds * 1000);
    log(config, { outcome: 'started', status: 202, requestId, pipelineExecutionId }, request);
    return respond(202, { pipelineExecutionId });
  } catch (error) {
    if (error instanceof Refusal) {
      log(config, { outcome: 'refused', status: error.statusCode, reason: error.reason, requestId });
      return respond(error.statusCode, { message: error.message });
    }
    // An AWS error: its name and message go to the log (the operator's), the caller learns only that it failed.
    const name = error instanceof Error ? error.name : 'Error';
    const throttled = /Throttl|TooManyRequests|LimitExceeded/.test(name);
    const status = throttled ? 503 : 500;
    log(config, { outcome: 'failed', status, error: name, detail: error instanceof Error ? error.message : String(error), requestId }, request);
    const result = respond(status, {
      message: throttled ? 'CodePipeline is throttling; retry later' : `the pipeline could not be started; the webhook's log has the reason (request ${requestId ?? 'unknown'})`,
    });
    return throttled ? { ...result, headers: { ...result.headers, 'retry-after': '30' } } : result;
  }
}
