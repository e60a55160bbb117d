export * from './artifact-stores';
