export * from './deploy-target';
export type { CloudFormationTargetOptions } from './targets/cloudformation-target';
export type { EcsTargetOptions } from './targets/ecs-target';
export type { BlueGreenImageInput, EcsBlueGreenTargetOptions } from './targets/ecs-blue-green-target';
export type { CodeDeployTargetOptions } from './targets/codedeploy-target';
export type { S3PublishOptions, S3TargetOptions } from './targets/s3-target';
export type { ElasticBeanstalkTargetOptions } from './targets/elastic-beanstalk-target';
export type { LambdaInvokeTargetOptions } from './targets/lambda-invoke-target';
export type { StepFunctionsTargetOptions } from './targets/step-functions-target';
