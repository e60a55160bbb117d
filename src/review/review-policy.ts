/**
 * When a stage or wave that reviews its change sets asks for the approval, from what the review found
 * (the review step writes its verdict into its `NeedsApproval` output variable).
 */
export enum ReviewPolicy {
  /** Always ask: the approval waits for a person, whatever the change sets hold. */
  ALWAYS = 'always',
  /**
   * Skip the approval when no change set holds a change (every change set empty): the approval sits in
   * a stage of its own, whose entry condition skips it (shown as skipped in the console).
   */
  SKIP_WHEN_EMPTY = 'skip-when-empty',
  /**
   * Ask only when a change set replaces a resource or changes a security-relevant one (IAM, resource
   * policies, security groups); otherwise skip the approval, as with `SKIP_WHEN_EMPTY`.
   */
  ON_RISK = 'on-risk',
  /**
   * Fail the review (and so the stage, before the approval) when a change set would replace a stateful
   * resource (bucket, table, database, file system, key, log group, user pool...); otherwise always ask.
   */
  FAIL_ON_STATEFUL_REPLACEMENT = 'fail-on-stateful-replacement',
}

/** Whether the policy may skip the approval (then the approval needs a stage of its own). */
export function policySkipsApproval(policy: ReviewPolicy): boolean {
  return policy === ReviewPolicy.SKIP_WHEN_EMPTY || policy === ReviewPolicy.ON_RISK;
}
