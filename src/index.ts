export * from './approval';
export * from './notifications';
export * from './artifacts';
export * from './source';
export * from './build';
export * from './checks';
export * from './deploy';
export * from './pipelines';
