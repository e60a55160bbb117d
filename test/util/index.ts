export * from './harness';
export * from './canonical';
