export * from './props';
export * from './cross-region-cfn-pipeline';
