/**
 * Broadening: does the after value of a security-relevant resource grant what the before value did not?
 * Pure functions over the resource's properties (DescribeChangeSet's BeforeContext / AfterContext).
 *
 * - Policy documents, wherever they sit in the properties (`PolicyDocument`, `Policies[].PolicyDocument`,
 *   `AssumeRolePolicyDocument`, `KeyPolicy`...): the Allow statements' principals, actions and resources.
 *   An after value is new when no before value covers it (`s3:Get*` covers `s3:GetObject`; `*` covers all).
 *   `NotAction` / `NotPrincipal` / `NotResource` in an Allow statement count as `*`.
 * - `ManagedPolicyArns`: newly attached managed policies.
 * - `AWS::Lambda::Permission`: the principal, the action, and a dropped SourceArn/SourceAccount.
 * - Security groups and their rules: an ingress/egress rule (protocol, ports, CIDR or prefix) not covered
 *   by a before rule; a wider CIDR (shorter prefix), 0.0.0.0/0 or ::/0 named as such.
 * - `AWS::Lambda::Url` AuthType NONE, `PublicAccessBlockConfiguration` settings turned off.
 */

type Props = Record<string, any> | undefined;

/** The properties out of a Before/AfterContext JSON string (`{"Properties": {...}}`, or the properties themselves). */
export function parseContext(context: string | undefined): Props {
  if (!context) return undefined;
  try {
    const parsed = JSON.parse(context);
    if (!parsed || typeof parsed !== 'object') return undefined;
    return parsed.Properties && typeof parsed.Properties === 'object' ? parsed.Properties : parsed;
  } catch {
    return undefined; // not JSON: CloudFormation gave no usable context; the caller falls back to the details
  }
}

/** Why the change widens access; empty when it does not. */
export function broadeningOf(type: string, before: Props, after: Props): string[] {
  if (!after) return [];
  const reasons: string[] = [];
  const b = grants(before ?? {});
  const a = grants(after);
  newOnes(a.principals, b.principals, 'principals', reasons, false);
  newOnes(a.actions, b.actions, 'actions', reasons, true);
  newOnes(a.resources, b.resources, 'resources', reasons, false);
  const managed = list(after.ManagedPolicyArns).filter((x) => !list(before?.ManagedPolicyArns).includes(x));
  if (managed.length) reasons.push(`attaches managed policies ${managed.map(shortArn).join(', ')}`);
  if (type === 'AWS::Lambda::Permission') {
    if (before?.SourceArn && !after.SourceArn) reasons.push('drops the SourceArn condition');
    if (before?.SourceAccount && !after.SourceAccount) reasons.push('drops the SourceAccount condition');
  }
  if (type === 'AWS::Lambda::Url' && after.AuthType === 'NONE' && before?.AuthType !== 'NONE') reasons.push('function URL without authentication (AuthType NONE)');
  const pab = after.PublicAccessBlockConfiguration;
  const oldPab = before?.PublicAccessBlockConfiguration;
  if (oldPab) {
    const off = Object.keys(oldPab).filter((k) => truthy(oldPab[k]) && !truthy(pab?.[k]));
    if (off.length) reasons.push(`turns off ${off.join(', ')}`);
  }
  reasons.push(...networkBroadening(type, before, after));
  return reasons;
}

interface Grants {
  principals: string[];
  actions: string[];
  resources: string[];
}

/** Principals, actions and resources the Allow statements of every policy document in `props` grant. */
function grants(props: Record<string, any>): Grants {
  const g: Grants = { principals: [], actions: [], resources: [] };
  for (const doc of policyDocuments(props)) {
    for (const s of list(doc.Statement)) {
      if (!s || typeof s !== 'object' || s.Effect !== 'Allow') continue;
      g.principals.push(...(s.NotPrincipal ? ['*'] : principals(s.Principal)));
      g.actions.push(...(s.NotAction ? ['*'] : list(s.Action).map(str)));
      g.resources.push(...(s.NotResource ? ['*'] : list(s.Resource).map(str)));
    }
  }
  // Lambda::Permission and LayerVersionPermission carry one grant as plain properties.
  if (typeof props.Principal === 'string') g.principals.push(props.Principal);
  if (typeof props.Action === 'string') g.actions.push(props.Action);
  return g;
}

function policyDocuments(value: any, depth = 0): any[] {
  if (depth > 6 || !value || typeof value !== 'object') return [];
  if (typeof value === 'string') return [];
  if (!Array.isArray(value) && 'Statement' in value) return [value];
  return Object.values(value).flatMap((v) => {
    if (typeof v === 'string' && v.includes('"Statement"')) {
      try {
        return policyDocuments(JSON.parse(v), depth + 1); // RepositoryPolicyText, Policy: JSON strings
      } catch {
        return [];
      }
    }
    return policyDocuments(v, depth + 1);
  });
}

