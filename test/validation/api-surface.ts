import * as fs from 'fs';
import * as path from 'path';

/**
 * The public API as jsii-docgen wrote it to API.md (kept current by the consumer check): every
 * callable (initializer, method, static function) with its parameters, and every struct with its
 * properties. The boundary fuzz test reads its mutation points from here, so a new parameter or
 * prop is fuzzed without anyone adding it to a list.
 */
export interface ApiParam {
  readonly name: string;
  /** The type as API.md gives it: `string`, `aws-cdk-lib.Duration`, a struct name, `X[]`, `{[ key: string ]: X}`. */
  readonly type: string;
  readonly optional: boolean;
}

export interface ApiSurface {
  /** `Class.Initializer`, `Class.method`, `Class.staticFunction` -> parameters. */
  readonly callables: Map<string, ApiParam[]>;
  /** Struct name -> properties. */
  readonly structs: Map<string, ApiParam[]>;
  /** Names of the constructs and classes. */
  readonly classes: string[];
}

const NS = 'cdk-delivery-pipelines';
const ID = '[A-Za-z0-9_]+';

function cleanType(raw: string): string {
  return raw.replace(new RegExp(`<a href="#${NS}\\.(${ID})">[^<]*</a>`, 'g'), '$1').trim();
}

let cached: ApiSurface | undefined;

export function apiSurface(): ApiSurface {
  if (cached) return cached;
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'API.md'), 'utf-8');
  const structsAt = text.indexOf('\n## Structs');
  const classesAt = text.indexOf('\n## Classes');
  const protocolsAt = text.indexOf('\n## Protocols');
  const callables = new Map<string, ApiParam[]>();
  const structs = new Map<string, ApiParam[]>();
  const classes: string[] = [];

  const sections = (from: number, to: number) => text.slice(from, to).split('\n### ').slice(1);
  for (const section of [...sections(0, structsAt), ...sections(classesAt, protocolsAt)]) {
    const name = section.split(' ')[0];
    classes.push(name);
    // Each callable: `##### \`name\` <a ... id="NS.Class.name">` (or the Initializers heading), then its parameters.
    const heads = [...section.matchAll(new RegExp(`id="${NS}\\.${name}\\.(${ID})"></a>\\n\\n\`\`\`typescript\\n([^\\n]*)`, 'g'))];
    for (const h of heads) {
      if (h[1] === 'property' || !/[(]/.test(h[2])) continue;
      if (!callables.has(h[1])) callables.set(`${name}.${h[1]}`, []);
    }
    if (section.includes(`id="${NS}.${name}.Initializer"`)) callables.set(`${name}.Initializer`, []);
    const params = section.matchAll(new RegExp(`#{5,6} \`(${ID})\`<sup>(Required|Optional)</sup> <a name="[^"]*" id="${NS}\\.${name}\\.(${ID})\\.parameter\\.${ID}"></a>\\n\\n- \\*Type:\\* ([^\\n]+)`, 'g'));
    for (const p of params) {
      const key = `${name}.${p[3]}`;
      if (!callables.has(key)) callables.set(key, []);
      callables.get(key)!.push({ name: p[1], type: cleanType(p[4]), optional: p[2] === 'Optional' });
    }
  }
  for (const section of sections(structsAt, classesAt)) {
    const name = section.split(' ')[0];
    const props = section.matchAll(new RegExp(`##### \`(${ID})\`<sup>(Required|Optional)</sup> <a name="[^"]*" id="${NS}\\.${name}\\.property\\.${ID}"></a>\\n\\n\`\`\`typescript\\n[^\\n]*\\n\`\`\`\\n\\n- \\*Type:\\* ([^\\n]+)`, 'g'));
    structs.set(name, [...props].map((p) => ({ name: p[1], type: cleanType(p[3]), optional: p[2] === 'Optional' })));
  }
  cached = { callables, structs, classes };
  return cached;
}
