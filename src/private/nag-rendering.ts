import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { flattenCfnReference } from './wildcard-allowances';

/**
 * How cdk-nag writes a value in a finding id (`AwsSolutions-IAM5[Resource::<this>]`): the value
 * resolved in `scope`'s stack and flattened exactly as cdk-nag's `flattenCfnReference` does
 * (`<LogicalId>` for a Ref, `<LogicalId.Attribute>` for a GetAtt, Fn::Join parts joined,
 * `<AWS::Partition>` or `aws` as the feature flags render it).
 *
 * Build the acknowledgment from the very value the grant put in the policy (e.g. the
 * `Stack.formatArn(...)` aws-cdk-lib uses), never from a hand-written ARN: then it holds under any
 * feature flags and stack environment. A value that references another stack becomes an
 * `Fn::ImportValue` only when the app is prepared; for those use `acknowledgeWildcards`, which
 * judges the policies again after that.
 */
export function nagRendering(scope: IConstruct, value: string): string {
  return flattenCfnReference(Stack.of(scope).resolve(value));
}
