/**
 * The review action's UserParameters (a JSON string; the contract with the pipelines that place the action):
 * `{ pipeline, stage, changeSets: [{ account, region, stackName, changeSetName, roleArn? }], policy,
 *    reportBucket?, reportPrefix?, reportKmsKeyArn?, topicArn?, executionId? }`.
 * Read strictly: a wrong shape is a configuration error naming the field, the value and the fix.
 */
import type { ChangeSetRef } from './classify';
import { REVIEW_POLICIES, ReviewPolicy } from './format';

export interface ReviewParameters {
  readonly pipeline: string;
  readonly stage: string;
  readonly changeSets: ChangeSetRef[];
  readonly policy: ReviewPolicy;
  readonly reportBucket?: string;
  /** Put before `<executionId>/<stage>.md`; include the trailing slash. */
  readonly reportPrefix?: string;
  readonly reportKmsKeyArn?: string;
  readonly topicArn?: string;
  /** `#{codepipeline.PipelineExecutionId}`, resolved by CodePipeline; names the report. @default the job id */
  readonly executionId?: string;
}

const KEYS = ['pipeline', 'stage', 'changeSets', 'policy', 'reportBucket', 'reportPrefix', 'reportKmsKeyArn', 'topicArn', 'executionId'];
const REF_KEYS = ['account', 'region', 'stackName', 'changeSetName', 'roleArn'];

export function parseReviewParameters(raw: string | undefined): ReviewParameters {
  const fail = (what: string) => new Error(`the review action's UserParameters ${what}`);
  if (!raw) throw fail('are empty; the action must pass { pipeline, stage, changeSets, policy } as JSON.');
  let p: any;
  try {
    p = JSON.parse(raw);
  } catch (e: any) {
    throw fail(`are not JSON (${e.message}): ${raw.slice(0, 200)}`);
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw fail(`must be a JSON object, got ${raw.slice(0, 200)}.`);
  const unknown = Object.keys(p).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw fail(`have unknown field(s) ${unknown.join(', ')}; the fields are ${KEYS.join(', ')}.`);
  for (const k of ['pipeline', 'stage']) {
    if (typeof p[k] !== 'string' || !p[k]) throw fail(`need '${k}' as a non-empty string, got ${JSON.stringify(p[k])}.`);
  }
  for (const k of ['reportBucket', 'reportPrefix', 'reportKmsKeyArn', 'topicArn', 'executionId']) {
    if (p[k] !== undefined && typeof p[k] !== 'string') throw fail(`need '${k}' as a string when given, got ${JSON.stringify(p[k])}.`);
  }
  const policy = p.policy ?? 'always';
  if (!REVIEW_POLICIES.includes(policy)) throw fail(`have policy ${JSON.stringify(p.policy)}; use one of ${REVIEW_POLICIES.join(', ')}.`);
  if (!Array.isArray(p.changeSets) || p.changeSets.length === 0) {
    throw fail(`need 'changeSets' as a non-empty list of { account, region, stackName, changeSetName, roleArn? }, got ${JSON.stringify(p.changeSets)}.`);
  }
  const changeSets = p.changeSets.map((c: any, i: number): ChangeSetRef => {
    if (!c || typeof c !== 'object') throw fail(`changeSets[${i}] must be an object, got ${JSON.stringify(c)}.`);
    const extra = Object.keys(c).filter((k) => !REF_KEYS.includes(k));
    if (extra.length) throw fail(`changeSets[${i}] has unknown field(s) ${extra.join(', ')}; the fields are ${REF_KEYS.join(', ')}.`);
    for (const k of REF_KEYS.slice(0, 4)) {
      if (typeof c[k] !== 'string' || !c[k]) throw fail(`changeSets[${i}] needs '${k}' as a non-empty string, got ${JSON.stringify(c[k])}.`);
    }
    if (!/^\d{12}$/.test(c.account)) throw fail(`changeSets[${i}].account '${c.account}' is not a 12-digit account id.`);
    if (c.roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(c.roleArn)) {
      throw fail(`changeSets[${i}].roleArn '${c.roleArn}' is not an IAM role ARN (arn:aws:iam::111111111111:role/name).`);
    }
    return { account: c.account, region: c.region, stackName: c.stackName, changeSetName: c.changeSetName, roleArn: c.roleArn };
  });
  return { ...p, policy, changeSets };
}
