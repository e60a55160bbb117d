// ReviewFunction deploys the bundle built from review.lambda.ts, on the runtime chosen at synth.
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLE_NODE_MAJOR, latestNodeRuntime } from '../../src/private/lambda-runtime';
import { ReviewFunction } from '../../src/review/review-function';

const BUNDLE = path.join(__dirname, '../../assets/review/review.lambda');

test('the function runs index.handler of the review bundle on latestNodeRuntime, with the options given', () => {
  const stack = new Stack();
  const fn = new ReviewFunction(stack, 'Review', { memorySize: 512, environment: { REVIEW_MAX_WAIT_MS: '60000' } });
  expect(fn.runtime.name).toBe(latestNodeRuntime().name);
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.handler',
    Runtime: latestNodeRuntime().name,
    MemorySize: 512,
    Description: 'src/review/review.lambda.ts',
    Environment: { Variables: { REVIEW_MAX_WAIT_MS: '60000', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
  });
});

test('the bundle is built from review.lambda.ts for the bundle target and refuses an event that is not a job', async () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '../../.projen/tasks.json'), 'utf-8'));
  const args: string[] = tasks.tasks['bundle:review/review.lambda'].steps[0].execArgs;
  expect(args).toEqual(expect.arrayContaining(['src/review/review.lambda.ts', `--target=node${BUNDLE_NODE_MAJOR}`, '--outfile=assets/review/review.lambda/index.js']));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(path.join(BUNDLE, 'index.js'));
  await expect(bundled.handler({})).rejects.toThrow(/the change-set review handles CodePipeline Lambda invoke jobs/);
});
