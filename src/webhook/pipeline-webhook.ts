import { Duration, IResolveContext, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WebhookAuth } from './webhook-auth';
import { WebhookFunction } from './webhook-function';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import * as v from '../private/validate';

/** Options of a pipeline's webhook (`addWebhook` of the pipelines, and `PipelineWebhook`). */
export interface PipelineWebhookOptions {
  /**
   * How callers authenticate.
   *
   * @default WebhookAuth.hmac() - a signature with a generated secret, a 5-minute timestamp window
   */
  readonly auth?: WebhookAuth;

  /**
   * Names of the pipeline variables a request may set. Where the pipeline is a
   * `codepipeline.Pipeline` of this app, each must be declared on it (checked at synth).
   *
   * @default - every variable declared on the pipeline at synth; none for an imported pipeline
   */
  readonly variables?: string[];

  /**
   * Largest request body accepted (larger ones get 413), from 256 bytes to 1 MiB.
   *
   * @default Size.kibibytes(16)
   */
  readonly maxBodySize?: Size;

  /**
   * Reserved concurrency of the function (1-100): at most this many requests run at once, the rest
   * are throttled (the function URL answers 429), and the function never takes the account's
   * concurrency from others. Lambda keeps 10 of an account's concurrency unreserved: in an account
   * whose limit is 10 (new accounts), the deploy fails until the limit is raised.
   *
   * @default 2
   */
  readonly reservedConcurrency?: number;

  /**
   * Log variable values (names are always logged). Off by default: values may be tokens or
   * personal data a caller did not mean to store.
   *
   * @default false
   */
  readonly logVariableValues?: boolean;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Props of `PipelineWebhook`. */
export interface PipelineWebhookProps extends PipelineWebhookOptions {
  /** The one pipeline the webhook starts; in the webhook's account and region. */
  readonly pipeline: codepipeline.IPipeline;
}

/** The checks of `PipelineWebhookOptions` (also run by the pipelines' `addWebhook`). */
export const WEBHOOK_OPTIONS_SPEC: { [prop: string]: v.Kind } = {
  auth: v.instance(WebhookAuth, 'WebhookAuth.hmac() or WebhookAuth.iam()'),
  variables: v.arrayOf(v.matching('a variable name (1-128 of A-Za-z0-9@_-)', /^[A-Za-z0-9@_-]{1,128}$/, "a variable name, e.g. 'ImageTag'"), "a list of variable names, e.g. ['ImageTag']"),
  maxBodySize: v.instance(Size, 'e.g. Size.kibibytes(16)'),
  reservedConcurrency: v.literal(v.int(1, 100, 'an integer from 1 to 100, e.g. 2')),
  logVariableValues: v.bool,
  logRetention: v.oneOf('a logs.RetentionDays', Object.values(logs.RetentionDays).filter((d) => typeof d === 'number'), 'e.g. logs.RetentionDays.ONE_MONTH'),
};

/**
 * An HTTPS endpoint (a Lambda function URL) that starts ONE pipeline with the variables of a JSON
 * body: `{ "timestamp": <epoch seconds>, "variables": { "<name>": "<value>" } }`, for systems that
 * cannot call the AWS API themselves (a CI of another organization, a ticketing tool). See docs/webhook.md.
 *
 * Its role may start that pipeline and nothing else (plus read its secret, and write its log group);
 * the body is checked against the pipeline's declared variables and CodePipeline's limits.
 */
export class PipelineWebhook extends Construct {
  /** The function behind the URL. */
  public readonly function: lambda.Function;

  /** The function URL. */
  public readonly functionUrl: lambda.FunctionUrl;

  /** The URL to POST to. */
  public readonly url: string;

  /** The HMAC secret (generated unless given), or undefined with `WebhookAuth.iam()`. */
  public readonly secret?: secretsmanager.ISecret;

  /** The function's role. */
  public readonly role: iam.Role;

  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  private readonly auth: WebhookAuth;

