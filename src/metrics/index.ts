export * from './delivery-dashboard';
