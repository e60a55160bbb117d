/**
 * The query-protocol pieces of the local AWS endpoint (aws-endpoint.ts): its error type, XML encoding, and
 * CloudFormation DescribeChangeSet in the documented shape (pages, change sets still being created, AccessDenied).
 */

/** A change set as DescribeChangeSet documents it. */
export interface FakeChangeSet {
  readonly stackName: string;
  /** @default 'CREATE_COMPLETE' */
  readonly status?: string;
  readonly statusReason?: string;
  /** `ResourceChange` objects (each answered as `{ Type: 'Resource', ResourceChange }`). */
  readonly changes: any[];
  /** Largest page of changes. @default 100 */
  readonly pageSize?: number;
  /** Answer CREATE_IN_PROGRESS (no changes) this many times first. */
  inProgressLooks?: number;
  /** Answer AccessDenied (the caller's role may not describe it). */
  readonly accessDenied?: boolean;
}

/** An error the endpoint answers in the service's protocol (`code` is the error name the SDK shows). */
export class AwsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** DescribeChangeSet's XML answer for `cs` (one page; `page` slices the changes as the endpoint pages everything). */
export function describeChangeSet(cs: FakeChangeSet | undefined, input: any, account: string, region: string,
  page: (all: any[], token: string | undefined, max: number | undefined) => { items: any[]; nextToken?: string }): string {
  if (!cs || (input.StackName && input.StackName !== cs.stackName)) {
    throw new AwsError('ChangeSetNotFound', `ChangeSet [${input.ChangeSetName}] does not exist`, 404);
  }
  if (cs.accessDenied) {
    throw new AwsError('AccessDenied', `User: arn:aws:sts::${account}:assumed-role/review/change-set-review is not authorized to perform: `
      + `cloudformation:DescribeChangeSet on resource: arn:aws:cloudformation:${region}:${account}:stack/${cs.stackName}/* because no identity-based policy allows it`, 403);
  }
  const id = input.ChangeSetName.startsWith('arn:') ? input.ChangeSetName : `arn:aws:cloudformation:${region}:${account}:changeSet/${input.ChangeSetName}/0001`;
  const creating = (cs.inProgressLooks ?? 0) > 0;
  if (creating) cs.inProgressLooks!--;
  const { items, nextToken } = creating ? { items: [], nextToken: undefined } : page(cs.changes, input.NextToken, cs.pageSize);
  const result = {
    ChangeSetName: input.ChangeSetName.split('/').slice(-2)[0] ?? input.ChangeSetName,
    ChangeSetId: id,
    StackName: cs.stackName,
    StackId: `arn:aws:cloudformation:${region}:${account}:stack/${cs.stackName}/0001`,
    Status: creating ? 'CREATE_IN_PROGRESS' : cs.status ?? 'CREATE_COMPLETE',
    StatusReason: creating ? undefined : cs.statusReason,
    ExecutionStatus: creating ? 'UNAVAILABLE' : 'AVAILABLE',
    Changes: items.map((c) => ({ Type: 'Resource', ResourceChange: c })),
    NextToken: nextToken,
  };
  return `<DescribeChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeChangeSetResult>${toXml(result)}</DescribeChangeSetResult>`
    + '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeChangeSetResponse>';
}

/** A value in the query protocol's XML: objects as elements, lists as `<member>`s, undefined left out. */
function toXml(value: any): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `<${k}>${toXml(v)}</${k}>`).join('');
  return xml(value);
}

export function xml(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
