import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `Validations.of(scope).acknowledge({ id, reason })` on aws-cdk-lib releases that have it
 * (2.257.0 and later, where validation plugins such as cdk-nag v3 read it); a no-op on older
 * releases down to the peer minimum, which have no acknowledgment mechanism.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  const validations = (cdk as any).Validations;
  if (validations?.of) {
    validations.of(scope).acknowledge({ id, reason });
  }
}
