/**
 * ResourceChange objects in DescribeChangeSet's documented shape (IncludePropertyValues: BeforeContext /
 * AfterContext as JSON strings of `{ Properties }`, Details with BeforeValue / AfterValue), and the
 * scenarios of issue #20 built from them.
 */
import type { DescribedChangeSet } from '../../src/review/classify';

export const TARGET = '222222222222';
export const OTHER = '333333333333';

export interface ChangeOptions {
  readonly replacement?: 'True' | 'False' | 'Conditional';
  readonly before?: Record<string, any>;
  readonly after?: Record<string, any>;
  /** Changed top-level properties: a Details entry each (RequiresRecreation Always when replacing). */
  readonly changed?: string[];
  readonly policyAction?: string;
  readonly changeSetId?: string;
  readonly physicalId?: string;
}

export function change(action: 'Add' | 'Modify' | 'Remove', type: string, logicalId: string, o: ChangeOptions = {}): any {
  const details = (o.changed ?? []).map((name) => ({
    Target: {
      Attribute: 'Properties',
      Name: name,
      Path: `/Properties/${name}`,
      RequiresRecreation: o.replacement === 'True' ? 'Always' : 'Never',
      BeforeValue: json(o.before?.[name]),
      AfterValue: json(o.after?.[name]),
      AttributeChangeType: 'Modify',
    },
    Evaluation: 'Static',
    ChangeSource: 'DirectModification',
  }));
  return {
    PolicyAction: o.policyAction ?? (action === 'Remove' ? 'Delete' : undefined),
    Action: action,
    LogicalResourceId: logicalId,
    PhysicalResourceId: action === 'Add' ? undefined : o.physicalId ?? `${logicalId.toLowerCase()}-1a2b3c`,
    ResourceType: type,
    Replacement: action === 'Modify' ? o.replacement ?? 'False' : undefined,
    Scope: action === 'Modify' ? ['Properties'] : [],
    Details: details,
    ChangeSetId: o.changeSetId,
    BeforeContext: o.before ? JSON.stringify({ Properties: o.before }) : undefined,
    AfterContext: o.after ? JSON.stringify({ Properties: o.after }) : undefined,
  };
}

function json(v: unknown): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

const policy = (actions: string[], resource = 'arn:aws:s3:::orders-data/*') => ({
  PolicyName: 'AppPolicy',
  PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] },
  Roles: ['app-role'],
});

const ingress = (cidr: string, port = 443) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: cidr });

/** The changes of each scenario. */
export const SCENARIOS = {
  additions: [
    change('Add', 'AWS::S3::Bucket', 'ReportsBucket', { after: { VersioningConfiguration: { Status: 'Enabled' } } }),
    change('Add', 'AWS::Lambda::Function', 'ExportFunction', { after: { Runtime: 'nodejs22.x', Handler: 'index.handler' } }),
  ],
  statefulReplacement: [
    change('Modify', 'AWS::DynamoDB::Table', 'OrdersTable', {
      replacement: 'True',
      policyAction: 'ReplaceAndDelete',
      changed: ['KeySchema'],
      before: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
      after: { KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }] },
    }),
    change('Modify', 'AWS::Lambda::Function', 'ApiFunction', { changed: ['Code'], before: { Code: { S3Key: 'a.zip' } }, after: { Code: { S3Key: 'b.zip' } } }),
  ],
  iamStar: [
    change('Modify', 'AWS::IAM::Policy', 'AppPolicy', { changed: ['PolicyDocument'], before: policy(['s3:GetObject']), after: policy(['s3:GetObject', '*']) }),
  ],
  openSecurityGroup: [
    change('Modify', 'AWS::EC2::SecurityGroup', 'WebSecurityGroup', {
      changed: ['SecurityGroupIngress'],
      before: { GroupDescription: 'web', SecurityGroupIngress: [ingress('10.0.0.0/16')] },
      after: { GroupDescription: 'web', SecurityGroupIngress: [ingress('10.0.0.0/16'), ingress('0.0.0.0/0')] },
    }),
  ],
};

/** A described change set of TARGET in eu-west-1 (the classifier's input). */
export interface DescribedOptions {
  readonly stackName?: string;
  readonly changeSetName?: string;
  readonly status?: string;
  readonly statusReason?: string;
  readonly account?: string;
  readonly region?: string;
  readonly stackPath?: string;
  readonly id?: string;
}

export function described(changes: any[], o: DescribedOptions = {}): DescribedChangeSet {
  const stackName = o.stackName ?? 'app-prod';
  return {
    ref: { account: o.account ?? TARGET, region: o.region ?? 'eu-west-1', stackName, changeSetName: o.changeSetName ?? 'review-cs' },
    stackPath: o.stackPath ?? stackName,
    response: {
      ChangeSetId: o.id ?? `arn:aws:cloudformation:eu-west-1:${TARGET}:changeSet/${o.changeSetName ?? 'review-cs'}/1`,
      StackName: stackName,
      Status: (o.status ?? 'CREATE_COMPLETE') as any,
      StatusReason: o.statusReason,
      Changes: changes.map((c) => ({ Type: 'Resource', ResourceChange: c })),
    },
  };
}
