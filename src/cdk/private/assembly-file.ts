import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, IAspect } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/** Where this library writes its files inside the app's cloud assembly. */
export const ASSEMBLY_FOLDER = 'cdk-delivery-pipelines';

/**
 * A file written into the root of the app's cloud assembly (`App.outdir`, the artifact a
 * `cdk synth` build outputs) when the app is synthesized, as CDK Pipelines writes its buildspecs
 * there. The content is produced at synth, so it may depend on everything added before.
 */
export class AssemblyFile extends Construct {
  /** Path of the file relative to the root of the cloud assembly, POSIX separators. */
  public readonly relativePath: string;

  constructor(scope: Construct, id: string, relativePath: string, private readonly produce: () => string, private readonly mode = 0o644) {
    super(scope, id);
    this.relativePath = relativePath;
    const writer: IAspect = {
      visit: (node: IConstruct) => {
        if (node === this) this.write();
      },
    };
    Aspects.of(this).add(writer);
  }

  /** The file's content as it is written. */
  public get content(): string {
    return this.produce();
  }

  /** Write the file now (synth does it too). */
  public write(): string {
    const root = this.node.root;
    if (!App.isApp(root)) {
      throw new Error(`${this.node.path}: the construct is not in an App; files of the cloud assembly need one.`);
    }
    const file = path.join(root.outdir, ...this.relativePath.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, this.produce(), { encoding: 'utf-8', mode: this.mode });
    return file;
  }
}

/** Quote a value for bash (single quotes). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}
