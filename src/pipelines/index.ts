export * from './cross-region-cfn-pipeline';
export * from './source-build-deploy-pipeline';
