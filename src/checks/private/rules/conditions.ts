/** Stage condition rules: one condition per gate, 1 to 5 rules, where rollback is available. */
import { MAX_RULES_PER_CONDITION } from '../../../private/quotas';
import { CONDITION_KINDS, Context, RuleFamily, forEachCondition } from '../pipeline-model';
import { allKnown, isIntrinsic, isObject, list } from '../template-reader';

export const CONDITION_RULES: RuleFamily = {
  rules: [
    { id: 'CDP-CONDITION-COUNT', description: 'BeforeEntry, OnSuccess and OnFailure hold exactly one condition.', fix: 'Put all rules of the gate into one condition (up to 5 rules).' },
    { id: 'CDP-CONDITION-RULES', description: 'A stage condition has 1 to 5 rules.', fix: 'Give each condition at least one rule and at most five.' },
    {
      id: 'CDP-ROLLBACK',
      description: 'Stage rollback is not available for the source stage or in PARALLEL execution mode.',
      fix: 'Remove the ROLLBACK result from the source stage, or use QUEUED or SUPERSEDED execution mode.',
    },
  ],
  check: checkConditions,
};

function checkConditions({ props, stagesListed, stages, emit }: Context) {
  if (!stagesListed) return;
  for (const stage of stages) {
    for (const kind of CONDITION_KINDS) {
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
