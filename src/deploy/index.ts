export * from './deploy-target';
