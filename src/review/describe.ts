/**
 * Describe change sets for the review: DescribeChangeSet with IncludePropertyValues, every page (NextToken)
 * merged, nested stacks' change sets followed, in the target account through STS AssumeRole of the given
 * role. A change set still being created (CREATE_PENDING / CREATE_IN_PROGRESS) is polled until it settles or
 * `maxWaitMs` passes. Throttling is retried by the SDK (adaptive retry). Any other error becomes a
 * `DescribeError` naming account, region, stack and change set.
 */
// The SDK clients are bundled into the handler and the CLI by esbuild.
// eslint-disable-next-line import/no-extraneous-dependencies
import { CloudFormationClient, DescribeChangeSetCommand, type DescribeChangeSetOutput } from '@aws-sdk/client-cloudformation';
// eslint-disable-next-line import/no-extraneous-dependencies
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ChangeSetRef, DescribedChangeSet } from './classify';
import { limiter } from '../private/limiter';

export interface DescribeSettings {
  /** Longest wait for a change set that is still being created. @default 300000 (5 minutes) */
  readonly maxWaitMs?: number;
  /** Between two looks at a change set being created. @default 5000 */
  readonly pollMs?: number;
  /** Change sets described at once. @default 4 */
  readonly concurrency?: number;
  /** Attempts per call (throttling included). @default 8 */
  readonly maxAttempts?: number;
  /** The credentials to call with (and to assume each change set's role from). @default the SDK's default chain */
  readonly credentials?: AwsCredentialIdentityProvider;
}

type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

/** A change set the review could not describe. */
export class DescribeError extends Error {
  constructor(public readonly ref: ChangeSetRef, public readonly stackPath: string, public readonly reason: string) {
    super(`cannot describe change set '${ref.changeSetName}' of stack '${stackPath}' in account ${ref.account}, region ${ref.region}`
      + `${ref.roleArn ? ` (through ${ref.roleArn})` : ''}: ${reason}`);
    this.name = 'DescribeError';
  }
}

const MAX_PAGES = 100;
const MAX_NESTING = 5;
const CREATING = ['CREATE_PENDING', 'CREATE_IN_PROGRESS'];

/** Describe every change set (and its nested ones); results in input order, each root followed by its nested change sets. */
export async function describeChangeSets(refs: readonly ChangeSetRef[], settings: DescribeSettings = {}): Promise<DescribedChangeSet[]> {
  const limit = limiter(settings.concurrency ?? 4);
  const clients = new Map<string, CloudFormationClient>();
  const clientFor = (ref: ChangeSetRef) => {
    const key = `${ref.roleArn ?? ''}|${ref.region}`;
    let client = clients.get(key);
    if (!client) {
      client = new CloudFormationClient({
        region: ref.region,
        retryMode: 'adaptive',
        maxAttempts: settings.maxAttempts ?? 8,
        credentials: ref.roleArn
          ? fromTemporaryCredentials({
            masterCredentials: settings.credentials,
            params: { RoleArn: ref.roleArn, RoleSessionName: 'change-set-review', DurationSeconds: 900 },
            clientConfig: { region: ref.region },
          })
          : settings.credentials,
      });
      clients.set(key, client);
    }
    return client;
  };
  try {
    const results = await Promise.all(refs.map((ref) => limit(() => describeTree(clientFor(ref), ref, settings))));
    return results.flat();
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

async function describeTree(client: CloudFormationClient, ref: ChangeSetRef, settings: DescribeSettings): Promise<DescribedChangeSet[]> {
  const out: DescribedChangeSet[] = [];
  const visit = async (changeSet: string, stackPath: string, depth: number) => {
    const response = await describeOne(client, ref, changeSet, stackPath, settings);
    out.push({ ref, stackPath, response });
    if (depth >= MAX_NESTING) return;
    for (const c of response.Changes ?? []) {
      const rc = c.ResourceChange;
      if (rc?.ResourceType === 'AWS::CloudFormation::Stack' && rc.ChangeSetId) {
        await visit(rc.ChangeSetId, `${stackPath}/${rc.LogicalResourceId}`, depth + 1);
      }
    }
  };
  await visit(ref.changeSetName, ref.stackName, 0);
  return out;
}

async function describeOne(client: CloudFormationClient, ref: ChangeSetRef, changeSet: string, stackPath: string,
  settings: DescribeSettings): Promise<DescribeChangeSetOutput> {
  const deadline = Date.now() + (settings.maxWaitMs ?? 300_000);
  // A nested change set is named by its ARN, which carries its stack; StackName only for the root one.
  const stackName = changeSet.startsWith('arn:') ? undefined : ref.stackName;
  for (;;) {
    let first: DescribeChangeSetOutput | undefined;
    const changes: NonNullable<DescribeChangeSetOutput['Changes']> = [];
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await client.send(new DescribeChangeSetCommand({
          ChangeSetName: changeSet, StackName: stackName, IncludePropertyValues: true, NextToken: nextToken,
        }));
        first ??= r;
        changes.push(...(r.Changes ?? []));
        nextToken = r.NextToken;
        if (!nextToken || CREATING.includes(r.Status ?? '')) break;
      }
    } catch (e: any) {
      throw new DescribeError(ref, stackPath, `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
    }
    if (nextToken && !CREATING.includes(first!.Status ?? '')) {
      throw new DescribeError(ref, stackPath, `more than ${MAX_PAGES} pages of changes; review it in the console`);
    }
    if (!CREATING.includes(first!.Status ?? '')) return { ...first!, Changes: changes, NextToken: undefined };
    if (Date.now() >= deadline) {
      throw new DescribeError(ref, stackPath, `still ${first!.Status} after ${Math.round((settings.maxWaitMs ?? 300_000) / 1000)} s; retry the review action when it is complete`);
    }
    await new Promise((resolve) => setTimeout(resolve, settings.pollMs ?? 5000));
  }
}
