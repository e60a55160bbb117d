import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { ENV, Json, action, approval, build, connectionSource, pipeline, rulesOf, source, stage } from './fixtures';
import { PipelineChecks } from '../../src/checks';
import { createTestApp, synthAndReport } from '../util';

const RULE = 'CDP-VARIABLE-REFERENCE';
const findings = (props: Json) => PipelineChecks.checkProperties(props, ENV).filter((f) => f.ruleId === RULE);
const messages = (props: Json) => findings(props).map((f) => f.message);
const envVars = (vars: { [name: string]: string }) => JSON.stringify(Object.entries(vars).map(([name, value]) => ({ name, type: 'PLAINTEXT', value })));
/** A CodeBuild action whose EnvironmentVariables hold `value`. */
const buildUsing = (value: unknown, extra: Json = {}, name = 'Build') => build(name, 'SourceOut', null, {
  Configuration: { ProjectName: 'p', EnvironmentVariables: value }, ...extra,
});
/** An approval whose CustomData holds `value`. */
const approvalUsing = (value: unknown, extra: Json = {}, name = 'Approve') => approval(name, { Configuration: { CustomData: value }, ...extra });
const withNs = (ns = 'SourceVariables') => source('Source', 'SourceOut', { Namespace: ns });
const condition = (kind: string, value: string): Json => ({
  [kind]: { Conditions: [{ Result: kind === 'BeforeEntry' ? 'FAIL' : 'ROLLBACK', Rules: [{ ...rulesOf(1)[0], Name: 'Check', Configuration: { Variable: value, Value: 'x' } }] }] },
});

