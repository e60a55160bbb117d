import * as fs from 'fs';
import * as path from 'path';
import { App, CfnCapabilities, CfnOutput, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { CdkStackDeployment, CdkStageDeployment } from '../../cdk/stage-deployment';
import { fail } from '../../private/errors';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { CloudFormationActions } from '../private/cloudformation-actions';
import { OutputRequest, OutputRequests } from '../private/stack-outputs';
import { TargetKind } from '../private/target-kind';
import type { StackOutputOptions } from '../stack-outputs';

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
  private readonly outputs: OutputRequests;

  constructor(public readonly stage: Stage, private readonly options: CdkStageTargetOptions = {}) {
    this.outputs = new OutputRequests(this.me);
  }

  private get me(): string {
    return `DeployTarget.cdkStage('${this.stage.stageName}')`;
  }

  public output(outputName: string, options: StackOutputOptions): string {
    if (options.stack) this.checkOwnStack(options.stack, `output('${outputName}')`);
    return this.outputs.add(() => outputName, options.stack);
  }

  public outputOf(cfnOutput: CfnOutput): string {
    const stack = Stack.of(cfnOutput);
    this.checkOwnStack(stack, `outputOf(<CfnOutput '${cfnOutput.node.path}'>)`);
    return this.outputs.add(() => stack.resolve(cfnOutput.logicalId), stack);
  }

  /** The stack must be a (top-level) stack of this stage: its outputs are what the stage's actions deploy. */
  private checkOwnStack(stack: Stack, call: string): void {
    if (stack.nested) {
      fail(this.me, `${call} reads stack '${stack.node.path}', a nested stack, whose outputs are not stack outputs of the deployment; `
        + 'pass its parent stack and an output the parent defines from the nested stack\'s.');
    }
    if (Stage.of(stack) !== this.stage) {
      fail(this.me, `${call} reads stack '${stack.node.path}', which is not in stage '${this.stage.node.path}'; pass a stack defined in the stage this target deploys.`);
    }
  }

  /** The namespace of each stack whose outputs are read, by artifact id (checking the names against the templates). */
  private outputNamespaces(scope: Construct, stageName: string): Map<string, string> {
    const byStack = new Map<CdkStackDeployment, OutputRequest[]>();
    for (const request of this.outputs.all) {
      const stack = this.requestedStack(scope, stageName, request);
      byStack.set(stack, [...byStack.get(stack) ?? [], request]);
    }
    const namespaces = new Map<string, string>();
    for (const [stack, requests] of byStack) {
      namespaces.set(stack.artifactId, this.outputs.bind(requests, {
        pipeline: scope, stageName, base: stack.stackName, stackLabel: `stack '${stack.stackName}'`, known: this.outputNamesOf(stack),
      }));
    }
    return namespaces;
  }

  private requestedStack(scope: Construct, stageName: string, request: OutputRequest): CdkStackDeployment {
    const stacks = this.deployment.stacks;
    if (request.stack) {
      const found = stacks.find((s) => s.artifactId === request.stack!.artifactId);
      if (!found) fail(scope, `stage '${stageName}': ${this.me} reads an output of stack '${request.stack.node.path}', which the stage does not deploy; pass one of its stacks.`);
      return found;
    }
    if (stacks.length === 1) return stacks[0];
    const name = request.name();
    const having = stacks.filter((s) => this.outputNamesOf(s).includes(name)).map((s) => `'${s.stackName}'`);
    return fail(scope, `stage '${stageName}': ${this.me} deploys ${stacks.length} stacks (${stacks.map((s) => s.stackName).join(', ')}), so output('${name}') must say which: `
      + `pass the stack, target.output('${name}', { stack }), or target.outputOf(cfnOutput) (${having.length > 0 ? `'${name}' is an output of ${having.join(', ')}` : `no stack has an output '${name}'`}).`);
  }

  /** The logical ids in the `Outputs` of the stack's synthesized template. */
  private outputNamesOf(stack: CdkStackDeployment): string[] {
    const root = this.stage.node.root as App;
    const template = JSON.parse(fs.readFileSync(path.join(root.outdir, stack.templatePath), 'utf-8'));
    return Object.keys(template.Outputs ?? {});
  }

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
    // The stage as this pipeline sees it (env-agnostic stacks in the pipeline's environment), before anything reads it.
    const deployment = this.describe(scope);
    if (options.reviewRunOrder !== undefined) return this.bindReviewed(scope, options, options.reviewRunOrder);
    const changeSet = this.options.changeSet ?? true;
    const templates = this.assembly(scope, options);
    const namespaces = this.outputNamespaces(scope, options.stageName);
    const out: codepipeline.IAction[] = [];
    let last = options.runOrder;
    for (const stack of deployment.stacks) {
      const runOrder = stackRunOrder(options.runOrder, stack, changeSet);
      const names = changeSet ? [`${stack.stackName}-Prepare`, `${stack.stackName}-Execute`] : [stack.stackName];
      for (const name of names) new Binder(scope, options, name);
      const cfn = cdkStackActions(scope, stack, templates);
      // The stack's outputs are variables of the action that deploys it (the execution), when read.
      const variablesNamespace = namespaces.get(stack.artifactId);
      if (changeSet) {
        const [prepareName, executeName] = names;
        out.push(...cfn.changeSet({ prepareName, executeName, changeSetName: CDK_CHANGE_SET_NAME, runOrder, variablesNamespace }));
        last = Math.max(last, runOrder + 1);
      } else {
        out.push(cfn.createUpdate({ actionName: names[0], runOrder, variablesNamespace }));
        last = Math.max(last, runOrder);
      }
    }
    return { actions: out, lastRunOrder: last };
  }

  /**
   * In a stage that reviews its change sets: every stack's change set created at `reviewRunOrder`
   * (before the approval, all at once), executed from `runOrder` on in dependency order (after it).
   */
  private bindReviewed(scope: Construct, options: DeployTargetBindOptions, reviewRunOrder: number): DeployTargetBinding {
    if (this.options.changeSet === false) {
      fail(scope, `stage '${options.stageName}': DeployTarget.cdkStage('${this.deployment.stageName}') has changeSet: false in a stage that reviews change sets `
        + '(reviewChangeSets); the approver reviews the change sets: leave changeSet out (or true), or move the stage to a deploy stage without reviewChangeSets.');
    }
    const deployment = this.describe(scope);
    const templates = this.assembly(scope, options);
    const namespaces = this.outputNamespaces(scope, options.stageName);
    const out: codepipeline.IAction[] = [];
    let last = options.runOrder;
    for (const stack of deployment.stacks) {
      const names = [`${stack.stackName}-Prepare`, `${stack.stackName}-Execute`];
      for (const name of names) new Binder(scope, options, name);
      const executeRunOrder = stackRunOrder(options.runOrder, stack, false);
      const cfn = cdkStackActions(scope, stack, templates);
      out.push(...cfn.changeSet({
        prepareName: names[0],
        executeName: names[1],
        changeSetName: CDK_CHANGE_SET_NAME,
        runOrder: reviewRunOrder,
        executeRunOrder,
        // The stack's outputs are variables of the execution (after the approval), when read.
        variablesNamespace: namespaces.get(stack.artifactId),
      }));
      last = Math.max(last, executeRunOrder);
    }
    return {
      actions: out,
      lastRunOrder: last,
      reviewActions: deployment.stacks.map((s) => `${s.stackName}-Prepare`),
      changeSets: deployment.stacks.map((s) => ({
        stackName: s.stackName, changeSetName: CDK_CHANGE_SET_NAME, account: s.account, region: s.region,
      })),
    };
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
