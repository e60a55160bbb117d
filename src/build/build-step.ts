import { BuildOptions } from './build-options';
import { CdkSynthOptions, cdkSynthBuild } from './cdk-synth';
import { fail } from '../private/errors';
import * as v from '../private/validate';
import { DEFAULT_BUILD_NAMESPACE } from './private/build-step';

/** Build step presets, and references to the build step's output variables. */
export class BuildStep {
  /**
   * A reference to a variable the build step exports (listed in the buildspec's
   * `env.exported-variables`), for actions after the build: `BuildStep.variable('IMAGE_TAG')` is
   * `#{BuildVariables.IMAGE_TAG}`.
   *
   * @param name the exported environment variable
   * @param variablesNamespace the build step's `variablesNamespace`, when you set one (default 'BuildVariables')
   */
  public static variable(name: string, variablesNamespace?: string): string {
    v.checkArg('BuildStep.variable', 'name', name, v.required(v.str("an exported variable, e.g. 'IMAGE_TAG'")));
    v.checkArg('BuildStep.variable', 'variablesNamespace', variablesNamespace, v.namespace);
    const namespace = variablesNamespace ?? DEFAULT_BUILD_NAMESPACE;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) {
      fail(`BuildStep.variable(${typeof name === 'string' ? `'${name}'` : String(name)})`,
        'the name is not an environment variable name; pass the name of a variable the buildspec lists in env.exported-variables, e.g. \'IMAGE_TAG\'.');
    }
    if (typeof namespace !== 'string' || !/^[A-Za-z0-9@_-]{1,100}$/.test(namespace)) {
      fail(`BuildStep.variable('${name}')`, `variablesNamespace ${String(namespace)} is invalid; pass the build step's variablesNamespace (1-100 of A-Za-z0-9@_-), or nothing for 'BuildVariables'.`);
    }
    return `#{${namespace}.${name}}`;
  }

  /**
   * A build that synthesizes a CDK app and outputs its whole cloud assembly (`cdk.out`, with
   * the stage assemblies, asset manifests, assets and the scripts this library writes there)
   * as one artifact, the input of `DeployTarget.cdkStage` and of the asset publishing.
   */
  public static cdkSynth(options: CdkSynthOptions = {}): BuildOptions {
    const spec = v.BUILD_OPTIONS_SPEC;
    v.checkProps('BuildStep.cdkSynth', options, {
      actionName: spec.actionName,
      buildImage: spec.buildImage,
      computeType: spec.computeType,
      privileged: spec.privileged,
      environmentVariables: spec.environmentVariables,
      rolePolicy: spec.rolePolicy,
      timeout: spec.timeout,
      cdkOutDir: v.str("a directory, e.g. 'cdk.out'"),
      commands: v.strings,
      outputName: v.str("an artifact name, e.g. 'CloudAssembly'"),
    }, 'options');
    return cdkSynthBuild(options);
  }

  private constructor() {}
}
