import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { pipelineFixture } from './fixtures';
import { CodeBuildRule, GateCondition } from '../../src';
import { formatFindings, synthAndReport } from '../util';

/** The fixture's own buckets (source, target, artifacts) hold Control Tower findings that are not the rule's; everything else must be clean. */
const FIXTURE_BUCKETS = /^Gate\/(SourceBucket|TargetBucket|Pipeline\/ArtifactsBucket)\/Resource$/;
function synthRule(f: ReturnType<typeof pipelineFixture>) {
  const result = synthAndReport(f.app);
  // the L2 fixture pipeline's own S3 grants (s3:* prefixes, bucket/*) on its default policies
  const fixtureS3Grant = (x: { rule: string; constructPath: string }) => /\/DefaultPolicy\/Resource$/.test(x.constructPath)
    && /^AwsSolutions-IAM5\[(Action::s3:[A-Za-z]+\*|Resource::<[A-Za-z]*Bucket[A-Za-z0-9]*\.Arn>\/\*)\]$/.test(x.rule);
  const others = result.findings.filter((x) => !FIXTURE_BUCKETS.test(x.constructPath) && !fixtureS3Grant(x));
  if (others.length > 0) throw new Error(formatFindings(others));
  return result;
}
describe('CodeBuildRule', () => {
  test('an on-success condition with result FAIL runs the build and grants start/get on that project only', () => {
    const f = pipelineFixture();
    const project = codebuild.Project.fromProjectName(f.stack, 'Smoke', 'smoke-tests');
    const onSuccess = new GateCondition({
      result: codepipeline.Result.FAIL,
      rules: [new CodeBuildRule({ project, environmentVariables: { TARGET: 'prod' }, ruleName: 'SmokeTests' })],
    });
    f.pipeline.addStage({
      stageName: 'Prod',
      actions: [f.deployAction()],
      onSuccess: { conditions: [onSuccess.bind(f.stack, { pipeline: f.pipeline, stageName: 'Prod' })] },
    });
    const t = Template.fromJSON(synthRule(f).templates.Gate);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Prod',
        OnSuccess: {
          Conditions: [{
            Result: 'FAIL',
            Rules: [Match.objectLike({
              Name: 'SmokeTests',
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
              Configuration: { ProjectName: 'smoke-tests', EnvironmentVariables: '[{"name":"TARGET","value":"prod","type":"PLAINTEXT"}]' },
            })],
          }],
        },
      })]),
    });
    const statement = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .find((st: any) => [].concat(st.Action).includes('codebuild:StartBuild' as never));
    expect(statement).toBeDefined();
    expect([].concat(statement.Action).sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild']);
    expect(JSON.stringify(statement.Resource)).toMatch(/:project\/smoke-tests"/);
  });

  test('fails on a reserved environment variable name', () => {
    const f = pipelineFixture();
    const project = codebuild.Project.fromProjectName(f.stack, 'Smoke', 'smoke-tests');
    expect(() => new CodeBuildRule({ project, environmentVariables: { CODEBUILD_X: '1' } }))
      .toThrow(/CodeBuildRule: environment variable name 'CODEBUILD_X' is not usable/);
  });
});
