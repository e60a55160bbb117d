import { CfnCapabilities, Token } from 'aws-cdk-lib';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { isServiceManagedStackSet } from '../../private/cdk-internals';
import { fail } from '../../private/errors';
import { ACCOUNT_ID, REGION_NAME } from '../../private/names';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { deployStackInstancesAction, deployStackSetAction } from '../private/cloudformation-actions';
import { acknowledgeStackSetAdministration, checkStackSetPercentage, checkStackSetTemplatePath, stackInstancesOf } from '../private/stack-set';
import { TargetKind } from '../private/target-kind';

/** Where the instances of a stack set go, and how fast (shared by `DeployTarget.stackSet` and `stackSetInstances`). */
export interface StackSetInstancesTargetOptions {
  /** Name of the stack set (1-128 of A-Za-z0-9-, starting with a letter). */
  readonly stackSetName: string;

  /** Regions of the instances (concrete region names). */
  readonly regions: string[];

  /**
   * Accounts of the instances (12-digit ids). Exactly one of `accounts` and `organizationalUnits`.
   *
   * @default - none: pass `organizationalUnits`
   */
  readonly accounts?: string[];

  /**
   * Organizational units of the instances (service-managed stack sets only, an error otherwise).
   *
   * @default - none: pass `accounts`
   */
  readonly organizationalUnits?: string[];

  /**
   * Percentage of accounts per region that may fail before the operation stops.
   *
   * @default 0
   */
  readonly failureTolerancePercentage?: number;

  /**
   * Percentage of accounts per region deployed at the same time.
   *
   * @default 1 - one account at a time
   */
  readonly maxAccountConcurrencyPercentage?: number;

  /**
   * Role the action runs as.
   *
   * @default - aws-cdk-lib defines one for the action, assumable by the pipeline role
   */
  readonly actionRole?: iam.IRole;

  /**
   * Name of the action.
   *
   * @default 'StackSet' (`DeployTarget.stackSet`), 'StackInstances' (`DeployTarget.stackSetInstances`)
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.stackSet`. */
export interface StackSetTargetOptions extends StackSetInstancesTargetOptions {
  /**
   * The one template of the stack set: `'path.yaml'` in the default input (the build output, or
   * the source when there is no build), or `'ArtifactName::path.yaml'`.
   */
  readonly template: string;

  /**
   * Self-managed (administration and execution roles) or service-managed (AWS Organizations, with
   * `organizationalUnits`). The self-managed default lets the administration role aws-cdk-lib
   * defines assume `AWSCloudFormationStackSetExecutionRole` in the target accounts.
   *
   * @default StackSetDeploymentModel.selfManaged()
   */
  readonly deploymentModel?: cpactions.StackSetDeploymentModel;

  /**
   * Template parameter values for every instance.
   *
   * @default - none
   */
  readonly parameters?: { [name: string]: string };

