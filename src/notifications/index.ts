export * from './failure-notifications';
