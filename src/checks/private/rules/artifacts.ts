/** Artifact rules: unique outputs, inputs produced earlier, per-provider artifact counts, template paths. */
import { ActionModel, Context, RuleFamily, at } from '../pipeline-model';
import { isIntrinsic, isObject, str } from '../template-reader';

export const ARTIFACT_RULES: RuleFamily = {
  rules: [
    { id: 'CDP-ARTIFACT-UNIQUE', description: 'Each output artifact name is produced by exactly one action in the pipeline.', fix: 'Give every output artifact its own name.' },
    {
      id: 'CDP-ARTIFACT-ORDER',
      description: 'Every input artifact is produced by an earlier action: in an earlier stage, or at a lower runOrder in the same stage.',
      fix: 'Move the consuming action after its producer (a later stage, or a higher runOrder in the same stage), or consume an artifact that exists.',
    },
    {
      id: 'CDP-ARTIFACT-COUNT',
      description: 'An action has the number of input and output artifacts its provider allows.',
      fix: 'Match the provider\'s artifact counts (e.g. CodeBuild 1-5 inputs/0-5 outputs, S3 deploy exactly 1 input, manual approval none).',
    },
    {
      id: 'CDP-TEMPLATE-PATH',
      description: 'A TemplatePath or TemplateConfiguration "Artifact::file" names one of the action\'s input artifacts.',
      fix: 'Add the artifact to the action\'s input artifacts, or fix the artifact name before "::".',
    },
  ],
  check(ctx) {
    if (!ctx.stagesListed) return;
    checkProducers(ctx);
    checkArtifactCounts(ctx);
    checkTemplatePaths(ctx);
  },
};

function describeAt(action: ActionModel): string {
  return `stage '${action.stageName ?? action.stageIndex + 1}' action '${action.name ?? '?'}' (runOrder ${action.runOrder ?? '?'})`;
}

function checkProducers({ actions, stages, emit }: Context) {
  const producers = new Map<string, ActionModel>();
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
        emit('CDP-ARTIFACT-UNIQUE', `output artifact '${out.name}' is also produced by ${describeAt(first)}`, `${out.location}/Name`, at(action));
      } else {
        producers.set(out.name, action);
      }
    }
  }
  for (const action of actions) {
    for (const input of action.inputs ?? []) {
      if (typeof input.name !== 'string') continue;
      const p = producers.get(input.name);
      if (!p) {
        if (producersComplete) {
          emit('CDP-ARTIFACT-ORDER', `input artifact '${input.name}' is not produced by any action of the pipeline`, `${input.location}/Name`, at(action));
        }
        continue;
      }
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
