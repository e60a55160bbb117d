import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { latestNodeRuntime } from '../private/lambda-runtime';

/**
 * Props for ReviewFunction
 */
export interface ReviewFunctionProps extends lambda.FunctionOptions {
}

/**
 * The change-set review's Lambda function: the handler `review.lambda.ts`, bundled when the library is
 * built (projen's lambda auto-discovery, into `assets/review/review.lambda`; synth never bundles), on
 * the newest Node.js runtime that the app's aws-cdk-lib knows and the bundle supports
 * (`latestNodeRuntime`, chosen at synth).
 */
export class ReviewFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props?: ReviewFunctionProps) {
    super(scope, id, {
      description: 'src/review/review.lambda.ts',
      ...props,
      runtime: latestNodeRuntime(),
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '../../assets/review/review.lambda')),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
