/** CodePipeline's limit on rules in one stage condition. */
export const MAX_RULES_PER_CONDITION = 5;
