/**
 * The webhook handler behind a local function URL (real HTTP requests, turned into the function URL
 * event, payload format 2.0), calling CodePipeline and Secrets Manager through the real SDK v3 clients
 * against the local endpoint on 127.0.0.1 (awsJson1_1 wire protocol).
 */
import { createHmac } from 'crypto';
import { FakeAwsEndpoint, FakePipeline, FakeWorld, setEnv } from '../util/aws-endpoint';
import { LocalFunctionUrl, UrlHandler } from '../util/function-url';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:webhook-AbCdEf';
const SECRET = 'k3y-0f-the-webhook-that-must-never-be-logged';
const PIPELINE = 'app-release';

let endpoint: FakeAwsEndpoint;
let world: FakeWorld;
let url: LocalFunctionUrl;
let restoreEnv: () => void;
let handler: UrlHandler;
let logs: string[];

/** A fresh copy of the handler module: a new Lambda container (empty secret and replay caches). */
function coldStart(): UrlHandler {
  let fresh: UrlHandler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    fresh = require('../../src/webhook/webhook.lambda').handler;
  });
  return fresh!;
}

function pipeline(): FakePipeline {
  return endpoint.world.accounts[0].regions[0].pipelines[0];
}

const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const bodyOf = (extra: object = {}) => JSON.stringify({ timestamp: now(), variables: { ImageTag: 'v1.2.3' }, ...extra });

async function post(body: string | Buffer, headers: Record<string, string> = { 'x-hub-signature-256': sign(body) }, contentType = 'application/json') {
  const res = await fetch(url.url, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  return { status: res.status, json: await res.json() as any, headers: res.headers };
}

const starts = () => endpoint.calls.filter((c) => c.operation === 'StartPipelineExecution');

beforeAll(async () => {
  world = {
    accounts: [{
      id: '111111111111',
      regions: [{
        name: 'eu-west-1',
        secrets: { [SECRET_ARN]: SECRET },
        pipelines: [{ name: PIPELINE, declaration: { name: PIPELINE, stages: [], variables: [{ name: 'ImageTag' }, { name: 'Environment' }] }, stageStates: [], executions: [] }],
      }],
    }],
  };
  endpoint = await FakeAwsEndpoint.start(world);
  restoreEnv = setEnv({
    ...endpoint.env(),
    AWS_REGION: 'eu-west-1',
    PIPELINE_NAME: PIPELINE,
    WEBHOOK_AUTH: 'HMAC',
    PIPELINE_VARIABLES: JSON.stringify(['ImageTag', 'Environment']),
    SOURCE_ACTIONS: JSON.stringify(['Source']),
    SECRET_ARN,
    MAX_AGE_SECONDS: '300',
    MAX_BODY_BYTES: '16384',
    LOG_VARIABLE_VALUES: 'false',
  });
  handler = coldStart();
  url = await LocalFunctionUrl.start(() => handler);
});

afterAll(async () => {
  await url.stop();
  await endpoint.stop();
  restoreEnv();
});

beforeEach(() => {
  endpoint.calls.length = 0;
  world.throttle = undefined;
  (world.accounts[0].regions[0] as any).accessDenied = false;
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(String(line)));
});

afterEach(() => jest.restoreAllMocks());