describe('CDP-VARIABLE-REFERENCE on action configuration', () => {
  test('passes a namespace declared in an earlier stage, and at a lower runOrder in the same stage', () => {
    const props = pipeline([stage('Source', withNs()), stage('Build',
      build('Build', 'SourceOut', null, { Namespace: 'BuildVariables' }),
      approvalUsing('#{SourceVariables.ETag} #{BuildVariables.IMAGE}', { RunOrder: 2 }))]);
    expect(messages(props)).toEqual([]);
  });

  test('fails when the namespace is declared at the same runOrder in the same stage', () => {
    const props = pipeline([stage('Source', withNs()), stage('Build',
      build('Build', 'SourceOut', null, { Namespace: 'BuildVariables' }),
      approvalUsing('#{BuildVariables.IMAGE}'))]);
    expect(findings(props)).toEqual([expect.objectContaining({
      stageName: 'Build',
      actionName: 'Approve',
      location: 'Properties/Stages/1/Actions/1/Configuration/CustomData',
      message: "configuration CustomData: #{BuildVariables.IMAGE} names namespace 'BuildVariables' of stage 'Build' action 'Build' (runOrder 1), which does not run before this action",
    })]);
  });

  test('fails when the namespace is declared by an action in a later stage', () => {
    const props = pipeline([stage('Source', source()), stage('Approve', approvalUsing('#{BuildVariables.IMAGE}')),
      stage('Build', build('Build', 'SourceOut', null, { Namespace: 'BuildVariables' }))]);
    expect(messages(props)).toEqual([expect.stringMatching(/names namespace 'BuildVariables' of stage 'Build' action 'Build' \(runOrder 1\), which does not run before this action/)]);
  });

  test('fails when an action reads its own namespace', () => {
    const props = pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ X: '#{Mine.X}' }), { Namespace: 'Mine' }))]);
    expect(messages(props)).toEqual([expect.stringMatching(/#\{Mine.X\} names namespace 'Mine' .* which does not run before this action/)]);
  });

  test('fails when no action declares the namespace (the README build example without a source namespace)', () => {
    expect(messages(pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ COMMIT: '#{SourceVariables.CommitId}' })))]))).toEqual([
      "configuration EnvironmentVariables: #{SourceVariables.CommitId} names namespace 'SourceVariables', which no action of the pipeline declares",
    ]);
  });

  test('passes the built-in execution variables and fails an unknown one', () => {
    const ok = pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ ID: '#{codepipeline.PipelineExecutionId}', AT: '#{codepipeline.PipelineExecutionStartTime}' })))]);
    expect(messages(ok)).toEqual([]);
    const bad = pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ N: '#{codepipeline.PipelineName}' })))]);
    expect(messages(bad)).toEqual([expect.stringMatching(/#\{codepipeline.PipelineName\} is not a codepipeline execution variable \(known: PipelineExecutionId, PipelineExecutionStartTime\)/)]);
  });

  test('passes a declared pipeline variable and fails an undeclared one, naming the declared ones', () => {
    const props = (ref: string) => pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ TAG: ref })))],
      { PipelineType: 'V2', Variables: [{ Name: 'releaseTag', DefaultValue: 'v1' }, { Name: 'env' }] });
    expect(messages(props('#{variables.releaseTag}'))).toEqual([]);
    expect(messages(props('#{variables.tag}'))).toEqual([
      "configuration EnvironmentVariables: #{variables.tag} names pipeline variable 'tag', which the pipeline does not declare (declared: releaseTag, env)",
    ]);
  });

  test('fails #{variables.x} on a pipeline without Variables', () => {
    expect(messages(pipeline([stage('Source', source()), stage('Build', buildUsing(envVars({ TAG: '#{variables.releaseTag}' })))]))).toEqual([
      expect.stringMatching(/pipeline variable 'releaseTag', which the pipeline does not declare \(declared: none\)/),
    ]);
  });

  test.each([
    ['S3', () => withNs(), 'VersionId', 'CommitId', /the S3 action 'Source' outputs only ETag, VersionId/],
    ['CodeCommit', () => action('Source', 'Source', 'CodeCommit', [], ['SourceOut'], { Namespace: 'SourceVariables', Configuration: { RepositoryName: 'r', BranchName: 'main' } }),
      'CommitId', 'ETag', /the CodeCommit action 'Source' outputs only AuthorDate, BranchName, CommitId, CommitMessage, CommitterDate, RepositoryName/],
    ['ECR', () => action('Source', 'Source', 'ECR', [], ['SourceOut'], { Namespace: 'SourceVariables', Configuration: { RepositoryName: 'r' } }),
      'ImageURI', 'CommitId', /the ECR action 'Source' outputs only ImageDigest, ImageTag, ImageURI, RegistryId, RepositoryName/],
    ['CodeStarSourceConnection', () => ({ ...connectionSource(), Namespace: 'SourceVariables' }),
      'FullRepositoryName', 'RepositoryName', /the CodeStarSourceConnection action 'Source' outputs only AuthorDate, BranchName, CommitId, CommitMessage, ConnectionArn, FullRepositoryName/],
  ])('%s source: passes an output variable it has, fails one it does not', (_, src, known, unknown, message) => {
    const props = (name: string) => pipeline([stage('Source', src()), stage('Build', buildUsing(envVars({ V: `#{SourceVariables.${name}}` })))]);
    expect(messages(props(known))).toEqual([]);
    expect(messages(props(unknown))).toEqual([expect.stringMatching(message)]);
  });

  test('passes any variable of CloudFormation (stack outputs), CodeBuild (exported variables) and Lambda actions', () => {
    const cfn = action('Stack', 'Deploy', 'CloudFormation', ['SourceOut'], [], {
      Namespace: 'StackOutputs', Configuration: { ActionMode: 'CREATE_UPDATE', StackName: 's', TemplatePath: 'SourceOut::t.json', RoleArn: 'arn:aws:iam::111111111111:role/cfn' },
    });
    const lambda = action('Invoke', 'Invoke', 'Lambda', [], [], { Namespace: 'Fn', Configuration: { FunctionName: 'f' } });
    const props = pipeline([stage('Source', source()), stage('Deploy', cfn, build('Build', 'SourceOut', null, { Namespace: 'BuildVariables' }), lambda),
      stage('Check', approvalUsing('#{StackOutputs.ApiUrl} #{BuildVariables.ANYTHING} #{Fn.result}'))]);
    expect(messages(props)).toEqual([]);
  });

  test.each(['CHANGE_SET_REPLACE', 'DELETE_ONLY'])('fails a stack output read from a CloudFormation action in %s mode (it deploys no stack)', (mode) => {
    const cfn = (name: string, actionMode: string, extra: Json = {}) => action(name, 'Deploy', 'CloudFormation', ['SourceOut'], [], {
      Configuration: { ActionMode: actionMode, StackName: 's', ChangeSetName: 'c', TemplatePath: 'SourceOut::t.json', RoleArn: 'arn:aws:iam::111111111111:role/cfn' }, ...extra,
    });
    const props = (producerMode: string) => pipeline([stage('Source', source()), stage('Deploy',
      cfn('Prepare', producerMode, { Namespace: 'Stack' }), cfn('Execute', 'CHANGE_SET_EXECUTE', { RunOrder: 2 })),
    stage('Check', approvalUsing('#{Stack.ApiUrl}'))]);
    expect(messages(props(mode))).toEqual([
      `configuration CustomData: #{Stack.ApiUrl} names namespace 'Stack' of the CloudFormation action 'Prepare' (ActionMode ${mode}), which deploys no stack and so publishes `
        + 'no stack outputs; set the namespace on the action that deploys the stack (CHANGE_SET_EXECUTE after a change set, or CREATE_UPDATE)',
    ]);
    expect(messages(props('CHANGE_SET_EXECUTE'))).toEqual([]);
  });

  test('reads the Commands action\'s commands and environment variables', () => {
    const commands = (refs: Json) => action('Run', 'Compute', 'Commands', ['SourceOut'], [], { ...refs });
    const props = (refs: Json) => pipeline([stage('Source', withNs()), stage('Run', commands(refs))]);
    expect(messages(props({ Commands: ['echo #{SourceVariables.ETag}'], EnvironmentVariables: [{ Name: 'V', Value: '#{SourceVariables.VersionId}' }] }))).toEqual([]);
    expect(findings(props({ Commands: ['curl #{Stack.ApiUrl}'] }))).toEqual([expect.objectContaining({
      location: 'Properties/Stages/1/Actions/0/Commands',
      message: "Commands: #{Stack.ApiUrl} names namespace 'Stack', which no action of the pipeline declares",
    })]);
    expect(messages(props({ EnvironmentVariables: [{ Name: 'V', Value: '#{SourceVariables.CommitId}' }] }))).toEqual([
      expect.stringMatching(/^EnvironmentVariables: #\{SourceVariables.CommitId\} names variable 'CommitId', but the S3 action 'Source' outputs only ETag, VersionId/),
    ]);
  });

  test('reads references inside Fn::Join (aws-cdk-lib joins a token-built value), and skips one an intrinsic splits', () => {
    const joined = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
    const ok = pipeline([stage('Source', withNs()), stage('Build', buildUsing(joined('[{"name":"V","value":"#{SourceVariables.ETag}-', { Ref: 'AWS::Region' }, '"}]')))]);
    expect(messages(ok)).toEqual([]);
    const bad = pipeline([stage('Source', source()), stage('Build', buildUsing(joined('#{Missing.X}', { Ref: 'Suffix' })))]);
    expect(messages(bad)).toEqual([expect.stringMatching(/#\{Missing.X\} names namespace 'Missing', which no action of the pipeline declares/)]);
    const split = pipeline([stage('Source', source()), stage('Build', buildUsing(joined('#{', { Ref: 'Ns' }, '.X}')))]);
    expect(messages(split)).toEqual([]);
  });

  test('does not guess when a namespace, the Variables list or a runOrder is an intrinsic', () => {
    const unknownNs = pipeline([stage('Source', source('Source', 'SourceOut', { Namespace: { Ref: 'Ns' } })), stage('Build', buildUsing('#{Whatever.X}'))]);
    expect(messages(unknownNs)).toEqual([]);
    const unknownVars = pipeline([stage('Source', source()), stage('Build', buildUsing('#{variables.any}'))], { PipelineType: 'V2', Variables: { Ref: 'Vars' } });
    expect(messages(unknownVars)).toEqual([]);
    const unknownOrder = pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { Namespace: 'B', RunOrder: { Ref: 'O' } }), approvalUsing('#{B.X}'))]);
    expect(messages(unknownOrder)).toEqual([]);
  });
});

