import {
  ACCOUNT, ENV, Json, OTHER_ACCOUNT, REGION,
  action, approval, build, connectionSource, deploy, pipeline, rulesOf, source, stage, stores, store, validPipeline,
} from './fixtures';
import { PipelineChecks, PipelineCheckEnvironment } from '../../src/checks';

interface RuleCase {
  readonly pass: Json;
  readonly fail: Json;
  /** A part of the failing message. */
  readonly message: RegExp;
  /** The stack environment of the failing case (default: the concrete ENV). */
  readonly failEnv?: PipelineCheckEnvironment;
}

const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const roleIn = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/deploy`]] });
const trigger = (git: Json) => ({ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'Source', ...git } });
/** A CodeBuild action's EnvironmentVariables configuration, as aws-cdk-lib renders it (a JSON string). */
const envVars = (vars: { [name: string]: string }) => JSON.stringify(Object.entries(vars).map(([name, value]) => ({ name, type: 'PLAINTEXT', value })));
const v2WithConnection = (extra: Json) => pipeline([stage('Source', connectionSource()), stage('Build', build()), stage('Deploy', deploy())], { PipelineType: 'V2', ...extra });

/** A change-set review action's UserParameters (the review engine's contract). */
const reviewParameters = JSON.stringify({ pipeline: 'p', stage: 'Prod', policy: 'always', changeSets: [{ account: ACCOUNT, region: REGION, stackName: 'app', changeSetName: 'app-changes' }] });

/** For every rule: a pipeline just inside it (no finding at all) and one just outside (a finding of that rule). */
const CASES: { [ruleId: string]: RuleCase } = {
  'CDP-STAGE-COUNT': {
    pass: pipeline([stage('Source', source()), ...many(49, (i) => stage(`Build${i}`, build('Build', 'SourceOut', null)))]),
    fail: pipeline([stage('Source', source()), ...many(50, (i) => stage(`Build${i}`, build('Build', 'SourceOut', null)))]),
    message: /has 51 stage\(s\); a pipeline needs 2 to 50/,
  },
  'CDP-SOURCE-FIRST-STAGE': {
    pass: validPipeline(),
    fail: pipeline([stage('Source', source(), build()), stage('Deploy', deploy())]),
    message: /'Build' action in the first stage/,
  },
  'CDP-SOURCE-ONLY-FIRST': {
    pass: pipeline([stage('Source', source(), source('Other', 'OtherOut')), stage('Build', build('Build', 'OtherOut'))]),
    fail: pipeline([stage('Source', source()), stage('Build', build(), source('Late', 'LateOut'))]),
    message: /source action in stage 2/,
  },
  'CDP-NON-SOURCE-ACTION': {
    pass: pipeline([stage('Source', source()), stage('Approve', approval())]),
    fail: pipeline([stage('Source', source()), stage('More', source('Again', 'AgainOut'))]),
    message: /every action is a source action/,
  },
  'CDP-STAGE-NAME-UNIQUE': {
    pass: validPipeline(),
    fail: pipeline([stage('Source', source()), stage('Build', build()), stage('Build', deploy())]),
    message: /stage name 'Build' is also used by stage 2/,
  },
  'CDP-ACTION-NAME-UNIQUE': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), stage('Deploy', deploy('Deploy'), build('Build', 'SourceOut', 'Other'))]),
    fail: pipeline([stage('Source', source()), stage('Build', build(), build('Build', 'SourceOut', 'Other'))]),
    message: /action name 'Build' appears more than once/,
  },
  'CDP-NAME-PATTERN': {
    pass: validPipeline({ Name: 'my.pipeline@v1_x-y' }),
    fail: pipeline([stage('Source', source()), stage('Build and test', build())]),
    message: /stage name "Build and test" does not match/,
  },
  'CDP-ARTIFACT-NAME-PATTERN': {
    pass: pipeline([stage('Source', source('Source', 'Source_Out-1')), stage('Build', build('Build', 'Source_Out-1', null))]),
    fail: pipeline([stage('Source', source('Source', 'Source.Out')), stage('Build', build('Build', 'Source.Out', null))]),
    message: /artifact name "Source.Out" does not match/,
  },
  'CDP-NAMESPACE-PATTERN': {
    pass: pipeline([stage('Source', source('Source', 'SourceOut', { Namespace: 'Source@Vars_1' })), stage('Build', build('Build', 'SourceOut', null))]),
    fail: pipeline([stage('Source', source('Source', 'SourceOut', { Namespace: 'Source.Vars' })), stage('Build', build('Build', 'SourceOut', null))]),
    message: /namespace "Source.Vars" does not match/,
  },
  'CDP-VARIABLES': {
    pass: validPipeline({ PipelineType: 'V2', Variables: [{ Name: 'Env' }, { Name: 'Region', DefaultValue: 'eu-west-1' }] }),
    fail: validPipeline({ PipelineType: 'V2', Variables: [{ Name: 'Env' }, { Name: 'Env' }] }),
    message: /variable 'Env' is declared more than once/,
  },
  'CDP-STAGE-ACTIONS': {
    pass: pipeline([stage('Source', source()), stage('Fan', ...many(50, (i) => build(`B${i}`, 'SourceOut', null)))]),
    fail: pipeline([stage('Source', source()), stage('Fan', ...many(51, (i) => build(`B${i}`, 'SourceOut', null)))]),
    message: /has 51 action\(s\); a stage holds 1 to 50/,
  },
  'CDP-RUN-ORDER': {
    pass: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { RunOrder: 999 }))]),
    fail: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { RunOrder: 1000 }))]),
    message: /runOrder 1000 is outside 1..999/,
  },
  'CDP-ACTION-TYPE': {
    pass: validPipeline(),
    fail: pipeline([stage('Source', source()), stage('Build', { ...build(), ActionTypeId: { Category: 'Build', Owner: 'Amazon', Provider: 'CodeBuild', Version: '1' } })]),
    message: /invalid action type: owner "Amazon"/,
  },
  'CDP-ARTIFACT-UNIQUE': {
    pass: validPipeline(),
    fail: pipeline([stage('Source', source()), stage('Build', build(), build('Build2', 'SourceOut', 'BuildOut'))]),
    message: /output artifact 'BuildOut' is also produced by stage 'Build' action 'Build'/,
  },
  'CDP-ARTIFACT-ORDER': {
    pass: pipeline([stage('Source', source()), stage('BuildAndDeploy', build('Build', 'SourceOut', 'BuildOut'), deploy('Deploy', 'BuildOut', { RunOrder: 2 }))]),
    fail: pipeline([stage('Source', source()), stage('BuildAndDeploy', build('Build', 'SourceOut', 'BuildOut'), deploy('Deploy', 'BuildOut'))]),
    message: /input artifact 'BuildOut' is produced in the same stage by action 'Build' at runOrder 1, not before this action's runOrder 1/,
  },
  'CDP-ARTIFACT-COUNT': {
    pass: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', 'BuildOut')), stage('Approve', approval())]),
    fail: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', 'BuildOut')), stage('Approve', approval('Approve', { InputArtifacts: [{ Name: 'BuildOut' }] }))]),
    message: /Approval\/Manual has 1 input artifact\(s\); it takes exactly 0/,
  },
  'CDP-TEMPLATE-PATH': {
    pass: pipeline([stage('Source', source()), stage('Deploy', action('Deploy', 'Deploy', 'CloudFormation', ['SourceOut'], [], {
      Configuration: { ActionMode: 'CREATE_UPDATE', StackName: 's', TemplatePath: 'SourceOut::template.json', RoleArn: `arn:aws:iam::${ACCOUNT}:role/cfn` },
    }))]),
    fail: pipeline([stage('Source', source()), stage('Deploy', action('Deploy', 'Deploy', 'CloudFormation', ['SourceOut'], [], {
      Configuration: { ActionMode: 'CREATE_UPDATE', StackName: 's', TemplatePath: 'BuildOut::template.json', RoleArn: `arn:aws:iam::${ACCOUNT}:role/cfn` },
    }))]),
    message: /TemplatePath 'BuildOut::template.json' reads artifact 'BuildOut', which is not an input artifact/,
  },
  'CDP-ARTIFACT-STORE': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), stage('Deploy', deploy('Deploy', 'BuildOut', { Region: 'us-east-1' }))],
      { ArtifactStore: undefined, ArtifactStores: stores([REGION, 'us-east-1']) }),
    fail: pipeline([stage('Source', source()), stage('Build', build()), stage('Deploy', deploy('Deploy', 'BuildOut', { Region: 'us-east-1' }))],
      { ArtifactStore: undefined, ArtifactStores: stores([REGION]) }),
    message: /runs in region 'us-east-1', which has no entry in ArtifactStores \(has: eu-west-1\)/,
  },
  'CDP-SOURCE-REGION': {
    pass: pipeline([stage('Source', source('Source', 'SourceOut', { Region: REGION })), stage('Build', build())], { ArtifactStore: undefined, ArtifactStores: stores([REGION]) }),
    fail: pipeline([stage('Source', source('Source', 'SourceOut', { Region: 'us-east-1' })), stage('Build', build())],
      { ArtifactStore: undefined, ArtifactStores: stores([REGION, 'us-east-1']) }),
    message: /source action runs in 'us-east-1', not in the pipeline region 'eu-west-1'/,
  },
  'CDP-CROSS-REGION-ENV': {
    pass: pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { Region: 'us-east-1' }))],
      { ArtifactStore: undefined, ArtifactStores: stores([REGION, 'us-east-1']) }),
    fail: pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { Region: 'us-east-1' }))],
      { ArtifactStore: undefined, ArtifactStores: stores([REGION, 'us-east-1']) }),
    failEnv: {},
    message: /action runs in region 'us-east-1' but the pipeline stack has no concrete region/,
  },
  'CDP-CROSS-ACCOUNT-KMS': {
    pass: pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { RoleArn: roleIn(OTHER_ACCOUNT) }))], { ArtifactStore: store('artifacts', true) }),
    fail: pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { RoleArn: roleIn(OTHER_ACCOUNT) }))]),
    message: /assumes a role in account 222222222222 \(pipeline account 111111111111\), but the artifact store for 'eu-west-1' has no EncryptionKey/,
  },
  'CDP-V2-ONLY': {
    pass: validPipeline({ PipelineType: 'V2', ExecutionMode: 'QUEUED' }),
    fail: validPipeline({ PipelineType: 'V1', ExecutionMode: 'QUEUED' }),
    message: /ExecutionMode QUEUED needs a V2 pipeline, but the pipeline is "V1"/,
  },
  'CDP-CONDITION-COUNT': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), { ...stage('Deploy', deploy()), BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: rulesOf(1) }] } }],
      { PipelineType: 'V2' }),
    fail: pipeline([stage('Source', source()), stage('Build', build()),
      { ...stage('Deploy', deploy()), BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: rulesOf(1) }, { Result: 'FAIL', Rules: rulesOf(1) }] } }], { PipelineType: 'V2' }),
    message: /BeforeEntry has 2 condition\(s\); it holds exactly one/,
  },
  'CDP-CONDITION-RULES': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), { ...stage('Deploy', deploy()), OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: rulesOf(5) }] } }],
      { PipelineType: 'V2' }),
    fail: pipeline([stage('Source', source()), stage('Build', build()), { ...stage('Deploy', deploy()), OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: rulesOf(6) }] } }],
      { PipelineType: 'V2' }),
    message: /condition has 6 rule\(s\); a condition holds 1 to 5/,
  },
  'CDP-ROLLBACK': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), { ...stage('Deploy', deploy()), OnFailure: { Result: 'ROLLBACK' } }],
      { PipelineType: 'V2', ExecutionMode: 'QUEUED' }),
    fail: pipeline([stage('Source', source()), stage('Build', build()), { ...stage('Deploy', deploy()), OnFailure: { Result: 'ROLLBACK' } }],
      { PipelineType: 'V2', ExecutionMode: 'PARALLEL' }),
    message: /stage rollback is not available in PARALLEL execution mode/,
  },
  'CDP-TRIGGER-FILTERS': {
    pass: v2WithConnection({ Triggers: [trigger({ Push: many(3, (i) => ({ Branches: { Includes: many(8, (j) => `b${i}-${j}`) } })) })] }),
    fail: v2WithConnection({ Triggers: [trigger({ Push: many(4, (i) => ({ Branches: { Includes: [`b${i}`] } })) })] }),
    message: /trigger has 4 Push filter\(s\); 1 to 3 allowed/,
  },
  'CDP-TRIGGER-SOURCE': {
    pass: v2WithConnection({ Triggers: [trigger({ PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['OPEN'] }] })] }),
    fail: validPipeline({ PipelineType: 'V2', Triggers: [trigger({ Push: [{ Branches: { Includes: ['main'] } }] })] }),
    message: /trigger names source action 'Source' with provider 'S3'; triggers need a CodeStarSourceConnection action/,
  },
  'CDP-APPROVAL-TIMEOUT': {
    pass: pipeline([stage('Source', source()), stage('Approve', approval('Approve', { TimeoutInMinutes: 5 }), approval('Later', { TimeoutInMinutes: 86400, RunOrder: 2 }))]),
    fail: pipeline([stage('Source', source()), stage('Approve', approval('Approve', { TimeoutInMinutes: 4 }))]),
    message: /manual approval timeout 4 minutes is outside 5..86400 minutes/,
  },
  'CDP-VARIABLE-REFERENCE': {
    pass: pipeline([stage('Source', source('Source', 'SourceOut', { Namespace: 'SourceVariables' })), stage('Build', build('Build', 'SourceOut', null, {
      Configuration: { ProjectName: 'p', EnvironmentVariables: envVars({ VERSION: '#{SourceVariables.VersionId}', RUN: '#{codepipeline.PipelineExecutionId}' }) },
    }))]),
    fail: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, {
      Configuration: { ProjectName: 'p', EnvironmentVariables: envVars({ VERSION: '#{SourceVariables.VersionId}' }) },
    }))]),
    message: /configuration EnvironmentVariables: #\{SourceVariables.VersionId\} names namespace 'SourceVariables', which no action of the pipeline declares/,
  },
  'CDP-REVIEW-ORDER': {
    pass: pipeline([stage('Source', source()), stage('Build', build()), stage('Prod',
      action('app-Prepare', 'Deploy', 'CloudFormation', ['BuildOut'], [], { Configuration: { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'app', ChangeSetName: 'app-changes' } }),
      action('Review', 'Invoke', 'Lambda', [], [], { RunOrder: 2, Namespace: 'Review-Prod', Configuration: { FunctionName: 'review', UserParameters: reviewParameters } }),
      approval('Approve', { RunOrder: 3, Configuration: { CustomData: '#{Review-Prod.Summary}' } }),
      action('app-Execute', 'Deploy', 'CloudFormation', [], [], { RunOrder: 4, Configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'app', ChangeSetName: 'app-changes' } }))]),
    fail: pipeline([stage('Source', source()), stage('Build', build()), stage('Prod',
      action('app-Prepare', 'Deploy', 'CloudFormation', ['BuildOut'], [], { Configuration: { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'app', ChangeSetName: 'app-changes' } }),
      action('Review', 'Invoke', 'Lambda', [], [], { RunOrder: 2, Namespace: 'Review-Prod', Configuration: { FunctionName: 'review', UserParameters: reviewParameters } }),
      approval('Approve', { RunOrder: 3, Configuration: { CustomData: '#{Review-Prod.Summary}' } }),
      action('app-Execute', 'Deploy', 'CloudFormation', [], [], { RunOrder: 3, Configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'app', ChangeSetName: 'app-changes' } }))]),
    message: /'app-Execute' in stage 'Prod' executes change set 'app-changes' of stack 'app' in eu-west-1 before \(or beside\) 'Approve' in stage 'Prod', which reviews or approves it/,
  },
  'CDP-ACTION-CONFIG': {
    pass: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { Configuration: { ProjectName: 'p'.repeat(1000) } }))]),
    fail: pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { Configuration: { ProjectName: 'p'.repeat(1001) } }))]),
    message: /configuration value of 'ProjectName' has 1001 characters; at most 1000/,
  },
};

describe('PipelineChecks rules', () => {
  test('every rule has a passing and a failing case here (CDP-TEMPLATE-LIMITS is a stack check, tested on the plugin)', () => {
    const ids = PipelineChecks.RULES.map((r) => r.id).filter((id) => id !== 'CDP-TEMPLATE-LIMITS');
    expect(Object.keys(CASES).sort()).toEqual(ids.sort());
  });

  test('every rule has an id, a one-line description and a fix', () => {
    for (const rule of PipelineChecks.RULES) {
      expect(rule.id).toMatch(/^CDP-[A-Z0-9-]+$/);
      expect(rule.description).not.toMatch(/\n/);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });

  describe.each(Object.entries(CASES))('%s', (ruleId, c) => {
    test('passes a pipeline within the rule', () => {
      expect(PipelineChecks.checkProperties(c.pass, ENV).map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    });

    test(`fails when the pipeline breaks ${ruleId}`, () => {
      const findings = PipelineChecks.checkProperties(c.fail, c.failEnv ?? ENV);
      const mine = findings.filter((f) => f.ruleId === ruleId);
      expect(mine.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(c.message)]));
      expect(mine[0].fix).toBe(PipelineChecks.RULES.find((r) => r.id === ruleId)!.fix);
    });
  });
});

describe('rule details', () => {
  const ids = (props: Json, env: PipelineCheckEnvironment = ENV) => PipelineChecks.checkProperties(props, env).map((f) => f.ruleId);

  test('an input consumed in an earlier stage than its producer is reported with the producer', () => {
    const findings = PipelineChecks.checkProperties(pipeline([stage('Source', source()), stage('Deploy', deploy()), stage('Build', build())]), ENV);
    expect(findings).toEqual([expect.objectContaining({
      ruleId: 'CDP-ARTIFACT-ORDER',
      stageName: 'Deploy',
      actionName: 'Deploy',
      message: "input artifact 'BuildOut' is produced later, by stage 'Build' action 'Build' (runOrder 1)",
      location: 'Properties/Stages/1/Actions/0/InputArtifacts/0/Name',
    })]);
  });

  test('CDP-REVIEW-ORDER with changeSetStages: the change sets of the named stage are checked; a stage without change-set actions is reported', () => {
    const params = (stages: string[]) => JSON.stringify({ stage: 'Prod', changeSetStages: stages, policy: 'always' });
    const prod = (reviewParams: string, executeRunOrder: number) => pipeline([stage('Source', source()), stage('Build', build()), stage('Prod',
      action('app-Prepare', 'Deploy', 'CloudFormation', ['BuildOut'], [], { Configuration: { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'app', ChangeSetName: 'app-changes' } }),
      action('Review', 'Invoke', 'Lambda', [], [], { RunOrder: 2, Namespace: 'Review-Prod', Configuration: { FunctionName: 'review', UserParameters: reviewParams } }),
      approval('Approve', { RunOrder: 3, Configuration: { CustomData: '#{Review-Prod.Summary}' } }),
      action('app-Execute', 'Deploy', 'CloudFormation', [], [], { RunOrder: executeRunOrder, Configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'app', ChangeSetName: 'app-changes' } }))]);
    expect(ids(prod(params(['Prod']), 4))).toEqual([]);
    expect(PipelineChecks.checkProperties(prod(params(['Prod']), 3), ENV).map((f) => f.message))
      .toEqual([expect.stringMatching(/'app-Execute' in stage 'Prod' executes change set 'app-changes' of stack 'app'.* before \(or beside\) 'Approve'/)]);
    expect(PipelineChecks.checkProperties(prod(params(['Build']), 4), ENV).map((f) => f.message))
      .toEqual(["reviews the change sets of stage 'Build', which holds no CHANGE_SET_REPLACE action (or does not exist)"]);
  });

  test('an input nobody produces is reported', () => {
    expect(PipelineChecks.checkProperties(pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'Nope'))]), ENV).map((f) => f.message))
      .toEqual(["input artifact 'Nope' is not produced by any action of the pipeline"]);
  });

  test('intrinsics are skipped, not guessed', () => {
    const props = pipeline([
      stage('Source', source('Source', 'SourceOut', { Region: { Ref: 'AWS::Region' } })),
      stage({ Ref: 'StageName' } as any, build('Build', 'SourceOut', null, { RunOrder: { Ref: 'Order' }, Configuration: { ProjectName: { 'Fn::Join': ['', ['x'.repeat(2000)]] } } })),
      { 'Fn::If': ['Cond', stage('Deploy', deploy()), { Ref: 'AWS::NoValue' }] },
    ], { Name: { Ref: 'AWS::StackName' }, PipelineType: { Ref: 'Type' }, ExecutionMode: 'QUEUED' });
    expect(ids(props)).toEqual([]);
  });

  test('an unknown pipeline region does not fail the store checks of a same-region pipeline', () => {
    expect(ids(validPipeline(), {})).toEqual([]);
  });

  test('a single ArtifactStore with an action in another region fails', () => {
    const props = pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { Region: 'us-east-1' }))]);
    expect(PipelineChecks.checkProperties(props, ENV).map((f) => f.message))
      .toEqual(["runs in region 'us-east-1' but the pipeline (in 'eu-west-1') has a single ArtifactStore; use ArtifactStores with a store for 'us-east-1'"]);
  });

  test('ArtifactStores must include the pipeline region, and not both store properties', () => {
    expect(ids(pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null))], { ArtifactStore: undefined, ArtifactStores: stores(['us-east-1']) })))
      .toEqual(['CDP-ARTIFACT-STORE']);
    expect(ids(validPipeline({ ArtifactStores: stores([REGION]) }))).toEqual(['CDP-ARTIFACT-STORE']);
  });

  test('a cross-account action in another region needs the key on that region\'s store', () => {
    const props = (encrypted: boolean) => pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', {
      Region: 'us-east-1', RoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/x`,
    }))], { ArtifactStore: undefined, ArtifactStores: [...stores([REGION]), ...stores(['us-east-1'], encrypted)] });
    expect(ids(props(false))).toEqual(['CDP-CROSS-ACCOUNT-KMS']);
    expect(ids(props(true))).toEqual([]);
  });

  test('a same-account role needs no key', () => {
    expect(ids(pipeline([stage('Source', source()), stage('Deploy', deploy('Deploy', 'SourceOut', { RoleArn: roleIn(ACCOUNT) }))]))).toEqual([]);
  });

  test('every V2-only feature is reported on a pipeline without PipelineType', () => {
    const props = pipeline([stage('Source', connectionSource()), stage('Build', build()),
      { ...stage('Deploy', deploy(), action('Cmd', 'Compute', 'Commands', ['SourceOut'], [], { Commands: ['ls'], RunOrder: 2 })), BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: rulesOf(1) }] } }],
    { Variables: [{ Name: 'v' }], Triggers: [trigger({ Push: [{ Branches: { Includes: ['main'] } }] })], ExecutionMode: 'PARALLEL' });
    expect(PipelineChecks.checkProperties(props, ENV).filter((f) => f.ruleId === 'CDP-V2-ONLY').map((f) => f.message.split(' needs')[0]))
      .toEqual(['Variables', 'Triggers', 'ExecutionMode PARALLEL', 'stage condition BeforeEntry', 'the Commands action']);
  });

  test('a rollback on the source stage fails', () => {
    const props = pipeline([{ ...stage('Source', source()), OnFailure: { Result: 'ROLLBACK' } }, stage('Build', build('Build', 'SourceOut', null))], { PipelineType: 'V2' });
    expect(ids(props)).toEqual(['CDP-ROLLBACK']);
  });

  test('BeforeEntry without conditions and conditions without rules fail', () => {
    const props = pipeline([stage('Source', source()), { ...stage('Build', build('Build', 'SourceOut', null)), BeforeEntry: {}, OnSuccess: { Conditions: [{ Result: 'FAIL' }] } }],
      { PipelineType: 'V2' });
    expect(ids(props)).toEqual(['CDP-CONDITION-COUNT', 'CDP-CONDITION-RULES']);
  });

  test('trigger filters need branches and at most 8 patterns per list', () => {
    const props = v2WithConnection({ Triggers: [trigger({ Push: [{ FilePaths: { Includes: ['src/**'] } }], PullRequest: [{ Events: ['OPEN'], Branches: { Excludes: many(9, (i) => `x${i}`) } }] })] });
    expect(PipelineChecks.checkProperties(props, ENV).map((f) => f.message)).toEqual([
      'Push filter has FilePaths without Branches; file paths filter branches',
      'Push filter has neither Branches nor Tags',
      'PullRequest filter Branches.Excludes has 9 patterns; at most 8',
    ]);
  });

  test('one trigger per source action, naming an action of the first stage', () => {
    const t = trigger({ Push: [{ Tags: { Includes: ['v*'] } }] });
    expect(ids(v2WithConnection({ Triggers: [t, t] }))).toEqual(['CDP-TRIGGER-SOURCE']);
    expect(ids(v2WithConnection({ Triggers: [{ ...t, GitConfiguration: { ...t.GitConfiguration, SourceActionName: 'Missing' } }] }))).toEqual(['CDP-TRIGGER-SOURCE']);
  });

  test('configuration keys over 50 characters and totals over 100 KB fail', () => {
    const config: Json = { ProjectName: 'p', ['K'.repeat(51)]: 'x' };
    for (let i = 0; i < 120; i++) config[`Key${i}`] = 'v'.repeat(900);
    expect(PipelineChecks.checkProperties(pipeline([stage('Source', source()), stage('Build', build('Build', 'SourceOut', null, { Configuration: config }))]), ENV)
      .map((f) => f.message.replace(/\d+ bytes/, 'N bytes'))).toEqual([
      `configuration key '${'K'.repeat(51)}...' has 51 characters; at most 50`,
      'configuration is N bytes; at most 102400',
    ]);
  });

  test('an empty stage and a first stage without a source action fail', () => {
    expect(ids(pipeline([stage('Source', source()), stage('Empty')]))).toEqual(['CDP-NON-SOURCE-ACTION', 'CDP-STAGE-ACTIONS']);
    expect(ids(pipeline([stage('Approve', approval()), stage('Build', build('Build', 'Nope', null))]))).toEqual([
      'CDP-SOURCE-FIRST-STAGE', 'CDP-SOURCE-FIRST-STAGE', 'CDP-ARTIFACT-ORDER',
    ]);
  });

  test('fails with a clear error when properties is not an object', () => {
    for (const props of [undefined, null, 3, 'x'] as any[]) {
      expect(() => PipelineChecks.checkProperties(props, ENV)).toThrow(/PipelineChecks\.checkProperties: properties .*AWS::CodePipeline::Pipeline/);
    }
  });

  test('never throws on object shapes it does not expect', () => {
    const odd: any[] = [{}, { Stages: 'x' }, { Stages: [null, 1, 'a', [], { Actions: 'x' }, { Actions: [null, { ActionTypeId: 'x' }] }] },
      { Stages: [{ Actions: [{ InputArtifacts: [null, 'x', {}], OutputArtifacts: {}, Configuration: [] }] }], Triggers: [null, {}, { GitConfiguration: { Push: 'x' } }] },
      { ArtifactStores: [null], Stages: [{ BeforeEntry: { Conditions: 'x' }, OnFailure: { Conditions: [null] }, Actions: [] }] }];
    for (const props of odd) {
      expect(() => PipelineChecks.checkProperties(props, ENV)).not.toThrow();
    }
  });
});
