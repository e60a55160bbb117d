import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { latestNodeRuntime } from '../private/lambda-runtime';

/**
 * Props for WebhookFunction
 */
export interface WebhookFunctionProps extends lambda.FunctionOptions {
}

/**
 * The pipeline webhook's Lambda function: the handler `webhook.lambda.ts`, bundled when the library
 * is built (projen's lambda auto-discovery, into `assets/webhook/webhook.lambda`; synth never
 * bundles), on the newest Node.js runtime the app's aws-cdk-lib knows (`latestNodeRuntime`, chosen
 * at synth). Written by hand, as `NotifyFunction` is.
 */
export class WebhookFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props?: WebhookFunctionProps) {
    super(scope, id, {
      description: 'src/webhook/webhook.lambda.ts',
      ...props,
      runtime: latestNodeRuntime(),
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '../../assets/webhook/webhook.lambda')),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
