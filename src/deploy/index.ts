export * from './deploy-target';
export { CloudFormationTargetOptions } from './targets/cloudformation-target';
export { EcsTargetOptions } from './targets/ecs-target';
export { BlueGreenImageInput, EcsBlueGreenTargetOptions } from './targets/ecs-blue-green-target';
export { CodeDeployTargetOptions } from './targets/codedeploy-target';
export { S3PublishOptions, S3TargetOptions } from './targets/s3-target';
export { ElasticBeanstalkTargetOptions } from './targets/elastic-beanstalk-target';
export { LambdaInvokeTargetOptions } from './targets/lambda-invoke-target';
export { StepFunctionsTargetOptions } from './targets/step-functions-target';
