import { Token } from 'aws-cdk-lib';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledge } from '../../private/acknowledge';
import { fail } from '../../private/errors';

/**
 * A stack set's template path inside one artifact (the build output, or the source when there is
 * no build): relative, without `..`, placeholders or an artifact prefix, since a stack set has one
 * template and CodePipeline resolves the path inside the artifact's zip. Tokens are not checked.
 */
export function checkStackSetTemplatePath(scope: IConstruct | string, option: string, path: string, artifact: string): void {
  if (Token.isUnresolved(path)) return;
  const example = "e.g. 'templates/baseline.yaml'";
  if (path.trim() === '') {
    fail(scope, `${option} is empty; pass the template's path in the ${artifact}, ${example}.`);
  }
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    fail(scope, `${option} '${path}' is absolute, but the template is read from inside the ${artifact}; pass a path relative to the artifact's root, ${example}.`);
  }
  if (path.split(/[\\/]/).includes('..')) {
    fail(scope, `${option} '${path}' leaves the ${artifact} ('..'); pass a path inside it, relative to its root, ${example}.`);
  }
  if (path.includes('::')) {
    fail(scope, `${option} '${path}' names an artifact ('::'), but a stack set's template is read from the ${artifact}; pass only the path, ${example}.`);
  }
  if (/\{[^}]*\}/.test(path)) {
    fail(scope, `${option} '${path}' has placeholders but a stack set deploys one template everywhere; pass a path without placeholders, ${example}.`);
  }
}

/** A whole percentage 0-100 (tokens are not checked): the stack set operation preferences. */
export function checkStackSetPercentage(scope: IConstruct | string, name: string, value: number | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && (value < 0 || value > 100 || !Number.isInteger(value))) {
    fail(scope, `${name} ${value} is not a whole percentage; pass 0-100.`);
  }
}

/** Where a stack set's instances go: organizational units (service-managed) or accounts, in regions. */
export function stackInstancesOf(accounts: string[], organizationalUnits: string[] | undefined, regions: string[]): cpactions.StackInstances {
  return organizationalUnits
    ? cpactions.StackInstances.inOrganizationalUnits(organizationalUnits, regions)
    : cpactions.StackInstances.inAccounts(accounts, regions);
}

/**
 * The self-managed model's administration role (defined by aws-codepipeline-actions under the
 * action's scope) may assume the standard execution role in ANY account: its policy names
 * `iam::*:role/...`. Acknowledged on that role only; call once the stack set action is in its
 * stage. `under` limits it to the roles whose path contains it (one action's).
 */
export function acknowledgeStackSetAdministration(scope: IConstruct, under?: string): void {
  for (const c of scope.node.findAll()) {
    if (c.node.id === 'StackSetAdministrationRole' && c instanceof iam.Role && (under === undefined || c.node.path.includes(under))) {
      acknowledge(c, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/AWSCloudFormationStackSetExecutionRole]', 'Self-managed StackSets (the default administration role of aws-codepipeline-actions): ' +
          'the role may assume the role named AWSCloudFormationStackSetExecutionRole in any account (the policy does not name accounts); it only succeeds in accounts whose execution role trusts it. ' +
          'To narrow it to your accounts, pass deploymentModel: StackSetDeploymentModel.selfManaged({ administrationRole }) with your own role.');
    }
  }
}
