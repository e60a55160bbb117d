import { IConstruct } from 'constructs';
import { CrossRegionCfnPipelineProps } from './props';
import { checkRegion } from './validate';
import { guardLateChanges } from '../../cdk/private/late-changes';
import { CdkStackDeployment, CdkStageDeployment } from '../../cdk/stage-deployment';
import { pipelineEnv } from '../../deploy/targets/cdk-stage-target';
import { fail, where } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import { CdkStageRules } from '../private/cdk-stage-rules';

/** One stack of a CDK stage in a wave, as planned. */
export interface CdkStackPlan {
  /** Name of the CDK stage holding the stack. */
  readonly stageName: string;
  readonly stack: CdkStackDeployment;
  /** Name of the stack's actions in the wave's stages: the stack name (with region and account when two stacks of the wave share it). */
  readonly actionName: string;
  /** Position in the wave's deployment order: the stack's runOrder in its stage (1 deploys first). */
  readonly level: number;
}

/** The CDK stages of a pipeline whose waves deploy `cdkStages`. */
export interface CdkWavesPlan {
  /** Every CDK stage, described (synthesized), in wave order. */
  readonly deployments: CdkStageDeployment[];
  /** The stacks of each wave (in wave order), by level, then in stage order. */
  readonly waves: CdkStackPlan[][];
  /** Accounts and regions the stacks deploy to. */
  readonly accounts: string[];
  readonly regions: string[];
}

/** Whether the waves deploy CDK stages (a wave has `cdkStages`). */
export function deploysCdkStages(props: CrossRegionCfnPipelineProps): boolean {
  return props.waves.some((w) => w.cdkStages !== undefined);
}

/**
 * The mixing rules of CDK waves: every wave has `cdkStages` (no `targets`), and the props that
 * only template targets use are refused with what to do instead.
 */
export function checkCdkProps(scope: IConstruct, props: CrossRegionCfnPipelineProps): void {
  const templateWave = props.waves.find((w) => w.targets !== undefined);
  const cdkWave = props.waves.find((w) => w.cdkStages !== undefined)!;
  if (templateWave === cdkWave) {
    fail(scope, `wave '${cdkWave.waveName}' has both targets and cdkStages; a wave deploys either the build's templates (targets) or CDK stages (cdkStages): ` +
      'remove targets (CfnInclude puts an existing template into a CDK stage).');
  }
  if (templateWave) {
    fail(scope, `wave '${templateWave.waveName}' has targets but wave '${cdkWave.waveName}' has cdkStages; a pipeline deploys either the build's templates or CDK stages ` +
      'from its cloud assembly: give every wave cdkStages (CfnInclude puts an existing template into a CDK stage), or use two pipelines.');
  }
  const refused: Array<[keyof CrossRegionCfnPipelineProps, string]> = [
    ['testStack', 'deploys a template of the build; deploy a test stage as the first wave instead (cdkStages: [testStage]), with post-deployment checks in its gate'],
    ['stackName', 'names the stack of template targets; the stacks of CDK stages have their own names (Stack stackName)'],
    ['templatePath', 'locates the templates of targets; the cloud assembly locates the templates of CDK stacks'],
    ['executionPolicy', 'is the policy of the execution roles of template targets; CDK stacks deploy with the bootstrap CloudFormation execution role of their environment (cdk bootstrap --cloudformation-execution-policies)'],
    ['allowEmptyExecutionPolicy', 'allows empty execution roles of template targets; CDK stacks deploy with the bootstrap CloudFormation execution role of their environment'],
    ['executionManagedPolicies', 'are the policies of the execution roles of template targets; CDK stacks deploy with the bootstrap CloudFormation execution role of their environment (cdk bootstrap --cloudformation-execution-policies)'],
    ['capabilities', 'apply to template targets; CDK stacks deploy with CAPABILITY_NAMED_IAM and CAPABILITY_AUTO_EXPAND, and the bootstrap execution role sets what they may create'],
  ];
  for (const [prop, why] of refused) {
    if (props[prop] !== undefined) fail(scope, `${prop} is set, but the waves deploy CDK stages: ${prop} ${why}; remove ${prop}.`);
  }
  if (props.deployment?.stackSetOptions) {
    fail(scope, 'deployment is CfnDeployment.stackSet(...), which deploys one template, but the waves deploy CDK stages (a change set per stack and environment); remove deployment.');
  }
}

/**
 * Describe every CDK stage of the waves (each is synthesized here) and name and order its stacks.
 * Call after `checkCdkProps`.
 */
export function planCdkWaves(scope: IConstruct, props: CrossRegionCfnPipelineProps): CdkWavesPlan {
  const rules = new CdkStageRules(scope);
  const deployments: CdkStageDeployment[] = [];
  const waves = props.waves.map((wave) => {
    const stages = wave.cdkStages ?? [];
    if (stages.length === 0) {
      fail(scope, `wave '${wave.waveName}' has ${wave.cdkStages ? 'an empty cdkStages list' : 'no cdkStages'}; pass at least one CDK stage, e.g. cdkStages: [prod], or remove the wave.`);
    }
    const stacks: CdkStackPlan[] = [];
    for (const stage of stages) {
      rules.addStage(stage, `wave '${wave.waveName}'`);
      const deployment = CdkStageDeployment.fromStage(stage, pipelineEnv(scope));
      deployments.push(deployment);
      for (const stack of deployment.stacks) {
        checkRegion(scope, stack.region, `stack '${stack.stackName}' of CDK stage '${deployment.stageName}'`);
      }
      rules.addStacks(deployment);
      guardLateChanges(stage, `${where(scope)}, wave '${wave.waveName}' (cdkStages)`);
      for (const stack of deployment.stacks) {
        stacks.push({ stageName: deployment.stageName, stack, actionName: stack.stackName, level: stack.runOrder });
      }
    }
    // By level, then in stage order: splitting at 50 actions keeps every stack after those it depends on.
    const ordered = stacks.map((s, i) => ({ s, i })).sort((a, b) => a.s.level - b.s.level || a.i - b.i).map(({ s }) => s);
    return ordered.map((s) => {
      const shared = ordered.filter((o) => o.stack.stackName === s.stack.stackName).length > 1;
      const actionName = shared ? `${s.stack.stackName}.${s.stack.region}.${s.stack.account}` : s.actionName;
      if (!CODEPIPELINE_NAME.test(actionName)) {
        fail(scope, `stack '${s.stack.stackName}' of CDK stage '${s.stageName}' in wave '${wave.waveName}' names its actions '${actionName}', longer than CodePipeline's 100 characters; ` +
          'give the stack a shorter stackName.');
      }
      return { ...s, actionName };
    });
  });
  const stacks = deployments.flatMap((d) => d.stacks);
  return {
    deployments,
    waves,
    accounts: [...new Set(stacks.map((s) => s.account))],
    regions: [...new Set(stacks.map((s) => s.region))],
  };
}
