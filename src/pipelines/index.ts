export * from './cross-region-cfn-pipeline';
export * from './source-build-deploy/source-build-deploy-pipeline';
