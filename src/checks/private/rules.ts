/**
 * The CodePipeline rule set, over the synthesized `AWS::CodePipeline::Pipeline` properties
 * (CloudFormation JSON, so it reads L1, L2 and our own pipelines alike).
 *
 * Values that are CloudFormation intrinsics (`Ref`, `Fn::*`) are unknown at synth time: every
 * rule skips them rather than guess. Input may be any JSON: a rule never throws on a shape it
 * does not expect, it skips it (the schema checks of CloudFormation report those).
 */

import { ACCOUNT_ID, ARTIFACT_NAME, CODEPIPELINE_NAME, VARIABLE_NAME, VARIABLE_NAMESPACE } from '../../private/names';
import { MAX_ACTIONS_PER_STAGE, MAX_CONFIG_ENTRIES, MAX_CONFIG_KEY_LENGTH, MAX_CONFIG_TOTAL_BYTES, MAX_CONFIG_VALUE_LENGTH, MAX_RULES_PER_CONDITION, MAX_RUN_ORDER, MAX_STAGES, MAX_TIMEOUT_MINUTES, MAX_TRIGGER_FILTERS, MAX_TRIGGER_PATTERNS, MIN_STAGES, MIN_TIMEOUT_MINUTES } from '../../private/quotas';

/** A rule: id, one-line description, and how to fix a finding. */
export interface RuleInfo {
  readonly id: string;
  readonly description: string;
  readonly fix: string;
}

/** One finding of one rule on one pipeline. */
export interface RawFinding {
  readonly ruleId: string;
  readonly message: string;
  readonly stageName?: string;
  readonly actionName?: string;
  /** Path inside the resource, e.g. `Properties/Stages/1/Actions/0/InputArtifacts/0`. */
  readonly location: string;
}

/** What is known of the stack that holds the pipeline. */
export interface CheckEnv {
  readonly account?: string;
  readonly region?: string;
}

const ACTION_CATEGORIES = ['Source', 'Build', 'Deploy', 'Test', 'Invoke', 'Approval', 'Compute'];
const ACTION_OWNERS = ['AWS', 'ThirdParty', 'Custom'];
const PROVIDER_PATTERN = /^[0-9A-Za-z_-]{1,35}$/;
const VERSION_PATTERN = /^[0-9A-Za-z_-]{1,9}$/;

function rule(id: string, description: string, fix: string): RuleInfo {
  return { id, description, fix };
}

