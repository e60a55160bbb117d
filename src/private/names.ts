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

/** CodePipeline artifact names. */
export const ARTIFACT_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** CodePipeline variable namespaces (an action's `namespace`). */
export const VARIABLE_NAMESPACE = /^[A-Za-z0-9@_-]{1,100}$/;

/** CodePipeline variable names (pipeline variables and output variables). */
export const VARIABLE_NAME = /^[A-Za-z0-9@_-]{1,128}$/;

/** E-mail addresses for SNS e-mail subscriptions: one '@', a dotted domain, no spaces. */
export const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
