/**
 * CodePipeline and CloudFormation quotas and limits, in one place: the pipelines, the gates and
 * `PipelineChecks` all read them from here (CodePipeline User Guide, "Quotas in AWS CodePipeline").
 */

/** Stages in one pipeline: at least 2 (a source stage and one more), at most 50. */
export const MIN_STAGES = 2;
export const MAX_STAGES = 50;
/** Actions in one stage. */
export const MAX_ACTIONS_PER_STAGE = 50;
/** runOrder of an action: 1-999. */
export const MAX_RUN_ORDER = 999;
/** Manual approval timeout: 5 minutes up to 86,400 minutes (60 days); the account default is 7 days. */
export const MIN_TIMEOUT_MINUTES = 5;
export const MAX_TIMEOUT_MINUTES = 86_400;
/** Action configuration: key length, value length, number of entries, resolved total (100 KB). */
export const MAX_CONFIG_KEY_LENGTH = 50;
export const MAX_CONFIG_VALUE_LENGTH = 1000;
export const MAX_CONFIG_ENTRIES = 200;
export const MAX_CONFIG_TOTAL_BYTES = 100 * 1024;
/** V2 triggers: push / pull-request filters per trigger, and patterns per list. */
export const MAX_TRIGGER_FILTERS = 3;
export const MAX_TRIGGER_PATTERNS = 8;
/** Rules in one stage condition. */
export const MAX_RULES_PER_CONDITION = 5;
/** CloudFormation: template body size (deployed through S3) and resources per stack. */
export const MAX_TEMPLATE_BYTES = 1_000_000;
export const MAX_TEMPLATE_RESOURCES = 500;
