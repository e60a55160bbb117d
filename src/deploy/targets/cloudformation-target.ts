import { CfnCapabilities, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { checkExecutionPolicy } from '../../private/execution-policy';
import { ACCOUNT_ID, REGION_NAME, STACK_NAME } from '../../private/names';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';
import { Binder } from '../private/binder';
import { CloudFormationActions } from '../private/cloudformation-actions';
import { OutputRequests } from '../private/stack-outputs';
import { TargetKind } from '../private/target-kind';
import type { StackOutputOptions } from '../stack-outputs';

/** Options of `DeployTarget.cloudFormation`. */
export interface CloudFormationTargetOptions {
  /** Name of the stack to deploy. */
  readonly stackName: string;

  /** The template: `'path.yaml'` in the default input, or `'ArtifactName::path.yaml'`. */
  readonly templatePath: string;

  /**
   * Deploy through a change set: one action creates (replaces) the change set, the next
   * executes it. Otherwise one action creates or updates the stack directly. In a stage with
   * `reviewChangeSets`, the change set is created before the gate's approval and executed after it.
   *
   * @default - false; true in a stage with `reviewChangeSets`
   */
  readonly changeSet?: boolean;

  /**
   * Name of the change set.
   *
   * @default '<stackName>-changes'
   */
  readonly changeSetName?: string;

  /**
   * Template parameter values; values may use `Artifact.getParam()` (list those artifacts in `extraInputs`).
   *
   * @default - none
   */
  readonly parameterOverrides?: { [name: string]: any };

  /**
   * Template configuration file (parameters, tags, stack policy): `'path.json'` or `'ArtifactName::path.json'`.
   *
   * @default - none
   */
  readonly templateConfiguration?: string;

  /**
   * Names of more artifacts the action reads (for `parameterOverrides` or `templateConfiguration`).
   *
   * @default - none
   */
  readonly extraInputs?: string[];

  /**
   * Capabilities the stack needs (e.g. `CfnCapabilities.NAMED_IAM` when it defines named IAM roles).
   *
   * @default - none
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Role CloudFormation assumes to create the stack's resources (its execution role, as in the CDK bootstrap).
   *
   * @default - a role assumed by cloudformation.amazonaws.com holding exactly `executionPolicy`
   * plus read access to the pipeline artifacts (never administrator access)
   */
  readonly executionRole?: iam.IRole;

  /**
   * What the defined deployment role may do: the permissions the stack's resources need.
   * Without them, the role can only read the pipeline's artifacts and create no resource, so a
   * target with neither `executionPolicy` nor `executionRole` fails at synth (unless
   * `allowEmptyExecutionPolicy` says that is intended).
   *
   * @default - none: pass `executionPolicy`, `executionRole` or `allowEmptyExecutionPolicy: true`
   */
  readonly executionPolicy?: iam.PolicyStatement[];

  /**
   * Deploy with a deployment role that holds no permissions beyond reading the pipeline's
   * artifacts: `executionPolicy` left out or empty on purpose, for a template whose resources
   * need none (e.g. only parameters, outputs and `AWS::CloudFormation::WaitConditionHandle`).
   * Without it, a target with neither `executionPolicy` statements nor `executionRole` fails at
   * synth, since its first deployment would fail with AccessDenied.
   *
   * @default false
   */
  readonly allowEmptyExecutionPolicy?: boolean;

  /**
   * Role the CloudFormation action(s) run as (the action role, e.g. a role of the target account
   * that trusts the pipeline's account; nothing is added to it but artifact access aws-cdk-lib grants).
   *
   * @default - aws-cdk-lib defines one per action, assumable by the pipeline role
   */
  readonly actionRole?: iam.IRole;

  /**
   * Account to deploy to. In another account than the pipeline's, the artifacts are
   * encrypted with a customer-managed KMS key.
   *
   * @default - the pipeline's account
   */
  readonly account?: string;

  /**
   * Region to deploy to.
   *
   * @default - the pipeline's region
   */
  readonly region?: string;

  /**
   * Name of the action (with a change set, the prefix of the two actions).
   *
   * @default - the stack name
   */
  readonly actionName?: string;
}

/** The actions of `DeployTarget.cloudFormation`. */
export class CloudFormationTarget implements TargetKind {
  private pending?: CloudFormationActions;
  private readonly outputs: OutputRequests;

  constructor(private readonly options: CloudFormationTargetOptions) {
    const { stackName } = options;
    this.outputs = new OutputRequests(`DeployTarget.cloudFormation('${stackName}')`);
    if (!Token.isUnresolved(stackName) && !STACK_NAME.test(stackName)) {
      fail('DeployTarget.cloudFormation', `stackName '${stackName}' is invalid; a stack name starts with a letter and has 1-128 of A-Za-z0-9-.`);
    }
    if (options.executionRole && options.executionPolicy) {
      fail(`DeployTarget.cloudFormation('${stackName}')`, 'pass executionRole or executionPolicy, not both; executionPolicy defines the statements of the role defined for you.');
    }
    if (options.account !== undefined && !Token.isUnresolved(options.account) && !ACCOUNT_ID.test(options.account)) {
      fail(`DeployTarget.cloudFormation('${stackName}')`, `account '${options.account}' is invalid; pass the 12-digit AWS account id, e.g. '111111111111'.`);
    }
    if (options.region !== undefined && !Token.isUnresolved(options.region) && !REGION_NAME.test(options.region)) {
      fail(`DeployTarget.cloudFormation('${stackName}')`, `region '${options.region}' is invalid; pass an AWS region name, e.g. 'eu-west-1'.`);
    }
    checkExecutionPolicy(`DeployTarget.cloudFormation('${stackName}')`, {
      hasRole: options.executionRole !== undefined,
      statements: options.executionPolicy?.length,
      allowEmpty: options.allowEmptyExecutionPolicy,
      example: `executionPolicy: [new iam.PolicyStatement({ actions: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes'], resources: ['arn:aws:sns:eu-west-1:111111111111:${Token.isUnresolved(stackName) ? 'my-app' : stackName}-*'] })]`,
    });
  }

  public get account(): string | undefined {
    const roleAccount = this.options.actionRole?.env.account;
    return this.options.account ?? (roleAccount !== undefined && !Token.isUnresolved(roleAccount) ? roleAccount : undefined);
  }

  /** The template is read at deploy time: any output name is accepted (unchecked at synth). */
  public output(outputName: string, options: StackOutputOptions): string {
    if (options.stack) {
      fail(`DeployTarget.cloudFormation('${this.options.stackName}')`, `output('${outputName}') names a stack, but this target deploys one stack from a template file; drop the stack option.`);
    }
    return this.outputs.add(() => outputName);
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const o = this.options;
    const base = o.actionName ?? (Token.isUnresolved(o.stackName) ? 'Deploy' : o.stackName);
    const b = new Binder(scope, options, base);
    const variablesNamespace = this.outputs.all.length === 0 ? undefined
      : this.outputs.bind(this.outputs.all, { pipeline: scope, stageName: options.stageName, base, stackLabel: `stack '${o.stackName}'` });
    const prepareName = `${base}-Prepare`;
    const executeName = `${base}-Execute`;
    const review = options.reviewRunOrder !== undefined;
    if (review && o.changeSet === false) {
      fail(b.where, 'changeSet is false in a stage that reviews change sets (reviewChangeSets); the approver reviews the change set: '
        + 'leave changeSet out (or true), or move the target to a stage without reviewChangeSets.');
    }
    const changeSet = o.changeSet ?? review;
    const names = changeSet ? [prepareName, executeName] : [base];
    for (const name of names.slice(changeSet ? 0 : 1)) new Binder(scope, options, name);
    const cfn = new CloudFormationActions({
      stackName: o.stackName,
      templatePath: b.file(o.templatePath, 'templatePath'),
      templateConfiguration: o.templateConfiguration ? b.file(o.templateConfiguration, 'templateConfiguration') : undefined,
      extraInputs: o.extraInputs?.map((n) => b.artifact(n, 'extraInputs')),
      parameterOverrides: o.parameterOverrides,
      capabilities: o.capabilities,
      executionRole: o.executionRole,
      role: o.actionRole,
      account: this.account,
      region: o.region,
    });
    this.pending = cfn;
    if (!changeSet) {
      return { actions: [cfn.createUpdate({ actionName: base, runOrder: options.runOrder, variablesNamespace })], lastRunOrder: options.runOrder };
    }
    const changeSetName = o.changeSetName ?? `${o.stackName}-changes`;
    if (review) {
      const reviewed = cfn.changeSet({
        prepareName, executeName, changeSetName, runOrder: options.reviewRunOrder!, executeRunOrder: options.runOrder, variablesNamespace,
      });
      return {
        actions: reviewed,
        lastRunOrder: options.runOrder,
        reviewActions: [prepareName],
        changeSets: [{ stackName: o.stackName, changeSetName, account: this.account, region: o.region }],
      };
    }
    const pair = cfn.changeSet({ prepareName, executeName, changeSetName, runOrder: options.runOrder, variablesNamespace });
    return { actions: pair, lastRunOrder: options.runOrder + 1 };
  }

  public afterActionsAdded(): void {
    this.pending?.addToExecutionRolePolicy(this.options.executionPolicy ?? []);
    this.pending = undefined;
  }
}
