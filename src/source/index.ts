export * from './pipeline-source';
export * from './source-options';
