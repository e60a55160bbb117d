import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** `Validations.acknowledge`'s shape, as aws-cdk-lib >= 2.25x defines it. */
interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: { id: string; reason: string }[]): void };
}

/** Finding ids already acknowledged on each construct (by this module). */
const ACKNOWLEDGED = new WeakMap<IConstruct, Set<string>>();

/** aws-cdk-lib's `Validations` (>= 2.25x: cdk-nag v3 and the validation plugins), or undefined on older releases. */
export function validationsApi(): ValidationsApi | undefined {
  const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
  return validations && typeof validations.of === 'function' ? validations : undefined;
}

/** A cdk-nag v2 suppression entry (`Metadata.cdk_nag.rules_to_suppress`). */
interface NagV2Suppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: string[];
}

/**
 * Acknowledge one validation finding on exactly this construct, for both cdk-nag generations:
 * - aws-cdk-lib's `Validations.of(scope).acknowledge` (cdk-nag v3, a validation plugin). It is newer
 *   than our peer minimum, so it is looked up at run time;
 * - only where `Validations` does not exist (older aws-cdk-lib, so cdk-nag v2): the `cdk_nag`
 *   metadata of the construct's CloudFormation resource, which v2's `NagSuppressions` reads; a
 *   finding-specific id `Rule[Finding]` becomes `{ id: Rule, applies_to: [Finding] }`.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  // The first acknowledgment of a finding on a construct stands: aws-cdk-lib records each one as metadata with a
  // captured stack trace (two, with its warning acknowledgment), so repeating it only costs synth time.
  const done = ACKNOWLEDGED.get(scope) ?? new Set<string>();
  if (done.has(id)) return;
  done.add(id);
  ACKNOWLEDGED.set(scope, done);
  const validations = validationsApi();
  if (validations) {
    validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const resource = scope instanceof cdk.CfnResource ? scope : scope.node.defaultChild;
  if (!(resource instanceof cdk.CfnResource)) return;
  const match = /^([^[]+)\[(.+)\]$/.exec(id);
  const entry: NagV2Suppression = match ? { id: match[1], reason, applies_to: [match[2]] } : { id, reason };
  const existing = resource.getMetadata('cdk_nag') as { rules_to_suppress?: NagV2Suppression[] } | undefined;
  resource.addMetadata('cdk_nag', { ...existing, rules_to_suppress: [...(existing?.rules_to_suppress ?? []), entry] });
}
