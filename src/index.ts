export * from './pipelines';
export * from './source';
export * from './build';
export * from './deploy';
export * from './gates';
export * from './artifacts';
export * from './notifications';
export * from './checks';
