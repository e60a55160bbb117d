export * from './approval';
export * from './notifications';
