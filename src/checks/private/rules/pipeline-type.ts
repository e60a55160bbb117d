/** Pipeline type rules: the features that need a V2 pipeline. */
import { CONDITION_KINDS, Context, RuleFamily, at } from '../pipeline-model';
import { isIntrinsic, list } from '../template-reader';

export const PIPELINE_TYPE_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-V2-ONLY',
      description: 'Variables, triggers, QUEUED/PARALLEL execution mode, stage conditions and the Commands action need a V2 pipeline.',
      fix: 'Set PipelineType to V2 (pipelineType: PipelineType.V2), or remove the V2-only feature.',
    },
  ],
  check: checkV2,
};

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
    for (const kind of CONDITION_KINDS) {
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
