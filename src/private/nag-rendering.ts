import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag writes a value in a finding id (`AwsSolutions-IAM5[Resource::<this>]`), so that an
 * acknowledgment names exactly the finding: a string as it is, `<LogicalId>` for a Ref,
 * `<LogicalId.Attribute>` for a GetAtt, the parts of an Fn::Join joined
 * (`arn:<AWS::Partition>:s3:::name/*`, `<BucketA1B2.Arn>/*`); undefined for any other intrinsic.
 */
export function nagRendering(scope: IConstruct, value: string): string | undefined {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(value: any): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value?.Ref === 'string') return `<${value.Ref}>`;
  const getAtt = value?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2) return `<${getAtt[0]}.${getAtt[1]}>`;
  const join = value?.['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map(flatten);
    return parts.every((p: string | undefined) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}
