import { CfnCapabilities, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { CdkStackDeployment, CdkStageDeployment } from '../../cdk/stage-deployment';
import { fail } from '../../private/errors';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { CloudFormationActions } from '../private/cloudformation-actions';
import { TargetKind } from '../private/target-kind';

/** Options of `DeployTarget.cdkStage`. */
export interface CdkStageTargetOptions {
  /**
   * Name of the artifact holding the app's cloud assembly (the output of `BuildStep.cdkSynth`).
   *
   * @default - the pipeline's default input (the primary build output)
   */
  readonly assembly?: string;

  /**
   * Deploy each stack through a change set (create, then execute). Otherwise one
   * create/update action per stack.
   *
   * @default true
   */
  readonly changeSet?: boolean;
}

/** The name of the change sets the actions create and execute. */
export const CDK_CHANGE_SET_NAME = 'PipelineChange';

/**
 * The bootstrap role of `arn`, imported once per scope: immutable (this stack cannot add to a
 * role of another account), grants on the artifact bucket and key go to their resource policies.
 */
export function importBootstrapRole(scope: Construct, arn: string, kind: string, stack: CdkStackDeployment): iam.IRole {
  const id = `CdkBootstrap-${kind}-${stack.account}-${stack.region}-${(arn.split('/').pop() ?? '').replace(/[^A-Za-z0-9-]/g, '')}`;
  const existing = scope.node.tryFindChild(id) as iam.IRole | undefined;
  return existing ?? iam.Role.fromRoleArn(scope, id, arn, { mutable: false, addGrantsToResources: true });
}

/** Placement of one stack's actions: runOrder of its first action, from the stage's base runOrder. */
export function stackRunOrder(base: number, stack: CdkStackDeployment, changeSet: boolean): number {
  return base + (changeSet ? 2 : 1) * (stack.runOrder - 1);
}

/** The CloudFormation actions of one stack of a CDK stage, with the stack's bootstrap roles. */
export function cdkStackActions(scope: Construct, stack: CdkStackDeployment, templates: codepipeline.Artifact): CloudFormationActions {
  if (!stack.executionRoleArn) {
    fail(scope, `stack '${stack.stackName}' names no CloudFormation execution role; use DefaultStackSynthesizer (the default) so CloudFormation deploys with the bootstrap execution role.`);
  }
  const here = Stack.of(scope);
  return new CloudFormationActions({
    stackName: stack.stackName,
    templatePath: templates.atPath(stack.templatePath),
    templateConfiguration: stack.templateConfigurationPath ? templates.atPath(stack.templateConfigurationPath) : undefined,
    capabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
    role: importBootstrapRole(scope, stack.deployRoleArn, 'deploy', stack),
    executionRole: importBootstrapRole(scope, stack.executionRoleArn, 'cfn-exec', stack),
    account: stack.account !== here.account ? stack.account : undefined,
    region: stack.region !== here.region ? stack.region : undefined,
  });
}

/** The actions of `DeployTarget.cdkStage`: every stack of the stage, in dependency order. */
export class CdkStageTarget implements TargetKind {
  /** The descriptions of the stage, per pipeline environment (`account/region`). */
  private readonly described = new Map<string, CdkStageDeployment>();
  private latest?: CdkStageDeployment;

  constructor(public readonly stage: Stage, private readonly options: CdkStageTargetOptions = {}) {}

  /**
   * The stage, synthesized and described for the pipeline in `scope`'s stack when a pipeline plans
   * with this target (frozen from then on: stacks added to the stage after
   * `DeployTarget.cdkStage(stage)` and before the pipeline is defined are deployed too). Stacks
   * without an account or region deploy to the pipeline's, as in CDK Pipelines.
   */
  public describe(scope: IConstruct): CdkStageDeployment {
    const env = pipelineEnv(scope);
    const key = `${env.account}/${env.region}`;
    let deployment = this.described.get(key);
    if (!deployment) {
      deployment = CdkStageDeployment.fromStage(this.stage, env);
      this.described.set(key, deployment);
    }
    this.latest = deployment;
    return deployment;
  }

  /** The stage as the pipeline being defined described it (`describe`); without one, for no pipeline (every stack needs an env). */
  public get deployment(): CdkStageDeployment {
    this.latest ??= CdkStageDeployment.fromStage(this.stage);
    return this.latest;
  }

  /** Accounts the stage's stacks deploy to. */
  public get accounts(): string[] {
    return [...new Set(this.deployment.stacks.map((s) => s.account))];
  }

  public get account(): string | undefined {
    return this.accounts[0];
  }

  /** The artifact holding the cloud assembly, for the pipeline's asset publishing. */
  public assembly(scope: Construct, options: DeployTargetBindOptions): codepipeline.Artifact {
    return new Binder(scope, options, this.deployment.stageName).artifact(this.options.assembly, 'assembly');
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const changeSet = this.options.changeSet ?? true;
    const templates = this.assembly(scope, options);
    const out: codepipeline.IAction[] = [];
    let last = options.runOrder;
    for (const stack of this.describe(scope).stacks) {
      const runOrder = stackRunOrder(options.runOrder, stack, changeSet);
      const names = changeSet ? [`${stack.stackName}-Prepare`, `${stack.stackName}-Execute`] : [stack.stackName];
      for (const name of names) new Binder(scope, options, name);
      const cfn = cdkStackActions(scope, stack, templates);
      if (changeSet) {
        out.push(...cfn.changeSet({ prepareName: names[0], executeName: names[1], changeSetName: CDK_CHANGE_SET_NAME, runOrder }));
        last = Math.max(last, runOrder + 1);
      } else {
        out.push(cfn.createUpdate({ actionName: names[0], runOrder }));
        last = Math.max(last, runOrder);
      }
    }
    return { actions: out, lastRunOrder: last };
  }
}

/** The pipeline stack's env, with its account and region when concrete (env-agnostic CDK stacks deploy there). */
export function pipelineEnv(scope: IConstruct): { account?: string; region?: string } {
  const stack = Stack.of(scope);
  return {
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
  };
}
