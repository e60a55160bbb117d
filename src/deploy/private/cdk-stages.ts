import type { CdkStageTarget } from '../targets/cdk-stage-target';

/** The CDK stage behind a `DeployTarget.cdkStage` target (pipelines collect them for asset publishing and self-update). */
export const CDK_STAGE_TARGETS = new WeakMap<object, CdkStageTarget>();