describe('HMAC signature', () => {
  test('a signed request starts the pipeline with its variables and an idempotency token derived from the signature', async () => {
    const body = bodyOf({ variables: { ImageTag: 'v1.2.3', Environment: 'prod' } });
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(res.json.pipelineExecutionId).toBe(pipeline().executions[0].pipelineExecutionId);
    expect(starts()).toHaveLength(1);
    const call = starts()[0];
    expect(call).toMatchObject({ service: 'codepipeline', region: 'eu-west-1', account: '111111111111' });
    expect(call.input).toEqual({
      name: PIPELINE,
      variables: [{ name: 'ImageTag', value: 'v1.2.3' }, { name: 'Environment', value: 'prod' }],
      clientRequestToken: expect.stringMatching(/^webhook-[0-9a-f]{64}$/),
    });
    // The token is not the signature itself (CloudTrail records it).
    expect(call.input.clientRequestToken).not.toContain(sign(body).slice(7));
    expect(url.events[url.events.length - 1]).toMatchObject({ version: '2.0', isBase64Encoded: false, requestContext: { http: { method: 'POST' } } });
  });

  test('the secret is read once with the Secrets Manager client and cached for later requests', async () => {
    handler = coldStart();
    await post(bodyOf());
    await post(bodyOf({ variables: { ImageTag: 'v2' } }));
    const reads = endpoint.calls.filter((c) => c.operation === 'GetSecretValue');
    expect(reads).toEqual([expect.objectContaining({ service: 'secretsmanager', input: { SecretId: SECRET_ARN } })]);
    expect(starts()).toHaveLength(2);
  });

  test('a signature made with another secret is refused with 401, and nothing starts', async () => {
    const body = bodyOf();
    const res = await post(body, { 'x-hub-signature-256': sign(body, 'guessed') });
    expect(res).toMatchObject({ status: 401, json: { message: 'the signature does not match the body' } });
    expect(starts()).toHaveLength(0);
  });

  test('a signature of another body (a tampered variable) is refused', async () => {
    const signed = bodyOf();
    const res = await post(signed.replace('v1.2.3', 'v6.6.6'), { 'x-hub-signature-256': sign(signed) });
    expect(res.status).toBe(401);
    expect(starts()).toHaveLength(0);
  });

  test('a missing or malformed signature header is refused with 401', async () => {
    expect((await post(bodyOf(), {})).json.message).toMatch(/X-Hub-Signature-256 header is missing/);
    expect((await post(bodyOf(), { 'x-hub-signature-256': 'sha1=abc' })).status).toBe(401);
    expect((await post(bodyOf(), { 'x-hub-signature-256': 'sha256=' + 'g'.repeat(64) })).status).toBe(401);
    expect(starts()).toHaveLength(0);
  });

  test('an expired timestamp (or one too far ahead, or none) is refused with 401 even when signed', async () => {
    const old = bodyOf({ timestamp: now() - 301 });
    expect(await post(old)).toMatchObject({ status: 401, json: { message: expect.stringMatching(/timestamp is 30\d s old; at most 300 s/) } });
    expect((await post(bodyOf({ timestamp: now() + 400 }))).json.message).toMatch(/in the future/);
    const none = JSON.stringify({ variables: { ImageTag: 'x' } });
    expect((await post(none)).json.message).toMatch(/"timestamp" must be/);
    expect(starts()).toHaveLength(0);
  });

  test('a replay within the window starts nothing new: same container from its cache, a new container through the token', async () => {
    const body = bodyOf({ variables: { ImageTag: 'replayed' } });
    const first = await post(body);
    const replay = await post(body);
    expect(first.status).toBe(202);
    expect(replay).toMatchObject({ status: 200, json: { pipelineExecutionId: first.json.pipelineExecutionId, replayed: true } });
    expect(starts()).toHaveLength(1);
    // Another container has no cache: it sends the same clientRequestToken, and CodePipeline answers the same execution.
    const executions = pipeline().executions.length;
    handler = coldStart();
    const elsewhere = await post(body);
    expect(elsewhere.json.pipelineExecutionId).toBe(first.json.pipelineExecutionId);
    expect(starts().map((c) => c.input.clientRequestToken)).toEqual([starts()[0].input.clientRequestToken, starts()[0].input.clientRequestToken]);
    expect(pipeline().executions).toHaveLength(executions);
  });
});

describe('body', () => {
  test('a body over the size limit is refused with 413 before the secret is read', async () => {
    handler = coldStart();
    const body = bodyOf({ variables: { ImageTag: 'x'.repeat(17000) } });
    const res = await post(body);
    expect(res).toMatchObject({ status: 413, json: { message: expect.stringMatching(/at most 16384 are accepted/) } });
    expect(endpoint.calls).toHaveLength(0);
  });

  test('a base64-encoded body (binary content type) is decoded before the signature is checked', async () => {
    const body = Buffer.from(bodyOf({ variables: { ImageTag: 'from-binary' } }));
    const res = await post(body, { 'x-hub-signature-256': sign(body) }, 'application/octet-stream');
    expect(res.status).toBe(202);
    expect(url.events[url.events.length - 1].isBase64Encoded).toBe(true);
    expect(starts()[0].input.variables).toEqual([{ name: 'ImageTag', value: 'from-binary' }]);
  });

  test('an undeclared variable is refused with 400 naming the declared ones', async () => {
    const res = await post(bodyOf({ variables: { ImageTga: 'v1' } }));
    expect(res).toMatchObject({ status: 400, json: { message: "variable 'ImageTga' is not declared by pipeline 'app-release'; declared: ImageTag, Environment" } });
    expect(starts()).toHaveLength(0);
  });

  test.each([
    ['an empty value', { variables: { ImageTag: '' } }, /must be a string of 1-1000 characters/],
    ['a value over 1000 characters', { variables: { ImageTag: 'x'.repeat(1001) } }, /must be a string of 1-1000 characters/],
    ['a number as value', { variables: { ImageTag: 3 } }, /must be a string/],
    ['variables as a list', { variables: ['ImageTag'] }, /"variables" must be an object/],
    ['an unknown member', { variabels: {} }, /unknown member 'variabels'/],
    ['an unknown source action', { sourceRevisions: [{ actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: 'abc' }] }, /no source action 'Checkout'; source actions: Source/],
    ['a bad revision type', { sourceRevisions: [{ actionName: 'Source', revisionType: 'BRANCH', revisionValue: 'main' }] }, /revisionType \(COMMIT_ID/],
  ])('%s is refused with 400', async (_name, extra, message) => {
    const res = await post(bodyOf(extra));
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
    expect(starts()).toHaveLength(0);
  });

  test('a body that is not a JSON object is refused with 400', async () => {
    expect((await post('not json')).json.message).toBe('the body is not JSON');
    expect((await post('[1]')).json.message).toMatch(/not a JSON object/);
  });

  test('source revisions are passed on', async () => {
    const sourceRevisions = [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '0123abc' }];
    expect((await post(bodyOf({ sourceRevisions }))).status).toBe(202);
    expect(starts()[0].input.sourceRevisions).toEqual(sourceRevisions);
  });

  test('a GET is refused with 405', async () => {
    const res = await fetch(url.url);
    expect(res.status).toBe(405);
  });
});

