/** Action rules: actions per stage, runOrder, and the action type. */
import { MAX_ACTIONS_PER_STAGE, MAX_RUN_ORDER } from '../../../private/quotas';
import { Context, RuleFamily, at } from '../pipeline-model';
import { isIntrinsic, isObject } from '../template-reader';

const ACTION_CATEGORIES = ['Source', 'Build', 'Deploy', 'Test', 'Invoke', 'Approval', 'Compute'];
const ACTION_OWNERS = ['AWS', 'ThirdParty', 'Custom'];
const PROVIDER_PATTERN = /^[0-9A-Za-z_-]{1,35}$/;
const VERSION_PATTERN = /^[0-9A-Za-z_-]{1,9}$/;

export const ACTION_RULES: RuleFamily = {
  rules: [
    { id: 'CDP-STAGE-ACTIONS', description: 'A stage has 1 to 50 actions.', fix: 'Split a stage with more than 50 actions into several stages; remove empty stages.' },
    { id: 'CDP-RUN-ORDER', description: 'An action runOrder is an integer from 1 to 999.', fix: 'Use runOrder 1..999 (equal values run in parallel, higher values later).' },
    {
      id: 'CDP-ACTION-TYPE',
      description: 'An action type has a valid category, owner, provider and version.',
      fix: 'Use category Source|Build|Deploy|Test|Invoke|Approval|Compute, owner AWS|ThirdParty|Custom, provider and version of letters, digits, "-" and "_".',
    },
  ],
  check: checkActions,
};

function checkActions({ stagesListed, stages, actions, emit }: Context) {
  if (!stagesListed) return;
  for (const stage of stages) {
    if (stage.actionCount !== undefined && (stage.actionCount < 1 || stage.actionCount > MAX_ACTIONS_PER_STAGE)) {
      emit('CDP-STAGE-ACTIONS', `has ${stage.actionCount} action(s); a stage holds 1 to ${MAX_ACTIONS_PER_STAGE}`, `${stage.location}/Actions`, { stageName: stage.name });
    }
  }
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
  for (const action of actions) {
    const ro = action.raw.RunOrder;
    if (ro === undefined || isIntrinsic(ro)) continue;
    if (typeof ro !== 'number' || !Number.isInteger(ro) || ro < 1 || ro > MAX_RUN_ORDER) {
      emit('CDP-RUN-ORDER', `runOrder ${JSON.stringify(ro)} is outside 1..${MAX_RUN_ORDER}`, `${action.location}/RunOrder`, at(action));
    }
  }
}
