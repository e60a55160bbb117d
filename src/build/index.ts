export * from './build-options';
export * from './cdk-synth';