/** Every rule, in the order they are reported. */
export const RULES: RuleInfo[] = [
  rule('CDP-STAGE-COUNT', 'A pipeline has 2 to 50 stages.', 'Add a source stage and at least one more stage; merge stages when there are more than 50.'),
  rule('CDP-SOURCE-FIRST-STAGE', 'The first stage holds at least one source action, and only source actions.',
    'Put the source actions (and only them) in the first stage; move build, test and deploy actions to later stages.'),
  rule('CDP-SOURCE-ONLY-FIRST', 'Source actions appear only in the first stage.', 'Move the source action into the first stage.'),
  rule('CDP-NON-SOURCE-ACTION', 'A pipeline has at least one action that is not a source action.', 'Add a build, test, deploy, invoke or approval action after the source stage.'),
  rule('CDP-STAGE-NAME-UNIQUE', 'Stage names are unique within the pipeline.', 'Rename one of the stages.'),
  rule('CDP-ACTION-NAME-UNIQUE', 'Action names are unique within their stage.', 'Rename one of the actions.'),
  rule('CDP-NAME-PATTERN', 'Pipeline, stage, action and condition rule names match ^[A-Za-z0-9.@_-]{1,100}$.',
    'Use only letters, digits, ".", "@", "-" and "_", at most 100 characters.'),
  rule('CDP-ARTIFACT-NAME-PATTERN', 'Artifact names match ^[A-Za-z0-9_-]{1,100}$.', 'Use only letters, digits, "-" and "_" in artifact names, at most 100 characters.'),
  rule('CDP-NAMESPACE-PATTERN', 'Variable namespaces match ^[A-Za-z0-9@_-]{1,100}$.', 'Use only letters, digits, "@", "-" and "_" in the namespace, at most 100 characters.'),
  rule('CDP-VARIABLES', 'Pipeline variable names match ^[A-Za-z0-9@_-]{1,128}$ and are unique.', 'Rename the variable; declare each variable once.'),
  rule('CDP-STAGE-ACTIONS', 'A stage has 1 to 50 actions.', 'Split a stage with more than 50 actions into several stages; remove empty stages.'),
  rule('CDP-RUN-ORDER', 'An action runOrder is an integer from 1 to 999.', 'Use runOrder 1..999 (equal values run in parallel, higher values later).'),
  rule('CDP-ACTION-TYPE', 'An action type has a valid category, owner, provider and version.',
    'Use category Source|Build|Deploy|Test|Invoke|Approval|Compute, owner AWS|ThirdParty|Custom, provider and version of letters, digits, "-" and "_".'),
  rule('CDP-ARTIFACT-UNIQUE', 'Each output artifact name is produced by exactly one action in the pipeline.', 'Give every output artifact its own name.'),
  rule('CDP-ARTIFACT-ORDER', 'Every input artifact is produced by an earlier action: in an earlier stage, or at a lower runOrder in the same stage.',
    'Move the consuming action after its producer (a later stage, or a higher runOrder in the same stage), or consume an artifact that exists.'),
  rule('CDP-ARTIFACT-COUNT', 'An action has the number of input and output artifacts its provider allows.',
    'Match the provider\'s artifact counts (e.g. CodeBuild 1-5 inputs/0-5 outputs, S3 deploy exactly 1 input, manual approval none).'),
  rule('CDP-TEMPLATE-PATH', 'A TemplatePath or TemplateConfiguration "Artifact::file" names one of the action\'s input artifacts.',
    'Add the artifact to the action\'s input artifacts, or fix the artifact name before "::".'),
  rule('CDP-ARTIFACT-STORE', 'The pipeline has ArtifactStore or ArtifactStores (not both), with a store for the pipeline region and every action region.',
    'Use ArtifactStores with one S3 bucket per region (pipeline region included) when actions run in other regions; ArtifactStore otherwise.'),
  rule('CDP-SOURCE-REGION', 'Source actions run in the pipeline region.', 'Remove Region from the source action, or define the pipeline in the source\'s region.'),
  rule('CDP-CROSS-REGION-ENV', 'A pipeline with cross-region actions is in a stack with a concrete region.',
    'Give the pipeline stack an explicit env ({ account, region }) so stores and regions can be checked and deployed.'),
  rule('CDP-CROSS-ACCOUNT-KMS', 'An action whose role is in another account uses an artifact store encrypted with a customer-managed KMS key.',
    'Set EncryptionKey on the artifact store of that region (e.g. crossAccountKeys: true on the L2 Pipeline); the AWS-managed S3 key cannot be shared.'),
  rule('CDP-V2-ONLY', 'Variables, triggers, QUEUED/PARALLEL execution mode, stage conditions and the Commands action need a V2 pipeline.',
    'Set PipelineType to V2 (pipelineType: PipelineType.V2), or remove the V2-only feature.'),
  rule('CDP-CONDITION-COUNT', 'BeforeEntry, OnSuccess and OnFailure hold exactly one condition.', 'Put all rules of the gate into one condition (up to 5 rules).'),
  rule('CDP-CONDITION-RULES', 'A stage condition has 1 to 5 rules.', 'Give each condition at least one rule and at most five.'),
  rule('CDP-ROLLBACK', 'Stage rollback is not available for the source stage or in PARALLEL execution mode.',
    'Remove the ROLLBACK result from the source stage, or use QUEUED or SUPERSEDED execution mode.'),
  rule('CDP-TRIGGER-FILTERS', 'A trigger has push and/or pull-request filters: at most 3 of each, at most 8 patterns per include/exclude list, with branches or tags.',
    'Merge filters (3 push and 3 pull-request filters at most), keep each pattern list to 8 entries, and give every filter its branches (or tags for push).'),
  rule('CDP-TRIGGER-SOURCE', 'A trigger names a CodeStarSourceConnection source action of the pipeline, one trigger per source action.',
    'Point SourceActionName at a CodeStarSourceConnection action in the first stage, and declare one trigger per source action.'),
  rule('CDP-APPROVAL-TIMEOUT', 'An action timeout (the manual approval timeout) is 5 to 86,400 minutes (60 days).',
    'Set the timeout between 5 minutes and 60 days (the account default for approvals is 7 days).'),
  rule('CDP-ACTION-CONFIG', 'Action configuration keys are at most 50 characters, values at most 1000, 200 entries and 100 KB in total.',
    'Shorten the value (move long content into an artifact or a parameter file), or split the configuration.'),
  rule('CDP-TEMPLATE-LIMITS', 'The stack holding a pipeline stays within 1 MB of template and 500 resources.',
    'Move resources into another stack (support stacks, nested stacks), or split the pipeline.'),
];

export const RULES_BY_ID: { [id: string]: RuleInfo } = Object.fromEntries(RULES.map((r) => [r.id, r]));

// ---------------------------------------------------------------------------------------------
// Reading CloudFormation JSON

/** Whether a value is a CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::...' }`, `{ Condition }`): unknown at synth. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

function isObject(value: unknown): value is { [key: string]: any } {
  return !!value && typeof value === 'object' && !Array.isArray(value) && !isIntrinsic(value);
}

/** A literal string, or undefined (absent or an intrinsic). */
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The elements of a literal list (undefined when the list itself is an intrinsic or not a list). */
function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Whether every element of a list is known (no `Fn::If` etc. in it). */
function allKnown(items: unknown[]): boolean {
  return items.every((i) => !isIntrinsic(i));
}

const UNKNOWN = '\u0000';

/**
 * A string with the parts that are unknown at synth replaced by NUL: enough to read the
 * account out of `arn:${AWS::Partition}:iam::222222222222:role/x` built with `Fn::Join`.
 */
export function approximateString(value: unknown, env: CheckEnv, depth = 0): string | undefined {
  if (depth > 10) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as { [key: string]: any };
  if (typeof v.Ref === 'string') return pseudo(v.Ref, env);
  if (Array.isArray(v['Fn::Join']) && v['Fn::Join'].length === 2 && typeof v['Fn::Join'][0] === 'string' && Array.isArray(v['Fn::Join'][1])) {
    return v['Fn::Join'][1].map((p: unknown) => approximateString(p, env, depth + 1) ?? UNKNOWN).join(v['Fn::Join'][0]);
  }
  const sub = v['Fn::Sub'];
  if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo(name, env));
  return isIntrinsic(value) ? UNKNOWN : undefined;
}

function pseudo(name: string, env: CheckEnv): string {
  if (name === 'AWS::AccountId' && env.account) return env.account;
  if (name === 'AWS::Region' && env.region) return env.region;
  return UNKNOWN;
}