  constructor(scope: Construct, id: string, props: PipelineWebhookProps) {
    v.checkScope('PipelineWebhook', scope, id);
    super(scope, id);
    v.checkProps(this, props, { ...WEBHOOK_OPTIONS_SPEC, pipeline: v.required(v.cdk.pipeline) });
    const maxBody = props.maxBodySize?.toBytes() ?? 16384;
    if (maxBody < 256 || maxBody > 1048576) fail(this, `maxBodySize is ${maxBody} bytes; pass from 256 bytes to 1 MiB, e.g. Size.kibibytes(16).`);
    const stack = Stack.of(this);
    const pipelineRegion = props.pipeline.env.region;
    if (!Token.isUnresolved(pipelineRegion) && !Token.isUnresolved(stack.region) && pipelineRegion !== stack.region) {
      fail(this, `pipeline '${props.pipeline.node.id}' is in region '${pipelineRegion}', the webhook in '${stack.region}'; define the webhook in a stack of the pipeline's region.`);
    }
    this.auth = props.auth ?? WebhookAuth.hmac();
    const declared = new DeclaredVariables(this, props.pipeline, props.variables);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR });
    acknowledge(this.logGroup, 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'The webhook logs one line per request: outcome, status, pipeline execution id and variable names (values only when the app opts in with ' +
        'logVariableValues); never the signature, the secret or the body. CloudWatch Logs encrypts them at rest with its own key.');
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Pipeline webhook: starts one pipeline, reads its own secret, writes its own log group',
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codepipeline:StartPipelineExecution'], resources: [props.pipeline.pipelineArn] }));

    this.function = new WebhookFunction(this, 'Function', {
      description: 'Starts one CodePipeline pipeline (env PIPELINE_NAME) from authenticated HTTPS requests to its function URL',
      role: this.role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(15),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 2,
      environment: {
        PIPELINE_NAME: props.pipeline.pipelineName,
        WEBHOOK_AUTH: this.auth.mode,
        PIPELINE_VARIABLES: Lazy.uncachedString({ produce: (ctx: IResolveContext) => JSON.stringify(declared.names(ctx)) }),
        ...(declared.reachable
          ? { SOURCE_ACTIONS: Lazy.uncachedString({ produce: (ctx: IResolveContext) => JSON.stringify(declared.sourceActions(ctx)) }) }
          : {}),
        MAX_BODY_BYTES: String(maxBody),
        LOG_VARIABLE_VALUES: String(props.logVariableValues ?? false),
      },
    });
    acknowledge(this.function, 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'The webhook calls only AWS APIs (CodePipeline StartPipelineExecution on one pipeline, Secrets Manager GetSecretValue on its secret) and ' +
        'reaches no private resource; in a VPC it would need NAT or interface endpoints. Control Tower control CT.LAMBDA.PR.3 would still block the ' +
        'deploy where it is enabled.');

