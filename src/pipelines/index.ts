export * from './cross-region-cfn';
export * from './source-build-deploy/source-build-deploy-pipeline';
