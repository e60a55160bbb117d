import * as fs from 'fs';
import * as path from 'path';

/** One CloudFormation stack of a cloud assembly (nested stage assemblies included). */
export interface StackInfo {
  /** Artifact id in its manifest. */
  readonly id: string;
  /** The construct path CDK shows for it (`displayName`), else the id. */
  readonly displayName: string;
  /** Directory of the (nested) assembly that holds it. */
  readonly assemblyDir: string;
  readonly templateFile: string;
  readonly template: any;
  /** Concrete account, or undefined when the stack is environment-agnostic. */
  readonly account?: string;
  /** Concrete region, or undefined when the stack is environment-agnostic. */
  readonly region?: string;
  /** Ids of the artifacts this stack depends on (same assembly). */
  readonly dependencies: string[];
}

/** Everything the diagram and report read from a cloud assembly. */
export interface AssemblyInfo {
  readonly directory: string;
  readonly stacks: StackInfo[];
}

/**
 * Read a cloud assembly (`cdk.out`) as plain JSON: `manifest.json`, every
 * `aws:cloudformation:stack` artifact's template, and nested assemblies
 * (`cdk:cloud-assembly`, as CDK Pipelines and `Stage` write them), recursively.
 * Plain JSON rather than `cx-api` so any assembly schema version reads.
 */
export function readAssembly(directory: string): AssemblyInfo {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`cdk-delivery-pipelines: no cloud assembly at '${directory}' (no manifest.json); run 'cdk synth' first or pass the cdk.out directory.`);
  }
  const stacks: StackInfo[] = [];
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
    for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack') {
        const templateFile = artifact.properties?.templateFile;
        if (!templateFile) continue;
        const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf-8'));
        const env = parseEnvironment(artifact.environment);
        stacks.push({
          id,
          displayName: artifact.displayName ?? id,
          assemblyDir: dir,
          templateFile,
          template,
          account: env.account,
          region: env.region,
          dependencies: artifact.dependencies ?? [],
        });
      } else if (artifact.type === 'cdk:cloud-assembly') {
        const nested = artifact.properties?.directoryName;
        if (nested && fs.existsSync(path.join(dir, nested, 'manifest.json'))) visit(path.join(dir, nested));
      }
    }
  };
  visit(directory);
  return { directory, stacks };
}

/** `aws://123456789012/eu-west-1`; `unknown-account` / `unknown-region` mean environment-agnostic. */
export function parseEnvironment(environment: string | undefined): { account?: string; region?: string } {
  const m = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  if (!m) return {};
  return {
    account: m[1] === 'unknown-account' ? undefined : m[1],
    region: m[2] === 'unknown-region' ? undefined : m[2],
  };
}
