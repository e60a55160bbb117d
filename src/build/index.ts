export * from './build-options';
