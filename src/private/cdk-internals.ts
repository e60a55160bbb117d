/**
 * The only places this library reaches aws-cdk-lib members that are not public API (`@internal`
 * or private in aws-cdk-lib's own .d.ts), each wrapped once here with the reason no public API does
 * the job. Everything else in src/ must call these wrappers, never the members themselves.
 *
 * Checked against aws-cdk-lib 2.276.0 (the version installed for development and tests): every
 * member used here is declared in its .d.ts with the shape relied on below. The peer floor
 * (aws-cdk-lib ^2.201.0) was not installed and run here. When aws-cdk-lib is upgraded, the tests
 * that exercise each wrapper (named at each function) fail if a shape changes: a stack set's
 * permission model (test/pipelines/cross-region-cfn-pipeline.test.ts), the PipelineChecks rendering
 * (test/checks/*) and the narrowed key grants in support stacks (the cross-account and
 * cross-region SourceBuildDeployPipeline snapshots and test/iam/source-build-deploy.test.ts).
 */
import { CfnResource } from 'aws-cdk-lib';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Members a `StackSetDeploymentModel` has, for the plain-JavaScript type check of
 * `CfnDeployment.stackSet({ deploymentModel })`: the class has no public member at all (its
 * factories return objects with only `_bind`), and `instanceof` fails across two copies of
 * aws-cdk-lib in one app.
 */
export const STACK_SET_DEPLOYMENT_MODEL_MEMBERS = ['_bind'];

/**
 * Whether a stack set deployment model is service-managed (AWS Organizations).
 *
 * `StackSetDeploymentModel` exposes its permission model only through the internal `_bind` (no
 * public property or method says which factory made it), and knowing it at plan time is what
 * lets organizational units with a self-managed stack set fail with a fix instead of deploying a
 * stack set CloudFormation rejects. It is bound to a detached construct (no app, no stack,
 * nothing written): the organizations model ignores the scope; the self-managed one, when it
 * would define its administration role there, throws, which also means self-managed.
 */
export function isServiceManagedStackSet(model: cpactions.StackSetDeploymentModel | undefined): boolean {
  if (!model) return false;
  try {
    const config = model._bind(new Construct(undefined as unknown as Construct, 'StackSetModelProbe')).stackSetConfiguration;
    return config?.PermissionModel === 'SERVICE_MANAGED';
  } catch {
    return false;
  }
}

/**
 * One resource as its stack will render it (`{ Resources: { <logicalId>: ... } }`), overrides
 * applied, tokens unresolved.
 *
 * aws-cdk-lib has no public API for one resource's rendered properties: `cfnProperties` and
 * `updatedProperties` are protected (and miss `addPropertyOverride`), and `Template.fromStack`
 * synthesizes the whole stage again, which cannot run inside a validation. So this calls the
 * internal `_toCloudFormation()`, what `Stack` itself renders templates with.
 */
export function renderResource(resource: CfnResource): any {
  return (resource as unknown as { _toCloudFormation(): object })._toCloudFormation();
}

/**
 * The statements of a policy document, as objects (to narrow aws-cdk-lib's own grants with
 * `addCondition`).
 *
 * `PolicyDocument` keeps its statements in a private field and has no public reader of them
 * (`toJSON()` renders copies, which cannot be changed in place); the statements read here are the
 * grants aws-cdk-lib wrote into roles it defines itself (cross-account and cross-region support
 * stacks), which no public API lets a caller shape.
 */
export function policyStatements(document: iam.PolicyDocument): iam.PolicyStatement[] {
  return (document as unknown as { statements?: iam.PolicyStatement[] }).statements ?? [];
}
