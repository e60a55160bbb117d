/**
 * A local AWS endpoint for tests and benchmarks: an HTTP server on 127.0.0.1 that answers the real
 * SDK v3 clients in each service's wire protocol. CodePipeline, CodeBuild and CloudTrail speak
 * awsJson1_1 (`X-Amz-Target`, epoch-second timestamps, `__type` errors); STS and CloudFormation the
 * query protocol (form body, `<XResponse><XResult>` XML, `<ErrorResponse>`); EC2 its own query
 * dialect (`<item>` lists, `<Response><Errors>`). The service and region come from the SigV4
 * credential scope of the Authorization header, the calling account from the access key id (its
 * last 12 digits; AssumeRole hands out such keys), exactly as a client cannot fake them. SNS speaks the
 * query protocol too; S3 REST-XML (only PutObject, path-style, as the SDK addresses an IP endpoint).
 * Point the SDK at it with `AWS_ENDPOINT_URL_<SERVICE>` (see `endpointEnv`).
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { AwsError, FakeChangeSet, describeChangeSet, xml } from './aws-endpoint-query';

export type { FakeChangeSet } from './aws-endpoint-query';

export type OptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

/** One pipeline as the APIs return it: GetPipeline's declaration, GetPipelineState, executions newest first. */
export interface FakePipeline {
  readonly name: string;
  /** GetPipeline `pipeline` (name, roleArn, stages[].actions[], variables). */
  readonly declaration: any;
  /** GetPipelineState `stageStates`. */
  stageStates: any[];
  /** ListPipelineExecutions `pipelineExecutionSummaries`, newest first (Dates for times). */
  executions: any[];
  /** ListActionExecutions `actionExecutionDetails` per execution id. */
  actionExecutions?: Record<string, any[]>;
}

export interface FakeRegion {
  readonly name: string;
  /** @default 'opt-in-not-required' */
  readonly optIn?: OptInStatus;
  /** Every CodePipeline call here answers AccessDeniedException (an SCP deny). */
  readonly accessDenied?: boolean;
  readonly pipelines: FakePipeline[];
  /** DescribeStackEvents per stack name, newest first. */
  readonly stackEvents?: Record<string, any[]>;
  /** BatchGetBuilds `builds` by id. */
  readonly builds?: Record<string, any>;
  /** LookupEvents `Events` (EventTime as Date, CloudTrailEvent as an object). */
  readonly trailEvents?: any[];
  /** Secrets Manager GetSecretValue `SecretString` by secret ARN (or name). */
  readonly secrets?: Record<string, string>;
  /** DescribeChangeSet by `<stack>/<change set>`, change set name, or ARN (nested ones). */
  readonly changeSets?: Record<string, FakeChangeSet>;
  /** SNS Publish answers AuthorizationError. */
  snsDenied?: boolean;
  /** GetJobDetails by job id: the job's pipeline, stage, action and execution. */
  readonly jobs?: Record<string, FakeJob>;
}

/** A CodePipeline job (GetJobDetails): where it runs. */
export interface FakeJob {
  readonly pipelineName: string;
  readonly stage: string;
  readonly action: string;
  readonly executionId: string;
  /** The action's configuration. */
  readonly configuration?: Record<string, string>;
}


export interface FakeAccount {
  readonly id: string;
  readonly regions: FakeRegion[];
}

export interface FakeWorld {
  /** The first account answers calls signed with keys that name no account. */
  readonly accounts: FakeAccount[];
  /** Added to every answer, in ms. @default 0 */
  delayMs?: number;
  /** Largest page ListPipelines / ListPipelineExecutions / LookupEvents return. @default 100 */
  pageSize?: number;
  /** Answer ThrottlingException this many times per operation name, then succeed. */
  throttle?: Record<string, number>;
  /** Called on StartPipelineExecution and on every GetPipelineExecution, to move executions along. */
  onCall?: (operation: string, input: any, pipeline: FakePipeline) => void;
}

export interface RecordedCall {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly account: string;
  readonly input: any;
}


