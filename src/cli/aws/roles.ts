// Which construct defines an IAM role, from the cloud assembly: the role's `aws:cdk:path` metadata,
// matched by its explicit RoleName, or by the name CloudFormation generates for it
// (`<stack name>-<logical id>-<suffix>`, both parts cut short when the whole exceeds 64 characters).
import * as fs from 'fs';
import * as path from 'path';
import { readAssembly } from '../assembly';

interface RoleEntry {
  readonly stackName: string;
  readonly logicalId: string;
  readonly roleName?: string;
  readonly constructPath: string;
}

/** A lookup from role ARN to construct path over the assembly at `dir`. */
export function roleFinder(dir: string): (roleArn: string) => string | undefined {
  const assembly = readAssembly(dir);
  const entries: RoleEntry[] = [];
  const manifests = new Map<string, any>();
  for (const stack of assembly.stacks) {
    if (!manifests.has(stack.assemblyDir)) {
      manifests.set(stack.assemblyDir, JSON.parse(fs.readFileSync(path.join(stack.assemblyDir, 'manifest.json'), 'utf-8')));
    }
    const stackName = manifests.get(stack.assemblyDir).artifacts?.[stack.id]?.properties?.stackName ?? stack.id;
    for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (resource?.Type !== 'AWS::IAM::Role') continue;
      const roleName = typeof resource.Properties?.RoleName === 'string' ? resource.Properties.RoleName : undefined;
      const constructPath = resource.Metadata?.['aws:cdk:path'] ?? `${stack.displayName}/${logicalId}`;
      entries.push({ stackName, logicalId, roleName, constructPath });
    }
  }
  return (roleArn) => {
    const name = roleArn.split('/').pop() ?? '';
    const explicit = entries.find((e) => e.roleName === name);
    if (explicit) return explicit.constructPath;
    const generated = /^(.+)-[A-Za-z0-9]{8,}$/.exec(name)?.[1];
    if (!generated) return undefined;
    const found = entries.find((e) => `${e.stackName}-${e.logicalId}` === generated)
      // Cut short (64 characters in all): some '-' splits the name into prefixes of both parts.
      ?? (name.length >= 60 ? entries.find((e) => [...generated.matchAll(/-/g)].some((m) =>
        m.index! + 1 < generated.length
        && e.stackName.startsWith(generated.slice(0, m.index))
        && e.logicalId.startsWith(generated.slice(m.index! + 1)))) : undefined);
    return found?.constructPath;
  };
}
