import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { TargetKind } from '../private/target-kind';

/** The target of `DeployTarget.action`: the action as is. */
export class ActionTarget implements TargetKind {
  constructor(private readonly action: codepipeline.IAction) {
  }

  public get account(): string | undefined {
    return this.action.actionProperties.account ?? this.action.actionProperties.resource?.env.account;
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    new Binder(scope, options, this.action.actionProperties.actionName);
    const runOrder = this.action.actionProperties.runOrder ?? 1;
    return { actions: [this.action], lastRunOrder: Math.max(runOrder, options.runOrder), outputs: this.action.actionProperties.outputs };
  }
}
