/**
 * The review action's UserParameters (a JSON string; the contract with the pipelines that place the action):
 * `{ stage, changeSetStages: [..], reviewRoleName?, policy, pipeline?, reportBucket?, reportPrefix?,
 *    reportKmsKeyArn?, topicArn?, executionId? }` (fixed size, whatever the number of change sets: the
 * handler finds them in the pipeline's declaration), or with an explicit
 * `changeSets: [{ account, region, stackName, changeSetName, roleArn? }]` instead of `changeSetStages`.
 * Read strictly: a wrong shape is a configuration error naming the field, the value and the fix.
 */
import type { ChangeSetRef } from './classify';
import { REVIEW_POLICIES, ReviewPolicy } from './format';

export interface ReviewParameters {
  /** How the report names the pipeline when the job does not say (explicit `changeSets`). */
  readonly pipeline?: string;
  readonly stage: string;
  /** The change sets, listed (else found in `changeSetStages`). */
  readonly changeSets?: ChangeSetRef[];
  /** The stages of the pipeline whose CloudFormation CHANGE_SET_REPLACE actions are reviewed. */
  readonly changeSetStages?: string[];
  /** The review role's name, the same in every target account other than the pipeline's. */
  readonly reviewRoleName?: string;
  readonly policy: ReviewPolicy;
  readonly reportBucket?: string;
  /** Put before `<executionId>/<stage>.md`; include the trailing slash. */
  readonly reportPrefix?: string;
  readonly reportKmsKeyArn?: string;
  readonly topicArn?: string;
  /** `#{codepipeline.PipelineExecutionId}`, resolved by CodePipeline; names the report. @default the job id */
  readonly executionId?: string;
}

const KEYS = ['pipeline', 'stage', 'changeSets', 'changeSetStages', 'reviewRoleName', 'policy', 'reportBucket', 'reportPrefix', 'reportKmsKeyArn', 'topicArn', 'executionId'];
const REF_KEYS = ['account', 'region', 'stackName', 'changeSetName', 'roleArn'];

export function parseReviewParameters(raw: string | undefined): ReviewParameters {
  const fail = (what: string) => new Error(`the review action's UserParameters ${what}`);
  if (!raw) throw fail('are empty; the action must pass { stage, changeSetStages, reviewRoleName, policy } as JSON.');
  let p: any;
  try {
    p = JSON.parse(raw);
  } catch (e: any) {
    throw fail(`are not JSON (${e.message}): ${raw.slice(0, 200)}`);
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw fail(`must be a JSON object, got ${raw.slice(0, 200)}.`);
  const unknown = Object.keys(p).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw fail(`have unknown field(s) ${unknown.join(', ')}; the fields are ${KEYS.join(', ')}.`);
  if (typeof p.stage !== 'string' || !p.stage) throw fail(`need 'stage' as a non-empty string, got ${JSON.stringify(p.stage)}.`);
  if (p.pipeline !== undefined && (typeof p.pipeline !== 'string' || !p.pipeline)) throw fail(`need 'pipeline' as a non-empty string when given, got ${JSON.stringify(p.pipeline)}.`);
  if (p.reviewRoleName !== undefined && (typeof p.reviewRoleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(p.reviewRoleName))) {
    throw fail(`need 'reviewRoleName' as an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-) when given, got ${JSON.stringify(p.reviewRoleName)}.`);
  }
  for (const k of ['reportBucket', 'reportPrefix', 'reportKmsKeyArn', 'topicArn', 'executionId']) {
    if (p[k] !== undefined && typeof p[k] !== 'string') throw fail(`need '${k}' as a string when given, got ${JSON.stringify(p[k])}.`);
  }
  const policy = p.policy ?? 'always';
  if (!REVIEW_POLICIES.includes(policy)) throw fail(`have policy ${JSON.stringify(p.policy)}; use one of ${REVIEW_POLICIES.join(', ')}.`);
  if (p.changeSetStages !== undefined) {
    if (p.changeSets !== undefined) throw fail('have both \'changeSets\' and \'changeSetStages\'; give one of them.');
    if (!Array.isArray(p.changeSetStages) || p.changeSetStages.length === 0 || p.changeSetStages.some((x: unknown) => typeof x !== 'string' || !x)) {
      throw fail(`need 'changeSetStages' as a non-empty list of stage names, got ${JSON.stringify(p.changeSetStages)}.`);
    }
    return { ...p, policy };
  }
  if (!Array.isArray(p.changeSets) || p.changeSets.length === 0) {
    throw fail(`need 'changeSetStages' (the stages holding the change-set actions) or 'changeSets' as a non-empty list of { account, region, stackName, changeSetName, roleArn? }, got ${JSON.stringify(p.changeSets)}.`);
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
