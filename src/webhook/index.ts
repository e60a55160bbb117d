export * from './webhook-auth';
export * from './pipeline-webhook';
