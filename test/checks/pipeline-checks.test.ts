import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PipelineChecks } from '../../src/checks';
import { createTestApp, exemptFixtureFromControlTower, synthAndReport } from '../util';
import { ENV, Json, deploy, pipeline, source, stage, stores, validPipeline } from './fixtures';

/** S3 source -> (Deploy, consuming 'Built') -> (Build, producing 'Built'): the artifact is consumed a stage before it exists. */
function artifactOrderBug(stack: Stack): codepipeline.Pipeline {
  const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, versioned: true });
  const sourceOut = new codepipeline.Artifact('Src');
  const built = new codepipeline.Artifact('Built');
  return new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'src.zip', output: sourceOut })] },
      { stageName: 'Deploy', actions: [new actions.S3DeployAction({ actionName: 'Deploy', bucket, input: built })] },
      { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project: new codebuild.PipelineProject(stack, 'Project'), input: sourceOut, outputs: [built] })] },
    ],
  });
}

function validationReport(app: App): any {
  const assembly = app.synth({ force: true });
  return JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
}

function l1Pipeline(stack: Stack, id: string, properties: Json): CfnResource {
  return new CfnResource(stack, id, { type: 'AWS::CodePipeline::Pipeline', properties });
}

describe('the aws-codepipeline L2 artifact-order bug', () => {
  test('the L2 Pipeline accepts an artifact consumed in a stage before its producer', () => {
    const app = new App();
    const stack = new Stack(app, 'Plain', { env: ENV });
    const p = artifactOrderBug(stack);
    expect(p.node.validate()).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  test('PipelineChecks as a validation plugin reports it, with stage, action, message and fix', () => {
    const app = createTestApp();
    artifactOrderBug(new Stack(app, 'Plugin', { env: ENV }));

    const report = validationReport(app).pluginReports.find((r: any) => r.pluginName === 'PipelineChecks');
    expect(report.conclusion).toBe('failure');
    expect(report.violations).toEqual([expect.objectContaining({
      ruleName: 'CDP-ARTIFACT-ORDER',
      description: expect.stringContaining("Plugin/Pipeline: stage 'Deploy' action 'Deploy': input artifact 'Built' is produced later, by stage 'Build' action 'Build'"),
      suggestedFix: expect.stringMatching(/^Move the consuming action after its producer/),
      severity: 'error',
      ruleMetadata: expect.objectContaining({ pipeline: 'Plugin/Pipeline', stage: 'Deploy', action: 'Deploy' }),
      violatingConstructs: [expect.objectContaining({
        constructPath: 'Plugin/Pipeline/Resource',
        cloudFormationResource: { logicalId: 'PipelineC660917D', templatePath: 'Plugin.template.json', propertyPaths: ['Properties/Stages/1/Actions/0/InputArtifacts/0/Name'] },
      })],
    })]);
  });

  test('fails synthesis when the pipeline is enforced', () => {
    const app = new App();
    const stack = new Stack(app, 'Enforced', { env: ENV });
    const p = artifactOrderBug(stack);
    PipelineChecks.enforce(p);
    expect(() => app.synth()).toThrow(
      /\[CDP-ARTIFACT-ORDER\] Enforced\/Pipeline: stage 'Deploy' action 'Deploy': input artifact 'Built' is produced later, by stage 'Build' action 'Build' \(runOrder 1\)\. Fix: Move/,
    );
  });

  test('an acknowledgment on the pipeline clears it, for the plugin and for enforce', () => {
    const app = createTestApp();
    const p = artifactOrderBug(new Stack(app, 'Ack', { env: ENV }));
    Validations.of(p).acknowledge({ id: 'CDP-ARTIFACT-ORDER', reason: 'test fixture' });
    expect(PipelineChecks.errorsFor(p)).toEqual([]);
    expect(synthAndReport(app).findings.filter((f) => f.plugin === 'PipelineChecks')).toEqual([]);
  });
});

describe('PipelineChecks', () => {
  test('a valid L2 pipeline has no finding of the plugin nor of the CloudFormation engine', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Valid', { env: ENV });
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, versioned: true });
    const src = new codepipeline.Artifact('Src');
    const p = new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'src.zip', output: src })] },
        { stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] },
        { stageName: 'Deploy', actions: [new actions.S3DeployAction({ actionName: 'Deploy', bucket, input: src })] },
      ],
    });
    PipelineChecks.enforce(p);
    exemptFixtureFromControlTower(stack, 'a plain L2 pipeline, the input of the checks under test');
    const findings = synthAndReport(app).findings.filter((f) => f.plugin !== 'AwsSolutions');
    expect(findings).toEqual([]);
  });

  test('enforce reports every finding of an L1 pipeline with its construct path', () => {
    const app = new App();
    const stack = new Stack(app, 'L1', { env: ENV });
    l1Pipeline(stack, 'Pipeline', pipeline([stage('Source', source()), stage('Source', deploy('Deploy', 'Nope', { RunOrder: 0 }))]));
    expect(PipelineChecks.errorsFor(stack)).toEqual([
      "[CDP-STAGE-NAME-UNIQUE] L1/Pipeline: stage 'Source': stage name 'Source' is also used by stage 1. Fix: Rename one of the stages.",
      "[CDP-RUN-ORDER] L1/Pipeline: stage 'Source' action 'Deploy': runOrder 0 is outside 1..999. Fix: Use runOrder 1..999 (equal values run in parallel, higher values later).",
      expect.stringMatching(/^\[CDP-ARTIFACT-ORDER\] L1\/Pipeline: stage 'Source' action 'Deploy': input artifact 'Nope' is not produced by any action/),
    ]);
  });

  test('the plugin reads the stack region from the cloud assembly when the context has only template paths (aws-cdk-lib < 2.25x)', () => {
    const app = new App();
    const stack = new Stack(app, 'Old', { env: ENV });
    l1Pipeline(stack, 'Pipeline', pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { Region: 'us-east-1' }))],
      { ArtifactStore: undefined, ArtifactStores: stores(['us-east-1']) }));
    const assembly = app.synth();
    const report = new PipelineChecks().validate({ templatePaths: [path.join(assembly.directory, 'Old.template.json')] } as any);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.description)).toEqual([
      expect.stringContaining("ArtifactStores has no store for the pipeline region 'eu-west-1' (has: us-east-1)"),
    ]);
    expect(report.violations[0].violatingResources[0].resourceLogicalId).toBe('Pipeline');
  });

  describe('CDP-TEMPLATE-LIMITS', () => {
    // CDK itself refuses more than 500 resources per stack at synth; the template size is ours to check.
    function stackWith(resources: number, metadataBytes: number) {
      const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
      Validations.of(app).addPlugins(new PipelineChecks());
      const stack = new Stack(app, 'Big', { env: ENV });
      l1Pipeline(stack, 'Pipeline', validPipeline());
      for (let i = 0; i < resources - 1; i++) {
        new CfnResource(stack, `Handle${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle' }).addMetadata('Padding', 'x'.repeat(metadataBytes));
      }
      return app;
    }
    const ours = (app: App) => validationReport(app).pluginReports.find((r: any) => r.pluginName === 'PipelineChecks')?.violations ?? [];

    test('passes a stack of 500 resources and under 1 MB holding a pipeline', () => {
      expect(ours(stackWith(500, 1000))).toEqual([]);
    });

    test('fails when the template holding a pipeline is over 1 MB', () => {
      expect(ours(stackWith(2, 1_000_000)).map((v: any) => `${v.ruleName}: ${v.description}`)).toEqual([
        expect.stringMatching(/^CDP-TEMPLATE-LIMITS: Big.template.json: the stack template is \d+ bytes; CloudFormation takes at most 1000000/),
      ]);
    });
  });

  test('exposes every rule and its id list', () => {
    const plugin = new PipelineChecks();
    expect(plugin.name).toBe('PipelineChecks');
    expect(plugin.ruleIds).toEqual(PipelineChecks.RULES.map((r) => r.id));
    expect(plugin.ruleIds).toContain('CDP-ARTIFACT-ORDER');
  });
});
