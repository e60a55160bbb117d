import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createTestApp, exemptFixtureFromControlTower, SynthResult, synthValidated } from '../util';

export const env = { account: '111111111111', region: 'eu-west-1' };

export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: codepipeline.Pipeline;
  readonly sourceOutput: codepipeline.Artifact;
  /** A stage after the source, holding an S3 deploy. */
  readonly deployStage: codepipeline.IStage;
  /** A fresh S3 deploy action (for a stage the gate adds). */
  deployAction(name?: string): codepipeline.IAction;
}

function bucket(stack: Stack, id: string, props: s3.BucketProps = {}): s3.Bucket {
  const b = new s3.Bucket(stack, id, {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    removalPolicy: RemovalPolicy.DESTROY,
    ...props,
  });
  Validations.of(b).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: access logs are out of scope of the gate tests' });
  return b;
}

/** A plain L2 V2 pipeline: S3 source, then a Deploy stage (S3 deploy). */
export function pipelineFixture(pipelineType: codepipeline.PipelineType = codepipeline.PipelineType.V2): Fixture {
  const app = createTestApp();
  const stack = new Stack(app, 'Gate', { env });
  const source = bucket(stack, 'SourceBucket', { versioned: true });
  const target = bucket(stack, 'TargetBucket');
  const sourceOutput = new codepipeline.Artifact('Source');
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType,
    crossAccountKeys: false,
    stages: [{
      stageName: 'Source',
      actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: source, bucketKey: 'app.zip', output: sourceOutput, trigger: actions.S3Trigger.NONE, variablesNamespace: 'SourceVariables' })],
    }],
  });
  Validations.of(pipeline.artifactBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: access logs are out of scope of the gate tests' });
  exemptFixtureFromControlTower(stack, 'the caller\'s buckets and L2 pipeline the gate attaches to; their Control Tower posture is the caller\'s');
  let n = 0;
  const deployAction = (name = `Deploy${++n}`) => new actions.S3DeployAction({ actionName: name, bucket: target, input: sourceOutput, runOrder: 2 });
  const deployStage = pipeline.addStage({ stageName: 'Deploy', actions: [deployAction('Deploy')] });
  return { app, stack, pipeline, sourceOutput, deployStage, deployAction };
}

export function alarm(stack: Stack, id: string): cloudwatch.Alarm {
  const a = new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: `${id}Errors`, statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  exemptFixtureFromControlTower(a, 'the caller\'s alarm a gate reads; whether it also pages someone is the caller\'s');
  return a;
}

export function checkFunction(stack: Stack, id: string): lambda.Function {
  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
  });
  Validations.of(fn.role!).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'test fixture: a stand-in check function',
  });
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: 'test fixture: a stand-in check function' });
  exemptFixtureFromControlTower(fn, 'a stand-in check function of the caller');
  return fn;
}

export function approverRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** The wildcard findings the aws-codepipeline L2 itself raises on its roles (artifact bucket access); not the gate's. */
const L2_PIPELINE_FINDINGS = [
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
  'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  'AwsSolutions-IAM5[Action::s3:Abort*]',
  'AwsSolutions-IAM5[Resource::<PipelineArtifactsBucket22248F97.Arn>/*]',
  'AwsSolutions-IAM5[Resource::<TargetBucket6BBF3429.Arn>/*]',
];

/**
 * Synthesize through the validation harness, acknowledging only the findings the L2 pipeline
 * fixture raises on its own roles' default policies (never anything under the gate).
 */
export function synthGate(f: Fixture): SynthResult {
  for (const c of f.pipeline.node.findAll()) {
    if (c.node.id === 'DefaultPolicy') {
      Validations.of(c).acknowledge(...L2_PIPELINE_FINDINGS.map((id) => ({ id, reason: 'test fixture: the L2 pipeline grants its roles artifact-bucket access' })));
    }
  }
  return synthValidated(f.app);
}
