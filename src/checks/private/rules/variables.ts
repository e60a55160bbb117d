/**
 * Variable rules: every `#{namespace.variable}` in action configuration (CodeBuild's
 * `EnvironmentVariables` JSON included) and in stage condition rules names something that exists
 * when CodePipeline resolves it. CodePipeline accepts any such reference at deploy time and fails
 * the action only when it runs; these rules fail `cdk synth` instead.
 *
 * Sources (CodePipeline User Guide, "Variables reference" and the action structure reference; the
 * same names aws-cdk-lib's source actions expose as `variables`):
 * - `codepipeline` is the reserved namespace of the execution's own variables;
 * - `variables` is the namespace of the pipeline-level variables (`Variables` of a V2 pipeline);
 * - any other namespace is an action's `Namespace`, visible to actions that run after it (a later
 *   stage, or a higher runOrder in the same stage);
 * - the S3, CodeCommit, ECR, CodeStarSourceConnection and GitHub source actions produce a fixed
 *   set of variables; CloudFormation's are the stack outputs (of an action that deploys the stack:
 *   a CHANGE_SET_REPLACE or DELETE_ONLY action publishes none), CodeBuild's the exported
 *   environment variables, Lambda's and custom actions' whatever they return: any name passes.
 */
import { ActionModel, Context, RuleFamily, StageModel, at, forEachCondition } from '../pipeline-model';
import { approximateString, isIntrinsic, isObject, list } from '../template-reader';

export const VARIABLE_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-VARIABLE-REFERENCE',
      description: 'Every #{namespace.variable} in action configuration and condition rules names a namespace declared by an earlier action '
        + '(or codepipeline / variables), and a variable that namespace has.',
      fix: 'Set the namespace on the action that produces the variable and reference it only from later actions (a later stage or a higher runOrder); '
        + 'declare pipeline variables in Variables; use the variable names the provider outputs.',
    },
  ],
  check: checkReferences,
};

/** The reserved namespace of the execution's own variables, and what it holds. */
const EXECUTION_NAMESPACE = 'codepipeline';
const EXECUTION_VARIABLES = ['PipelineExecutionId', 'PipelineExecutionStartTime'];
/** The namespace of pipeline-level variables. */
const PIPELINE_VARIABLES_NAMESPACE = 'variables';

/** Output variables of the providers whose outputs are fixed, keyed `Category/Provider`. */
const PROVIDER_OUTPUTS: { [key: string]: string[] } = {
  'Source/S3': ['ETag', 'VersionId'],
  'Source/CodeCommit': ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'CommitterDate', 'RepositoryName'],
  'Source/ECR': ['ImageDigest', 'ImageTag', 'ImageURI', 'RegistryId', 'RepositoryName'],
  'Source/CodeStarSourceConnection': ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'ConnectionArn', 'FullRepositoryName'],
  'Source/GitHub': ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'CommitterDate', 'CommitUrl', 'RepositoryName'],
};

/**
 * CloudFormation action modes whose action deploys no stack: a stack's outputs are variables of the
 * action that creates or updates it (CREATE_UPDATE, REPLACE_ON_FAILURE, CHANGE_SET_EXECUTE), not of
 * the one that only prepares a change set or deletes the stack.
 */
const CFN_MODES_WITHOUT_OUTPUTS = ['CHANGE_SET_REPLACE', 'DELETE_ONLY'];

const REFERENCE = /#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}/g;

interface Scope {
  /** Actions by the namespace they declare. */
  readonly producers: Map<string, ActionModel[]>;
  /** False when some action's namespace (or some action) is unknown at synth: an undeclared namespace is then not reported. */
  readonly namespacesComplete: boolean;
  /** Declared pipeline variables; undefined when `Variables` is unknown at synth. */
  readonly variables?: Set<string>;
}

function readScope({ props, stages, actions }: Context): Scope {
  const producers = new Map<string, ActionModel[]>();
  let namespacesComplete = stages.every((s) => s.actionsKnown);
  for (const action of actions) {
    const ns = action.raw.Namespace;
    if (typeof ns === 'string') producers.set(ns, [...(producers.get(ns) ?? []), action]);
    else if (ns !== undefined) namespacesComplete = false;
  }
  let variables: Set<string> | undefined = new Set<string>();
  if (props.Variables !== undefined) {
    const items = list(props.Variables);
    if (!items || !items.every((v) => isObject(v) && typeof v.Name === 'string')) variables = undefined;
    else items.forEach((v) => variables!.add((v as { Name: string }).Name));
  }
  return { producers, namespacesComplete, variables };
}

/** Every `#{ns.var}` in a configuration value: strings, `Fn::Join`/`Fn::Sub` (unknown parts never match), lists and objects. */
export function variableReferences(value: unknown, depth = 0): Array<{ namespace: string; variable: string }> {
  if (depth > 10 || value === null || value === undefined) return [];
  if (typeof value === 'string' || isIntrinsic(value)) {
    const text = approximateString(value, {});
    return text ? [...text.matchAll(REFERENCE)].map((m) => ({ namespace: m[1], variable: m[2] })) : [];
  }
  if (Array.isArray(value)) return value.flatMap((v) => variableReferences(v, depth + 1));
  if (typeof value === 'object') return Object.values(value).flatMap((v) => variableReferences(v, depth + 1));
  return [];
}

