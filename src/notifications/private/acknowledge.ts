import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** `Validations.acknowledge`'s argument, as aws-cdk-lib >= 2.2xx defines it. */
interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: { id: string; reason: string }[]): void };
}

/**
 * Acknowledge a validation finding on exactly this construct, for both cdk-nag generations:
 * - aws-cdk-lib's `Validations.of(scope).acknowledge` (cdk-nag v3 as a validation plugin), looked
 *   up at run time because it is newer than the aws-cdk-lib this library accepts (peer minimum);
 * - the `cdk_nag` metadata of the construct's CloudFormation resource (cdk-nag v2 `NagSuppressions`),
 *   merged with any suppressions already there.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
  validations?.of(scope).acknowledge({ id, reason });

  const resource = scope.node.defaultChild;
  if (resource instanceof cdk.CfnResource) {
    const existing = resource.getMetadata('cdk_nag') as { rules_to_suppress?: { id: string; reason: string }[] } | undefined;
    resource.addMetadata('cdk_nag', { ...existing, rules_to_suppress: [...(existing?.rules_to_suppress ?? []), { id, reason }] });
  }
}
