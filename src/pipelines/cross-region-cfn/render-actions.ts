import { CfnCapabilities } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { AccountRoleFactory } from './account-roles';
import { StackSetPlan, StackSetWavePlan, TargetPlan, TestStackPlan, WaveItem } from './plan';
import { CdkStackPlan } from './plan-cdk';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { grantStoreAccess } from '../../artifacts/store-access';
import { CloudFormationActions, deployStackInstancesAction, deployStackSetAction } from '../../deploy/private/cloudformation-actions';
import { acknowledgeStackSetAdministration, stackInstancesOf } from '../../deploy/private/stack-set';
import { cdkStackActions } from '../../deploy/targets/cdk-stage-target';

/** What every CloudFormation action of the pipeline shares. */
export interface CfnActionsProps {
  /** Where the bootstrap roles of CDK stacks are imported. */
  readonly scope: Construct;
  readonly account: string;
  readonly region: string;
  readonly accountRoles: AccountRoleFactory;
  readonly stores: ArtifactStores;
  /** The build output holding the templates. */
  readonly templates: codepipeline.Artifact;
  readonly capabilities: CfnCapabilities[];
}

/**
 * The CloudFormation actions of the cross-region pipeline, built from the plan: change set,
 * execute, create/update and delete per target through the builder both pipelines share
 * (`deploy/private/cloudformation-actions.ts`: never administrator permissions, the execution
 * role passed as `RoleArn`), with the pipeline's
 * action role of the target's account and the execution role granted read access to the
 * artifacts of its region; and the stack set actions.
 */
export class CfnActions {
  constructor(private readonly props: CfnActionsProps) {}

  /** CHANGE_SET_REPLACE in one target, or for one stack of a CDK stage. */
  public createReplaceChangeSet(item: WaveItem, changeSetName: string, runOrder: number): codepipeline.IAction {
    return this.forItem(item).createReplaceChangeSet(item.actionName, changeSetName, runOrder);
  }

  /** CHANGE_SET_EXECUTE in one target, or for one stack of a CDK stage. */
  public executeChangeSet(item: WaveItem, changeSetName: string, runOrder: number): codepipeline.IAction {
    if (isCdkStack(item)) return this.forItem(item).executeChangeSet(item.actionName, changeSetName, runOrder);
    const roles = this.props.accountRoles.forAccount(item.account);
    return new CloudFormationActions({ stackName: item.stackName, region: item.region, role: roles.actionRole })
      .executeChangeSet(item.actionName, changeSetName, runOrder);
  }

  /** CREATE_UPDATE in one target, or for one stack of a CDK stage. */
  public createUpdate(item: WaveItem, runOrder: number): codepipeline.IAction {
    return this.forItem(item).createUpdate({ actionName: item.actionName, runOrder });
  }

  /** The test stack: CREATE_UPDATE writing its outputs to `outputs`, and DELETE_ONLY (unless retained). */
  public testStack(test: TestStackPlan, outputs: codepipeline.Artifact): { deploy: codepipeline.IAction; delete?: codepipeline.IAction } {
    const roles = this.props.accountRoles.forAccount(this.props.account);
    this.grantExecution(roles.executionRole, test.region);
    const cfn = new CloudFormationActions({
      stackName: test.stackName,
      templatePath: this.props.templates.atPath(test.templatePath),
      parameterOverrides: test.parameterOverrides,
      capabilities: this.props.capabilities,
      executionRole: roles.executionRole,
      role: roles.actionRole,
      region: test.region,
    });
    return {
      deploy: cfn.createUpdate({ actionName: 'Deploy', runOrder: 1, outputFileName: 'outputs.json', output: outputs }),
      delete: test.delete ? cfn.deleteStack('Delete', 3) : undefined,
    };
  }

  /**
   * The stack set action of one wave: the first wave deploys the stack set, later waves its
   * instances.
   */
  public stackSet(plan: StackSetPlan, wave: StackSetWavePlan, runOrder: number): codepipeline.IAction {
    const roles = this.props.accountRoles.forAccount(this.props.account);
    const common = {
      role: roles.actionRole,
      stackSetName: plan.stackSetName,
      failureTolerancePercentage: plan.failureTolerancePercentage,
      maxAccountConcurrencyPercentage: plan.maxAccountConcurrencyPercentage,
      runOrder,
      stackInstances: stackInstancesOf(wave.accounts, wave.organizationalUnits, wave.regions),
    };
    if (wave.action === 'StackInstances') {
      return deployStackInstancesAction({ ...common, actionName: 'StackInstances' });
    }
    return deployStackSetAction({
      ...common,
      actionName: 'StackSet',
      template: cpactions.StackSetTemplate.fromArtifactPath(this.props.templates.atPath(plan.templatePath)),
      description: plan.description,
      deploymentModel: plan.deploymentModel,
      parameters: plan.parameters ? cpactions.StackSetParameters.fromLiteral(plan.parameters) : undefined,
      cfnCapabilities: this.props.capabilities,
    });
  }

  /** The self-managed model's administration role: its `iam::*` wildcard acknowledged (see `acknowledgeStackSetAdministration`). */
  public acknowledgeStackSetAdministration(pipeline: IConstruct): void {
    acknowledgeStackSetAdministration(pipeline);
  }

  /**
   * The builder of one item's actions. A stack of a CDK stage: the bootstrap roles of its
   * environment (deploy role as action role, CloudFormation execution role as deployment role),
   * as `DeployTarget.cdkStage` deploys it; the deploy role reads the artifacts through the bucket
   * and key policies of its region's store (its grant when the action joins the pipeline).
   */
  private forItem(item: WaveItem): CloudFormationActions {
    return isCdkStack(item) ? cdkStackActions(this.props.scope, item.stack, this.props.templates) : this.forTarget(item);
  }

  /**
   * The shared CloudFormation action builder for one target: the pipeline's action role of the
   * target's account, the target's execution role (granted read access to the store of its
   * region). The builder acknowledges the stack wildcards on the action role.
   */
  private forTarget(target: TargetPlan): CloudFormationActions {
    const roles = this.props.accountRoles.forAccount(target.account);
    const executionRole = target.executionRole ?? roles.executionRole;
    this.grantExecution(executionRole, target.region);
    const cfn = new CloudFormationActions({
      stackName: target.stackName,
      templatePath: this.props.templates.atPath(target.templatePath),
      parameterOverrides: target.parameterOverrides,
      capabilities: this.props.capabilities,
      executionRole,
      role: roles.actionRole,
      region: target.region,
    });
    return cfn;
  }

  /** The execution role reads the templates from the store of the region it deploys in. */
  private grantExecution(role: iam.IRole, region: string) {
    const stores = this.props.stores;
    grantStoreAccess(stores, stores.forRegion(region), role, false);
  }
}

function isCdkStack(item: WaveItem): item is CdkStackPlan {
  return 'stack' in item;
}
