import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { TargetKind } from './target-kind';
import { fail, where } from '../../private/errors';
import { ARTIFACT_NAME, CODEPIPELINE_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { acknowledgeWildcards, WildcardAllowance } from '../../private/wildcard-allowances';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';

/** Resolves the target's strings to artifacts, with errors that name the pipeline, stage and field. */
export class Binder {
  public readonly outputs: codepipeline.Artifact[] = [];
  public readonly where: string;

  constructor(private readonly scope: Construct, private readonly options: DeployTargetBindOptions, public readonly name: string) {
    this.where = `${where(scope)}: stage '${options.stageName}', action '${name}'`;
    if (!Token.isUnresolved(name) && !CODEPIPELINE_NAME.test(name)) {
      fail(scope, `stage '${options.stageName}': action name '${name}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
    }
  }

  public get runOrder(): number {
    return this.options.runOrder;
  }

  /** Acknowledge the wildcards aws-cdk-lib grants to this action's own role (and only there). */
  public allow(allowances: WildcardAllowance[]): void {
    const onlyUnder = `/${this.options.stageName}/${this.name}/`;
    acknowledgeWildcards(this.scope, allowances.map((a) => ({ ...a, onlyUnder })));
  }

  /** An artifact by name (or the default input). */
  public artifact(name: string | undefined, field: string): codepipeline.Artifact {
    if (name === undefined) return this.options.defaultInput;
    // (own names only: 'valueOf' or 'constructor' is no artifact)
    const found = Object.prototype.hasOwnProperty.call(this.options.artifacts, name) ? this.options.artifacts[name] : undefined;
    if (!found) {
      const known = Object.keys(this.options.artifacts);
      fail(this.where, `${field} '${name}' is an artifact nobody produces before this stage; use one of ${known.map((k) => `'${k}'`).join(', ') || '(none)'}, or add it to a build's \`outputs\`.`);
    }
    return found;
  }

  /** A file: 'path' in the default input, or 'Artifact::path'. */
  public file(ref: string, field: string): codepipeline.ArtifactPath {
    const i = ref.indexOf('::');
    const [artifactName, path] = i >= 0 ? [ref.slice(0, i), ref.slice(i + 2)] : [undefined, ref];
    if (!Token.isUnresolved(path) && (path.length === 0 || path.startsWith('/'))) {
      fail(this.where, `${field} '${ref}' has no file path; pass 'path/in/artifact' or 'ArtifactName::path/in/artifact'.`);
    }
    return this.artifact(artifactName, field).atPath(path);
  }

  public newOutputs(names: string[]): codepipeline.Artifact[] {
    for (const name of names) {
      if (!ARTIFACT_NAME.test(name)) {
        fail(this.where, `output artifact name '${name}' is invalid; use 1-100 characters of A-Za-z0-9_-.`);
      }
      v.checkArtifactName(this.where, name, 'output artifact name');
    }
    const made = names.map((n) => new codepipeline.Artifact(n));
    this.outputs.push(...made);
    return made;
  }
}

/** A target of one action, made by `make` from the binder (most targets). */
export function singleAction(actionName: string, make: (b: Binder) => codepipeline.IAction): TargetKind {
  return {
    bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
      const b = new Binder(scope, options, actionName);
      const action = make(b);
      return { actions: [action], lastRunOrder: options.runOrder, outputs: b.outputs };
    },
  };
}
