/** Change-set review rules: the review sits between the change sets it describes and their execution. */
import { ActionModel, at, Context, RuleFamily } from '../pipeline-model';
import { isObject } from '../template-reader';

export const REVIEW_RULES: RuleFamily = {
  rules: [{
    id: 'CDP-REVIEW-ORDER',
    description: 'A change-set review runs after the change sets it names are created, and they are executed only after it and after the approval that shows it.',
    fix: 'Create the change sets (CHANGE_SET_REPLACE) at a lower runOrder or an earlier stage than the review action; execute them (CHANGE_SET_EXECUTE) after the approval that reads the review\'s variables.',
  }],
  check: checkReviews,
};

interface NamedChangeSet { readonly stackName: string; readonly changeSetName: string; readonly region?: string }

/**
 * The change sets a Lambda invoke action reviews: its UserParameters JSON (a string, or an
 * `Fn::Join` of strings and references that sit inside JSON strings) with a `changeSets` list, or with
 * `changeSetStages` (the CHANGE_SET_REPLACE actions of those stages, which the review finds in the
 * pipeline when it runs). `missing`: the named stages that do not exist or hold no change-set action.
 */
function reviewedChangeSets(action: ActionModel, actions: ActionModel[]): { changeSets: NamedChangeSet[]; missing: string[] } | undefined {
  if (action.provider !== 'Lambda' || !isObject(action.raw.Configuration)) return undefined;
  const value = action.raw.Configuration.UserParameters;
  let text: string | undefined;
  if (typeof value === 'string') {
    text = value;
  } else if (isObject(value) && Array.isArray(value['Fn::Join']) && value['Fn::Join'][0] === '' && Array.isArray(value['Fn::Join'][1])) {
    text = value['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '_')).join('');
  }
  if (text === undefined) return undefined;
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || typeof parsed.policy !== 'string') return undefined;
  if (Array.isArray(parsed.changeSetStages)) {
    const stages: string[] = parsed.changeSetStages.filter((x: unknown) => typeof x === 'string');
    const creates = (stage: string) => actions.filter((a) => a.stageName === stage && a.provider === 'CloudFormation' && isObject(a.raw.Configuration)
      && a.raw.Configuration.ActionMode === 'CHANGE_SET_REPLACE' && typeof a.raw.Configuration.StackName === 'string'
      && typeof a.raw.Configuration.ChangeSetName === 'string');
    return {
      missing: stages.filter((st) => creates(st).length === 0),
      changeSets: stages.flatMap(creates).map((a) => ({
        stackName: a.raw.Configuration.StackName, changeSetName: a.raw.Configuration.ChangeSetName, region: a.region,
      })),
    };
  }
  if (!Array.isArray(parsed.changeSets)) return undefined;
  return { missing: [], changeSets: parsed.changeSets.filter((c: any) => isObject(c) && typeof c.stackName === 'string' && typeof c.changeSetName === 'string') };
}

/** Whether `a` runs before `b` (an earlier stage, or a lower runOrder in the same stage). */
function before(a: ActionModel, b: ActionModel): boolean {
  if (a.stageIndex !== b.stageIndex) return a.stageIndex < b.stageIndex;
  return a.runOrder !== undefined && b.runOrder !== undefined && a.runOrder < b.runOrder;
}

function checkReviews({ actions, emit }: Context) {
  for (const review of actions) {
    const reviewed = reviewedChangeSets(review, actions);
    if (!reviewed) continue;
    const { changeSets, missing } = reviewed;
    for (const stage of missing) {
      emit('CDP-REVIEW-ORDER', `reviews the change sets of stage '${stage}', which holds no CHANGE_SET_REPLACE action (or does not exist)`, review.location, at(review));
    }
    const namespace = typeof review.raw.Namespace === 'string' ? review.raw.Namespace : undefined;
    const approvals = namespace === undefined ? [] : actions.filter((a) => a.provider === 'Manual'
      && JSON.stringify(a.raw.Configuration ?? {}).includes(`#{${namespace}.`));
    for (const cs of changeSets) {
      const same = (a: ActionModel, mode: string) => a.provider === 'CloudFormation' && isObject(a.raw.Configuration)
        && a.raw.Configuration.ActionMode === mode && a.raw.Configuration.StackName === cs.stackName
        && a.raw.Configuration.ChangeSetName === cs.changeSetName
        && (a.region === undefined || cs.region === undefined || a.region === cs.region);
      const name = `change set '${cs.changeSetName}' of stack '${cs.stackName}'${cs.region ? ` in ${cs.region}` : ''}`;
      const creates = actions.filter((a) => same(a, 'CHANGE_SET_REPLACE'));
      if (creates.length === 0) {
        emit('CDP-REVIEW-ORDER', `reviews ${name}, which no CHANGE_SET_REPLACE action of the pipeline creates`, review.location, at(review));
      }
      for (const create of creates.filter((c) => !before(c, review))) {
        emit('CDP-REVIEW-ORDER', `reviews ${name} before (or beside) '${create.name}' in stage '${create.stageName}' creates it`, review.location, at(review));
      }
      // The executions of this creation: an execution before every creation of the name belongs to an earlier
      // deployment of the same stack (e.g. an earlier wave's), not to the reviewed change set.
      const earlier = creates.filter((c) => before(c, review));
      const lastStage = Math.max(...earlier.map((c) => c.stageIndex));
      const reviewedCreates = earlier.filter((c) => c.stageIndex === lastStage);
      for (const execute of actions.filter((a) => same(a, 'CHANGE_SET_EXECUTE') && (reviewedCreates.length === 0 || reviewedCreates.some((c) => before(c, a))))) {
        const early = [review, ...approvals].find((gate) => !before(gate, execute));
        if (early) {
          emit('CDP-REVIEW-ORDER', `'${execute.name}' in stage '${execute.stageName}' executes ${name} before (or beside) '${early.name}' in stage '${early.stageName}', which reviews or approves it`,
            execute.location, at(execute));
        }
      }
    }
  }
}
