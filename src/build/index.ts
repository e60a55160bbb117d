export * from './build-options';
export * from './build-step';
