// How the operating commands reach AWS: credentials, accounts (one per --role-arn), regions and
// a concurrency cap. SDK v3 clients only; every client gets adaptive retry (throttling is retried
// with client-side rate limiting, never fatal) and honours AWS_ENDPOINT_URL_<SERVICE> by itself.
// The SDK clients are devDependencies on purpose: esbuild inlines them into the CLI bundle (as svg.ts does Graphviz).
// eslint-disable-next-line import/no-extraneous-dependencies
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// eslint-disable-next-line import/no-extraneous-dependencies
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { limiter } from '../../private/limiter';

export { limiter };

type AwsCredentialIdentityProvider = ReturnType<typeof fromNodeProviderChain>;

/** What the user chose on the command line. */
export interface SessionOptions {
  /** --profile: a named profile (keys, SSO, credential_process, role chains) from ~/.aws/config. */
  readonly profile?: string;
  /** --role-arn, repeatable: one account each, reached by STS AssumeRole from the base credentials. */
  readonly roleArns?: string[];
  /** --region: home region (STS, EC2 DescribeRegions) and the region of single-pipeline commands. */
  readonly region?: string;
  /** --regions: narrow the regions looked up. */
  readonly regions?: string[];
  /** --concurrency: parallel calls per account and region. @default 8 */
  readonly concurrency?: number;
}

/** One account the commands act in. */
export interface Account {
  readonly id: string;
  /** The role assumed into it, or undefined for the base credentials. */
  readonly roleArn?: string;
  readonly credentials: AwsCredentialIdentityProvider;
}

/** Client settings every command uses: adaptive retry, patient enough for CodePipeline's low TPS quotas. */
export const RETRY = { retryMode: 'adaptive', maxAttempts: 10 } as const;

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export class Session {
  /** Resolve credentials and the accounts they reach (STS GetCallerIdentity through each). */
  public static async open(options: SessionOptions): Promise<Session> {
    for (const arn of options.roleArns ?? []) {
      if (!ROLE_ARN.test(arn)) {
        throw new Error(`--role-arn '${arn}' is not an IAM role ARN; pass e.g. --role-arn arn:aws:iam::111111111111:role/pipeline-operator.`);
      }
    }
    for (const r of options.regions ?? []) {
      if (!REGION.test(r)) throw new Error(`--regions '${r}' is not a region name; pass e.g. --regions eu-west-1,us-east-1.`);
    }
    if (options.region !== undefined && !REGION.test(options.region)) {
      throw new Error(`--region '${options.region}' is not a region name; pass e.g. --region eu-west-1.`);
    }
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new Error(`--concurrency '${options.concurrency}' must be a whole number from 1 to 64; pass e.g. --concurrency 8.`);
    }
    const base = fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
    const homeRegion = options.region ?? await profileRegion(options.profile) ?? 'us-east-1';
    const wanted = options.roleArns?.length ? options.roleArns : [undefined];
    const accounts = await Promise.all(wanted.map(async (roleArn) => {
      const credentials = roleArn
        ? memoize(fromTemporaryCredentials({
          masterCredentials: base,
          params: { RoleArn: roleArn, RoleSessionName: 'cdk-delivery-pipelines', DurationSeconds: 3600 },
          clientConfig: { region: homeRegion, ...RETRY },
        }))
        : base;
      const sts = new STSClient({ region: homeRegion, credentials, ...RETRY });
      try {
        const who = await sts.send(new GetCallerIdentityCommand({}));
        return { id: who.Account!, roleArn, credentials };
      } catch (e: any) {
        throw new Error(credentialError(e, roleArn, options.profile));
      } finally {
        sts.destroy();
      }
    }));
    return new Session(accounts, homeRegion, concurrency, options.regions);
  }

  private constructor(
    public readonly accounts: Account[],
    public readonly homeRegion: string,
    public readonly concurrency: number,
    private readonly narrowTo: string[] | undefined) {}

  /** Settings for a client in one account and region. */
  public config(account: Account, region: string): { region: string; credentials: AwsCredentialIdentityProvider; retryMode: 'adaptive'; maxAttempts: number } {
    return { region, credentials: account.credentials, ...RETRY };
  }

  /**
   * The regions to query in an account: EC2 DescribeRegions (AllRegions) keeps the enabled ones
   * (`opt-in-not-required`, `opted-in`); --regions narrows them. Regions named in --regions that
   * are not enabled come back in `notEnabled` (to report as problems); without --regions, the
   * account's disabled regions come back in `skipped` (to mention).
   */
  public async regions(account: Account): Promise<{ enabled: string[]; notEnabled: { region: string; status: string }[]; skipped: string[] }> {
    const ec2 = new EC2Client(this.config(account, this.homeRegion));
    try {
      const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
      const all = (out.Regions ?? []).map((r) => ({ region: r.RegionName!, status: r.OptInStatus ?? 'opt-in-not-required' }));
      const isEnabled = (s: string) => s === 'opt-in-not-required' || s === 'opted-in';
      const chosen = this.narrowTo
        ? this.narrowTo.map((region) => all.find((r) => r.region === region) ?? { region, status: 'unknown to this account' })
        : all;
      const off = chosen.filter((r) => !isEnabled(r.status));
      return {
        enabled: chosen.filter((r) => isEnabled(r.status)).map((r) => r.region).sort(),
        notEnabled: this.narrowTo ? off : [],
        skipped: this.narrowTo ? [] : off.map((r) => r.region).sort(),
      };
    } catch (e: any) {
      if (this.narrowTo) return { enabled: [...this.narrowTo].sort(), notEnabled: [], skipped: [] }; // named: query them anyway
      throw new Error(`cannot list the regions of account ${account.id} (EC2 DescribeRegions in ${this.homeRegion}: ${e?.name}: ${e?.message}); `
        + 'allow ec2:DescribeRegions, or pass --regions to name them.');
    } finally {
      ec2.destroy();
    }
  }
}


