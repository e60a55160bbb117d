export * from './stage-deployment';
export * from './asset-publishing';
export * from './self-update';
