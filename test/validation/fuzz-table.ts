/**
 * The boundary fuzz table (issue 12): for every public constructor, static factory and method
 * that takes input, a valid call (`args`), how to put what it returns into a stack (`use`), and
 * the generic driver below that replaces one argument, or one prop of a struct argument (props
 * read from API.md, down to nested structs), with a random JavaScript value, then synthesizes.
 * It passes when every call either works and synthesizes, or fails with one of our errors
 * (`<Construct> '<id>': ...` or `<Factory>...: ...`) naming the prop, never a TypeError or
 * another library's error.
 *
 * Used by test/validation/fuzz.test.ts (few runs) and scripts/fuzz-boundary.ts (FUZZ_RUNS long run).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CfnWaitConditionHandle, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fc from 'fast-check';
import { apiSurface, ApiParam } from './api-surface';
import * as lib from '../../src';

export const ENV = { account: '111111111111', region: 'eu-west-1' };
/** One output directory for every case of the process (each synth overwrites it). */
const OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cdp-fuzz-'));
process.on('exit', () => fs.rmSync(OUTDIR, { recursive: true, force: true }));

/** What the deployment roles of the valid calls may do (a CloudFormation deployment needs an execution policy). */
const EXECUTION_STATEMENT = () => new iam.PolicyStatement({ actions: ['sqs:CreateQueue', 'sqs:DeleteQueue'], resources: ['arn:aws:sqs:eu-west-1:111111111111:app-*'] });

/** A stack with a resource, so an otherwise empty stack is no template warning. */
function nonEmpty(stack: Stack): Stack {
  new CfnWaitConditionHandle(stack, 'Keep');
  return stack;
}

/** One app and stack per case, with the resources the calls take, made on first use. */
export class World {
  /** aws-cdk-lib's CloudFormation validation at synth fails on errors (not a warning): a broken template is an escape too. */
  public readonly app = new App({ outdir: OUTDIR, context: { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true } });
  public readonly stack = nonEmpty(new Stack(this.app, 'S', { env: ENV }));
  private readonly made = new Map<string, any>();

  private once<T>(key: string, make: () => T): T {
    if (!this.made.has(key)) this.made.set(key, make());
    return this.made.get(key);
  }