export class FakeAwsEndpoint {
  /** Start a server on 127.0.0.1, port 0 (a free one). */
  public static async start(world: FakeWorld): Promise<FakeAwsEndpoint> {
    const e = new FakeAwsEndpoint(world);
    await new Promise<void>((resolve) => e.server.listen(0, '127.0.0.1', resolve));
    return e;
  }

  public readonly calls: RecordedCall[] = [];
  /** S3 PutObject bodies and headers by `bucket/key`. */
  public readonly objects = new Map<string, { body: string; headers: http.IncomingHttpHeaders; account: string }>();
  /** Most calls in flight at once, per `account/region`. */
  public readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly server: http.Server;
  private readonly throttled = new Map<string, number>();
  /** StartPipelineExecution `clientRequestToken`s seen, per account/region/pipeline: the execution each started. */
  private readonly tokens = new Map<string, string>();

  private constructor(public readonly world: FakeWorld) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => void this.answer(req, Buffer.concat(chunks).toString('utf-8'), res));
    });
  }

  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` for every service we answer, plus fake static credentials. */
  public env(accessKeyId = 'AKIAFAKE' + this.world.accounts[0].id): Record<string, string> {
    const env: Record<string, string> = {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    for (const s of ['CODEPIPELINE', 'CODEBUILD', 'CLOUDTRAIL', 'EC2', 'STS', 'CLOUDFORMATION', 'SECRETS_MANAGER', 'S3', 'SNS']) env[`AWS_ENDPOINT_URL_${s}`] = this.url;
    return env;
  }

  public count(operation?: string): number {
    return operation ? this.calls.filter((c) => c.operation === operation).length : this.calls.length;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
    const target = String(req.headers['x-amz-target'] ?? '');
    if (scope?.[3] === 's3') return this.s3(req, body, res, scope);
    const json = target !== '';
    const form = json ? undefined : new URLSearchParams(body);
    const service = scope?.[3] ?? 'unknown';
    const operation = json ? target.split('.').pop()! : form!.get('Action') ?? '';
    const input = json ? JSON.parse(body || '{}') : Object.fromEntries(form!.entries());
    const keyAccount = /(\d{12})$/.exec(scope?.[1] ?? '')?.[1];
    const account = this.world.accounts.find((a) => a.id === keyAccount) ?? this.world.accounts[0];
    const region = scope?.[2] ?? 'none';
    this.calls.push({ service, operation, region, account: account.id, input });
    const key = `${account.id}/${region}`;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.maxInFlight.set(key, Math.max(this.maxInFlight.get(key) ?? 0, this.inFlight.get(key)!));
    try {
      if (this.world.delayMs) await new Promise((r) => setTimeout(r, this.world.delayMs));
      this.reply(res, service, operation, input, account, region, json, !!scope);
    } finally {
      this.inFlight.set(key, this.inFlight.get(key)! - 1);
    }
  }

  private reply(res: http.ServerResponse, service: string, operation: string, input: any,
    account: FakeAccount, region: string, json: boolean, signed: boolean) {
    try {
      if (!signed) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      const left = this.world.throttle?.[operation] ?? 0;
      const done = this.throttled.get(operation) ?? 0;
      if (done < left) {
        this.throttled.set(operation, done + 1);
        throw new AwsError('ThrottlingException', 'Rate exceeded');
      }
      const result = this.dispatch(service, operation, input, account, region);
      if (json) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(result, (_k, v) => v, 0).replace(/"__date:(\d+(\.\d+)?)"/g, '$1'));
      } else {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(result);
      }
    } catch (e: any) {
      const err = e instanceof AwsError ? e : new AwsError('InternalFailure', String(e?.stack ?? e), 500);
      if (json) {
        res.writeHead(err.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': err.code });
        res.end(JSON.stringify({ __type: err.code, message: err.message }));
      } else if (service === 'ec2') {
        res.writeHead(err.status, { 'content-type': 'text/xml' });
        res.end(`<Response><Errors><Error><Code>${err.code}</Code><Message>${xml(err.message)}</Message></Error></Errors><RequestID>r-1</RequestID></Response>`);
      } else {
        res.writeHead(err.status, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${err.code}</Code><Message>${xml(err.message)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`);
      }
    }
  }

  /** S3 PutObject (path-style `/bucket/key`): stores the object, answers an ETag. */
  private s3(req: http.IncomingMessage, body: string, res: http.ServerResponse, scope: RegExpExecArray) {
    const keyAccount = /(\d{12})$/.exec(scope[1])?.[1];
    const account = this.world.accounts.find((a) => a.id === keyAccount) ?? this.world.accounts[0];
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket, ...key] = decodeURIComponent(url.pathname).split('/');
    const operation = req.method === 'PUT' && !url.search.includes('x-id=') || url.searchParams.get('x-id') === 'PutObject' ? 'PutObject' : `${req.method} ${url.search}`;
    this.calls.push({ service: 's3', operation, region: scope[2], account: account.id, input: { Bucket: bucket, Key: key.join('/'), Body: body, headers: req.headers } });
    if (operation !== 'PutObject') {
      res.writeHead(501, { 'content-type': 'application/xml' });
      res.end(`<Error><Code>NotImplemented</Code><Message>${xml(operation)} is not answered by the local endpoint</Message></Error>`);
      return;
    }
    this.objects.set(`${bucket}/${key.join('/')}`, { body, headers: req.headers, account: account.id });
    res.writeHead(200, { 'etag': '"0123456789abcdef"', 'x-amz-server-side-encryption': String(req.headers['x-amz-server-side-encryption'] ?? 'AES256') });
    res.end();
  }

  private dispatch(service: string, op: string, input: any, account: FakeAccount, regionName: string): any {
    if (service === 'sts') return this.sts(op, input, account);
    if (service === 'ec2' && op === 'DescribeRegions') {
      const items = account.regions
        .filter((r) => input.AllRegions === 'true' || (r.optIn ?? 'opt-in-not-required') !== 'not-opted-in')
        .map((r) => `<item><regionName>${r.name}</regionName><regionEndpoint>ec2.${r.name}.amazonaws.com</regionEndpoint>`
          + `<optInStatus>${r.optIn ?? 'opt-in-not-required'}</optInStatus></item>`);
      return `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><regionInfo>${items.join('')}</regionInfo></DescribeRegionsResponse>`;
    }
    const region = account.regions.find((r) => r.name === regionName);
    if (!region || region.optIn === 'not-opted-in') {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (service === 'codepipeline') return this.codepipeline(op, input, account, region);
    if (service === 'secretsmanager' && op === 'GetSecretValue') {
      const value = region.secrets?.[input.SecretId];
      if (value === undefined) throw new AwsError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
      return { ARN: input.SecretId, Name: input.SecretId.split(':').pop(), SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: epoch(new Date(0)) };
    }
    if (service === 'cloudformation' && op === 'DescribeChangeSet') return describeChangeSet(region.changeSets?.[`${input.StackName}/${input.ChangeSetName}`] ?? region.changeSets?.[input.ChangeSetName], input, account.id, region.name, (all, token, max) => this.page(all, token, max));
    if (service === 'sns' && op === 'Publish') {
      if (region.snsDenied) throw new AwsError('AuthorizationError', `not authorized to perform: SNS:Publish on resource: ${input.TopicArn}`, 403);
      return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${this.count('Publish')}</MessageId></PublishResult>`
        + '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>';
    }
    if (service === 'codebuild' && op === 'BatchGetBuilds') {
      const ids: string[] = input.ids ?? [];
      return {
        builds: ids.filter((id) => region.builds?.[id]).map((id) => dates(region.builds![id])),
        buildsNotFound: ids.filter((id) => !region.builds?.[id]),
      };
    }
    if (service === 'cloudtrail' && op === 'LookupEvents') {
      const start = (input.StartTime ?? 0) * 1000;
      const end = (input.EndTime ?? Infinity) * 1000;
      const all = (region.trailEvents ?? []).filter((e) => e.EventTime.getTime() >= start && e.EventTime.getTime() <= end);
      const { items, nextToken } = this.page(all, input.NextToken, input.MaxResults);
      return { Events: items.map((e) => dates({ ...e, CloudTrailEvent: JSON.stringify(e.CloudTrailEvent) })), NextToken: nextToken };
    }
    if (service === 'cloudformation' && op === 'DescribeStackEvents') {
      const events = region.stackEvents?.[input.StackName];
      if (!events) throw new AwsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
      const members = events.map((e) => `<member>${Object.entries(e).map(([k, v]) => `<${k}>${xml(v instanceof Date ? v.toISOString() : String(v))}</${k}>`).join('')}</member>`);
      return `<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>${members.join('')}</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStackEventsResponse>`;
    }
    throw new AwsError('UnknownOperationException', `${service} ${op} is not answered by the local endpoint`);
  }

  private sts(op: string, input: any, account: FakeAccount): string {
    const ns = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"';
    if (op === 'GetCallerIdentity') {
      return `<GetCallerIdentityResponse ${ns}><GetCallerIdentityResult><Arn>arn:aws:iam::${account.id}:user/tester</Arn>`
        + `<UserId>AIDAFAKE</UserId><Account>${account.id}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`;
    }
    if (op === 'AssumeRole') {
      const target = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(input.RoleArn ?? '');
      if (!target || !this.world.accounts.some((a) => a.id === target[1])) {
        throw new AwsError('AccessDenied', `User: arn:aws:iam::${account.id}:user/tester is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, 403);
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return `<AssumeRoleResponse ${ns}><AssumeRoleResult><Credentials><AccessKeyId>ASIAFAKE${target[1]}</AccessKeyId>`
        + `<SecretAccessKey>fake</SecretAccessKey><SessionToken>fake-session</SessionToken><Expiration>${expiration}</Expiration></Credentials>`
        + `<AssumedRoleUser><Arn>arn:aws:sts::${target[1]}:assumed-role/${target[2]}/${xml(input.RoleSessionName)}</Arn>`
        + `<AssumedRoleId>AROAFAKE:${xml(input.RoleSessionName)}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`;
    }
    throw new AwsError('InvalidAction', `sts ${op}`);
  }

  private codepipeline(op: string, input: any, account: FakeAccount, region: FakeRegion): any {
    if (region.accessDenied) {
      throw new AwsError('AccessDeniedException', `User: arn:aws:sts::${account.id}:assumed-role/ops/tester is not authorized to perform: `
        + `codepipeline:${op} on resource: arn:aws:codepipeline:${region.name}:${account.id}:* with an explicit deny in a service control policy`);
    }
    if (op === 'ListPipelines') {
      const { items, nextToken } = this.page(region.pipelines, input.nextToken, input.maxResults);
      return {
        pipelines: items.map((p) => ({ name: p.name, version: 1, pipelineType: 'V2', executionMode: 'SUPERSEDED', created: epoch(new Date(0)), updated: epoch(new Date(0)) })),
        nextToken,
      };
    }
    if (op === 'GetJobDetails') {
      const j = region.jobs?.[input.jobId];
      if (!j) throw new AwsError('JobNotFoundException', `The job was not found: ${input.jobId}`);
      return {
        jobDetails: {
          id: input.jobId,
          accountId: account.id,
          data: {
            actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' },
            actionConfiguration: { configuration: j.configuration ?? {} },
            pipelineContext: {
              pipelineName: j.pipelineName,
              stage: { name: j.stage },
              action: { name: j.action, actionExecutionId: `${j.executionId}-action` },
              pipelineArn: `arn:aws:codepipeline:${region.name}:${account.id}:${j.pipelineName}`,
              pipelineExecutionId: j.executionId,
            },
            inputArtifacts: [],
            outputArtifacts: [],
          },
        },
      };
    }
    const p = region.pipelines.find((x) => x.name === input.name || x.name === input.pipelineName);
    if (op === 'PutJobSuccessResult' || op === 'PutJobFailureResult') return {};
    if (!p) throw new AwsError('PipelineNotFoundException', `Account '${account.id}' does not have a pipeline with name '${input.name ?? input.pipelineName}'`);
    this.world.onCall?.(op, input, p);
    switch (op) {
      case 'GetPipeline':
        return { pipeline: p.declaration, metadata: { pipelineArn: `arn:aws:codepipeline:${region.name}:${account.id}:${p.name}` } };
      case 'GetPipelineState':
        return dates({ pipelineName: p.name, pipelineVersion: 1, stageStates: p.stageStates });
      case 'ListPipelineExecutions': {
        const { items, nextToken } = this.page(p.executions, input.nextToken, input.maxResults);
        return dates({ pipelineExecutionSummaries: items, nextToken });
      }
      case 'GetPipelineExecution': {
        const e = p.executions.find((x) => x.pipelineExecutionId === input.pipelineExecutionId);
        if (!e) throw new AwsError('PipelineExecutionNotFoundException', `Execution '${input.pipelineExecutionId}' not found`);
        return dates({ pipelineExecution: { pipelineName: p.name, pipelineVersion: 1, ...e, artifactRevisions: e.artifactRevisions ?? [] } });
      }
      case 'ListActionExecutions': {
        // Filtered: one execution's; unfiltered: every execution's, newest start first. Paginated.
        const id = input.filter?.pipelineExecutionId;
        const all = id ? p.actionExecutions?.[id] ?? [] : Object.entries(p.actionExecutions ?? {})
          .flatMap(([executionId, list]) => list.map((a: any) => ({ pipelineExecutionId: executionId, ...a })))
          .sort((a: any, b: any) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
        const { items, nextToken } = this.page(all, input.nextToken, input.maxResults);
        return dates({ actionExecutionDetails: items, nextToken });
      }
      case 'StartPipelineExecution': {
        // An idempotency token (the SDK model's idempotencyToken): the same token starts nothing new and answers the same execution.
        const tokenKey = `${account.id}/${region.name}/${p.name}/${input.clientRequestToken}`;
        if (input.clientRequestToken && this.tokens.has(tokenKey)) return { pipelineExecutionId: this.tokens.get(tokenKey) };
        const id = `exec-${p.executions.length + 1}-${Math.random().toString(16).slice(2, 8)}`;
        p.executions.unshift({ pipelineExecutionId: id, status: 'InProgress', startTime: new Date(), lastUpdateTime: new Date(), sourceRevisions: [], trigger: { triggerType: 'StartPipelineExecution' }, variables: input.variables, sourceRevisionOverrides: input.sourceRevisions });
        this.world.onCall?.('Started', input, p);
        if (input.clientRequestToken) this.tokens.set(tokenKey, id);
        return { pipelineExecutionId: id };
      }
      case 'PutApprovalResult': {
        const stage = p.stageStates.find((s) => s.stageName === input.stageName);
        const action = stage?.actionStates?.find((a: any) => a.actionName === input.actionName);
        if (!action || action.latestExecution?.token !== input.token || action.latestExecution?.status !== 'InProgress') {
          throw new AwsError('InvalidApprovalTokenException', `The token for the approval action ${input.stageName}/${input.actionName} is not valid`);
        }
        action.latestExecution = { ...action.latestExecution, status: input.result.status === 'Approved' ? 'Succeeded' : 'Failed', summary: input.result.summary, token: undefined };
        return { approvedAt: epoch(new Date()) };
      }
    }
    throw new AwsError('UnknownOperationException', `codepipeline ${op}`);
  }

  private page<T>(all: T[], token: string | undefined, max: number | undefined): { items: T[]; nextToken?: string } {
    const size = Math.min(max ?? Infinity, this.world.pageSize ?? 100);
    const start = token ? Number(token.replace('page-', '')) : 0;
    const items = all.slice(start, start + size);
    return { items, nextToken: start + size < all.length ? `page-${start + size}` : undefined };
  }
}

/** Dates to epoch seconds (awsJson1_1 timestamps), deeply. */
function dates(value: any): any {
  if (value instanceof Date) return epoch(value);
  if (Array.isArray(value)) return value.map(dates);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dates(v)]));
  return value;
}

function epoch(d: Date): string {
  return `__date:${d.getTime() / 1000}`;
}


/** Set environment variables; returns a function that puts the old values back. */
export function setEnv(env: Record<string, string>): () => void {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Run the CLI in-process; collects stdout and stderr. */
export async function runCapture(run: (argv: string[], io: any) => Promise<number>, argv: string[],
  signal?: AbortSignal, onStdout?: (t: string) => void) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (t: string) => { stdout += t; onStdout?.(t); },
    stderr: (t: string) => (stderr += t),
    signal,
  });
  return { code, stdout, stderr };
}
