export { ReviewPolicy } from './review-policy';
