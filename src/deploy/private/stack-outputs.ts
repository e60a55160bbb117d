/**
 * Stack outputs as pipeline variables (`DeployTarget.output`): CodePipeline publishes a
 * CloudFormation action's stack outputs as variables `#{<namespace>.<OutputName>}` when the action
 * has a namespace (CodePipeline User Guide, "Variables reference"). Only the actions that deploy the
 * stack (CREATE_UPDATE, CHANGE_SET_EXECUTE) get one: a change set creation deploys nothing.
 *
 * - `OutputRequests` (one per target) records each `output(...)` call and returns a string token
 *   resolving to `#{<namespace>.<name>}` in the pipeline that deploys the target;
 * - the target gives the producing action its namespace when it is bound, `<stage>-<action base>`
 *   (unique in a pipeline, as stage names and action names in a stage are), checking the names
 *   against the stack's outputs where the template is known at synth (CDK stacks);
 * - `PipelineStackOutputs` (one per pipeline, in the construct tree) checks at synth that every
 *   action reading such a variable runs after its producer (a later stage, or a higher runOrder in
 *   the same stage) and that no artifact has the namespace's name.
 */
import { createHash } from 'crypto';
import { IResolveContext, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct, IConstruct } from 'constructs';
import { readStages } from '../../checks/private/pipeline-model';
import { configurationValues, variableReferences } from '../../checks/private/rules/variables';
import { isObject, resolvedProperties } from '../../checks/private/template-reader';
import { fail, where } from '../../private/errors';

/** The logical id of a stack output: CloudFormation allows alphanumeric only. */
export const OUTPUT_NAME = /^[A-Za-z0-9]{1,255}$/;

/** One `output(...)` call of a target. */
export interface OutputRequest {
  /** The output's logical id (read when needed: a CfnOutput's can be overridden until synthesis). */
  readonly name: () => string;
  /** The stack the caller named (CDK stage targets). */
  readonly stack?: Stack;
  /** The namespace of the producing action, per pipeline construct the target is bound in. */
  readonly namespaces: Map<IConstruct, string>;
}

/** What a producing action declares, for `OutputRequests.bind`. */
export interface OutputProducer {
  /** The pipeline construct (the `scope` of `DeployTarget.bind`). */
  readonly pipeline: IConstruct;
  readonly stageName: string;
  /** The action name without its `-Execute` suffix (the stack name, or the target's actionName). */
  readonly base: string;
  /** How errors name the stack, e.g. "stack 'Prod-Api'". */
  readonly stackLabel: string;
  /** The stack's outputs when the template is known at synth; undefined: any name is accepted. */
  readonly known?: string[];
}

/** The namespace of a producing action: `<stage>-<base>`, CodePipeline's charset, at most 100 characters. */
export function outputsNamespace(stageName: string, base: string): string {
  const raw = `${stageName}-${base}`.replace(/[^A-Za-z0-9@_-]/g, '_');
  if (raw.length <= 100) return raw;
  return `${raw.slice(0, 91)}-${createHash('sha256').update(raw).digest('hex').slice(0, 8)}`;
}

/** The `output(...)` calls of one target. */
export class OutputRequests {
  public readonly all: OutputRequest[] = [];

  /** @param owner how errors name the target, e.g. "DeployTarget.cloudFormation('app')" */
  constructor(private readonly owner: string) {}

  /** Record a request; the returned string resolves to `#{<namespace>.<name>}` in the pipeline that deploys the target. */
  public add(name: () => string, stack?: Stack): string {
    const request: OutputRequest = { name, stack, namespaces: new Map() };
    this.all.push(request);
    return Lazy.uncachedString({ produce: (ctx) => this.produce(request, ctx) });
  }

  /**
   * Give `requests` the namespace of their producing action in `producer.pipeline`, after checking
   * their names against the stack's known outputs. Returns the namespace.
   */
  public bind(requests: OutputRequest[], producer: OutputProducer): string {
    const { pipeline, stageName } = producer;
    if (Token.isUnresolved(stageName)) {
      fail(pipeline, `stage names are tokens, so the outputs of ${this.owner} have no namespace; give the stage a literal stageName.`);
    }
    const namespace = outputsNamespace(stageName, producer.base);
    for (const request of requests) {
      const name = request.name();
      if (producer.known && !producer.known.includes(name)) {
        fail(pipeline, `stage '${stageName}': output '${name}' of ${this.owner} is not an output of ${producer.stackLabel} `
          + `(its outputs: ${producer.known.join(', ') || 'none'}); use one of those, or define it in the stack: new CfnOutput(stack, '${name}', { value }).`);
      }
      const bound = request.namespaces.get(pipeline);
      if (bound !== undefined && bound !== namespace) {
        fail(pipeline, `stage '${stageName}': ${this.owner} is in two stages and its output '${name}' is read; `
          + 'a read would not say which deployment it means: define one target per stage and read the output of the one you mean.');
      }
      request.namespaces.set(pipeline, namespace);
    }
    PipelineStackOutputs.of(pipeline).register(namespace, `${this.owner} (${producer.stackLabel})`, producer.known);
    return namespace;
  }

