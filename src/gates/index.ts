export * from './stage-gate';
export * from './approval-gate';
export * from './rules';