  get repo(): codecommit.IRepository { return this.once('repo', () => codecommit.Repository.fromRepositoryName(this.stack, 'Repo', 'app')); }
  get bucket(): s3.IBucket { return this.once('bucket', () => s3.Bucket.fromBucketName(this.stack, 'Bucket', 'my-bucket')); }
  get key(): kms.IKey { return this.once('key', () => kms.Key.fromKeyArn(this.stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')); }
  get role(): iam.IRole { return this.once('role', () => iam.Role.fromRoleArn(this.stack, 'Role', 'arn:aws:iam::111111111111:role/deployer', { mutable: false })); }
  get topic(): sns.ITopic { return this.once('topic', () => sns.Topic.fromTopicArn(this.stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:releases')); }
  get fn(): lambda.IFunction { return this.once('fn', () => lambda.Function.fromFunctionArn(this.stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:check')); }
  get alarm(): cloudwatch.IAlarm { return this.once('alarm', () => cloudwatch.Alarm.fromAlarmArn(this.stack, 'Alarm', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors')); }
  get project(): codebuild.IProject { return this.once('project', () => codebuild.Project.fromProjectName(this.stack, 'Project', 'checks')); }
  get ecrRepo(): ecr.IRepository { return this.once('ecr', () => ecr.Repository.fromRepositoryName(this.stack, 'Ecr', 'app')); }
  get stateMachine(): sfn.IStateMachine { return this.once('sm', () => sfn.StateMachine.fromStateMachineArn(this.stack, 'Sm', 'arn:aws:states:eu-west-1:111111111111:stateMachine:release')); }
  get service(): ecs.IBaseService {
    return this.once('service', () => ecs.FargateService.fromFargateServiceAttributes(this.stack, 'Service', {
      serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/cluster/app',
      cluster: ecs.Cluster.fromClusterAttributes(this.stack, 'Cluster', { clusterName: 'cluster', vpc: undefined as any, securityGroups: [] }),
    }));
  }
  get serverGroup(): codedeploy.IServerDeploymentGroup {
    return this.once('sdg', () => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(this.stack, 'Sdg', {
      application: codedeploy.ServerApplication.fromServerApplicationName(this.stack, 'SApp', 'app'), deploymentGroupName: 'prod',
    }));
  }
  get ecsGroup(): codedeploy.IEcsDeploymentGroup {
    return this.once('edg', () => codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(this.stack, 'Edg', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(this.stack, 'EApp', 'app'), deploymentGroupName: 'prod',
    }));
  }
  get source(): lib.PipelineSource { return this.once('source', () => lib.PipelineSource.codeCommit(this.repo)); }
  get cfnTarget(): lib.DeployTarget { return this.once('cfnTarget', () => lib.DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true })); }
  get artifact(): codepipeline.Artifact { return this.once('artifact', () => new codepipeline.Artifact('Assembly')); }
  /** A plain V2 L2 pipeline with a source stage (for attachTo, bind methods and rules). */
  get l2(): codepipeline.Pipeline {
    return this.once('l2', () => {
      const p = new codepipeline.Pipeline(this.stack, 'L2', { pipelineType: codepipeline.PipelineType.V2, crossAccountKeys: false });
      p.addStage({ stageName: 'Source', actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository: this.repo, output: this.artifact })] });
      p.addStage({ stageName: 'Deploy', actions: [new actions.ManualApprovalAction({ actionName: 'Ok' })] });
      return p;
    });
  }
  /** A CDK stage with one stack, for the CDK-app pieces. */
  get cdkStage(): Stage {
    return this.once('stage', () => {
      const stage = new Stage(this.app, 'Prod', { env: ENV });
      nonEmpty(new Stack(stage, 'Api'));
      return stage;
    });
  }
  /** An output of the CDK stage's stack. */
  get cdkOutput(): CfnOutput { return this.once('cdkOutput', () => new CfnOutput(this.cdkStage.node.findChild('Api'), 'ApiUrl', { value: 'https://api.example.com' })); }
  /** A CDK stage with a file asset besides its template (a stage of templates only publishes nothing: no Assets actions). */
  get stageDeployment(): lib.CdkStageDeployment {
    return this.once('sd', () => {
      const stage = new Stage(this.app, 'Assets', { env: ENV });
      new s3assets.Asset(nonEmpty(new Stack(stage, 'Files')), 'File', { path: path.join(__dirname, '..', 'cdk', 'fixtures', 'lambda') });
      return lib.CdkStageDeployment.fromStage(stage);
    });
  }
  get gate(): lib.ApprovalGate { return this.once('gate', () => new lib.ApprovalGate(this.stack, 'Gate', { manual: true })); }

  /** A SourceBuildDeployPipeline in the stack, with overrides. */
  pipeline(props: any = {}, id = 'Pipeline'): lib.SourceBuildDeployPipeline {
    return new lib.SourceBuildDeployPipeline(this.stack, id, {
      source: this.source, buildStep: {}, failureNotifications: false, stages: [{ stageName: 'Prod', targets: [this.cfnTarget] }], ...props,
    });
  }
  /** A pipeline deploying `target`. */
  deploy(target: lib.DeployTarget, props: any = {}): void {
    this.pipeline({ stages: [{ stageName: 'Prod', targets: [target] }], ...props });
  }
  /** A pipeline whose Prod stage is guarded by a gate with `rule`. */
  gateRule(rule: lib.GateRule): void {
    this.pipeline({ stages: [{ stageName: 'Prod', targets: [this.cfnTarget], gate: new lib.ApprovalGate(this.stack, 'RuleGate', { rules: [rule] }) }] });
  }
}

export interface FuzzEntry {
  /** The callable as API.md names it: `DeployTarget.cloudFormation`, `ApprovalGate.Initializer`, `ApprovalGate.attachTo`. */
  readonly name: string;
  /** Parameters not to fuzz (with the reason in a comment where the entry is). */
  readonly skip?: string[];
  /** Other words a clear error about a prop may use instead of its name (`artifacts` -> the artifact a target names). */
  readonly aliases?: { [prop: string]: string[] };
  /** Valid arguments. */
  args(w: World): any[];
  /** Make the call. */
  call(w: World, args: any[]): unknown;
  /** Put the result into the app (before synth), e.g. a target into a pipeline. */
  use?(w: World, result: any): void;
}

const staticCall = (type: any, fn: string) => (_w: World, args: any[]) => type[fn](...args);

/** `new Class(scope, id, props)`: args[0] is the scope placeholder (fuzzed as the scope). */
function construct(name: string, type: any, props: (w: World) => any, use?: FuzzEntry['use']): FuzzEntry {
  return {
    name: `${name}.Initializer`,
    args: (w) => [w.stack, name.slice(0, 8), props(w)],
    call: (_w, args) => new type(args[0], args[1], ...args.slice(2)),
    use,
  };
}

const targetEntry = (fn: string, options: (w: World) => any, props: any = {}): FuzzEntry => ({
  name: `DeployTarget.${fn}`,
  args: (w) => [options(w)],
  call: staticCall(lib.DeployTarget, fn),
  use: (w, t) => w.deploy(t, props),
});

const ruleEntry = (name: string, type: any, props: (w: World) => any): FuzzEntry[] => [
  { name: `${name}.Initializer`, args: (w) => [props(w)], call: (_w, args) => new type(...args), use: (w, r) => w.gateRule(r) },
  {
    name: `${name}.bind`,
    args: (w) => [w.stack, { pipeline: w.l2, stageName: 'Deploy' }],
    call: (w, args) => new type(props(w)).bind(args[0], args[1]),
  },
];

const sourceEntry = (fn: string, args: (w: World) => any[]): FuzzEntry => ({
  name: `PipelineSource.${fn}`, args, call: staticCall(lib.PipelineSource, fn), use: (w, source) => w.pipeline({ source }),
});

export const ENTRIES: FuzzEntry[] = [
  // Constructs.
  construct('SourceBuildDeployPipeline', lib.SourceBuildDeployPipeline, (w) => ({
    source: w.source, buildStep: {}, failureNotifications: false, stages: [{ stageName: 'Prod', targets: [w.cfnTarget] }],
  })),
  construct('CrossRegionCfnPipeline', lib.CrossRegionCfnPipeline, (w) => ({
    source: w.source, buildStep: {}, stackName: 'app', failureNotifications: false, executionPolicy: [EXECUTION_STATEMENT()], waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
  })),
  construct('ApprovalGate', lib.ApprovalGate, () => ({ manual: true }), (w, gate) => w.pipeline({ stages: [{ stageName: 'Prod', targets: [w.cfnTarget], gate }] })),
  construct('ArtifactStores', lib.ArtifactStores, () => ({ regions: ['us-east-1'] })),
  construct('FailureNotifications', lib.FailureNotifications, (w) => ({ pipeline: w.l2, emails: ['ops@example.com'], deliveryMetrics: true, productionStages: ['Deploy'] })),
  construct('DeliveryDashboard', lib.DeliveryDashboard, (w) => ({
    pipelines: [w.l2],
    pipelineNames: ['legacy'],
    window: Duration.days(14),
    dashboardName: 'delivery',
    alarms: {
      noDeploymentFor: Duration.days(3), changeFailureRatePercent: 20, changeFailureRateWindow: Duration.days(7), leadTimeAbove: Duration.days(2),
    },
  })),
  construct('CdkAssetPublishing', lib.CdkAssetPublishing, (w) => ({ artifactBucket: w.bucket, stages: [w.stageDeployment] }),
    (w, p) => w.l2.addStage({ stageName: 'Assets', actions: p.actions({ input: w.artifact }) })),
  construct('CdkSelfUpdate', lib.CdkSelfUpdate, (w) => ({ artifactBucket: w.bucket, pipelineStack: w.stack }),
    (w, u) => w.l2.addStage({ stageName: 'Update', actions: [u.action({ input: w.artifact })] })),

  // Construct methods.
  { name: 'ApprovalGate.attachTo', args: (w) => [w.l2, { stageName: 'Gated' }], call: (w, args) => w.gate.attachTo(args[0], args[1]) },
  { name: 'ApprovalGate.bindToStage', args: (w) => [{ pipeline: w.l2, stageName: 'Deploy' }], call: (w, args) => w.gate.bindToStage(args[0]) },
  {
    name: 'ApprovalGate.grantApprove',
    args: (w) => [w.role],
    call: (w, args) => w.gate.grantApprove(args[0]),
    use: (w) => w.gate.attachTo(w.l2, { stageName: 'Gated' }),
  },
  ...['onApprovalNeeded', 'onApproved', 'onRejected'].map((m): FuzzEntry => ({
    name: `ApprovalGate.${m}`,
    args: () => ['Rule', {}],
    call: (w, args) => (w.gate as any)[m](args[0], args[1]),
    use: (w) => w.gate.attachTo(w.l2, { stageName: 'Gated' }),
  })),
  { name: 'ArtifactStores.forRegion', args: () => ['us-east-1'], call: (w, args) => new lib.ArtifactStores(w.stack, 'Stores', { regions: ['us-east-1'] }).forRegion(args[0]) },
  { name: 'ArtifactStores.isArtifactStores', args: () => [undefined], call: (_w, args) => lib.ArtifactStores.isArtifactStores(args[0]) },
  ...['project', 'scriptContent', 'scriptPath'].map((m): FuzzEntry => ({
    name: `CdkAssetPublishing.${m}`,
    args: () => [ENV.account, ENV.region],
    call: (w, args) => (new lib.CdkAssetPublishing(w.stack, 'Assets', { artifactBucket: w.bucket, stages: [w.stageDeployment] }) as any)[m](args[0], args[1]),
  })),
  {
    name: 'CdkAssetPublishing.action',
    args: (w) => [ENV.account, ENV.region, { input: w.artifact }],
    call: (w, args) => new lib.CdkAssetPublishing(w.stack, 'Assets', { artifactBucket: w.bucket, stages: [w.stageDeployment] }).action(args[0], args[1], args[2]),
    use: (w, a) => w.l2.addStage({ stageName: 'Assets', actions: [a] }),
  },
  {
    name: 'CdkAssetPublishing.actions',
    args: (w) => [{ input: w.artifact }],
    call: (w, args) => new lib.CdkAssetPublishing(w.stack, 'Assets', { artifactBucket: w.bucket, stages: [w.stageDeployment] }).actions(args[0]),
    use: (w, a) => w.l2.addStage({ stageName: 'Assets', actions: a }),
  },
  {
    name: 'CdkSelfUpdate.action',
    args: (w) => [{ input: w.artifact }],
    call: (w, args) => new lib.CdkSelfUpdate(w.stack, 'Update', { artifactBucket: w.bucket, pipelineStack: w.stack }).action(args[0]),
    use: (w, a) => w.l2.addStage({ stageName: 'Update', actions: [a] }),
  },
  ...['actionRole', 'executionRole'].map((m): FuzzEntry => ({
    name: `CrossRegionCfnPipeline.${m}`,
    args: () => [ENV.account],
    call: (w, args) => (new lib.CrossRegionCfnPipeline(w.stack, 'Cfn', {
      source: w.source, buildStep: {}, stackName: 'app', failureNotifications: false, executionPolicy: [EXECUTION_STATEMENT()], waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    }) as any)[m](args[0]),
  })),

  // Sources.
  sourceEntry('codeCommit', (w) => [w.repo, { branch: 'main' }]),
  sourceEntry('connection', () => ['owner/repo', { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc' }]),
  sourceEntry('s3', (w) => [w.bucket, 'app.zip', {}]),
  sourceEntry('ecr', (w) => [w.ecrRepo, { imageTag: 'latest' }]),
  { name: 'PipelineSource.variable', args: () => ['CommitId'], call: (w, args) => w.source.variable(args[0]) },
  { name: 'PipelineSource.grantFullClone', args: (w) => [w.role], call: (w, args) => lib.PipelineSource.codeCommit(w.repo, { fullClone: true }).grantFullClone(args[0]) },
  { name: 'PipelineSource.bind', args: (w) => [w.stack, { artifactName: 'Src' }], call: (w, args) => w.source.bind(args[0], args[1]) },

  // Build.
  {
    name: 'BuildStep.cdkSynth',
    args: () => [{}],
    call: staticCall(lib.BuildStep, 'cdkSynth'),
    use: (w, buildStep) => w.deploy(lib.DeployTarget.cdkStage(w.cdkStage), { buildStep }),
  },
  { name: 'BuildStep.variable', args: () => ['IMAGE_TAG', 'BuildVariables'], call: staticCall(lib.BuildStep, 'variable') },

  // Targets.
  targetEntry('cloudFormation', () => ({ stackName: 'app', templatePath: 'BuildOutput::app.json', executionPolicy: [EXECUTION_STATEMENT()] })),
  targetEntry('ecs', (w) => ({ service: w.service })),
  targetEntry('ecsBlueGreen', (w) => ({ deploymentGroup: w.ecsGroup })),
  targetEntry('codeDeploy', (w) => ({ deploymentGroup: w.serverGroup })),
  targetEntry('s3', (w) => ({ bucket: w.bucket })),
  targetEntry('elasticBeanstalk', () => ({ applicationName: 'app', environmentName: 'prod' })),
  targetEntry('lambdaInvoke', (w) => ({ function: w.fn })),
  targetEntry('lambdaDeploy', (w) => ({ function: w.fn })),
  targetEntry('eks', () => ({ deployment: lib.EksDeployment.kubectl(['k8s/app.yaml']), clusterName: 'prod' })),
  targetEntry('ec2', () => ({ instanceTagKey: 'app', targetDirectory: '/opt/app', postScript: 'scripts/start.sh' })),
  targetEntry('pipelineInvoke', (w) => ({ pipeline: w.l2 })),
  targetEntry('commands', () => ({ commands: ['echo ok'] })),
  targetEntry('ecrBuildAndPublish', (w) => ({ repository: w.ecrRepo })),
  targetEntry('inspectorScan', () => ({ subject: lib.InspectorScanSubject.sourceCode() })),
  targetEntry('stepFunctions', (w) => ({ stateMachine: w.stateMachine })),
  targetEntry('stackSet', () => ({ stackSetName: 'baseline', template: 'baseline.yaml', accounts: ['222222222222'], regions: ['eu-west-1'] })),
  targetEntry('stackSetInstances', () => ({ stackSetName: 'baseline', accounts: ['222222222222'], regions: ['eu-west-1'] })),
  { name: 'DeployTarget.cdkStage', args: (w) => [w.cdkStage, {}], call: staticCall(lib.DeployTarget, 'cdkStage'), use: (w, t) => w.deploy(t, { buildStep: lib.BuildStep.cdkSynth() }) },
  {
    name: 'DeployTarget.action',
    args: () => [new actions.ManualApprovalAction({ actionName: 'Check' })],
    call: staticCall(lib.DeployTarget, 'action'),
    use: (w, t) => w.deploy(t),
  },
  {
    name: 'DeployTarget.bind',
    args: (w) => [w.stack, { stageName: 'Prod', runOrder: 1, defaultInput: w.artifact, artifacts: { BuildOutput: w.artifact } }],
    call: (w, args) => w.cfnTarget.bind(args[0], args[1]),
    // an `artifacts` map without the artifact the target reads: the error names the target's templatePath and the artifacts there are
    aliases: { artifacts: ['templatePath'] },
  },
  {
    name: 'DeployTarget.output',
    args: () => ['ApiUrl', {}],
    call: (w, args) => w.cfnTarget.output(args[0], args[1]),
    // a post-deploy test reads the output (resolved, order-checked at synth)
    use: (w, ref) => w.pipeline({ stages: [{ stageName: 'Prod', targets: [w.cfnTarget], postDeployTests: [{ name: 'Smoke', environmentVariables: { URL: { value: ref } } }] }] }),
  },
  {
    name: 'DeployTarget.outputOf',
    args: (w) => [w.cdkOutput],
    call: (w, args) => {
      const target = lib.DeployTarget.cdkStage(w.cdkStage);
      return { target, ref: target.outputOf(args[0]) };
    },
    use: (w, { target, ref }) => w.pipeline({
      buildStep: lib.BuildStep.cdkSynth(),
      stages: [{ stageName: 'Prod', targets: [target], postDeployTests: [{ name: 'Smoke', environmentVariables: { URL: { value: ref } } }] }],
    }),
  },
  {
    name: 'EksDeployment.helm',
    args: () => [{ chartLocation: 'charts/app', releaseName: 'app' }],
    call: staticCall(lib.EksDeployment, 'helm'),
    use: (w, deployment) => w.deploy(lib.DeployTarget.eks({ deployment, clusterName: 'prod' })),
  },
  {
    name: 'EksDeployment.kubectl',
    args: () => [['k8s/app.yaml']],
    call: staticCall(lib.EksDeployment, 'kubectl'),
    use: (w, deployment) => w.deploy(lib.DeployTarget.eks({ deployment, clusterName: 'prod' })),
  },
  {
    name: 'InspectorScanSubject.sourceCode',
    args: () => [undefined],
    call: staticCall(lib.InspectorScanSubject, 'sourceCode'),
    use: (w, subject) => w.deploy(lib.DeployTarget.inspectorScan({ subject })),
  },
  {
    name: 'InspectorScanSubject.ecrImage',
    args: (w) => [w.ecrRepo, 'latest'],
    call: staticCall(lib.InspectorScanSubject, 'ecrImage'),
    use: (w, subject) => w.deploy(lib.DeployTarget.inspectorScan({ subject })),
  },
  ...['canary', 'linear'].map((fn): FuzzEntry => ({
    name: `DeployStrategy.${fn}`,
    args: () => [10, Duration.minutes(5)],
    call: staticCall(lib.DeployStrategy, fn),
    use: (w, deployStrategy) => w.deploy(lib.DeployTarget.lambdaDeploy({ function: w.fn, aliasName: 'live', deployStrategy })),
  })),
  {
    name: 'CfnDeployment.stackSet',
    args: () => [{}],
    call: staticCall(lib.CfnDeployment, 'stackSet'),
    use: (w, deployment) => new lib.CrossRegionCfnPipeline(w.stack, 'Cfn', {
      source: w.source,
      buildStep: {},
      stackName: 'app',
      failureNotifications: false,
      deployment,
      waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    }),
  },

  // Gates.
  ...ruleEntry('CloudWatchAlarmRule', lib.CloudWatchAlarmRule, (w) => ({ alarm: w.alarm })),
  ...ruleEntry('CodeBuildRule', lib.CodeBuildRule, (w) => ({ project: w.project })),
  ...ruleEntry('CommandsRule', lib.CommandsRule, () => ({ commands: ['curl -fsS https://example.com/health'], inputs: ['Source'] })),
  ...ruleEntry('DeploymentWindowRule', lib.DeploymentWindowRule, () => ({ cron: 'cron(0 9 ? * MON-FRI *)' })),
  ...ruleEntry('LambdaInvokeRule', lib.LambdaInvokeRule, (w) => ({ function: w.fn })),
  ...ruleEntry('VariableCheckRule', lib.VariableCheckRule, () => ({ variable: '#{SourceVariables.BranchName}', value: 'main' })),
  {
    name: 'GateCondition.Initializer',
    args: (w) => [{ rules: [new lib.CloudWatchAlarmRule({ alarm: w.alarm })] }],
    call: (_w, args) => new lib.GateCondition(args[0]),
    use: (w, c) => w.l2.addStage({
      stageName: 'Gated',
      actions: [new actions.ManualApprovalAction({ actionName: 'Ok2' })],
      beforeEntry: { conditions: [c.bind(w.stack, { pipeline: w.l2, stageName: 'Gated' })] },
    }),
  },
  {
    name: 'GateCondition.bind',
    args: (w) => [w.stack, { pipeline: w.l2, stageName: 'Deploy' }],
    call: (w, args) => new lib.GateCondition({ rules: [new lib.CloudWatchAlarmRule({ alarm: w.alarm })] }).bind(args[0], args[1]),
  },

  // Webhook.
  construct('PipelineWebhook', lib.PipelineWebhook, (w) => ({ pipeline: w.l2, auth: lib.WebhookAuth.hmac(), reservedConcurrency: 2 })),
  {
    name: 'PipelineWebhook.grantInvoke',
    args: (w) => [w.role],
    call: (w, args) => new lib.PipelineWebhook(w.stack, 'Webhook', { pipeline: w.l2, auth: lib.WebhookAuth.iam() }).grantInvoke(args[0]),
  },
  {
    name: 'WebhookAuth.hmac',
    args: () => [{ maxAge: Duration.minutes(5) }],
    call: staticCall(lib.WebhookAuth, 'hmac'),
    use: (w, auth) => new lib.PipelineWebhook(w.stack, 'Webhook', { pipeline: w.l2, auth }),
  },
  {
    name: 'SourceBuildDeployPipeline.addWebhook',
    args: () => [{ reservedConcurrency: 2, logVariableValues: false }],
    call: (w, args) => w.pipeline().addWebhook(args[0]),
  },
  {
    name: 'CrossRegionCfnPipeline.addWebhook',
    args: () => [{ auth: lib.WebhookAuth.iam() }],
    call: (w, args) => new lib.CrossRegionCfnPipeline(w.stack, 'Cfn', {
      source: w.source, buildStep: {}, stackName: 'app', failureNotifications: false, executionPolicy: [EXECUTION_STATEMENT()], waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    }).addWebhook(args[0]),
  },

  // Checks.
  { name: 'PipelineChecks.checkProperties', args: () => [{ PipelineType: 'V2', Stages: [] }, ENV], call: staticCall(lib.PipelineChecks, 'checkProperties') },
  { name: 'PipelineChecks.enforce', args: (w) => [w.stack], call: staticCall(lib.PipelineChecks, 'enforce') },
  { name: 'PipelineChecks.errorsFor', args: (w) => [w.stack], call: staticCall(lib.PipelineChecks, 'errorsFor') },
  { name: 'CdkStageDeployment.fromStage', args: (w) => [w.cdkStage, ENV], call: staticCall(lib.CdkStageDeployment, 'fromStage') },
  { name: 'CdkStageDeployment.stacksAt', args: () => [1], call: (w, args) => w.stageDeployment.stacksAt(args[0]) },
];

/**
 * Callables not in the table, with why: each is called by aws-cdk-lib or constructs (not by
 * users with their own input), or takes no input worth fuzzing.
 */
export const NOT_FUZZED: { [name: string]: string } = {
  'PipelineChecks.validate': 'called by aws-cdk-lib policy validation with its own context',
  'GateRule.Initializer': 'protected: for subclass authors (every built-in rule is fuzzed through its own constructor)',
  'GateRule.bind': 'abstract (each rule\'s bind is fuzzed)',
  'PipelineSource.Initializer': 'protected: for subclass authors (the factories are fuzzed)',
  'DeployTarget.Initializer': 'abstract class with no input',
  'DeployTarget.afterActionsAdded': 'no input; called by the pipeline',
  'CfnDeployment.Initializer': 'abstract class with no input',
  'PipelineChecks.Initializer': 'no input',
  'ApprovalGate.isConstruct': 'constructs\' own Construct.isConstruct',
};

/** constructs' own methods on every construct. */
export const INHERITED = new Set(['toString', 'with', 'isConstruct']);

// ---------------------------------------------------------------------------------------------
// The driver.

/** Random JavaScript values of every kind a user could pass by mistake. */
export function wrongValue(w: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.string({ maxLength: 12 }), fc.boolean(),
    fc.constant(''), fc.constant(NaN), fc.constant(-1), fc.constantFrom('valueOf', 'constructor', '__proto__', 'x y', '#{Nowhere.X}'),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null), fc.object({ maxDepth: 0 })), { maxLength: 3 }),
    fc.object({ maxDepth: 1, maxKeys: 3 }), fc.constant({}), fc.constant([]),
    fc.constant(Duration.minutes(5)), fc.constant(new Date(0)), fc.constant(() => 1), fc.constant(Symbol('x')),
    // Wrong class instances: the AWS resources and this library's values where something else is expected.
    fc.constantFrom('repo', 'bucket', 'role', 'topic', 'fn', 'alarm', 'stack', 'source', 'cfnTarget', 'artifact', 'gate').map((k) => (k === 'stack' ? w.stack : (w as any)[k])),
    fc.constant([Duration.minutes(1)]), fc.constant(['ok']), fc.constant({ value: 1 }),
  );
}

/** A place a value can be put: argument i, then a path of prop names / array indices inside it. */
export interface MutationPoint {
  readonly arg: number;
  readonly path: (string | number)[];
  /** The name our error must mention: the prop, or the parameter. */
  readonly name: string;
  /** When the place holds a struct: its props (an error may name one of them, e.g. a required prop missing from a random object). */
  readonly props: string[];
}

const structOf = (type: string): string | undefined => {
  const t = type.replace(/\[\]$/, '');
  return apiSurface().structs.has(t) ? t : undefined;
};

/** Every mutation point of a callable: each parameter, each prop of a struct parameter, each prop of a nested struct (depth 3). */
export function mutationPoints(entry: FuzzEntry, sample: any[]): MutationPoint[] {
  const params = apiSurface().callables.get(entry.name) ?? [];
  const points: MutationPoint[] = [];
  const walk = (arg: number, at: (string | number)[], type: string, name: string, value: unknown, depth: number) => {
    const struct = structOf(type);
    points.push({ arg, path: at, name, props: struct ? apiSurface().structs.get(struct)!.map((p) => p.name) : [] });
    if (!struct || depth >= 3) return;
    let inner = value;
    let innerPath = at;
    if (type.endsWith('[]')) {
      if (!Array.isArray(value) || value.length === 0) return;
      inner = value[0];
      innerPath = [...at, 0];
    }
    if (inner !== undefined && (typeof inner !== 'object' || inner === null)) return;
    for (const prop of apiSurface().structs.get(struct)!) {
      walk(arg, [...innerPath, prop.name], prop.type, prop.name, (inner as any)?.[prop.name], depth + 1);
    }
  };
  params.forEach((p: ApiParam, i: number) => {
    if (entry.skip?.includes(p.name)) return;
    walk(i, [], p.type, p.name, sample[i], 0);
  });
  return points;
}

/** `args` with `value` put at `point` (copying what it goes through). */
export function mutate(args: any[], point: MutationPoint, value: unknown): any[] {
  const copy = [...args];
  if (point.path.length === 0) {
    copy[point.arg] = value;
    return copy;
  }
  const clone = (x: any) => (Array.isArray(x) ? [...x] : (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) ? { ...x } : x ?? {});
  copy[point.arg] = clone(copy[point.arg]);
  let at = copy[point.arg];
  for (let i = 0; i < point.path.length - 1; i++) {
    at[point.path[i]] = clone(at[point.path[i]]);
    at = at[point.path[i]];
  }
  at[point.path[point.path.length - 1]] = value;
  return copy;
}

/** Names of this library's exports, for the error prefixes we own. */
const OURS = [...Object.keys(lib).filter((k) => typeof (lib as any)[k] === 'function'), 'Stack'].join('|');
/** Our error shape: `Name 'id': `, `Name.factory: `, `Name.method('arg'): `, `Name 'id'.method: ` ... */
export const OUR_ERROR = new RegExp(`^(${OURS})(\\.[A-Za-z0-9]+)?( '[^']*')?(\\.[A-Za-z0-9]+)?(\\(.*?\\))?: `);
const RUNTIME_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/**
 * The one foreign error accepted: constructs keeps a construct's children in a plain object, so
 * a child id that is an `Object.prototype` member ('valueOf', 'constructor') collides with it
 * (`There is already a Construct with name 'valueOf'`). It names the value; an action name like
 * that is a constructs limitation, not worth a check in every factory.
 */
const PROTOTYPE_ID = new RegExp(`^There is already a Construct with name '(${Object.getOwnPropertyNames(Object.prototype).join('|')})' in `);

/** A PipelineChecks finding our pipelines enforce at synth: `[CDP-VARIABLE-REFERENCE] S/Pipeline/Pipeline: stage ...`. */
const PIPELINE_CHECK = /^\[CDP-[A-Z0-9-]+\] \S+: /;

/**
 * Whether a message is ours, also when aws-cdk-lib passes it on: a Lazy of ours that fails is
 * `Resolution error: <ours>`, construct validation (`node.addValidation`) is
 * `Validation failed with the following errors:` and one `[path] <ours>` line per error (ours or a PipelineChecks finding).
 */
function ours(message: string): boolean {
  const inner = message.replace(/^Resolution error: /, '');
  if (OUR_ERROR.test(inner) || PROTOTYPE_ID.test(inner)) return true;
  const lines = message.split('\n');
  if (!/^(«ValidationFailedWithErrors» )?Validation failed with the following errors:$/.test(lines[0])) return false;
  const errors = lines.slice(1).filter((l) => /^\s+\[[^\]]*\] /.test(l)).map((l) => l.replace(/^\s+\[[^\]]*\] /, ''));
  return errors.length > 0 && errors.every((l) => OUR_ERROR.test(l) || PIPELINE_CHECK.test(l));
}

export interface Escape {
  readonly entry: string;
  readonly point: string;
  readonly value: string;
  readonly phase: 'call' | 'synth';
  readonly error: string;
}

function show(value: unknown): string {
  if (typeof value === 'symbol') return 'Symbol(x)';
  if (typeof value === 'function') return 'function';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value)) return `<${value.constructor?.name}>`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Whether `e` is one of our clear errors about the value put at `point`: our prefix, and (for an
 * error of the call itself) the message names the prop (or a struct it is in, or the parameter),
 * or quotes the value (`branch 'x y' is not a valid git branch name`).
 */
function problem(e: unknown, point: MutationPoint, value: unknown, phase: 'call' | 'synth', aliases: string[] = []): string | undefined {
  if (!(e instanceof Error)) return `threw a non-Error: ${String(e)}`;
  if (RUNTIME_ERRORS.some((t) => e instanceof t)) return `${e.name}: ${e.message}`;
  if (!ours(e.message)) return `not our error: ${e.message.split('\n').slice(0, 3).join(' | ')}`;
  const words = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, '');
  const names = [point.name, ...point.path.filter((p): p is string => typeof p === 'string'), ...point.props, ...aliases];
  const named = names.some((n) => words(e.message).includes(words(n)))
    || (Array.isArray(value) ? value : [value]).some((x) => (typeof x === 'string' || typeof x === 'number' ? e.message.includes(x === '' ? "''" : String(x)) : false));
  if (phase === 'call' && !named) return `does not name '${point.name}': ${e.message}`;
  return undefined;
}

/** Run one case: returns the escape, if any. */
export function runCase(entry: FuzzEntry, point: MutationPoint | undefined, pick: (w: World) => unknown): Escape | undefined {
  const w = new World();
  const value = pick(w);
  const where = point ? `${['', ...point.path].join('.').replace(/^\./, '') || '(param)'} of arg ${point.arg}` : '(valid)';
  const escape = (phase: 'call' | 'synth', error: string): Escape => ({ entry: entry.name, point: where, value: show(value), phase, error });
  let result: unknown;
  try {
    const args = entry.args(w);
    result = entry.call(w, point ? mutate(args, point, value) : args);
    entry.use?.(w, result);
  } catch (e) {
    const p = point ? problem(e, point, value, 'call', entry.aliases?.[point.name]) : `valid call failed: ${(e as Error).stack}`;
    return p ? escape('call', p) : undefined;
  }
  try {
    w.app.synth();
  } catch (e) {
    const p = point ? problem(e, point, value, 'synth') : `valid call failed at synth: ${(e as Error).stack}`;
    return p ? escape('synth', p) : undefined;
  }
  return undefined;
}

/** fast-check property over one entry: a mutation point, and a random value for it. */
export function fuzzEntry(entry: FuzzEntry, runs: number, seed: number): Escape[] {
  const points = mutationPoints(entry, entry.args(new World()));
  const escapes: Escape[] = [];
  if (points.length === 0) return escapes;
  const cases = fc.sample(fc.tuple(fc.integer({ min: 0, max: points.length - 1 }), fc.integer({ min: 0, max: 1_000_000 })), { numRuns: runs, seed });
  for (const [i, valueSeed] of cases) {
    const found = runCase(entry, points[i], (w) => fc.sample(wrongValue(w), { numRuns: 1, seed: valueSeed })[0]);
    if (found) escapes.push(found);
  }
  return escapes;
}

// ---------------------------------------------------------------------------------------------
// Unknown keys (issue 22): a valid props object or options struct with one key added that its
// interface does not have must fail with our error quoting the key, at every struct of every entry.

/** A struct in a call: argument i, the path to the object (array elements at index 0), and the struct's props from API.md. */
export interface StructPoint {
  readonly arg: number;
  readonly path: (string | number)[];
  readonly struct: string;
  readonly props: string[];
}

/** Every struct of a callable (parameters and nested struct props, depth 3), as API.md types them. */
export function structPoints(entry: FuzzEntry, sample: any[]): StructPoint[] {
  const points: StructPoint[] = [];
  const walk = (arg: number, at: (string | number)[], type: string, value: unknown, depth: number) => {
    const struct = structOf(type);
    if (!struct || depth > 3) return;
    let inner = value;
    let innerPath = at;
    if (type.endsWith('[]')) {
      if (value !== undefined && !Array.isArray(value)) return;
      inner = Array.isArray(value) ? value[0] : undefined;
      innerPath = [...at, 0];
    }
    if (inner !== undefined && (typeof inner !== 'object' || inner === null || Object.getPrototypeOf(inner) !== Object.prototype)) return;
    const props = apiSurface().structs.get(struct)!;
    points.push({ arg, path: innerPath, struct, props: props.map((p) => p.name) });
    if (inner === undefined) return;
    for (const prop of props) walk(arg, [...innerPath, prop.name], prop.type, (inner as any)[prop.name], depth + 1);
  };
  (apiSurface().callables.get(entry.name) ?? []).forEach((p, i) => {
    if (!entry.skip?.includes(p.name)) walk(i, [], p.type, sample[i], 0);
  });
  return points;
}

/** `args` with the object at `point` (or a new one) given an own enumerable `key` (also '__proto__'). */
export function withKey(args: any[], point: StructPoint, key: string, value: unknown = 1): any[] {
  const add = (current: any) => {
    const copy = { ...(current ?? {}) };
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  };
  // Copy down the path (arrays stay arrays; a missing array or object on the way is made).
  const put = (at: any, steps: (string | number)[]): any => {
    if (steps.length === 0) return add(at);
    const [head, ...rest] = steps;
    const copy = typeof head === 'number' ? [...(Array.isArray(at) ? at : [])] : { ...(at ?? {}) };
    (copy as any)[head] = put(at?.[head], rest);
    return copy;
  };
  const out = [...args];
  out[point.arg] = put(args[point.arg], point.path);
  return out;
}

/** Keys a user may add by mistake: Object.prototype names, misspellings of the struct's props, random names. */
export function unknownKey(props: string[]): fc.Arbitrary<string> {
  const misspelt = props.length === 0 ? fc.constant('x') : fc.tuple(fc.constantFrom(...props), fc.nat(), fc.constantFrom('drop', 'swap', 'plural', 'case')).map(([p, i, how]) => {
    const at = i % p.length;
    switch (how) {
      case 'drop': return p.slice(0, at) + p.slice(at + 1);
      case 'swap': return at + 1 < p.length ? p.slice(0, at) + p[at + 1] + p[at] + p.slice(at + 2) : `${p}x`;
      case 'plural': return p.endsWith('s') ? p.slice(0, -1) : `${p}s`;
      default: return p.toUpperCase();
    }
  });
  return fc.oneof(
    fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'approval', 'build', 'approvers'),
    misspelt,
    fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,11}$/),
  ).filter((k) => !props.includes(k));
}

