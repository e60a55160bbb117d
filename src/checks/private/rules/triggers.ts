/** V2 trigger rules: filter counts and patterns, and the source action a trigger names. */
import { MAX_TRIGGER_FILTERS, MAX_TRIGGER_PATTERNS } from '../../../private/quotas';
import { Context, RuleFamily } from '../pipeline-model';
import { isObject, list } from '../template-reader';

export const TRIGGER_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-TRIGGER-FILTERS',
      description: 'A trigger has push and/or pull-request filters: at most 3 of each, at most 8 patterns per include/exclude list, with branches or tags.',
      fix: 'Merge filters (3 push and 3 pull-request filters at most), keep each pattern list to 8 entries, and give every filter its branches (or tags for push).',
    },
    {
      id: 'CDP-TRIGGER-SOURCE',
      description: 'A trigger names a CodeStarSourceConnection source action of the pipeline, one trigger per source action.',
      fix: 'Point SourceActionName at a CodeStarSourceConnection action in the first stage, and declare one trigger per source action.',
    },
  ],
  check: checkTriggers,
};

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