describe('CDP-VARIABLE-REFERENCE on stage conditions', () => {
  const deployStage = (kind: string, value: string) => ({ ...stage('Deploy', approval('Gate', { Namespace: 'GateVars' })), ...condition(kind, value) });

  test('BeforeEntry sees earlier stages only', () => {
    const props = (ref: string) => pipeline([stage('Source', withNs()), stage('Build', build('Build', 'SourceOut', null)), deployStage('BeforeEntry', ref)], { PipelineType: 'V2' });
    expect(messages(props('#{SourceVariables.ETag}'))).toEqual([]);
    expect(findings(props('#{GateVars.X}'))).toEqual([expect.objectContaining({
      stageName: 'Deploy',
      location: 'Properties/Stages/2/BeforeEntry/Conditions/0/Rules/0/Configuration/Variable',
      message: "BeforeEntry rule \"Check\" configuration Variable: #{GateVars.X} names namespace 'GateVars' of stage 'Deploy' action 'Gate' (runOrder 1), which does not run before the BeforeEntry condition",
    })]);
  });

  test('OnSuccess and OnFailure see the stage\'s own actions, not later stages', () => {
    for (const kind of ['OnSuccess', 'OnFailure']) {
      const props = (ref: string) => pipeline([stage('Source', source()), deployStage(kind, ref), stage('Later', build('Late', 'SourceOut', null, { Namespace: 'LateVars' }))],
        { PipelineType: 'V2' });
      expect(messages(props('#{GateVars.X}'))).toEqual([]);
      expect(messages(props('#{LateVars.X}'))).toEqual([expect.stringMatching(new RegExp(`^${kind} rule "Check" configuration Variable: #\\{LateVars.X\\} names namespace 'LateVars'`))]);
    }
  });
});

