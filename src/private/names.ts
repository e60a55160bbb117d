/** Pipeline, stage and action names (CodePipeline API). */
export const CODEPIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

/** CloudFormation stack (and stack set) names. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** CloudFormation change set names. */
export const CHANGE_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/** AWS account ids. */
export const ACCOUNT_ID = /^\d{12}$/;

/** AWS region names, e.g. eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
