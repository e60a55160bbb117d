import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CdkAssetPublishing } from '../../cdk/asset-publishing';
import { CdkSelfUpdate } from '../../cdk/self-update';
import { CdkStageDeployment } from '../../cdk/stage-deployment';
import type { DeployTargetBindOptions } from '../../deploy/deploy-target';
import type { CdkStageTarget } from '../../deploy/targets/cdk-stage-target';
import { fail } from '../../private/errors';

/** CodePipeline's quota of actions per stage. */
export const MAX_STAGE_ACTIONS = 50;

/** What `wireCdkStages` needs from a pipeline. */
export interface CdkWiringProps {
  readonly pipeline: codepipeline.Pipeline;
  readonly artifactBucket: s3.IBucket;
  /** The `DeployTarget.cdkStage` targets of the pipeline, in stage order. */
  readonly cdkTargets?: CdkStageTarget[];
  /** CDK stages deployed otherwise (the cross-region waves). */
  readonly deployments?: CdkStageDeployment[];
  /** How the CDK targets find the cloud assembly artifact. */
  readonly bindOptions?: DeployTargetBindOptions;
  /** The cloud assembly, when known (else from the CDK targets, else `bindOptions.defaultInput`). */
  readonly assembly?: codepipeline.Artifact;
  /** The stage the UpdatePipeline and Assets stages go right before. */
  readonly beforeStageName: string;
  readonly selfUpdate: boolean;
  readonly errorPrefix: string;
}

/** What was defined. */
export interface CdkWiring {
  readonly publishing?: CdkAssetPublishing;
  readonly selfUpdate?: CdkSelfUpdate;
}

/**
 * Once the deploy stages are in the pipeline: one 'UpdatePipeline' stage (opt-in) and the
 * 'Assets' stage(s), right before the first deployment. All CDK stages' assets of one environment
 * are published by ONE action; above 50 environments the Assets stage is split ('Assets', 'Assets2', ...).
 */
export function wireCdkStages(scope: Construct, props: CdkWiringProps): CdkWiring {
  const kinds = props.cdkTargets ?? [];
  const deployments = [...kinds.map((k) => k.describe(scope)), ...props.deployments ?? []];
  if (deployments.length === 0 && !props.selfUpdate) return {};

  let assembly = props.assembly;
  if (!assembly && props.bindOptions) {
    const found = [...new Set(kinds.map((k) => k.assembly(scope, props.bindOptions!)))];
    if (found.length > 1) {
      fail(props.errorPrefix, `the CDK stages read different cloud assembly artifacts (${found.map((a) => `'${a.artifactName}'`).join(', ')}); deploy every CDK stage from the one artifact BuildStep.cdkSynth outputs.`);
    }
    assembly = found[0] ?? props.bindOptions.defaultInput;
  }
  if (!assembly) fail(props.errorPrefix, 'no cloud assembly artifact for the CDK stages; use BuildStep.cdkSynth() as the build step.');

  const before = props.pipeline.stages.find((s) => s.stageName === props.beforeStageName);
  if (!before) fail(props.errorPrefix, `stage '${props.beforeStageName}' is not in the pipeline; the CDK asset stage goes before it.`);
  for (const name of ['UpdatePipeline', 'Assets']) {
    if (props.pipeline.stages.some((s) => s.stageName === name)) {
      fail(props.errorPrefix, `a stage is named '${name}', the name of the stage the pipeline adds for CDK stages; rename that stage.`);
    }
  }

  let selfUpdate: CdkSelfUpdate | undefined;
  if (props.selfUpdate) {
    const stack = Stack.of(scope);
    const supportRegions = Object.keys(props.pipeline.crossRegionSupport).filter((r) => r !== stack.region).sort();
    selfUpdate = new CdkSelfUpdate(scope, 'SelfUpdate', { pipelineStack: stack, artifactBucket: props.artifactBucket, supportRegions });
    props.pipeline.addStage({ stageName: 'UpdatePipeline', actions: [selfUpdate.action({ input: assembly })], placement: { rightBefore: before } });
  }

  let publishing: CdkAssetPublishing | undefined;
  const withAssets = deployments.filter((d) => d.assetEnvironments.length > 0);
  if (withAssets.length > 0) {
    publishing = new CdkAssetPublishing(scope, 'Assets', { stages: withAssets, artifactBucket: props.artifactBucket });
    const actions = publishing.actions({ input: assembly });
    for (let i = 0; i * MAX_STAGE_ACTIONS < actions.length; i++) {
      props.pipeline.addStage({
        stageName: i === 0 ? 'Assets' : `Assets${i + 1}`,
        actions: actions.slice(i * MAX_STAGE_ACTIONS, (i + 1) * MAX_STAGE_ACTIONS),
        placement: { rightBefore: before },
      });
    }
  }
  return { publishing, selfUpdate };
}
