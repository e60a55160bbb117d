import { App } from 'aws-cdk-lib';
import { defineExampleApp } from './app';

defineExampleApp(new App());