/** The account of an IAM role ARN, when it is written in the template (not an intrinsic). */
export function accountOfArn(value: unknown, env: CheckEnv): string | undefined {
  const arn = approximateString(value, env);
  if (!arn) return undefined;
  const account = arn.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

/** A concrete account or region (not a token, not CDK's `unknown-*` placeholder). */
export function concrete(value: string | undefined): string | undefined {
  if (!value || value.includes('${Token[') || value.startsWith('unknown-') || value.includes(UNKNOWN)) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// The pipeline model the rules read

interface ArtifactRef {
  readonly name: unknown;
  readonly location: string;
}

interface ActionModel {
  readonly raw: { [key: string]: any };
  readonly stageIndex: number;
  readonly stageName?: string;
  readonly name?: string;
  readonly category?: string;
  readonly owner?: string;
  readonly provider?: string;
  /** Literal runOrder (default 1); undefined when an intrinsic. */
  readonly runOrder?: number;
  readonly inputs?: ArtifactRef[];
  readonly outputs?: ArtifactRef[];
  readonly region?: string;
  readonly location: string;
}

interface StageModel {
  readonly raw: { [key: string]: any };
  readonly index: number;
  readonly name?: string;
  /** The known actions; `actionsKnown` false when the list (or an element) is an intrinsic. */
  readonly actions: ActionModel[];
  readonly actionsKnown: boolean;
  readonly actionCount?: number;
  readonly location: string;
}

function artifactRefs(value: unknown, location: string): ArtifactRef[] | undefined {
  if (value === undefined) return [];
  const items = list(value);
  if (!items || !allKnown(items)) return undefined;
  return items.map((item, i) => ({ name: isObject(item) ? item.Name : undefined, location: `${location}/${i}` }));
}

function readStages(props: { [key: string]: any }): StageModel[] | undefined {
  const stages = list(props.Stages);
  if (!stages) return undefined;
  return stages.map((rawStage, index) => {
    const location = `Properties/Stages/${index}`;
    const stage = isObject(rawStage) ? rawStage : {};
    const stageName = str(stage.Name);
    const rawActions = list(stage.Actions);
    const actions: ActionModel[] = [];
    (rawActions ?? []).forEach((rawAction, ai) => {
      if (!isObject(rawAction)) return;
      const typeId = isObject(rawAction.ActionTypeId) ? rawAction.ActionTypeId : {};
      const actionLocation = `${location}/Actions/${ai}`;
      const runOrder = rawAction.RunOrder === undefined ? 1 : typeof rawAction.RunOrder === 'number' ? rawAction.RunOrder : undefined;
      actions.push({
        raw: rawAction,
        stageIndex: index,
        stageName,
        name: str(rawAction.Name),
        category: str(typeId.Category),
        owner: str(typeId.Owner),
        provider: str(typeId.Provider),
        runOrder,
        inputs: artifactRefs(rawAction.InputArtifacts, `${actionLocation}/InputArtifacts`),
        outputs: artifactRefs(rawAction.OutputArtifacts, `${actionLocation}/OutputArtifacts`),
        region: str(rawAction.Region),
        location: actionLocation,
      });
    });
    const actionsKnown = !!rawActions && allKnown(rawActions) && isObject(rawStage);
    return {
      raw: stage,
      index,
      name: stageName,
      actions,
      actionsKnown,
      actionCount: rawActions && allKnown(rawActions) ? rawActions.length : stage.Actions === undefined && isObject(rawStage) ? 0 : undefined,
      location,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The rules

type Emit = (ruleId: string, message: string, location: string, at?: { stageName?: string; actionName?: string }) => void;

interface Context {
  readonly props: { [key: string]: any };
  readonly stages: StageModel[];
  readonly actions: ActionModel[];
  readonly env: CheckEnv;
  readonly emit: Emit;
}

function at(action: ActionModel) {
  return { stageName: action.stageName, actionName: action.name };
}

function checkStructure({ stages, actions, emit }: Context) {
  if (stages.length < MIN_STAGES || stages.length > MAX_STAGES) {
    emit('CDP-STAGE-COUNT', `has ${stages.length} stage(s); a pipeline needs ${MIN_STAGES} to ${MAX_STAGES}`, 'Properties/Stages');
  }
  const first = stages[0];
  if (first && first.actionsKnown) {
    const categories = first.actions.map((a) => a.category);
    if (categories.every((c) => c !== undefined) && !categories.includes('Source')) {
      emit('CDP-SOURCE-FIRST-STAGE', 'the first stage has no source action', first.location, { stageName: first.name });
    }
  }
  for (const action of actions) {
    if (action.category === undefined) continue;
    if (action.stageIndex === 0 && action.category !== 'Source') {
      emit('CDP-SOURCE-FIRST-STAGE', `'${action.category}' action in the first stage, which may hold only source actions`, action.location, at(action));
    }
    if (action.stageIndex > 0 && action.category === 'Source') {
      emit('CDP-SOURCE-ONLY-FIRST', `source action in stage ${action.stageIndex + 1}; source actions may only be in the first stage`, action.location, at(action));
    }
  }
  const allActionsKnown = stages.every((s) => s.actionsKnown);
  if (stages.length > 0 && allActionsKnown && actions.length > 0 && actions.every((a) => a.category === 'Source')) {
    emit('CDP-NON-SOURCE-ACTION', 'every action is a source action; a pipeline needs at least one other action', 'Properties/Stages');
  }
  const seenStages = new Map<string, number>();
  for (const stage of stages) {
    if (stage.actionCount !== undefined && (stage.actionCount < 1 || stage.actionCount > MAX_ACTIONS_PER_STAGE)) {
      emit('CDP-STAGE-ACTIONS', `has ${stage.actionCount} action(s); a stage holds 1 to ${MAX_ACTIONS_PER_STAGE}`, `${stage.location}/Actions`, { stageName: stage.name });
    }
    if (stage.name !== undefined) {
      if (seenStages.has(stage.name)) {
        emit('CDP-STAGE-NAME-UNIQUE', `stage name '${stage.name}' is also used by stage ${seenStages.get(stage.name)! + 1}`, `${stage.location}/Name`, { stageName: stage.name });
      } else {
        seenStages.set(stage.name, stage.index);
      }
    }
    const seenActions = new Set<string>();
    for (const action of stage.actions) {
      if (action.name === undefined) continue;
      if (seenActions.has(action.name)) {
        emit('CDP-ACTION-NAME-UNIQUE', `action name '${action.name}' appears more than once in the stage`, `${action.location}/Name`, at(action));
      }
      seenActions.add(action.name);
    }
  }
}

function checkNames({ props, stages, actions, emit }: Context) {
  const name = (what: string, value: unknown, location: string, where: { stageName?: string; actionName?: string } = {}) => {
    if (value === undefined && what === 'pipeline') return;
    if (isIntrinsic(value)) return;
    if (typeof value !== 'string' || !CODEPIPELINE_NAME.test(value)) {
      emit('CDP-NAME-PATTERN', `${what} name ${JSON.stringify(value ?? null)} does not match ${CODEPIPELINE_NAME}`, location, where);
    }
  };
  name('pipeline', props.Name, 'Properties/Name');
  for (const stage of stages) {
    if (isObject(stage.raw) && Object.keys(stage.raw).length > 0) name('stage', stage.raw.Name, `${stage.location}/Name`, { stageName: stage.name });
    forEachCondition(stage, (condition, location) => {
      (list(condition.Rules) ?? []).forEach((r, ri) => {
        if (isObject(r)) name('condition rule', r.Name, `${location}/Rules/${ri}/Name`, { stageName: stage.name });
      });
    });
  }
  for (const action of actions) {
    name('action', action.raw.Name, `${action.location}/Name`, at(action));
    for (const ref of [...(action.inputs ?? []), ...(action.outputs ?? [])]) {
      if (isIntrinsic(ref.name)) continue;
      if (typeof ref.name !== 'string' || !ARTIFACT_NAME.test(ref.name)) {
        emit('CDP-ARTIFACT-NAME-PATTERN', `artifact name ${JSON.stringify(ref.name ?? null)} does not match ${ARTIFACT_NAME}`, `${ref.location}/Name`, at(action));
      }
    }
    const ns = action.raw.Namespace;
    if (ns !== undefined && !isIntrinsic(ns) && (typeof ns !== 'string' || !VARIABLE_NAMESPACE.test(ns))) {
      emit('CDP-NAMESPACE-PATTERN', `namespace ${JSON.stringify(ns)} does not match ${VARIABLE_NAMESPACE}`, `${action.location}/Namespace`, at(action));
    }
  }
  const variables = list(props.Variables) ?? [];
  const seen = new Set<string>();
  variables.forEach((v, i) => {
    if (!isObject(v) || isIntrinsic(v.Name)) return;
    if (typeof v.Name !== 'string' || !VARIABLE_NAME.test(v.Name)) {
      emit('CDP-VARIABLES', `variable name ${JSON.stringify(v.Name ?? null)} does not match ${VARIABLE_NAME}`, `Properties/Variables/${i}/Name`);
    } else if (seen.has(v.Name)) {
      emit('CDP-VARIABLES', `variable '${v.Name}' is declared more than once`, `Properties/Variables/${i}/Name`);
    }
    if (typeof v.Name === 'string') seen.add(v.Name);
  });
}

function checkActionTypes({ actions, emit }: Context) {
  for (const action of actions) {
    const typeId = action.raw.ActionTypeId;
    if (isIntrinsic(typeId)) continue;
    const t = isObject(typeId) ? typeId : {};
    const problems: string[] = [];
    if (!isIntrinsic(t.Category) && !ACTION_CATEGORIES.includes(t.Category)) problems.push(`category ${JSON.stringify(t.Category ?? null)}`);
    if (!isIntrinsic(t.Owner) && !ACTION_OWNERS.includes(t.Owner)) problems.push(`owner ${JSON.stringify(t.Owner ?? null)}`);
    if (!isIntrinsic(t.Provider) && (typeof t.Provider !== 'string' || !PROVIDER_PATTERN.test(t.Provider))) problems.push(`provider ${JSON.stringify(t.Provider ?? null)}`);
    if (!isIntrinsic(t.Version) && (typeof t.Version !== 'string' || !VERSION_PATTERN.test(t.Version))) problems.push(`version ${JSON.stringify(t.Version ?? null)}`);
    if (problems.length > 0) emit('CDP-ACTION-TYPE', `invalid action type: ${problems.join(', ')}`, `${action.location}/ActionTypeId`, at(action));
  }
}

function checkRunOrders({ actions, emit }: Context) {
  for (const action of actions) {
    const ro = action.raw.RunOrder;
    if (ro === undefined || isIntrinsic(ro)) continue;
    if (typeof ro !== 'number' || !Number.isInteger(ro) || ro < 1 || ro > MAX_RUN_ORDER) {
      emit('CDP-RUN-ORDER', `runOrder ${JSON.stringify(ro)} is outside 1..${MAX_RUN_ORDER}`, `${action.location}/RunOrder`, at(action));
    }
  }
}

interface Producer {
  readonly action: ActionModel;
}

function describeAt(action: ActionModel): string {
  return `stage '${action.stageName ?? action.stageIndex + 1}' action '${action.name ?? '?'}' (runOrder ${action.runOrder ?? '?'})`;
}

function checkArtifacts({ actions, stages, emit }: Context) {
  const producers = new Map<string, Producer>();
  let producersComplete = stages.every((s) => s.actionsKnown);
  for (const action of actions) {
    if (!action.outputs) {
      producersComplete = false;
      continue;
    }
    for (const out of action.outputs) {
      if (typeof out.name !== 'string') {
        if (isIntrinsic(out.name)) producersComplete = false;
        continue;
      }
      const first = producers.get(out.name);
      if (first) {
        emit('CDP-ARTIFACT-UNIQUE', `output artifact '${out.name}' is also produced by ${describeAt(first.action)}`, `${out.location}/Name`, at(action));
      } else {
        producers.set(out.name, { action });
      }
    }
  }
  for (const action of actions) {
    for (const input of action.inputs ?? []) {
      if (typeof input.name !== 'string') continue;
      const producer = producers.get(input.name);
      if (!producer) {
        if (producersComplete) {
          emit('CDP-ARTIFACT-ORDER', `input artifact '${input.name}' is not produced by any action of the pipeline`, `${input.location}/Name`, at(action));
        }
        continue;
      }
      const p = producer.action;
      if (p.stageIndex > action.stageIndex) {
        emit('CDP-ARTIFACT-ORDER', `input artifact '${input.name}' is produced later, by ${describeAt(p)}`, `${input.location}/Name`, at(action));
      } else if (p.stageIndex === action.stageIndex && p.runOrder !== undefined && action.runOrder !== undefined && p.runOrder >= action.runOrder) {
        emit('CDP-ARTIFACT-ORDER', p === action
          ? `input artifact '${input.name}' is produced by the action itself`
          : `input artifact '${input.name}' is produced in the same stage by action '${p.name ?? '?'}' at runOrder ${p.runOrder}, `
            + `not before this action's runOrder ${action.runOrder}`, `${input.location}/Name`, at(action));
      }
    }
  }
}

interface Bounds { readonly minIn: number; readonly maxIn: number; readonly minOut: number; readonly maxOut: number }
const b = (minIn: number, maxIn: number, minOut: number, maxOut: number): Bounds => ({ minIn, maxIn, minOut, maxOut });

/** Input/output artifact counts per provider (CodePipeline "Valid input and output artifacts for each action type"), keyed `Category/Provider`. */
const ARTIFACT_BOUNDS: { [key: string]: Bounds } = {
  'Source/S3': b(0, 0, 1, 1),
  'Source/CodeCommit': b(0, 0, 1, 1),
  'Source/ECR': b(0, 0, 1, 1),
  'Source/CodeStarSourceConnection': b(0, 0, 1, 1),
  'Source/GitHub': b(0, 0, 1, 1),
  'Build/CodeBuild': b(1, 5, 0, 5),
  'Test/CodeBuild': b(1, 5, 0, 5),
  'Test/DeviceFarm': b(1, 1, 0, 0),
  'Approval/Manual': b(0, 0, 0, 0),
  'Deploy/S3': b(1, 1, 0, 0),
  'Deploy/CloudFormation': b(0, 10, 0, 1),
  'Deploy/CodeDeploy': b(1, 1, 0, 0),
  'Deploy/ElasticBeanstalk': b(1, 1, 0, 0),
  'Deploy/OpsWorks': b(1, 1, 0, 0),
  'Deploy/ECS': b(1, 1, 0, 0),
  'Deploy/ServiceCatalog': b(1, 1, 0, 0),
  'Deploy/AlexaSkillsKit': b(1, 2, 0, 0),
  'Invoke/Lambda': b(0, 5, 0, 5),
  'Invoke/StepFunctions': b(0, 1, 0, 1),
};
const CUSTOM_BOUNDS = b(0, 5, 0, 5);

function checkArtifactCounts({ actions, emit }: Context) {
  for (const action of actions) {
    if (!action.category || !action.provider || !action.owner) continue;
    const bounds = action.owner === 'Custom' ? CUSTOM_BOUNDS : ARTIFACT_BOUNDS[`${action.category}/${action.provider}`];
    if (!bounds) continue;
    const what = `${action.category}/${action.provider}`;
    if (action.inputs) {
      const n = action.inputs.length;
      if (n < bounds.minIn || n > bounds.maxIn) {
        emit('CDP-ARTIFACT-COUNT', `${what} has ${n} input artifact(s); it takes ${range(bounds.minIn, bounds.maxIn)}`, `${action.location}/InputArtifacts`, at(action));
      }
    }
    if (action.outputs) {
      const n = action.outputs.length;
      if (n < bounds.minOut || n > bounds.maxOut) {
        emit('CDP-ARTIFACT-COUNT', `${what} has ${n} output artifact(s); it takes ${range(bounds.minOut, bounds.maxOut)}`, `${action.location}/OutputArtifacts`, at(action));
      }
    }
  }
}

function range(min: number, max: number): string {
  return min === max ? `exactly ${min}` : `${min} to ${max}`;
}

function checkTemplatePaths({ actions, emit }: Context) {
  for (const action of actions) {
    const config = action.raw.Configuration;
    if (!isObject(config) || !action.inputs) continue;
    const inputNames = action.inputs.map((i) => i.name);
    if (!inputNames.every((n) => typeof n === 'string')) continue;
    for (const key of ['TemplatePath', 'TemplateConfiguration']) {
      const value = str(config[key]);
      if (!value || !value.includes('::')) continue;
      const artifact = value.split('::')[0];
      if (!inputNames.includes(artifact)) {
        emit('CDP-TEMPLATE-PATH', `${key} '${value}' reads artifact '${artifact}', which is not an input artifact of the action (inputs: ${inputNames.join(', ') || 'none'})`,
          `${action.location}/Configuration/${key}`, at(action));
      }
    }
  }
}

interface StoreInfo {
  /** Stores by region; undefined when ArtifactStores is unknown. */
  readonly byRegion?: Map<string, { [key: string]: any } | undefined>;
  readonly single?: { [key: string]: any };
  readonly singleKnown: boolean;
}

function readStores(props: { [key: string]: any }): StoreInfo {
  if (props.ArtifactStores === undefined) {
    return {
      single: isObject(props.ArtifactStore) ? props.ArtifactStore : undefined,
      singleKnown: props.ArtifactStore !== undefined && !isIntrinsic(props.ArtifactStore),
    };
  }
  const items = list(props.ArtifactStores);
  if (!items || !allKnown(items)) return { singleKnown: false };
  const byRegion = new Map<string, { [key: string]: any } | undefined>();
  for (const item of items) {
    if (!isObject(item) || typeof item.Region !== 'string') return { singleKnown: false };
    byRegion.set(item.Region, isObject(item.ArtifactStore) ? item.ArtifactStore : undefined);
  }
  return { byRegion, singleKnown: false };
}

function checkStores({ props, actions, env, emit }: Context) {
  const region = concrete(env.region);
  const hasSingle = props.ArtifactStore !== undefined;
  const hasMulti = props.ArtifactStores !== undefined;
  if (hasSingle === hasMulti) {
    emit('CDP-ARTIFACT-STORE', hasSingle ? 'has both ArtifactStore and ArtifactStores; use exactly one' : 'has neither ArtifactStore nor ArtifactStores', 'Properties');
    return;
  }
  const stores = readStores(props);
  if (hasMulti && stores.byRegion) {
    const items = list(props.ArtifactStores)!;
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const r = (item as any).Region as string;
      if (seen.has(r)) emit('CDP-ARTIFACT-STORE', `ArtifactStores lists region '${r}' more than once`, `Properties/ArtifactStores/${i}/Region`);
      seen.add(r);
    });
    if (region && !stores.byRegion.has(region)) {
      emit('CDP-ARTIFACT-STORE', `ArtifactStores has no store for the pipeline region '${region}' (has: ${[...stores.byRegion.keys()].join(', ')})`, 'Properties/ArtifactStores');
    }
  }
  for (const action of actions) {
    const actionRegion = action.region;
    if (!actionRegion) continue;
    if (hasSingle && (!region || actionRegion !== region)) {
      if (region) {
        emit('CDP-ARTIFACT-STORE', `runs in region '${actionRegion}' but the pipeline (in '${region}') has a single ArtifactStore; `
          + `use ArtifactStores with a store for '${actionRegion}'`, `${action.location}/Region`, at(action));
      }
    } else if (hasMulti && stores.byRegion && !stores.byRegion.has(actionRegion)) {
      emit('CDP-ARTIFACT-STORE', `runs in region '${actionRegion}', which has no entry in ArtifactStores (has: ${[...stores.byRegion.keys()].join(', ')})`,
        `${action.location}/Region`, at(action));
    }
  }
}

function checkRegions({ actions, env, emit }: Context) {
  const region = concrete(env.region);
  let reportedEnv = false;
  for (const action of actions) {
    if (!action.region) continue;
    if (!region) {
      if (!reportedEnv) {
        emit('CDP-CROSS-REGION-ENV', `action runs in region '${action.region}' but the pipeline stack has no concrete region`, `${action.location}/Region`, at(action));
        reportedEnv = true;
      }
      continue;
    }
    if (action.category === 'Source' && action.region !== region) {
      emit('CDP-SOURCE-REGION', `source action runs in '${action.region}', not in the pipeline region '${region}'`, `${action.location}/Region`, at(action));
    }
  }
}

function checkCrossAccount({ props, actions, env, emit }: Context) {
  const account = concrete(env.account);
  if (!account) return;
  const stores = readStores(props);
  const region = concrete(env.region);
  for (const action of actions) {
    const roleAccount = accountOfArn(action.raw.RoleArn, env);
    if (!roleAccount || roleAccount === account) continue;
    const storeRegion = action.region ?? region;
    let store: { [key: string]: any } | undefined;
    let storeKnown: boolean;
    if (stores.byRegion) {
      storeKnown = !!storeRegion && stores.byRegion.has(storeRegion);
      store = storeRegion ? stores.byRegion.get(storeRegion) : undefined;
    } else {
      storeKnown = stores.singleKnown && (!action.region || action.region === region);
      store = stores.single;
    }
    if (!storeKnown || !store) continue;
    if (store.EncryptionKey === undefined) {
      emit('CDP-CROSS-ACCOUNT-KMS', `assumes a role in account ${roleAccount} (pipeline account ${account}), but the artifact store `
        + `${storeRegion ? `for '${storeRegion}' ` : ''}has no EncryptionKey (the AWS-managed S3 key cannot be shared across accounts)`, `${action.location}/RoleArn`, at(action));
    }
  }
}

function forEachCondition(stage: StageModel, fn: (condition: { [key: string]: any }, location: string, kind: string) => void) {
  for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
    const block = stage.raw[kind];
    if (!isObject(block)) continue;
    (list(block.Conditions) ?? []).forEach((c, ci) => {
      if (isObject(c)) fn(c, `${stage.location}/${kind}/Conditions/${ci}`, kind);
    });
  }
}

function checkV2({ props, stages, actions, emit }: Context) {
  const type = props.PipelineType;
  if (isIntrinsic(type) || type === 'V2') return;
  const label = type === undefined ? 'the pipeline has no PipelineType (CloudFormation uses V1)' : `the pipeline is ${JSON.stringify(type)}`;
  const features: Array<[string, string]> = [];
  if ((list(props.Variables) ?? []).length > 0 || isIntrinsic(props.Variables)) features.push(['Variables', 'Properties/Variables']);
  if ((list(props.Triggers) ?? []).length > 0 || isIntrinsic(props.Triggers)) features.push(['Triggers', 'Properties/Triggers']);
  if (props.ExecutionMode === 'QUEUED' || props.ExecutionMode === 'PARALLEL') features.push([`ExecutionMode ${props.ExecutionMode}`, 'Properties/ExecutionMode']);
  for (const feature of features) {
    emit('CDP-V2-ONLY', `${feature[0]} needs a V2 pipeline, but ${label}`, feature[1]);
  }
  for (const stage of stages) {
    for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
      if (stage.raw[kind] !== undefined) {
        emit('CDP-V2-ONLY', `stage condition ${kind} needs a V2 pipeline, but ${label}`, `${stage.location}/${kind}`, { stageName: stage.name });
      }
    }
  }
  for (const action of actions) {
    if (action.category === 'Compute' || action.provider === 'Commands') {
      emit('CDP-V2-ONLY', `the Commands action needs a V2 pipeline, but ${label}`, `${action.location}/ActionTypeId`, at(action));
    }
  }
}

function checkConditions({ props, stages, emit }: Context) {
  for (const stage of stages) {
    for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
      const block = stage.raw[kind];
      if (!isObject(block)) continue;
      const conditions = block.Conditions;
      if (isIntrinsic(conditions)) continue;
      const items = list(conditions);
      const required = kind !== 'OnFailure';
      if (items === undefined && conditions !== undefined) continue;
      const n = items?.length ?? 0;
      if ((required || items !== undefined) && n !== 1 && (!items || allKnown(items))) {
        emit('CDP-CONDITION-COUNT', `${kind} has ${n} condition(s); it holds exactly one`, `${stage.location}/${kind}/Conditions`, { stageName: stage.name });
      }
      const rollback = kind === 'OnFailure' ? block.Result === 'ROLLBACK' : false;
      const conditionRollback = (items ?? []).some((c) => isObject(c) && c.Result === 'ROLLBACK');
      if (rollback || conditionRollback) {
        if (stage.index === 0) {
          emit('CDP-ROLLBACK', `${kind} rolls back the first (source) stage, which cannot be rolled back`, `${stage.location}/${kind}`, { stageName: stage.name });
        } else if (props.ExecutionMode === 'PARALLEL') {
          emit('CDP-ROLLBACK', `${kind} rolls back the stage, but stage rollback is not available in PARALLEL execution mode`, `${stage.location}/${kind}`, { stageName: stage.name });
        }
      }
    }
    forEachCondition(stage, (condition, location) => {
      if (isIntrinsic(condition.Rules)) return;
      const rules = list(condition.Rules);
      if (condition.Rules !== undefined && !rules) return;
      if (rules && !allKnown(rules)) return;
      const n = rules?.length ?? 0;
      if (n < 1 || n > MAX_RULES_PER_CONDITION) {
        emit('CDP-CONDITION-RULES', `condition has ${n} rule(s); a condition holds 1 to ${MAX_RULES_PER_CONDITION}`, `${location}/Rules`, { stageName: stage.name });
      }
    });
  }
}

function checkTriggers({ props, actions, emit }: Context) {
  const triggers = list(props.Triggers);
  if (!triggers) return;
  const sourceActions = new Map(actions.filter((a) => a.stageIndex === 0 && a.name !== undefined).map((a) => [a.name!, a]));
  const firstStageKnown = actions.length > 0;
  const seenSources = new Set<string>();
  triggers.forEach((trigger, ti) => {
    if (!isObject(trigger)) return;
    const location = `Properties/Triggers/${ti}`;
    const git = trigger.GitConfiguration;
    if (!isObject(git)) return;
    const sourceName = git.SourceActionName;
    if (typeof sourceName === 'string' && firstStageKnown) {
      const source = sourceActions.get(sourceName);
      if (!source) {
        emit('CDP-TRIGGER-SOURCE', `trigger names source action '${sourceName}', which is not an action of the first stage`, `${location}/GitConfiguration/SourceActionName`);
      } else if (source.provider !== undefined && source.provider !== 'CodeStarSourceConnection') {
        emit('CDP-TRIGGER-SOURCE', `trigger names source action '${sourceName}' with provider '${source.provider}'; triggers need a CodeStarSourceConnection action`,
          `${location}/GitConfiguration/SourceActionName`);
      }
      if (seenSources.has(sourceName)) {
        emit('CDP-TRIGGER-SOURCE', `source action '${sourceName}' has more than one trigger; one trigger per source action`, `${location}/GitConfiguration/SourceActionName`);
      }
      seenSources.add(sourceName);
    }
    const push = git.Push;
    const pr = git.PullRequest;
    if (push === undefined && pr === undefined) {
      emit('CDP-TRIGGER-FILTERS', 'trigger has neither Push nor PullRequest filters', `${location}/GitConfiguration`);
    }
    for (const [kind, filters] of [['Push', push], ['PullRequest', pr]] as Array<[string, unknown]>) {
      const items = list(filters);
      if (!items) continue;
      if (items.length < 1 || items.length > MAX_TRIGGER_FILTERS) {
        emit('CDP-TRIGGER-FILTERS', `trigger has ${items.length} ${kind} filter(s); 1 to ${MAX_TRIGGER_FILTERS} allowed`, `${location}/GitConfiguration/${kind}`);
      }
      items.forEach((filter, fi) => {
        if (!isObject(filter)) return;
        const filterLocation = `${location}/GitConfiguration/${kind}/${fi}`;
        for (const criteria of ['Branches', 'FilePaths', 'Tags']) {
          const c = filter[criteria];
          if (!isObject(c)) continue;
          for (const side of ['Includes', 'Excludes']) {
            const patterns = list(c[side]);
            if (patterns && patterns.length > MAX_TRIGGER_PATTERNS) {
              emit('CDP-TRIGGER-FILTERS', `${kind} filter ${criteria}.${side} has ${patterns.length} patterns; at most ${MAX_TRIGGER_PATTERNS}`,
                `${filterLocation}/${criteria}/${side}`);
            }
          }
        }
        const has = (k: string) => filter[k] !== undefined;
        if (has('FilePaths') && !has('Branches')) {
          emit('CDP-TRIGGER-FILTERS', `${kind} filter has FilePaths without Branches; file paths filter branches`, filterLocation);
        }
        if (kind === 'Push' && !has('Branches') && !has('Tags')) {
          emit('CDP-TRIGGER-FILTERS', 'Push filter has neither Branches nor Tags', filterLocation);
        }
        if (kind === 'PullRequest' && !has('Branches')) {
          emit('CDP-TRIGGER-FILTERS', 'PullRequest filter has no Branches', filterLocation);
        }
      });
    }
  });
}

function checkTimeouts({ actions, emit }: Context) {
  for (const action of actions) {
    const t = action.raw.TimeoutInMinutes;
    if (t === undefined || isIntrinsic(t)) continue;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < MIN_TIMEOUT_MINUTES || t > MAX_TIMEOUT_MINUTES) {
      const what = action.category === 'Approval' ? 'manual approval timeout' : 'action timeout';
      emit('CDP-APPROVAL-TIMEOUT', `${what} ${JSON.stringify(t)} minutes is outside ${MIN_TIMEOUT_MINUTES}..${MAX_TIMEOUT_MINUTES} minutes (5 minutes to 60 days)`,
        `${action.location}/TimeoutInMinutes`, at(action));
    }
  }
}

