import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { ARTIFACT_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { singleAction } from '../private/binder';
import { grantManagedComputeLogs, MANAGED_COMPUTE_LOGS } from '../private/managed-compute';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** Files a Commands step keeps as an output artifact. */
export interface CommandsOutput {
  /** Name of the artifact (usable by later stages). */
  readonly name: string;

  /** Paths or globs of the files to keep, relative to the working directory, e.g. `['dist/**']`. */
  readonly files: string[];
}

/** Options of `DeployTarget.commands`. */
export interface CommandsTargetOptions {
  /** Shell commands, one per line (1-50, each at most 1000 characters, no multi-line commands). */
  readonly commands: string[];

  /**
   * Artifacts the commands read: the first is the working directory, the others are beside it.
   *
   * @default - the default input only
   */
  readonly inputs?: string[];

  /**
   * Files to keep as an artifact.
   *
   * @default - none
   */
  readonly output?: CommandsOutput;

  /**
   * Environment variables (set by the commands) to export as output variables, read as
   * `#{<variablesNamespace>.NAME}` by later actions (1-15 names).
   *
   * @default - none
   */
  readonly outputVariables?: string[];

  /**
   * Namespace of the output variables.
   *
   * @default - the action name, when `outputVariables` are given
   */
  readonly variablesNamespace?: string;

  /**
   * Name of the action.
   *
   * @default 'Commands'
   */
  readonly actionName?: string;
}

/**
 * aws-cdk-lib's `CommandsAction`, refused on a V1 pipeline (CodePipeline runs it only in V2), with
 * the grants of its `bound` minus `logs:GetLogEvents`: the Commands action reference lists that
 * for the console user who reads the output, not for the action's role.
 */
class V2CommandsAction extends actions.CommandsAction {
  constructor(private readonly where: string, props: actions.CommandsActionProps) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the Commands action');
    grantManagedComputeLogs(scope, stage, options.role);
    if ((this.actionProperties.inputs ?? []).length > 0) options.bucket.grantRead(options.role);
    if ((this.actionProperties.outputs ?? []).length > 0) options.bucket.grantWrite(options.role);
    return {};
  }
}

/** The actions of `DeployTarget.commands`. */
export function commandsTarget(options: CommandsTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'Commands', (b) => {
    const commands = options.commands;
    if (commands.length < 1 || commands.length > 50) {
      fail(b.where, `commands has ${commands.length} commands; the Commands action takes 1 to 50 (put longer scripts in a file of the input and run it).`);
    }
    commands.forEach((c, i) => {
      if (Token.isUnresolved(c)) return;
      if (c.trim() === '') fail(b.where, `commands[${i}] is empty; remove it or give a command.`);
      if (c.length > 1000) fail(b.where, `commands[${i}] is ${c.length} characters; each command has at most 1000 (put it in a script file of the input).`);
      if (/[\r\n]/.test(c)) fail(b.where, `commands[${i}] spans several lines; the Commands action takes single-line commands only: split it, or put it in a script file.`);
    });
    const vars = options.outputVariables ?? [];
    if (options.outputVariables !== undefined && (vars.length < 1 || vars.length > 15)) {
      fail(b.where, `outputVariables has ${vars.length} names; give 1 to 15, or leave outputVariables out.`);
    }
    for (const name of vars) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) fail(b.where, `outputVariables has '${name}', which is not an environment variable name; use letters, digits and _, not starting with a digit.`);
    }
    let output: codepipeline.Artifact | undefined;
    if (options.output) {
      if (!ARTIFACT_NAME.test(options.output.name)) fail(b.where, `output name '${options.output.name}' is invalid; use 1-100 characters of A-Za-z0-9_-.`);
      v.checkArtifactName(b.where, options.output.name, 'output name');
      if (options.output.files.length === 0) fail(b.where, `output '${options.output.name}' lists no files; give the paths or globs to keep, e.g. ['dist/**'].`);
      output = new codepipeline.Artifact(options.output.name, options.output.files);
      b.outputs.push(output);
    }
    const [first, ...rest] = options.inputs ?? [undefined as unknown as string];
    b.allow([MANAGED_COMPUTE_LOGS]);
    return new V2CommandsAction(b.where, {
      actionName: b.name,
      runOrder: b.runOrder,
      commands,
      input: b.artifact(first, 'inputs'),
      extraInputs: rest.length > 0 ? rest.map((r) => b.artifact(r, 'inputs')) : undefined,
      output,
      outputVariables: vars.length > 0 ? vars : undefined,
      variablesNamespace: vars.length > 0 ? options.variablesNamespace ?? b.name : options.variablesNamespace,
    });
  });
}
