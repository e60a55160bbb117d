export * from './cross-region-cfn';
export * from './source-build-deploy-pipeline';
