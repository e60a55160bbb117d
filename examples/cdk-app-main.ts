import { App } from 'aws-cdk-lib';
import { defineCdkExampleApp } from './cdk-app';

defineCdkExampleApp(new App());