/**
 * Run the call with `key` added at `point`: our error must come back (at the call, or at synth
 * for what is checked when the pipeline binds) quoting the key. Returns the problem, or the
 * valid keys our message lists (`the valid keys are a, b`) when it is our error.
 */
export function runUnknownKey(entry: FuzzEntry, point: StructPoint, key: string): { problem?: string; validKeys?: string[] } {
  const w = new World();
  let error: unknown;
  try {
    const result = entry.call(w, withKey(entry.args(w), point, key));
    entry.use?.(w, result);
    w.app.synth();
  } catch (e) {
    error = e;
  }
  if (error === undefined) return { problem: `no error for unknown key '${key}'` };
  if (!(error instanceof Error) || RUNTIME_ERRORS.some((t) => error instanceof t)) return { problem: `${(error as Error)?.name}: ${(error as Error)?.message}` };
  const message = error.message.replace(/^Resolution error: /, '');
  const m = message.match(new RegExp(`unknown keys? [^;]*'${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'[^;]*; (the valid keys are (.*?)|it takes no keys) \\(a misspelled key`));
  if (!ours(error.message)) return { problem: `not our error: ${message.slice(0, 300)}` };
  if (!m) return { problem: `our error does not reject the unknown key '${key}': ${message.slice(0, 300)}` };
  return { validKeys: m[2] ? m[2].split(', ') : [] };
}

/** fast-check property over one entry: a struct in the call, and an unknown key added to it. */
export function fuzzUnknownKeys(entry: FuzzEntry, runs: number, seed: number): Escape[] {
  const points = structPoints(entry, entry.args(new World()));
  if (points.length === 0) return [];
  const pick = fc.integer({ min: 0, max: points.length - 1 }).chain((i) => fc.tuple(fc.constant(i), unknownKey(points[i].props)));
  const cases = fc.sample(pick, { numRuns: runs, seed });
  const escapes: Escape[] = [];
  for (const [i, key] of cases) {
    const { problem: p } = runUnknownKey(entry, points[i], key);
    if (p) escapes.push({ entry: entry.name, point: `${points[i].struct} at ${['', ...points[i].path].join('.') || '(param)'} of arg ${points[i].arg}`, value: `key '${key}'`, phase: 'call', error: p });
  }
  return escapes;
}
