/**
 * The pipeline model the rules read: stages and actions of one `AWS::CodePipeline::Pipeline`
 * `Properties`, with what is literal read out and what is an intrinsic left unknown, and the
 * `RuleFamily` contract every file under `rules/` implements.
 */
import { allKnown, isObject, list, str } from './template-reader';
import { PipelineCheckEnvironment, PipelineRule } from '../pipeline-rule';

export interface ArtifactRef {
  readonly name: unknown;
  readonly location: string;
}

export interface ActionModel {
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

export interface StageModel {
  readonly raw: { [key: string]: any };
  readonly index: number;
  readonly name?: string;
  /** The known actions; `actionsKnown` false when the list (or an element) is an intrinsic. */
  readonly actions: ActionModel[];
  readonly actionsKnown: boolean;
  readonly actionCount?: number;
  readonly location: string;
}

/** Where a finding is: the stage and action it is about. */
export interface FindingPlace {
  readonly stageName?: string;
  readonly actionName?: string;
}

export type Emit = (ruleId: string, message: string, location: string, at?: FindingPlace) => void;

/** What a rule family's check reads, and how it reports. */
export interface Context {
  readonly props: { [key: string]: any };
  /** Whether `Stages` is a literal list; when not, `stages` is empty and stage rules skip. */
  readonly stagesListed: boolean;
  readonly stages: StageModel[];
  readonly actions: ActionModel[];
  readonly env: PipelineCheckEnvironment;
  readonly emit: Emit;
}

/** One family of rules (the cdk-nag way): the rules it reports, beside the check that reports them. */
export interface RuleFamily {
  readonly rules: PipelineRule[];
  check(ctx: Context): void;
}

export const CONDITION_KINDS = ['BeforeEntry', 'OnSuccess', 'OnFailure'];

function artifactRefs(value: unknown, location: string): ArtifactRef[] | undefined {
  if (value === undefined) return [];
  const items = list(value);
  if (!items || !allKnown(items)) return undefined;
  return items.map((item, i) => ({ name: isObject(item) ? item.Name : undefined, location: `${location}/${i}` }));
}

/** The stages of a pipeline's `Properties`; undefined when `Stages` is not a literal list. */
export function readStages(props: { [key: string]: any }): StageModel[] | undefined {
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

/** The stage and action of an action's findings. */
export function at(action: ActionModel): FindingPlace {
  return { stageName: action.stageName, actionName: action.name };
}

/** Every literal condition of a stage's BeforeEntry, OnSuccess and OnFailure. */
export function forEachCondition(stage: StageModel, fn: (condition: { [key: string]: any }, location: string, kind: string) => void) {
  for (const kind of CONDITION_KINDS) {
    const block = stage.raw[kind];
    if (!isObject(block)) continue;
    (list(block.Conditions) ?? []).forEach((c, ci) => {
      if (isObject(c)) fn(c, `${stage.location}/${kind}/Conditions/${ci}`, kind);
    });
  }
}
