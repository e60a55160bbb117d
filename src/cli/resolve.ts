/** What a template value means in one stack: the pseudo parameters we can know, and the stack's resources. */
export interface ResolveContext {
  readonly account?: string;
  readonly region?: string;
  readonly resources: Record<string, any>;
}

/** Text shown for values only known at deploy time. */
export const PIPELINE_REGION = '<pipeline region>';
export const PIPELINE_ACCOUNT = '<pipeline account>';

/**
 * Resolve a CloudFormation value to a string as far as a synthesized template allows:
 * literals, `Fn::Join`, `Fn::Sub` and the pseudo parameters of a stack with a concrete
 * environment. Anything only known at deploy time becomes `${...}` (so `concrete` is false).
 */
export function resolveValue(value: any, ctx: ResolveContext): { text: string; concrete: boolean } {
  let concrete = true;
  const pseudo = (name: string): string => {
    switch (name) {
      case 'AWS::Region': if (ctx.region) return ctx.region; break;
      case 'AWS::AccountId': if (ctx.account) return ctx.account; break;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
    }
    concrete = false;
    return '${' + name + '}';
  };
  const walk = (v: any): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const [key] = Object.keys(v);
      const arg = v[key];
      switch (key) {
        case 'Ref':
          if (typeof arg === 'string' && arg.startsWith('AWS::')) return pseudo(arg);
          concrete = false;
          return '${' + arg + '}';
        case 'Fn::GetAtt':
          concrete = false;
          return '${' + (Array.isArray(arg) ? arg.join('.') : String(arg)) + '}';
        case 'Fn::Join':
          if (Array.isArray(arg) && Array.isArray(arg[1])) return arg[1].map(walk).join(String(arg[0]));
          break;
        case 'Fn::Sub': {
          const [text] = Array.isArray(arg) ? arg : [arg];
          if (typeof text === 'string') {
            return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => (name.startsWith('AWS::') ? pseudo(name) : (concrete = false, '${' + name + '}')));
          }
          break;
        }
        case 'Fn::ImportValue':
          concrete = false;
          return '${Import:' + walk(arg) + '}';
      }
    }
    concrete = false;
    return '${?}';
  };
  const text = walk(value);
  return { text, concrete };
}

/** The concrete string, or undefined. */
export function concreteValue(value: any, ctx: ResolveContext): string | undefined {
  if (value === undefined || value === null) return undefined;
  const r = resolveValue(value, ctx);
  return r.concrete ? r.text : undefined;
}

/** Logical ids a value references with `Ref` / `Fn::GetAtt` (`${Id}` inside `Fn::Sub` too). */
export function referencedIds(value: any, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        out.add(v);
      } else if (k === 'Fn::GetAtt') {
        out.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^}.!]+)/g)) out.add(m[1]);
        if (Array.isArray(v)) referencedIds(v[1], out);
      } else {
        referencedIds(v, out);
      }
    }
  }
  return out;
}

/** Every string literal inside a value (ARNs and names of other stacks' resources are found this way). */
export function stringsIn(value: any, ctx: ResolveContext, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => stringsIn(v, ctx, out));
  } else if (value && typeof value === 'object') {
    const [key] = Object.keys(value);
    if (key === 'Fn::Join' || key === 'Fn::Sub') out.push(resolveValue(value, ctx).text);
    for (const v of Object.values(value)) stringsIn(v, ctx, out);
  }
  return out;
}
