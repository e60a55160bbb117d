export * from './pipeline-rule';
export * from './pipeline-checks';
