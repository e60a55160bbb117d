import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { TargetPlan } from './plan';
import { CrossRegionCfnPipelineProps, StackSetDeploymentOptions } from './props';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { isServiceManagedStackSet } from '../../private/cdk-internals';
import { fail } from '../../private/errors';
import { checkExecutionPolicy } from '../../private/execution-policy';
import { ACCOUNT_ID, CHANGE_SET_NAME, REGION_NAME, STACK_NAME } from '../../private/names';

/**
 * The checks the plan runs on single values (regions, accounts, names, template paths) and on
 * the stack set options, each failing with `<Construct> '<id>': <what>; <fix>.`
 */

const PLACEHOLDERS = ['region', 'account'];

export function checkRegion(scope: IConstruct, region: string, where: string): void {
  if (Token.isUnresolved(region)) {
    fail(scope, `${where} has an unresolved region (a token: ${region}); pass a concrete region like 'eu-west-1': the pipeline needs an artifact store per region at synth time.`);
  }
  if (!REGION_NAME.test(region)) fail(scope, `${where} has region '${region}', which is not a region name; pass a region like 'eu-west-1'.`);
}

export function checkAccount(scope: IConstruct, account: string, where: string): void {
  if (Token.isUnresolved(account)) {
    fail(scope, `${where} has an unresolved account (a token: ${account}); pass a concrete 12-digit account id: cross-account roles are defined per account at synth time.`);
  }
  if (!ACCOUNT_ID.test(account)) fail(scope, `${where} has account '${account}', which is not a 12-digit account id; pass the account id as a string like '222222222222'.`);
}

/** Stores given by the caller must be in the pipeline's account and trust every target account. */
export function checkStores(scope: IConstruct, plan: { readonly account: string; readonly crossAccounts: string[] }, stores: ArtifactStores): void {
  if (stores.account !== plan.account) {
    fail(scope, `artifactStores '${stores.node.path}' are in account '${stores.account}', not the pipeline's account '${plan.account}'; define the stores in a stack of account ${plan.account}.`);
  }
  for (const account of plan.crossAccounts) {
    if (!stores.trustedAccounts.includes(account)) {
      fail(scope, `target account '${account}' is another account, but artifactStores '${stores.node.path}' ${stores.kmsEncrypted ? 'do not trust it' : 'have no KMS keys (the AWS-managed S3 key cannot be shared)'}; ` +
        `add '${account}' to the ArtifactStores trustedAccounts.`);
    }
  }
}

/** A CloudFormation stack name (tokens are not checked). */
export function checkStackName(scope: IConstruct, stackName: string, where: string, what = 'stack name'): void {
  if (Token.isUnresolved(stackName)) return;
  if (!STACK_NAME.test(stackName)) {
    fail(scope, `${where} has the ${what} '${stackName}', which CloudFormation rejects; use 1-128 characters from A-Z a-z 0-9 -, starting with a letter, e.g. 'my-stack'.`);
  }
}

/** A CloudFormation change set name (tokens are not checked). */
export function checkChangeSetName(scope: IConstruct, changeSetName: string): void {
  if (Token.isUnresolved(changeSetName)) return;
  if (!CHANGE_SET_NAME.test(changeSetName)) {
    fail(scope, `changeSetName '${changeSetName}' is not a CloudFormation change set name; use 1-128 characters from A-Z a-z 0-9 -, starting with a letter, e.g. 'PipelineChangeSet'.`);
  }
}

/** Fill `{region}` and `{account}` into a template path; unknown placeholders fail. */
export function fillTemplatePath(scope: IConstruct, templatePath: string, region: string, account: string): string {
  for (const match of templatePath.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(match[1])) {
      fail(scope, `templatePath '${templatePath}' has the unknown placeholder '{${match[1]}}'; use only {region} and {account}.`);
    }
  }
  return templatePath.split('{region}').join(region).split('{account}').join(account);
}

/** Whether `name` is one of the stage names wave `base` may define: `base.ChangeSets`, `base.2`, `base.ChangeSets.2`, ... */
export function generatedStageName(base: string, name: string): boolean {
  if (!name.startsWith(`${base}.`)) return false;
  return /^(ChangeSets|ChangeSets\.\d+|\d+|Approval|Review)$/.test(name.slice(base.length + 1));
}

/**
 * Stack set options that would be ignored or that CloudFormation rejects: fail at synth.
 * Organizational units need the service-managed model; a target's `executionRole`,
 * `parameterOverrides` and `stackName` have no place in a stack set (one template, one
 * stack set name, the `parameters` and execution role of the stack set).
 */
