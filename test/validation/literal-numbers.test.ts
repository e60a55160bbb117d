import { App, CfnParameter, Duration, Lazy, Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as lib from '../../src';

/**
 * A token (a CloudFormation parameter's valueAsNumber) where this library reads the number at synth
 * fails saying it must be a literal (issue 22), instead of being checked as its encoding, a huge
 * negative number. Where the number only goes into the template (StackSet percentages), a token stays fine.
 */
const ENV = { account: '111111111111', region: 'eu-west-1' };
function withParam(): { stack: Stack; n: number } {
  const stack = new Stack(new App(), 'S', { env: ENV });
  return { stack, n: new CfnParameter(stack, 'Percent', { type: 'Number' }).valueAsNumber };
}
const LITERAL = /is a token \(a CloudFormation parameter or another value known only at deploy time\), not a literal; it is read at synth, so pass a literal/;

describe('fails when a token is passed where a literal number is required', () => {
  test('DeployStrategy.canary and linear percent', () => {
    const { n } = withParam();
    expect(() => lib.DeployStrategy.canary(n, Duration.minutes(5))).toThrow(new RegExp(`^DeployStrategy\\.canary: percent ${LITERAL.source} integer from 1 to 99`));
    expect(() => lib.DeployStrategy.linear(n, Duration.minutes(5))).toThrow(new RegExp(`^DeployStrategy\\.linear: percent ${LITERAL.source}`));
    expect(() => lib.DeployStrategy.canary(n, Duration.minutes(5))).not.toThrow(/-1\.8|e\+/);
  });
  test('DeployTarget.inspectorScan thresholds', () => {
    const { n } = withParam();
    for (const field of ['criticalThreshold', 'highThreshold', 'mediumThreshold', 'lowThreshold']) {
      expect(() => lib.DeployTarget.inspectorScan({ subject: lib.InspectorScanSubject.sourceCode(), [field]: n }))
        .toThrow(new RegExp(`^DeployTarget\\.inspectorScan: options\\.${field} ${LITERAL.source} whole number of findings`));
    }
  });
  test('runOrder of DeployTarget.bind, ApprovalGate.bindToStage, the CDK asset and self-update actions, and CdkStageDeployment.stacksAt', () => {
    const { stack, n } = withParam();
    const artifact = new codepipeline.Artifact('Assembly');
    const target = lib.DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'Assembly::app.json', allowEmptyExecutionPolicy: true });
    expect(() => target.bind(stack, { stageName: 'Prod', runOrder: n, defaultInput: artifact, artifacts: { Assembly: artifact } }))
      .toThrow(new RegExp(`^Stack 'S': bind options\\.runOrder ${LITERAL.source} runOrder from 1 to 999`));
    const pipeline = new codepipeline.Pipeline(stack, 'P', { pipelineType: codepipeline.PipelineType.V2 });
    expect(() => new lib.ApprovalGate(stack, 'Gate', { manual: true }).bindToStage({ pipeline, stageName: 'Prod', runOrder: n }))
      .toThrow(new RegExp(`^ApprovalGate 'Gate': bindToStage\\(\\) options\\.runOrder ${LITERAL.source}`));
    const stage = new Stage(stack.node.root, 'Prod', { env: ENV });
    new s3.Bucket(new Stack(stage, 'Api'), 'B');
    const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');
    const deployment = lib.CdkStageDeployment.fromStage(stage);
    const assets = new lib.CdkAssetPublishing(stack, 'Assets', { artifactBucket: bucket, stages: [deployment] });
    expect(() => assets.actions({ input: artifact, runOrder: n })).toThrow(new RegExp(`^CdkAssetPublishing 'Assets'\\.actions: options\\.runOrder ${LITERAL.source}`));
    const update = new lib.CdkSelfUpdate(stack, 'Update', { artifactBucket: bucket, pipelineStack: stack });
    expect(() => update.action({ input: artifact, runOrder: n })).toThrow(new RegExp(`^CdkSelfUpdate 'Update'\\.action: options\\.runOrder ${LITERAL.source}`));
    expect(() => deployment.stacksAt(n)).toThrow(new RegExp(`^CdkStageDeployment 'Prod'\\.stacksAt: runOrder ${LITERAL.source}`));
  });
  test('a Lazy number is a token too', () => {
    expect(() => lib.DeployStrategy.canary(Lazy.number({ produce: () => 10 }), Duration.minutes(5))).toThrow(LITERAL);
  });
});

describe('a token where the number only goes into the template stays fine', () => {
  test('CfnDeployment.stackSet percentages (CloudFormation reads them at deploy time)', () => {
    const { n } = withParam();
    expect(() => lib.CfnDeployment.stackSet({ failureTolerancePercentage: n, maxAccountConcurrencyPercentage: n })).not.toThrow();
  });
  test('literal numbers still pass and out-of-range ones still fail with their range', () => {
    expect(() => lib.DeployStrategy.canary(10, Duration.minutes(5))).not.toThrow();
    expect(() => lib.DeployStrategy.canary(100, Duration.minutes(5))).toThrow(/^DeployStrategy\.canary: percent is 100; pass an integer from 1 to 99\./);
  });
});