  /** Resolved in the context of the stack being synthesized: the namespace of the pipeline of that stack that deploys the target. */
  private produce(request: OutputRequest, ctx: IResolveContext): string {
    const name = request.name();
    const stack = Stack.of(ctx.scope);
    const here = [...request.namespaces].filter(([pipeline]) => Stack.of(pipeline) === stack);
    if (here.length === 1) return `#{${here[0][1]}.${name}}`;
    if (here.length > 1) {
      return fail(this.owner, `output '${name}' is read in stack '${stack.node.path}', where two pipelines (${here.map(([p]) => `'${p.node.path}'`).join(', ')}) `
        + 'deploy the target, so the read would not say which deployment it means; define one target per pipeline and read the output of the one you mean.');
    }
    return fail(this.owner, `output '${name}' is read in stack '${stack.node.path}', where no pipeline deploys the target; `
      + 'a stack output is a variable only of the pipeline whose stage holds the target (CrossRegionCfnPipeline deploys no DeployTarget): '
      + 'put the target in a stage of that pipeline, and read its outputs in the actions of that pipeline that run after it.');
  }
}

interface Producer {
  readonly owner: string;
  readonly known?: string[];
}

const ID = 'StackOutputReferences';

/** The stack-output namespaces of one pipeline, and the synth-time check of who reads them. */
export class PipelineStackOutputs extends Construct {
  public static of(pipeline: IConstruct): PipelineStackOutputs {
    const found = pipeline.node.tryFindChild(ID);
    return found instanceof PipelineStackOutputs ? found : new PipelineStackOutputs(pipeline, ID);
  }

  private readonly producers = new Map<string, Producer>();

  private constructor(private readonly pipeline: IConstruct, id: string) {
    super(pipeline, id);
    this.node.addValidation({ validate: () => this.check() });
  }

  public register(namespace: string, owner: string, known?: string[]): void {
    const existing = this.producers.get(namespace);
    if (existing && existing.owner !== owner) {
      fail(this.pipeline, `the outputs of ${owner} and ${existing.owner} would share the variables namespace '${namespace}'; `
        + 'give one of the targets another actionName (the namespace is <stage>-<actionName or stack name>).');
    }
    this.producers.set(namespace, { owner, known });
  }

  /** Every read of a registered namespace runs after its producer, names a known output, and no artifact takes a namespace's name. */
  private check(): string[] {
    const cfn = this.pipeline.node.findAll().find((c): c is codepipeline.CfnPipeline => c instanceof codepipeline.CfnPipeline);
    if (!cfn || this.producers.size === 0) return [];
    let props: unknown;
    try {
      props = resolvedProperties(cfn);
    } catch {
      return []; // a pipeline that cannot resolve fails synthesis with its own error
    }
    const stages = isObject(props) ? readStages(props) : undefined;
    if (!stages) return [];
    const me = where(this.pipeline);
    const actions = stages.flatMap((s) => s.actions);
    const errors: string[] = [];
    for (const action of actions) {
      for (const artifact of action.outputs ?? []) {
        if (typeof artifact.name === 'string' && this.producers.has(artifact.name)) {
          errors.push(`${me}: stage '${action.stageName}', action '${action.name}' outputs artifact '${artifact.name}', the variables namespace of `
            + `${this.producers.get(artifact.name)!.owner}'s outputs; CodePipeline requires namespaces to differ from artifact names: rename the artifact.`);
        }
      }
      for (const [key, value] of configurationValues(action.raw)) {
        for (const ref of variableReferences(value)) {
          const producer = this.producers.get(ref.namespace);
          if (!producer) continue;
          const from = `${me}: stage '${action.stageName}', action '${action.name}' (${key}) reads output '${ref.variable}' of ${producer.owner}`;
          if (producer.known && !producer.known.includes(ref.variable)) {
            errors.push(`${from}, which has no such output (its outputs: ${producer.known.join(', ') || 'none'}); read one of those.`);
            continue;
          }
          const p = actions.find((a) => a.raw.Namespace === ref.namespace);
          if (!p || p.runOrder === undefined || action.runOrder === undefined) continue;
          const before = p.stageIndex < action.stageIndex || (p.stageIndex === action.stageIndex && p.runOrder < action.runOrder);
          if (!before) {
            const fix = p.stageIndex === action.stageIndex
              ? `read it at a higher runOrder than ${p.runOrder} (the stage's postDeployTests run after its targets) or in a later stage`
              : `read it in a stage after '${p.stageName}', or deploy the target in an earlier stage`;
            errors.push(`${from}, which action '${p.name}' of stage '${p.stageName}' deploys at runOrder ${p.runOrder}, `
              + `not before this action (runOrder ${action.runOrder}); a variable exists only once its action has run: ${fix}.`);
          }
        }
      }
    }
    return errors;
  }
}
