import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How every error of this library names where it comes from: `<Construct> '<id>'`
 * (`SourceBuildDeployPipeline 'Pipeline'`), or the factory for input given before any construct
 * exists (`DeployTarget.cloudFormation`).
 */
export function where(scope: IConstruct | string): string {
  if (typeof scope === 'string') return scope;
  // (a user's plain Stack: aws-cdk-lib's bundled class name is 'Stack2' or the like)
  const type = Object.getPrototypeOf(scope) === Stack.prototype ? 'Stack' : scope.constructor.name;
  return `${type} '${scope.node.id}'`;
}

/**
 * The one way this library rejects input: `<where>: <what is wrong, with the value>; <the fix>.`
 * e.g. `fail(this, "region 'eu-west-1' appears twice in wave 'prod'; list each region once per wave.")`.
 */
export function fail(scope: IConstruct | string, message: string): never {
  throw new Error(`${where(scope)}: ${message}`);
}