function principals(p: any): string[] {
  if (p === undefined) return [];
  if (typeof p === 'string') return [p];
  if (typeof p !== 'object') return [str(p)];
  return Object.entries(p).flatMap(([kind, v]) => list(v).map((x) => (str(x) === '*' ? '*' : `${kind}:${str(x)}`)));
}

function newOnes(after: string[], before: string[], what: string, reasons: string[], caseless: boolean) {
  const fresh = [...new Set(after)].filter((x) => !before.some((y) => covers(y, x, caseless)));
  if (fresh.length === 0) return;
  const wild = fresh.filter((x) => x === '*' || x.endsWith(':*') || x === 'AWS:*');
  const shown = [...wild, ...fresh.filter((x) => !wild.includes(x))];
  reasons.push(`new ${what} ${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ` (+${shown.length - 5})` : ''}`);
}

/** True when the IAM pattern `pattern` (`*` and `?` wildcards) matches every value `value` matches. */
export function covers(pattern: string, value: string, caseless: boolean): boolean {
  if (pattern === value || pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseless ? 'i' : '');
  return re.test(value);
}

interface Rule {
  readonly dir: 'ingress' | 'egress';
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly peer: string;
}

function networkBroadening(type: string, before: Props, after: Props): string[] {
  const b = rules(type, before);
  const a = rules(type, after);
  return a.filter((r) => !b.some((o) => ruleCovers(o, r))).map((r) => {
    const open = r.peer === '0.0.0.0/0' || r.peer === '::/0';
    const wider = b.find((o) => o.dir === r.dir && o.peer !== r.peer && cidrContains(r.peer, o.peer));
    const samePeer = b.some((o) => o.dir === r.dir && o.peer === r.peer);
    const ports = r.protocol === '-1' ? 'all traffic' : `${r.protocol} ${r.from === r.to ? r.from : `${r.from}-${r.to}`}`;
    const why = open ? `opens ${r.dir} to ${r.peer}` : wider ? `widens ${r.dir} ${wider.peer} to ${r.peer}`
      : samePeer ? `widens ${r.dir} ports for ${r.peer}` : `new ${r.dir} rule for ${r.peer}`;
    return `${why} (${ports})`;
  });
}

function rules(type: string, p: Props): Rule[] {
  if (!p) return [];
  const one = (dir: Rule['dir'], x: any): Rule[] => {
    const peer = x?.CidrIp ?? x?.CidrIpv6 ?? x?.CidrBlock ?? x?.Ipv6CidrBlock ?? x?.SourceSecurityGroupId ?? x?.DestinationSecurityGroupId
      ?? x?.SourcePrefixListId ?? x?.DestinationPrefixListId ?? x?.SourceSecurityGroupName;
    if (peer === undefined) return [];
    const protocol = String(x.IpProtocol ?? x.Protocol ?? '-1').toLowerCase().replace(/^all$/, '-1');
    const all = protocol === '-1';
    return [{
      dir,
      protocol,
      from: all ? 0 : Number(x.FromPort ?? x.PortRange?.From ?? 0),
      to: all ? 65535 : Number(x.ToPort ?? x.PortRange?.To ?? 65535),
      peer: str(peer),
    }];
  };
  if (type === 'AWS::EC2::SecurityGroup') {
    return [...list(p.SecurityGroupIngress).flatMap((x) => one('ingress', x)), ...list(p.SecurityGroupEgress).flatMap((x) => one('egress', x))];
  }
  if (type === 'AWS::EC2::SecurityGroupIngress') return one('ingress', p);
  if (type === 'AWS::EC2::SecurityGroupEgress') return one('egress', p);
  if (type === 'AWS::EC2::NetworkAclEntry' && String(p.RuleAction).toLowerCase() === 'allow') return one(truthy(p.Egress) ? 'egress' : 'ingress', p);
  return [];
}

function ruleCovers(o: Rule, r: Rule): boolean {
  return o.dir === r.dir && (o.protocol === '-1' || o.protocol === r.protocol) && o.from <= r.from && o.to >= r.to && cidrContains(o.peer, r.peer);
}

/** True when CIDR `outer` contains CIDR `inner` (same family); other peers (groups, prefix lists) only equal themselves. */
export function cidrContains(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b || a.bits.length !== b.bits.length || a.prefix > b.prefix) return false;
  return a.bits.slice(0, a.prefix) === b.bits.slice(0, a.prefix);
}

function parseCidr(cidr: string): { bits: string; prefix: number } | undefined {
  const [addr, len] = cidr.split('/');
  if (len === undefined || !/^\d+$/.test(len)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) {
    return { bits: addr.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join(''), prefix: Number(len) };
  }
  if (!addr.includes(':')) return undefined;
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (groups.length !== 8) return undefined;
  return { bits: groups.map((g) => parseInt(g || '0', 16).toString(2).padStart(16, '0')).join(''), prefix: Number(len) };
}

function list(v: any): any[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function str(v: any): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function truthy(v: any): boolean {
  return v === true || v === 'true';
}

function shortArn(arn: string): string {
  return arn.replace(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//, '');
}