function checkConfiguration({ actions, emit }: Context) {
  for (const action of actions) {
    const config = action.raw.Configuration;
    if (!isObject(config)) continue;
    const entries = Object.entries(config);
    let total = 0;
    if (entries.length > MAX_CONFIG_ENTRIES) {
      emit('CDP-ACTION-CONFIG', `configuration has ${entries.length} entries; at most ${MAX_CONFIG_ENTRIES}`, `${action.location}/Configuration`, at(action));
    }
    for (const [key, value] of entries) {
      const location = `${action.location}/Configuration/${key}`;
      if (key.length > MAX_CONFIG_KEY_LENGTH) {
        emit('CDP-ACTION-CONFIG', `configuration key '${key.slice(0, 60)}...' has ${key.length} characters; at most ${MAX_CONFIG_KEY_LENGTH}`, location, at(action));
      }
      const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
      if (text === undefined) continue;
      total += Buffer.byteLength(key) + Buffer.byteLength(text);
      if (text.length > MAX_CONFIG_VALUE_LENGTH) {
        emit('CDP-ACTION-CONFIG', `configuration value of '${key}' has ${text.length} characters; at most ${MAX_CONFIG_VALUE_LENGTH}`, location, at(action));
      }
    }
    if (total > MAX_CONFIG_TOTAL_BYTES) {
      emit('CDP-ACTION-CONFIG', `configuration is ${total} bytes; at most ${MAX_CONFIG_TOTAL_BYTES}`, `${action.location}/Configuration`, at(action));
    }
  }
}