describe('CDP-VARIABLE-REFERENCE on aws-codepipeline L2 pipelines', () => {
  function l2(stack: Stack, commit: (source: actions.CodeCommitSourceAction) => string) {
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    const src = new codepipeline.Artifact('Src');
    const sourceAction = new actions.CodeCommitSourceAction({ actionName: 'Source', repository: repo, branch: 'main', output: src });
    return new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({
            actionName: 'Build',
            project: new codebuild.PipelineProject(stack, 'Project', { encryptionKey: undefined }),
            input: src,
            environmentVariables: { COMMIT: { value: commit(sourceAction) }, RUN: { value: codepipeline.GlobalVariables.executionId } },
          })],
        },
      ],
    });
  }

  test('the source action\'s typed variables (namespace generated by the L2) pass the plugin and enforce', () => {
    const app = createTestApp();
    const pipe = l2(new Stack(app, 'Typed', { env: ENV }), (s) => s.variables.commitId);
    expect(PipelineChecks.errorsFor(pipe)).toEqual([]);
    expect(synthAndReport(app).findings.filter((f) => f.plugin === 'PipelineChecks')).toEqual([]);
  });

  test('fails when a hand-typed namespace no action declares is used', () => {
    const app = createTestApp();
    const pipe = l2(new Stack(app, 'Typed', { env: ENV }), () => '#{SourceVariables.CommitId}');
    expect(PipelineChecks.errorsFor(pipe)).toEqual([
      "[CDP-VARIABLE-REFERENCE] Typed/Pipeline: stage 'Build' action 'Build': configuration EnvironmentVariables: #{SourceVariables.CommitId} names namespace "
      + "'SourceVariables', which no action of the pipeline declares. Fix: " + PipelineChecks.RULES.find((r) => r.id === RULE)!.fix,
    ]);
  });
});