  /**
   * Capabilities the template needs (e.g. `CfnCapabilities.NAMED_IAM`).
   *
   * @default - none
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Description of the stack set.
   *
   * @default - none
   */
  readonly description?: string;
}

const STACK_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const OU_ID = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

/** Checks both factories share: the name, regions, accounts or OUs, percentages. */
function checkInstances(factory: string, options: StackSetInstancesTargetOptions, serviceManaged: boolean | undefined): void {
  const { stackSetName, regions, accounts, organizationalUnits: ous } = options;
  if (!Token.isUnresolved(stackSetName) && !STACK_SET_NAME.test(stackSetName)) {
    fail(factory, `stackSetName '${stackSetName}' is not a stack set name CloudFormation accepts; use 1-128 characters from A-Z a-z 0-9 -, starting with a letter, e.g. 'org-baseline'.`);
  }
  if (regions.length === 0) fail(factory, "regions is empty; pass at least one region, e.g. regions: ['eu-west-1'].");
  for (const region of regions) {
    if (!Token.isUnresolved(region) && !REGION_NAME.test(region)) fail(factory, `regions has '${region}', which is not a region name; pass a region like 'eu-west-1'.`);
  }
  if ((accounts === undefined) === (ous === undefined)) {
    fail(factory, accounts === undefined
      ? "options have neither accounts nor organizationalUnits; pass the accounts of the instances, e.g. accounts: ['222222222222'], or organizationalUnits with StackSetDeploymentModel.organizations()."
      : 'options have both accounts and organizationalUnits; pass one: accounts (self-managed) or organizationalUnits (service-managed).');
  }
  if (accounts !== undefined) {
    if (accounts.length === 0) fail(factory, "accounts is empty; pass at least one 12-digit account id, e.g. accounts: ['222222222222'].");
    for (const account of accounts) {
      if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account)) fail(factory, `accounts has '${account}', which is not a 12-digit account id; pass the account id as a string like '222222222222'.`);
    }
    if (serviceManaged) fail(factory, 'options have accounts, but the deployment model is StackSetDeploymentModel.organizations(), which deploys to organizational units; pass organizationalUnits instead.');
  }
  if (ous !== undefined) {
    if (ous.length === 0) fail(factory, "organizationalUnits is empty; pass at least one OU id, e.g. organizationalUnits: ['ou-ab12-cdefgh34'].");
    for (const ou of ous) {
      if (!Token.isUnresolved(ou) && !OU_ID.test(ou)) fail(factory, `organizationalUnits has '${ou}', which is not an OU or root id; pass an id like 'ou-ab12-cdefgh34'.`);
    }
    if (serviceManaged === false) {
      fail(factory, 'options have organizationalUnits, but the stack set is self-managed (the default), which deploys to accounts only; ' +
        'pass deploymentModel: StackSetDeploymentModel.organizations(), or list the accounts instead.');
    }
  }
  checkStackSetPercentage(factory, 'failureTolerancePercentage', options.failureTolerancePercentage);
  checkStackSetPercentage(factory, 'maxAccountConcurrencyPercentage', options.maxAccountConcurrencyPercentage);
}

function commonProps(options: StackSetInstancesTargetOptions, runOrder: number) {
  return {
    role: options.actionRole,
    stackSetName: options.stackSetName,
    stackInstances: stackInstancesOf(options.accounts ?? [], options.organizationalUnits, options.regions),
    failureTolerancePercentage: options.failureTolerancePercentage ?? 0,
    maxAccountConcurrencyPercentage: options.maxAccountConcurrencyPercentage ?? 1,
    runOrder,
  };
}

/**
 * `DeployTarget.stackSet`: one CloudFormationStackSet action that creates or updates the stack set
 * and its instances; its action role and grants are those of the stack set actions of
 * `CrossRegionCfnPipeline` (`deploy/private/cloudformation-actions.ts`), and the self-managed
 * administration role's wildcard is acknowledged on that role once the action is in its stage.
 */
export class StackSetTarget implements TargetKind {
  private bound?: { scope: Construct; under: string };

  constructor(private readonly options: StackSetTargetOptions) {
    checkInstances('DeployTarget.stackSet', options, isServiceManagedStackSet(options.deploymentModel));
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const o = this.options;
    const b = new Binder(scope, options, o.actionName ?? 'StackSet');
    const i = o.template.indexOf('::');
    checkStackSetTemplatePath(b.where, 'template', i >= 0 ? o.template.slice(i + 2) : o.template, i >= 0 ? `artifact '${o.template.slice(0, i)}'` : 'default input');
    const action = deployStackSetAction({
      ...commonProps(o, options.runOrder),
      actionName: b.name,
      template: cpactions.StackSetTemplate.fromArtifactPath(b.file(o.template, 'template')),
      deploymentModel: o.deploymentModel,
      parameters: o.parameters ? cpactions.StackSetParameters.fromLiteral(o.parameters) : undefined,
      cfnCapabilities: o.capabilities,
      description: o.description,
    });
    this.bound = { scope, under: `/${options.stageName}/${b.name}/` };
    return { actions: [action], lastRunOrder: options.runOrder };
  }

  public afterActionsAdded(): void {
    if (this.bound) acknowledgeStackSetAdministration(this.bound.scope, this.bound.under);
  }
}

/** `DeployTarget.stackSetInstances`: one CloudFormationStackInstances action adding instances to an existing stack set. */
export class StackSetInstancesTarget implements TargetKind {
  constructor(private readonly options: StackSetInstancesTargetOptions) {
    checkInstances('DeployTarget.stackSetInstances', options, undefined);
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const b = new Binder(scope, options, this.options.actionName ?? 'StackInstances');
    const action = deployStackInstancesAction({ ...commonProps(this.options, options.runOrder), actionName: b.name });
    return { actions: [action], lastRunOrder: options.runOrder };
  }
}