/**
 * What of an action may hold variable references: its configuration values (`Configuration`), and
 * the Commands action's `Commands` and `EnvironmentVariables` (action properties): [key, value, where].
 */
export function configurationValues(action: { [key: string]: any }): Array<[string, unknown, 'Configuration' | 'Action']> {
  const config = isObject(action.Configuration) ? Object.entries(action.Configuration).map(([k, v]): [string, unknown, 'Configuration'] => [k, v, 'Configuration']) : [];
  const own = ['Commands', 'EnvironmentVariables'].filter((k) => action[k] !== undefined).map((k): [string, unknown, 'Action'] => [k, action[k], 'Action']);
  return [...config, ...own];
}

/** Whether `producer` has run when the consumer starts: a consumer at (stage, runOrder), or a condition that sees stages up to `lastStage`. */
type RunsBefore = (producer: ActionModel) => boolean | undefined;

function checkReferences(ctx: Context) {
  if (!ctx.stagesListed) return;
  const scope = readScope(ctx);
  const { emit } = ctx;
  for (const action of ctx.actions) {
    const before: RunsBefore = (p) => {
      if (p.stageIndex !== action.stageIndex) return p.stageIndex < action.stageIndex;
      if (p.runOrder === undefined || action.runOrder === undefined) return undefined;
      return p !== action && p.runOrder < action.runOrder;
    };
    for (const [key, value, location] of configurationValues(action.raw)) {
      for (const ref of variableReferences(value)) {
        const problem = judge(ref.namespace, ref.variable, scope, before, 'this action');
        if (problem) emit('CDP-VARIABLE-REFERENCE', `${location === 'Configuration' ? 'configuration ' : ''}${key}: ${problem}`, `${action.location}/${location === 'Configuration' ? `Configuration/${key}` : key}`, at(action));
      }
    }
  }
  for (const stage of ctx.stages) {
    forEachCondition(stage, (condition, location, kind) => {
      const before = conditionSees(stage, kind);
      (list(condition.Rules) ?? []).forEach((rule, ri) => {
        if (!isObject(rule) || !isObject(rule.Configuration)) return;
        for (const [key, value] of Object.entries(rule.Configuration)) {
          for (const ref of variableReferences(value)) {
            const problem = judge(ref.namespace, ref.variable, scope, before, `the ${kind} condition`);
            if (problem) {
              emit('CDP-VARIABLE-REFERENCE', `${kind} rule ${JSON.stringify(rule.Name ?? ri)} configuration ${key}: ${problem}`,
                `${location}/Rules/${ri}/Configuration/${key}`, { stageName: stage.name });
            }
          }
        }
      });
    });
  }
}

/** BeforeEntry runs before the stage: only earlier stages count. OnSuccess and OnFailure run after its actions: the stage's own count too. */
function conditionSees(stage: StageModel, kind: string): RunsBefore {
  return kind === 'BeforeEntry' ? (p) => p.stageIndex < stage.index : (p) => p.stageIndex <= stage.index;
}

/** What is wrong with one reference, or undefined when it resolves (or cannot be judged at synth). */
function judge(namespace: string, variable: string, scope: Scope, before: RunsBefore, consumer: string): string | undefined {
  const ref = `#{${namespace}.${variable}}`;
  if (namespace === EXECUTION_NAMESPACE) {
    return EXECUTION_VARIABLES.includes(variable) ? undefined
      : `${ref} is not a codepipeline execution variable (known: ${EXECUTION_VARIABLES.join(', ')})`;
  }
  if (namespace === PIPELINE_VARIABLES_NAMESPACE) {
    if (!scope.variables || scope.variables.has(variable)) return undefined;
    const declared = [...scope.variables];
    return `${ref} names pipeline variable '${variable}', which the pipeline does not declare (declared: ${declared.join(', ') || 'none'})`;
  }
  const producers = scope.producers.get(namespace);
  if (!producers) {
    return scope.namespacesComplete ? `${ref} names namespace '${namespace}', which no action of the pipeline declares` : undefined;
  }
  const order = producers.map(before);
  if (order.includes(undefined)) return undefined;
  if (!order.includes(true)) {
    const p = producers[0];
    return `${ref} names namespace '${namespace}' of stage '${p.stageName ?? p.stageIndex + 1}' action '${p.name ?? '?'}' (runOrder ${p.runOrder}), `
      + `which does not run before ${consumer}`;
  }
  const producer = producers[order.indexOf(true)];
  const mode = producer.provider === 'CloudFormation' && isObject(producer.raw.Configuration) ? producer.raw.Configuration.ActionMode : undefined;
  if (producer.owner === 'AWS' && typeof mode === 'string' && CFN_MODES_WITHOUT_OUTPUTS.includes(mode)) {
    return `${ref} names namespace '${namespace}' of the CloudFormation action '${producer.name ?? '?'}' (ActionMode ${mode}), which deploys no stack and so `
      + 'publishes no stack outputs; set the namespace on the action that deploys the stack (CHANGE_SET_EXECUTE after a change set, or CREATE_UPDATE)';
  }
  const outputs = PROVIDER_OUTPUTS[`${producer.category}/${producer.provider}`];
  if (producer.owner !== 'Custom' && outputs && !outputs.includes(variable)) {
    return `${ref} names variable '${variable}', but the ${producer.provider} action '${producer.name ?? '?'}' outputs only ${outputs.join(', ')}`;
  }
  return undefined;
}
