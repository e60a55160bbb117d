export * from './stage-gate';
