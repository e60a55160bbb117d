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

/**
 * Let the acknowledgments made on `owner` (`Validations.of(owner).acknowledge(...)`) cover the constructs it defines
 * outside its own subtree too: the roles a pipeline defines in the support stack of another account, which an
 * acknowledgment on the pipeline would otherwise miss (it covers the construct's children only). Each acknowledgment
 * recorded on `owner` itself is made again, with its reason, on each of `constructs()`, when the app is synthesized
 * (an aspect of `owner`: after everything the app defines and acknowledges, before the validation plugins read the
 * acknowledgments). Acknowledgments on `owner`'s ancestors (its stack) stay where they are.
 */
export function extendAcknowledgments(owner: IConstruct, constructs: () => IConstruct[]): void {
  const validations = (cdk as unknown as { Validations?: ValidationsApi & { ACKNOWLEDGED_RULES_METADATA_KEY?: string } }).Validations;
  const key = validations?.ACKNOWLEDGED_RULES_METADATA_KEY;
  if (!validations || key === undefined) return; // cdk-nag v2 (older aws-cdk-lib): NagSuppressions with applyToChildren per stack
  let extended = false;
  cdk.Aspects.of(owner).add({
    visit(node: IConstruct) {
      if (node !== owner || extended) return;
      extended = true;
      const rules = owner.node.metadata
        .filter((entry) => entry.type === key)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
      if (rules.length === 0) return;
      for (const construct of constructs()) validations.of(construct).acknowledge(...rules);
    },
  });
}
