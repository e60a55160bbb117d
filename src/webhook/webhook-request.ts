/**
 * The webhook's request checks, free of AWS calls (the handler `webhook.lambda.ts` calls these, then
 * StartPipelineExecution): the Lambda function URL event (payload format 2.0) in, a decision out.
 * Bundled into the handler; not part of the library's public API.
 *
 * Body: `{ "timestamp": <epoch seconds>, "variables": { "<name>": "<value>" }, "sourceRevisions": [...] }`,
 * every member optional except `timestamp` with HMAC auth. Limits are StartPipelineExecution's
 * (API reference): a variable name `[A-Za-z0-9@\-_]+` of 1-128, a value of 1-1000 characters, at most
 * 50 variables; a source revision names an action (1-100 of `[A-Za-z0-9.@\-_]`), a revision type of
 * COMMIT_ID | IMAGE_DIGEST | S3_OBJECT_VERSION_ID | S3_OBJECT_KEY and a value of 1-1500 characters, at most 50.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

/** The Lambda function URL event (payload format version 2.0), the members read here. */
export interface FunctionUrlEvent {
  readonly version?: string;
  readonly headers?: { [name: string]: string | undefined };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly requestId?: string; readonly http?: { readonly method?: string } };
}

/** What the function URL answers. */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: { [name: string]: string };
  readonly body: string;
}

/** The handler's configuration (its environment, see `readConfig`). */
export interface WebhookConfig {
  readonly pipelineName: string;
  /** 'HMAC' or 'IAM'. */
  readonly auth: string;
  /** Names of the variables the pipeline declares (the only ones a body may set). */
  readonly variables: readonly string[];
  /** Names of the source actions, or undefined when unknown (then any name is passed on). */
  readonly sourceActions?: readonly string[];
  readonly maxBodyBytes: number;
  readonly maxAgeSeconds: number;
  readonly logValues: boolean;
}

/** A request that passed every check: what to start. */
export interface StartRequest {
  readonly variables: { name: string; value: string }[];
  readonly sourceRevisions: { actionName: string; revisionType: string; revisionValue: string }[];
  /** The signature's hex digest (HMAC only): the replay cache key and the source of the idempotency token. */
  readonly signature?: string;
}

export const MAX_VARIABLES = 50;
export const MAX_VARIABLE_VALUE = 1000;
export const MAX_SOURCE_REVISIONS = 50;
export const MAX_REVISION_VALUE = 1500;
export const REVISION_TYPES = ['COMMIT_ID', 'IMAGE_DIGEST', 'S3_OBJECT_VERSION_ID', 'S3_OBJECT_KEY'];
const VARIABLE_NAME = /^[A-Za-z0-9@_-]{1,128}$/;
const ACTION_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;
const BODY_KEYS = ['timestamp', 'variables', 'sourceRevisions'];

/** A refusal: the status and a message for the caller (no secret, no value, nothing of AWS's answer). */
export class Refusal extends Error {
  constructor(readonly statusCode: number, message: string, readonly reason: string) {
    super(message);
  }
}

/** The configuration from the environment the construct writes (`PipelineWebhook`). */
export function readConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const list = (value: string | undefined) => value ? JSON.parse(value) as string[] : undefined;
  return {
    pipelineName: env.PIPELINE_NAME ?? '',
    auth: env.WEBHOOK_AUTH ?? 'HMAC',
    variables: list(env.PIPELINE_VARIABLES) ?? [],
    sourceActions: list(env.SOURCE_ACTIONS),
    maxBodyBytes: Number(env.MAX_BODY_BYTES ?? 16384),
    maxAgeSeconds: Number(env.MAX_AGE_SECONDS ?? 300),
    logValues: env.LOG_VARIABLE_VALUES === 'true',
  };
}

export function respond(statusCode: number, body: object): FunctionUrlResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The raw body bytes (base64-decoded when the function URL encoded them), refused over the size limit. */
export function rawBody(event: FunctionUrlEvent, config: WebhookConfig): Buffer {
  const method = event.requestContext?.http?.method ?? 'POST';
  if (method !== 'POST') throw new Refusal(405, `use POST, not ${method}`, 'method');
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf-8');
  if (body.length > config.maxBodyBytes) {
    throw new Refusal(413, `the body has ${body.length} bytes; at most ${config.maxBodyBytes} are accepted`, 'too-large');
  }
  return body;
}