/** Run `fn` over `items` with at most `n` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const limit = limiter(n);
  return Promise.all(items.map((item) => limit(() => fn(item))));
}

/** One AssumeRole for all clients of an account (every client would otherwise call it), renewed 5 minutes before expiry. */
function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let cached: ReturnType<AwsCredentialIdentityProvider> | undefined;
  return async (options) => {
    const current = cached && await cached.catch(() => undefined);
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > 300_000)) return current;
    cached = provider(options);
    return cached;
  };
}

/** The region of the profile or environment (the SDK's own resolution), if any. */
async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  const sts = new STSClient(profile ? { profile } : {});
  try {
    return await sts.config.region();
  } catch {
    return undefined; // no region configured anywhere: the caller falls back to us-east-1
  } finally {
    sts.destroy();
  }
}

function credentialError(e: any, roleArn: string | undefined, profile: string | undefined): string {
  const why = `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
  if (roleArn) {
    return `--role-arn '${roleArn}': cannot assume the role (${why}); check that the role trusts your credentials and that they allow sts:AssumeRole on it.`;
  }
  const where = profile ? `profile '${profile}'` : 'the default credential chain (environment, ~/.aws, SSO, instance role)';
  return `no usable AWS credentials from ${where} (${why}); run 'aws sso login${profile ? ` --profile ${profile}` : ''}', set AWS_PROFILE, or pass --profile.`;
}

/** One line for an error an AWS call answered, with the fix for the usual ones. */
export function describeAwsError(e: any): { kind: 'access-denied' | 'not-enabled' | 'error'; message: string } {
  const name = String(e?.name ?? e?.Code ?? 'Error');
  const message = String(e?.message ?? e);
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) return { kind: 'access-denied', message: `${name}: ${message}` };
  if (/UnrecognizedClient|InvalidClientTokenId|AuthFailure|OptInRequired/i.test(name)) {
    return { kind: 'not-enabled', message: `${name}: ${message} (the region is probably not enabled for this account)` };
  }
  return { kind: 'error', message: `${name}: ${message}` };
}