describe('CodePipeline errors', () => {
  test('a throttled StartPipelineExecution is retried by the SDK and succeeds', async () => {
    world.throttle = { StartPipelineExecution: 2 };
    const res = await post(bodyOf({ variables: { ImageTag: 'retried' } }));
    expect(res.status).toBe(202);
    expect(starts()).toHaveLength(3);
    expect(new Set(starts().map((c) => c.input.clientRequestToken)).size).toBe(1);
  });

  test('throttling past the retries answers 503 with Retry-After', async () => {
    world.throttle = { StartPipelineExecution: 10 };
    const res = await post(bodyOf({ variables: { ImageTag: 'throttled' } }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(starts()).toHaveLength(4);
  });

  test('AccessDenied is a 500 that tells the caller nothing of the role, the pipeline ARN or the policy; the log has it', async () => {
    (world.accounts[0].regions[0] as any).accessDenied = true;
    const res = await post(bodyOf({ variables: { ImageTag: 'denied' } }));
    expect(res.status).toBe(500);
    expect(res.json.message).toMatch(/^the pipeline could not be started; the webhook's log has the reason \(request req-\d+\)$/);
    expect(JSON.stringify(res.json)).not.toMatch(/arn:|not authorized|AccessDenied|111111111111/);
    expect(logs.join('\n')).toMatch(/"error":"AccessDeniedException"/);
  });
});

describe('logging', () => {
  test('no secret, signature, body or variable value is logged; outcome and variable names are', async () => {
    handler = coldStart();
    const body = bodyOf({ variables: { ImageTag: 'value-not-to-log' } });
    await post(body);
    await post(body, { 'x-hub-signature-256': sign(body, 'wrong') });
    const text = logs.join('\n');
    expect(text).toMatch(/"outcome":"started".*"variables":\["ImageTag"\]/);
    expect(text).toMatch(/"outcome":"refused","status":401,"reason":"bad-signature"/);
    for (const secret of [SECRET, 'value-not-to-log', sign(body).slice(7), sign(body, 'wrong').slice(7)]) expect(text).not.toContain(secret);
  });

  test('variable values are logged when the app opts in', async () => {
    const restore = setEnv({ LOG_VARIABLE_VALUES: 'true' });
    try {
      await post(bodyOf({ variables: { ImageTag: 'value-to-log' } }));
    } finally {
      restore();
    }
    expect(logs.join('\n')).toContain('ImageTag=value-to-log');
  });
});

describe('IAM auth', () => {
  test('starts without a signature (the function URL checked SigV4) and without a derived token', async () => {
    const restore = setEnv({ WEBHOOK_AUTH: 'IAM' });
    try {
      const res = await post(JSON.stringify({ variables: { Environment: 'staging' } }), {});
      expect(res.status).toBe(202);
    } finally {
      restore();
    }
    expect(endpoint.calls.filter((c) => c.operation === 'GetSecretValue')).toHaveLength(0);
    expect(starts()[0].input).toMatchObject({ name: PIPELINE, variables: [{ name: 'Environment', value: 'staging' }] });
    expect(starts()[0].input.clientRequestToken).not.toMatch(/^webhook-/);
  });
});