const CHECKS: Array<(ctx: Context) => void> = [
  checkStructure, checkNames, checkActionTypes, checkRunOrders, checkArtifacts, checkArtifactCounts, checkTemplatePaths,
  checkStores, checkRegions, checkCrossAccount, checkV2, checkConditions, checkTriggers, checkTimeouts, checkConfiguration,
];

/**
 * Run every rule on the resolved `Properties` of one `AWS::CodePipeline::Pipeline`.
 * Never throws: a properties object it cannot read yields no findings.
 */
export function checkPipelineProperties(properties: unknown, env: CheckEnv = {}): RawFinding[] {
  const findings: RawFinding[] = [];
  if (!isObject(properties)) return findings;
  const stages = readStages(properties);
  const emit: Emit = (ruleId, message, location, where = {}) => {
    findings.push({ ruleId, message, location, stageName: where.stageName, actionName: where.actionName });
  };
  const ctx: Context = { props: properties, stages: stages ?? [], actions: (stages ?? []).flatMap((s) => s.actions), env, emit };
  for (const check of CHECKS) {
    if (!stages && check !== checkStores && check !== checkV2 && check !== checkTriggers) continue;
    check(ctx);
  }
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  return findings.sort((x, y) => order.get(x.ruleId)! - order.get(y.ruleId)!);
}

/** The text of one finding: `stage 'Deploy' action 'Deploy': <message>`. */
export function findingText(f: RawFinding): string {
  const where = [f.stageName !== undefined ? `stage '${f.stageName}'` : undefined, f.actionName !== undefined ? `action '${f.actionName}'` : undefined]
    .filter((x) => x !== undefined).join(' ');
  return where ? `${where}: ${f.message}` : f.message;
}
