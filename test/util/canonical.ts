/**
 * Templates in one form under both flag sets, so a test asserts behaviour, not the flag set's spelling.
 *
 * The flags `cdk init` writes change how the same template is spelled, not what it does:
 * - `@aws-cdk/core:enablePartitionLiterals` renders `arn:aws:...` where the defaults render
 *   `{ Fn::Join: ['', ['arn:', { Ref: AWS::Partition }, ':...']] }`;
 * - `@aws-cdk/aws-iam:minimizePolicies` sorts a statement's actions and resources and merges statements
 *   that share their actions or their resources.
 * `canonical()` folds the partition to `aws` (the partition of every test environment) and sorts the
 * `Action`/`NotAction`/`Resource`/`NotResource` arrays of every policy statement; `grantsOf()` splits
 * statements into one entry per action and resource, which is the same whether or not they were merged.
 * Snapshots stay raw (each flag set has its own), only assertions use these.
 */
import { Template } from 'aws-cdk-lib/assertions';

const PARTITION = 'aws';
const SORTED_KEYS = ['Action', 'NotAction', 'Resource', 'NotResource'];

const isPartitionRef = (v: any) => v !== null && typeof v === 'object' && Object.keys(v).length === 1 && v.Ref === 'AWS::Partition';
const sortKey = (v: any) => (typeof v === 'string' ? v : JSON.stringify(v));

/** `value` with the partition folded to `aws` and every policy statement's arrays sorted (see the header). */
export function canonical<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: any): any {
  if (Array.isArray(v)) return v.map(walk);
  if (v === null || typeof v !== 'object') return v;
  if (isPartitionRef(v)) return PARTITION;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'Fn::Join' && Array.isArray(v['Fn::Join']) && v['Fn::Join'][0] === '' && Array.isArray(v['Fn::Join'][1])) {
    const parts: any[] = [];
    for (const p of v['Fn::Join'][1].map(walk)) {
      if (typeof p === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += p;
      else parts.push(p);
    }
    return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : { 'Fn::Join': ['', parts] };
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof v['Fn::Sub'] === 'string') {
    return { 'Fn::Sub': v['Fn::Sub'].replace(/\$\{AWS::Partition\}/g, PARTITION) };
  }
  const out: Record<string, any> = {};
  const statement = v.Effect === 'Allow' || v.Effect === 'Deny';
  for (const k of keys) {
    const w = walk(v[k]);
    out[k] = statement && SORTED_KEYS.includes(k) && Array.isArray(w) ? [...w].sort((a, b) => sortKey(a).localeCompare(sortKey(b))) : w;
  }
  return out;
}

/** A Template of `json` in canonical form (for assertions; snapshot the raw template). */
export function canonicalTemplate(json: any): Template {
  return Template.fromJSON(canonical(json));
}

/** One action on one resource of one statement: what a policy grants, however its statements are grouped. */
export interface Grant {
  readonly effect: string;
  readonly action: string;
  readonly resource: any;
  readonly condition?: any;
}

/** Every (action, resource) pair of the statements, canonical and sorted: equal whether or not statements were merged. */
export function grantsOf(statements: any[]): Grant[] {
  const list = (x: any) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const out: Grant[] = [];
  for (const st of canonical(statements)) {
    for (const action of list(st.Action)) {
      for (const resource of list(st.Resource)) {
        out.push({ effect: st.Effect, action, resource, ...(st.Condition !== undefined ? { condition: st.Condition } : {}) });
      }
    }
  }
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