/** A header by name, whatever its case. */
function header(event: FunctionUrlEvent, name: string): string | undefined {
  const found = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

/**
 * Check `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (GitHub's convention) in
 * constant time; returns the signature's hex digest.
 */
export function verifySignature(event: FunctionUrlEvent, body: Buffer, secret: string): string {
  const given = header(event, 'x-hub-signature-256');
  if (given === undefined) throw new Refusal(401, 'the X-Hub-Signature-256 header is missing; sign the body (see docs/webhook.md)', 'no-signature');
  const match = SIGNATURE.exec(given.trim().toLowerCase());
  if (!match) throw new Refusal(401, 'the X-Hub-Signature-256 header is not sha256=<64 hex digits>', 'bad-signature');
  const expected = createHmac('sha256', secret).update(body).digest();
  const received = Buffer.from(match[1], 'hex');
  if (!timingSafeEqual(expected, received)) throw new Refusal(401, 'the signature does not match the body', 'bad-signature');
  return match[1];
}

/** The StartPipelineExecution `clientRequestToken` of a signed request: the same for the same signature. */
export function idempotencyToken(signature: string): string {
  return `webhook-${createHash('sha256').update(`cdk-delivery-pipelines-webhook:${signature}`).digest('hex')}`;
}

function parseJson(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf-8') || '{}');
  } catch {
    throw new Refusal(400, 'the body is not JSON', 'not-json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Refusal(400, 'the body is not a JSON object; send { "timestamp": ..., "variables": { ... } }', 'not-object');
  }
  return parsed as Record<string, unknown>;
}

function checkTimestamp(value: unknown, config: WebhookConfig, nowMs: number): void {
  if (value === undefined && config.auth !== 'HMAC') return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Refusal(config.auth === 'HMAC' ? 401 : 400, '"timestamp" must be the time of sending in seconds since the epoch (date +%s), inside the signed body', 'no-timestamp');
  }
  const age = nowMs / 1000 - value;
  if (Math.abs(age) > config.maxAgeSeconds) {
    throw new Refusal(401, `the timestamp is ${Math.round(age)} s ${age > 0 ? 'old' : 'in the future'}; at most ${config.maxAgeSeconds} s are accepted (sign each request when you send it)`, 'expired');
  }
}

function checkVariables(value: unknown, config: WebhookConfig): StartRequest['variables'] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Refusal(400, '"variables" must be an object of names to string values', 'bad-variables');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_VARIABLES) throw new Refusal(400, `${entries.length} variables given; CodePipeline takes at most ${MAX_VARIABLES}`, 'bad-variables');
  const declared = config.variables.length ? config.variables.join(', ') : 'none';
  return entries.map(([name, v]) => {
    if (!VARIABLE_NAME.test(name) || !config.variables.includes(name)) {
      throw new Refusal(400, `variable '${name.slice(0, 128)}' is not declared by pipeline '${config.pipelineName}'; declared: ${declared}`, 'undeclared-variable');
    }
    if (typeof v !== 'string' || v.length < 1 || v.length > MAX_VARIABLE_VALUE) {
      throw new Refusal(400, `variable '${name}' must be a string of 1-${MAX_VARIABLE_VALUE} characters`, 'bad-variable-value');
    }
    return { name, value: v };
  });
}

function checkSourceRevisions(value: unknown, config: WebhookConfig): StartRequest['sourceRevisions'] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_SOURCE_REVISIONS) {
    throw new Refusal(400, `"sourceRevisions" must be a list of at most ${MAX_SOURCE_REVISIONS} { actionName, revisionType, revisionValue }`, 'bad-source-revisions');
  }
  return value.map((r: any, i) => {
    const ok = r !== null && typeof r === 'object' && typeof r.actionName === 'string' && ACTION_NAME.test(r.actionName)
      && REVISION_TYPES.includes(r.revisionType) && typeof r.revisionValue === 'string'
      && r.revisionValue.length >= 1 && r.revisionValue.length <= MAX_REVISION_VALUE && Object.keys(r).length === 3;
    if (!ok) {
      throw new Refusal(400, `sourceRevisions[${i}] must be { actionName, revisionType (${REVISION_TYPES.join(' | ')}), revisionValue (1-${MAX_REVISION_VALUE} characters) }`, 'bad-source-revisions');
    }
    if (config.sourceActions && !config.sourceActions.includes(r.actionName)) {
      throw new Refusal(400, `sourceRevisions[${i}]: pipeline '${config.pipelineName}' has no source action '${r.actionName}'; source actions: ${config.sourceActions.join(', ') || 'none'}`, 'unknown-source-action');
    }
    return { actionName: r.actionName, revisionType: r.revisionType, revisionValue: r.revisionValue };
  });
}

/** Parse and check a body that passed authentication. */
export function readBody(body: Buffer, config: WebhookConfig, nowMs: number): Omit<StartRequest, 'signature'> {
  const json = parseJson(body);
  const unknown = Object.keys(json).filter((k) => !BODY_KEYS.includes(k));
  if (unknown.length) throw new Refusal(400, `unknown member '${unknown[0].slice(0, 40)}' in the body; known: ${BODY_KEYS.join(', ')}`, 'unknown-member');
  checkTimestamp(json.timestamp, config, nowMs);
  return { variables: checkVariables(json.variables, config), sourceRevisions: checkSourceRevisions(json.sourceRevisions, config) };
}

/**
 * Signatures already answered by this container, until their timestamp window closes: a replay
 * of a request that started an execution gets the same execution id back without a second call.
 */
export class ReplayCache {
  private readonly seen = new Map<string, { executionId: string; expiresMs: number }>();

  constructor(private readonly maxEntries = 1000) {}

  public get(signature: string, nowMs: number): string | undefined {
    for (const [key, entry] of this.seen) if (entry.expiresMs <= nowMs) this.seen.delete(key);
    return this.seen.get(signature)?.executionId;
  }

  public put(signature: string, executionId: string, expiresMs: number): void {
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(signature, { executionId, expiresMs });
  }
}
