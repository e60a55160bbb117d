export * from './build-options';
export * from './build-step';
export type { CdkSynthOptions } from './cdk-synth';
