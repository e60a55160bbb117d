/** Name rules: pipeline, stage, action, condition rule, artifact, namespace and pipeline variable names. */
import { ARTIFACT_NAME, CODEPIPELINE_NAME, VARIABLE_NAME, VARIABLE_NAMESPACE } from '../../../private/names';
import { Context, FindingPlace, RuleFamily, at, forEachCondition } from '../pipeline-model';
import { isIntrinsic, isObject, list } from '../template-reader';

export const NAME_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-NAME-PATTERN',
      description: 'Pipeline, stage, action and condition rule names match ^[A-Za-z0-9.@_-]{1,100}$.',
      fix: 'Use only letters, digits, ".", "@", "-" and "_", at most 100 characters.',
    },
    { id: 'CDP-ARTIFACT-NAME-PATTERN', description: 'Artifact names match ^[A-Za-z0-9_-]{1,100}$.', fix: 'Use only letters, digits, "-" and "_" in artifact names, at most 100 characters.' },
    { id: 'CDP-NAMESPACE-PATTERN', description: 'Variable namespaces match ^[A-Za-z0-9@_-]{1,100}$.', fix: 'Use only letters, digits, "@", "-" and "_" in the namespace, at most 100 characters.' },
    { id: 'CDP-VARIABLES', description: 'Pipeline variable names match ^[A-Za-z0-9@_-]{1,128}$ and are unique.', fix: 'Rename the variable; declare each variable once.' },
  ],
  check: checkNames,
};

function checkNames({ props, stagesListed, stages, actions, emit }: Context) {
  if (!stagesListed) return;
  const name = (what: string, value: unknown, location: string, where: FindingPlace = {}) => {
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
