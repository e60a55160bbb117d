import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { definePipeline, newStack } from './source-build-deploy-fixtures';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { synthAndReport, synthValidated } from '../util';

describe('SourceBuildDeployPipeline acknowledgments', () => {
  // A wildcard in the caller's executionPolicy of a target in another account: cdk-nag reports it on a role the
  // pipeline defines outside its own subtree (the stack aws-cdk-lib defines for account 222222222222).
  const make = () => {
    const { app, stack } = newStack();
    const pipeline = definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        targets: [DeployTarget.cloudFormation({
          stackName: 'app',
          templatePath: 'template.yaml',
          account: '222222222222',
          executionPolicy: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue', 'sqs:DeleteQueue'], resources: ['arn:aws:sqs:eu-west-1:222222222222:app-*'] })],
        })],
      }],
    });
    return { app, pipeline };
  };
  const isOurs = (rule: string) => rule.startsWith('AwsSolutions-IAM5') && rule.includes('arn:aws:sqs:eu-west-1:222222222222:app-*');

  test('an acknowledgment on the pipeline covers the roles it defines in the stack of another account', () => {
    const bare = make();
    const reported = synthAndReport(bare.app).findings.filter((f) => isOurs(f.rule));
    expect(reported.length).toBeGreaterThan(0);
    const pipelinePath = bare.pipeline.node.path;
    // at least one of them outside the pipeline's subtree: what an acknowledgment on the pipeline alone would miss
    expect(reported.some((f) => !f.constructPath.startsWith(`${pipelinePath}/`))).toBe(true);

    const acknowledged = make();
    for (const rule of new Set(reported.map((f) => f.rule))) {
      Validations.of(acknowledged.pipeline).acknowledge({ id: rule, reason: 'CloudFormation names the queues of app with this prefix' });
    }
    const result = synthValidated(acknowledged.app);
    const outside = result.acknowledged.filter((a) => isOurs(a.rule) && !a.constructPath.startsWith(`${pipelinePath}`));
    expect(outside.length).toBeGreaterThan(0);
  });
});
