export * from './pipeline-checks';
