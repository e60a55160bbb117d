import { App } from 'aws-cdk-lib';
import { defineCdkExampleApp } from './cdk-app';

const app = new App();
// `cdk synth -c pipeline=cross-region` deploys the stages through CrossRegionCfnPipeline waves.
defineCdkExampleApp(app, { pipeline: app.node.tryGetContext('pipeline') });
