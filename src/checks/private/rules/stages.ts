/** Stage rules: how many stages, where source actions go, unique stage and action names. */
import { MAX_STAGES, MIN_STAGES } from '../../../private/quotas';
import { Context, RuleFamily, at } from '../pipeline-model';

export const STAGE_RULES: RuleFamily = {
  rules: [
    { id: 'CDP-STAGE-COUNT', description: 'A pipeline has 2 to 50 stages.', fix: 'Add a source stage and at least one more stage; merge stages when there are more than 50.' },
    {
      id: 'CDP-SOURCE-FIRST-STAGE',
      description: 'The first stage holds at least one source action, and only source actions.',
      fix: 'Put the source actions (and only them) in the first stage; move build, test and deploy actions to later stages.',
    },
    { id: 'CDP-SOURCE-ONLY-FIRST', description: 'Source actions appear only in the first stage.', fix: 'Move the source action into the first stage.' },
    {
      id: 'CDP-NON-SOURCE-ACTION',
      description: 'A pipeline has at least one action that is not a source action.',
      fix: 'Add a build, test, deploy, invoke or approval action after the source stage.',
    },
    { id: 'CDP-STAGE-NAME-UNIQUE', description: 'Stage names are unique within the pipeline.', fix: 'Rename one of the stages.' },
    { id: 'CDP-ACTION-NAME-UNIQUE', description: 'Action names are unique within their stage.', fix: 'Rename one of the actions.' },
  ],
  check: checkStages,
};

function checkStages({ stagesListed, stages, actions, emit }: Context) {
  if (!stagesListed) return;
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
