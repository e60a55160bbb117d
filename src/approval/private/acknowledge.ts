import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledge a validation finding (cdk-nag v3 and other policy-validation plugins) on exactly one
 * construct. `Validations` only exists from aws-cdk-lib 2.25x; on the older releases our peer range
 * allows there is no plugin to acknowledge to, so this is a no-op there (and compiles against them).
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  const validations = (cdk as any).Validations;
  if (validations && typeof validations.of === 'function') {
    validations.of(construct).acknowledge({ id, reason });
  }
}