    if (this.auth.mode === 'HMAC') {
      this.secret = this.auth.secret ?? this.defineSecret();
      const secretArn = this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`;
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
      const key = this.secret.encryptionKey;
      if (key) {
        this.role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
        }));
      }
      this.function.addEnvironment('SECRET_ARN', this.secret.secretArn);
      this.function.addEnvironment('MAX_AGE_SECONDS', String(this.auth.maxAge!.toSeconds()));
    }
    const authType = this.auth.mode === 'IAM' ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE;
    this.functionUrl = new lambda.FunctionUrl(this, 'Url', { function: this.function, authType });
    this.url = this.functionUrl.url;
    if (authType === lambda.FunctionUrlAuthType.NONE) this.acknowledgePublicUrl();
  }

  /**
   * Let a role or user call the URL (`lambda:InvokeFunctionUrl`, and `lambda:InvokeFunction` through
   * the URL), signing requests with SigV4. Only with `WebhookAuth.iam()`: an HMAC webhook's callers
   * hold the secret instead.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    v.checkArg(this, 'grantee', grantee, v.required(v.cdk.grantable));
    if (this.auth.mode !== 'IAM') {
      fail(this, 'grantInvoke() is for a webhook with WebhookAuth.iam(); this one checks HMAC signatures, so give callers the secret instead ' +
        '(webhook.secret), or define it with auth: WebhookAuth.iam().');
    }
    return this.function.grantInvokeUrl(grantee);
  }

  private defineSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'HMAC-SHA256 key of a pipeline webhook (X-Hub-Signature-256); callers sign request bodies with it',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(secret, 'AwsSolutions-SMG4',
      'The webhook secret is shared with the systems that call the webhook (a GitHub Actions secret, a CI variable): a rotation Lambda ' +
        'cannot update their copies, so it is rotated by hand (docs/webhook.md, "Rotating the secret"). Requests also carry a signed ' +
        'timestamp, so a captured request is useless after the window.');
    return secret;
  }

  private acknowledgePublicUrl(): void {
    const reason = 'The URL is public by design (auth type NONE), so that systems without AWS credentials can call it, as GitHub webhooks do: ' +
      'the function itself authenticates every request, an HMAC-SHA256 signature of the body with a secret in Secrets Manager, compared in ' +
      'constant time, with a signed timestamp window against replays; unsigned requests are refused before anything is started, reserved ' +
      'concurrency caps what a flood can cost, and the role may only start this one pipeline. Use WebhookAuth.iam() for SigV4 (AWS_IAM).';
    acknowledge(this.functionUrl, 'cdk-validator-cfnguard::lambda_function_url_auth_check', reason);
    // The two permissions aws-cdk-lib adds for a NONE function URL: lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and
    // lambda:InvokeFunction (InvokedViaFunctionUrl), both to '*', and usable only through the URL.
    for (const permission of ['invoke-function-url', 'invoke-function'].map((id) => this.function.node.tryFindChild(id)).filter((c) => c !== undefined)) {
      acknowledge(permission, 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check', `${reason} The permission is scoped to ` +
        'invocations through the function URL (lambda:FunctionUrlAuthType NONE / InvokedViaFunctionUrl), not direct Invoke calls by other accounts.');
    }
  }
}

/** The variables (and source actions) of the pipeline, read when the app is synthesized. */
class DeclaredVariables {
  private readonly cfn?: codepipeline.CfnPipeline;

  constructor(private readonly webhook: PipelineWebhook, pipeline: codepipeline.IPipeline, private readonly given?: string[]) {
    const child = pipeline.node.defaultChild;
    this.cfn = child instanceof codepipeline.CfnPipeline ? child : undefined;
    webhook.node.addValidation({ validate: () => this.problems() });
  }

  /** Whether the pipeline's declaration is in this app. */
  public get reachable(): boolean {
    return this.cfn !== undefined;
  }

  public names(ctx?: IResolveContext): string[] {
    return this.given ?? this.declared(ctx);
  }

  public sourceActions(ctx: IResolveContext): string[] {
    const stages: any[] = ctx.resolve(this.cfn!.stages) ?? [];
    return (stages[0]?.actions ?? []).filter((a: any) => a.actionTypeId?.category === 'Source').map((a: any) => a.name);
  }

  private declared(ctx?: IResolveContext): string[] {
    if (!this.cfn) return [];
    const resolved: any[] = (ctx ? ctx.resolve(this.cfn.variables) : Stack.of(this.cfn).resolve(this.cfn.variables)) ?? [];
    return resolved.map((x) => x.name);
  }

  private problems(): string[] {
    const size = JSON.stringify(this.names()).length;
    if (size > 3000) {
      return [`PipelineWebhook '${this.webhook.node.id}': the variable names take ${size} characters in the function's environment, ` +
        'which Lambda limits to 4 KB in all; list the variables callers may set in `variables`.'];
    }
    if (!this.given || !this.cfn) return [];
    const declared = this.declared();
    const missing = this.given.filter((name) => !declared.includes(name));
    if (missing.length === 0) return [];
    return [`PipelineWebhook '${this.webhook.node.id}': variables lists '${missing.join("', '")}', not declared by the pipeline ` +
      `(declared: ${declared.join(', ') || 'none'}); declare ${missing.length === 1 ? 'it' : 'them'} on the pipeline (\`variables\` of its props, ` +
      'or pipeline.addVariable) or leave it out of the webhook\'s variables.'];
  }
}