export function checkStackSetOptions(scope: IConstruct, props: CrossRegionCfnPipelineProps, options: StackSetDeploymentOptions) {
  checkStackName(scope, options.stackSetName ?? props.stackName!, 'the stack set', 'stack set name');
  const ouWaves = props.waves.filter((w) => w.organizationalUnits !== undefined);
  if (ouWaves.length > 0 && !isServiceManagedStackSet(options.deploymentModel)) {
    fail(scope, `wave '${ouWaves[0].waveName}' has organizationalUnits, but the stack set is self-managed (the default), which deploys to accounts only; ` +
      'pass CfnDeployment.stackSet({ deploymentModel: StackSetDeploymentModel.organizations() }), or list the accounts as targets instead.');
  }
  for (const wave of props.waves) {
    if (wave.organizationalUnits !== undefined && wave.organizationalUnits.length === 0) {
      fail(scope, `wave '${wave.waveName}' has an empty organizationalUnits list; pass at least one OU id like 'ou-ab12-cdefgh34', or remove organizationalUnits.`);
    }
    (wave.targets ?? []).forEach((target, i) => {
      const where = `target ${i + 1} of wave '${wave.waveName}'`;
      if (target.executionRole !== undefined) {
        fail(scope, `${where} has an executionRole, which a stack set does not use (its instances run with the stack set's execution role); remove it, or pass the role through deploymentModel: StackSetDeploymentModel.selfManaged({ executionRoleName }).`);
      }
      if (target.parameterOverrides !== undefined) {
        fail(scope, `${where} has parameterOverrides, which a stack set does not use (every instance gets the same parameters); remove them, and pass CfnDeployment.stackSet({ parameters }).`);
      }
      if (target.stackName !== undefined) {
        fail(scope, `${where} has a stackName, which a stack set does not use (instances are named after the stack set); remove it, and pass CfnDeployment.stackSet({ stackSetName }).`);
      }
    });
  }
}

/**
 * The CloudFormation execution roles the pipeline defines (one per target account, used by every
 * target without its own `executionRole` and by the test stack) must be able to create the stacks'
 * resources: `executionPolicy` statements or `executionManagedPolicies`, or the stated opt-out
 * `allowEmptyExecutionPolicy: true` (see `checkExecutionPolicy`). A stack set deploys with the stack
 * set's execution role, not one of the pipeline's: these options would be ignored there, so they fail.
 */
export function checkExecutionRoles(
  scope: IConstruct, props: CrossRegionCfnPipelineProps, targets: TargetPlan[], testStack: boolean, stackSet: boolean,
): void {
  const options = (['executionPolicy', 'executionManagedPolicies', 'allowEmptyExecutionPolicy'] as const).filter((o) => props[o] !== undefined);
  if (stackSet) {
    if (options.length > 0) {
      fail(scope, `${options.join(' and ')} ${options.length > 1 ? 'are' : 'is'} set, but the deployment is a stack set, whose instances run with the stack set's execution role ` +
        '(AWSCloudFormationStackSetExecutionRole in each target account, or the executionRoleName of StackSetDeploymentModel.selfManaged; with organizations(), the role AWS Organizations defines), ' +
        `not a role of this pipeline; remove ${options.join(' and ')}, and give that role the permissions your template needs.`);
    }
    return;
  }
  const target = targets.find((t) => t.executionRole === undefined);
  if (!target && !testStack) return;
  const user = target
    ? `in account ${target.account} (for the target in ${target.region}${target.crossAccount ? ` of account ${target.account}` : ''} and every other target without executionRole)`
    : 'for the test stack';
  const given = props.executionPolicy !== undefined || props.executionManagedPolicies !== undefined;
  checkExecutionPolicy(scope, {
    hasRole: false,
    statements: given ? (props.executionPolicy?.length ?? 0) + (props.executionManagedPolicies?.length ?? 0) : undefined,
    allowEmpty: props.allowEmptyExecutionPolicy,
    policyOption: 'executionPolicy (or executionManagedPolicies)',
    roleOption: 'executionRole on each target',
    subject: `the CloudFormation execution role the pipeline defines ${user}`,
    example: `executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:GetQueueAttributes'], resources: ['arn:aws:sqs:*:${target?.account ?? '111111111111'}:my-service-*'] })]`,
  });
}
