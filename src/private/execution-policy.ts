import { IConstruct } from 'constructs';
import { fail } from './errors';

/** What a CloudFormation deployment was given for its deployment (execution) role. */
export interface ExecutionPolicyInput {
  /** The caller passed their own execution role (its permissions are theirs). */
  readonly hasRole: boolean;
  /** Number of statements (or managed policies) the defined role gets; undefined: none given. */
  readonly statements?: number;
  /** The stated opt-out (`allowEmptyExecutionPolicy`). */
  readonly allowEmpty?: boolean;
  /** The option(s) that give the role permissions, as the caller writes them. */
  readonly example: string;
  /** Names of the options, when they differ from a target's. @default 'executionPolicy', 'executionRole' */
  readonly policyOption?: string;
  readonly roleOption?: string;
  /** The role, as the message names it. @default 'the deployment role CloudFormation assumes' */
  readonly subject?: string;
}

/**
 * The rule every CloudFormation deployment with a deployment role follows: the role CloudFormation
 * assumes must be able to create the stack's resources. A deployment role this library defines holds
 * read access to the pipeline's artifacts and exactly the execution policy, so without one it could
 * only read artifacts, and the first deploy fails with AccessDenied. So: the caller's role, or a
 * policy with at least one statement, or the stated opt-out `allowEmptyExecutionPolicy: true`; the
 * opt-out with a role or with statements has no effect and fails too (never silently ignored).
 */
export function checkExecutionPolicy(where: IConstruct | string, input: ExecutionPolicyInput): void {
  const policy = input.policyOption ?? 'executionPolicy';
  const role = input.roleOption ?? 'executionRole';
  const statements = input.statements ?? 0;
  if (input.allowEmpty === true) {
    if (input.hasRole) {
      fail(where, `allowEmptyExecutionPolicy is true, but ${role} is given, whose permissions are yours; remove allowEmptyExecutionPolicy.`);
    }
    if (statements > 0) {
      fail(where, `allowEmptyExecutionPolicy is true, but ${policy} has ${statements} statement(s); remove allowEmptyExecutionPolicy (it only allows an empty ${policy}).`);
    }
    return;
  }
  if (input.hasRole || statements > 0) return;
  const given = input.statements === undefined ? `neither ${policy} nor ${role} is given` : `${policy} is empty and no ${role} is given`;
  fail(where, `${given}, so ${input.subject ?? 'the deployment role CloudFormation assumes'} could only read the pipeline's artifacts and create no resource ` +
    `(the first deploy would fail with AccessDenied); give it the permissions the stack's resources need, e.g. ${input.example}, ` +
    `or pass ${role} (a role of yours), or allowEmptyExecutionPolicy: true if the template needs no permissions.`);
}
