import { Duration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as v from '../private/validate';

/** Options of `WebhookAuth.hmac`. */
export interface HmacWebhookAuthOptions {
  /**
   * The shared secret: its `SecretString` (as UTF-8 bytes) is the HMAC-SHA256 key, as GitHub uses a
   * webhook secret. The webhook may read this secret only (and, when it has a customer-managed key,
   * decrypt with that key through Secrets Manager).
   *
   * @default - a secret of 64 random letters and digits is defined beside the webhook
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * How far the body's `timestamp` may be from the time the request arrives (either way): older
   * requests are refused as replays. From 30 seconds to 1 hour.
   *
   * @default Duration.minutes(5)
   */
  readonly maxAge?: Duration;
}

/** How callers of a `PipelineWebhook` authenticate. */
export class WebhookAuth {
  /**
   * A signature over the body with a shared secret, GitHub's `X-Hub-Signature-256` convention
   * (`sha256=<hex HMAC-SHA256 of the raw body>`), checked in constant time by the function, plus a
   * `timestamp` in the signed body within `maxAge` of now. The function URL itself is public
   * (auth type NONE): anyone may reach it, only holders of the secret get past the function.
   */
  public static hmac(options: HmacWebhookAuthOptions = {}): WebhookAuth {
    v.checkProps('WebhookAuth.hmac', options, {
      secret: v.implementing('a Secrets Manager secret', 'e.g. secretsmanager.Secret.fromSecretNameV2(this, \'Secret\', \'webhook\')', 'secretArn', 'grantRead'),
      maxAge: v.duration('e.g. Duration.minutes(5)'),
    }, 'options');
    const maxAge = options.maxAge ?? Duration.minutes(5);
    if (!maxAge.isUnresolved()) {
      const seconds = maxAge.toSeconds();
      if (seconds < 30 || seconds > 3600) {
        throw new Error(`WebhookAuth.hmac: maxAge is ${maxAge.toHumanString()}; pass from 30 seconds to 1 hour, e.g. Duration.minutes(5).`);
      }
    }
    return new WebhookAuth('HMAC', options.secret, maxAge);
  }

  /**
   * SigV4: the function URL's auth type AWS_IAM, so AWS rejects unsigned or unauthorized
   * requests before the function runs. Grant callers with `PipelineWebhook.grantInvoke`.
   */
  public static iam(): WebhookAuth {
    return new WebhookAuth('IAM', undefined, undefined);
  }

  private constructor(
    /** 'HMAC' or 'IAM'. */
    public readonly mode: string,
    /** The secret given to `hmac()`, if any. */
    public readonly secret: secretsmanager.ISecret | undefined,
    /** The timestamp window (HMAC only). */
    public readonly maxAge: Duration | undefined,
  ) {}
}
