export * from './review-policy';
