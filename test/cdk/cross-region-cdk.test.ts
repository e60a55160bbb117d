import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BuildStep } from '../../src/build/build-step';
import { ApprovalGate } from '../../src/gates';
import { IStageGate, StageGateBindOptions, StageGateBinding } from '../../src/gates/stage-gate';
import { CfnDeployment, CrossRegionCfnPipeline, CrossRegionCfnPipelineProps } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';
import { stage as stageNamed, stagesOf } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, formatFindings, synthAndReport } from '../util';
import { BETA_ENV, LAMBDA_V1, LAMBDA_V2, PIPELINE_ENV, PROD_ENV, ServiceStage } from './fixtures';

const DEPLOY_ROLE = (env: { account: string; region: string }) => `:iam::${env.account}:role/cdk-hnb659fds-deploy-role-${env.account}-${env.region}`;
const EXEC_ROLE = (env: { account: string; region: string }) => `:iam::${env.account}:role/cdk-hnb659fds-cfn-exec-role-${env.account}-${env.region}`;

/** Records the stage it is bound to; one approval action, and a beforeEntry condition. */
class RecordingGate implements IStageGate {
  public bound?: StageGateBindOptions;
  public bindToStage(options: StageGateBindOptions): StageGateBinding {
    this.bound = options;
    return {
      actions: [new cpactions.ManualApprovalAction({ actionName: 'Approve', runOrder: options.runOrder })],
      beforeEntry: {
        conditions: [{
          result: codepipeline.Result.FAIL,
          rules: [new codepipeline.Rule({ name: 'Window', provider: 'DeploymentWindow', version: '1', configuration: { Cron: '0 9 ? * MON-FRI *' } })],
        }],
      },
    };
  }
}

function pipelineStack(app: App) {
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  return { stack, source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'orders')) };
}

/** Beta (222222222222/eu-west-1, no image) in wave 'Beta'; Prod (333333333333/us-east-1) behind an approval in wave 'Prod'. */
function synthesize(options: { lambdaCode?: string; selfUpdate?: boolean } = {}) {
  const app = createTestApp();
  const { stack, source } = pipelineStack(app);
  const beta = new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false, lambdaCode: options.lambdaCode ?? LAMBDA_V1 });
  const prod = new ServiceStage(app, 'Prod', { env: PROD_ENV, lambdaCode: options.lambdaCode ?? LAMBDA_V1 });
  const pipeline = new CrossRegionCfnPipeline(stack, 'Pipeline', {
    source,
    buildStep: BuildStep.cdkSynth(),
    selfUpdate: options.selfUpdate ?? true,
    waves: [
      { waveName: 'Beta', cdkStages: [beta] },
      { waveName: 'Prod', cdkStages: [prod], gate: new ApprovalGate(stack, 'ProdGate', { manual: true }) },
    ],
  });
  const result = synthAndReport(app);
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'assembly-Prod', `${prod.api.artifactId}.assets.json`), 'utf-8'));
  const fileAssets = Object.keys(manifest.files).filter((hash) => manifest.files[hash].source.packaging === 'zip');
  return { app, pipeline, result, fileAssets, template: Template.fromJSON(result.templates.PipelineStack) };
}

function stage(template: Template, name: string): any {
  const found = stageNamed(template, name);
  expect(found).toBeDefined();
  return found;
}

const summary = (st: any) => st.Actions.map((a: any) => [a.Name, a.ActionTypeId.Category === 'Deploy' ? a.Configuration.ActionMode : a.ActionTypeId.Provider, a.RunOrder]);

/** Resource policies (bucket and key) of the pipeline's artifact stores, by template. */
function storePolicies(templates: { [id: string]: any }): Array<{ stackId: string; json: string }> {
  return Object.entries(templates).filter(([id]) => id.startsWith('PipelineStack')).flatMap(([stackId, t]) => {
    const tt = Template.fromJSON(t);
    return [...Object.values(tt.findResources('AWS::S3::BucketPolicy')), ...Object.values(tt.findResources('AWS::KMS::Key'))]
      .map((r: any) => ({ stackId, json: JSON.stringify(r.Properties.PolicyDocument ?? r.Properties.KeyPolicy) }));
  });
}

describe('CrossRegionCfnPipeline with waves of CDK stages', () => {
  let s: ReturnType<typeof synthesize>;
  beforeAll(() => {
    s = synthesize();
  });

  test('held to the harness: no finding in any template', () => {
    expect(formatFindings(s.result.findings)).toBe(formatFindings([]));
  });

  test('stages: Source, Build (synth), UpdatePipeline, Assets, then per wave its change sets and its execution', () => {
    expect(stagesOf(s.template).map((st) => st.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Beta.ChangeSets', 'Beta', 'Prod.ChangeSets', 'Prod']);
    expect(s.pipeline.stageNames).toEqual(stagesOf(s.template).map((st) => st.Name));
  });

  test('assets: one action per target environment, reading the cloud assembly; only the environment with an image is privileged', () => {
    const assets = stage(s.template, 'Assets');
    expect(assets.Actions.map((a: any) => [a.Name, a.RunOrder, a.InputArtifacts])).toEqual([
      ['Assets-222222222222-eu-west-1', 1, [{ Name: 'CloudAssembly' }]],
      ['Assets-333333333333-us-east-1', 1, [{ Name: 'CloudAssembly' }]],
    ]);
    const projects = Object.values(s.template.findResources('AWS::CodeBuild::Project')) as any[];
    const privileged = projects.filter((p) => p.Properties.Environment.PrivilegedMode === true).map((p) => p.Properties.Description);
    expect(privileged).toEqual([expect.stringContaining('aws://333333333333/us-east-1')]);
  });

  test('a wave creates every change set in dependency order, then its gate, then executes them in the same order', () => {
    expect(summary(stage(s.template, 'Beta.ChangeSets'))).toEqual([
      ['Beta-Data', 'CHANGE_SET_REPLACE', 1], ['Beta-Api', 'CHANGE_SET_REPLACE', 2], ['Beta-Jobs', 'CHANGE_SET_REPLACE', 2],
    ]);
    expect(summary(stage(s.template, 'Beta'))).toEqual([
      ['Beta-Data', 'CHANGE_SET_EXECUTE', 1], ['Beta-Api', 'CHANGE_SET_EXECUTE', 2], ['Beta-Jobs', 'CHANGE_SET_EXECUTE', 2],
    ]);
    expect(summary(stage(s.template, 'Prod.ChangeSets'))).toEqual([
      ['Prod-Data', 'CHANGE_SET_REPLACE', 1], ['Prod-Api', 'CHANGE_SET_REPLACE', 2], ['Prod-Jobs', 'CHANGE_SET_REPLACE', 2],
    ]);
    // The gate sits between the change sets and their execution.
    expect(summary(stage(s.template, 'Prod'))).toEqual([
      ['Approve', 'Manual', 1], ['Prod-Data', 'CHANGE_SET_EXECUTE', 2], ['Prod-Api', 'CHANGE_SET_EXECUTE', 3], ['Prod-Jobs', 'CHANGE_SET_EXECUTE', 3],
    ]);
    const names = stagesOf(s.template).flatMap((st) => st.Actions).filter((a: any) => a.ActionTypeId.Category === 'Deploy').map((a: any) => a.Configuration.ChangeSetName);
    expect(new Set(names)).toEqual(new Set(['PipelineChangeSet']));
  });

  test('each stack deploys with the bootstrap roles of its environment, from its template in the cloud assembly', () => {
    const prepare = stage(s.template, 'Prod.ChangeSets').Actions.find((a: any) => a.Name === 'Prod-Api');
    expect(prepare.Region).toBe('us-east-1');
    expect(JSON.stringify(prepare.RoleArn)).toContain(DEPLOY_ROLE(PROD_ENV));
    expect(JSON.stringify(prepare.Configuration.RoleArn)).toContain(EXEC_ROLE(PROD_ENV));
    expect(prepare.Configuration.Capabilities).toBe('CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND');
    expect(prepare.Configuration.TemplatePath).toMatch(/^CloudAssembly::assembly-Prod\/ProdApi[0-9A-F]+\.template\.json$/);
    const execute = stage(s.template, 'Prod').Actions.find((a: any) => a.Name === 'Prod-Api');
    expect(JSON.stringify(execute.RoleArn)).toContain(DEPLOY_ROLE(PROD_ENV));
    expect(execute.Configuration.StackName).toBe('Prod-Api');
    // Beta is in the pipeline's region: no Region on its actions; tags come as a template configuration.
    const data = stage(s.template, 'Beta.ChangeSets').Actions.find((a: any) => a.Name === 'Beta-Data');
    expect(data.Region).toBeUndefined();
    expect(JSON.stringify(data.RoleArn)).toContain(DEPLOY_ROLE(BETA_ENV));
    expect(data.Configuration.TemplateConfiguration).toMatch(/^CloudAssembly::assembly-Beta\/BetaData[0-9A-F]+\.template\.json\.config\.json$/);
    // The pipeline defines no CloudFormation roles of its own for CDK stages.
    const roles = Object.keys(s.template.findResources('AWS::IAM::Role'));
    expect(roles.filter((id) => /ActionRole[0-9A-F]{8}$|ExecutionRole[0-9A-F]{8}$/.test(id) && !id.includes('CodePipelineActionRole'))).toEqual([]);
    expect(Object.keys(s.result.templates).filter((id) => /-(222222222222|333333333333)$/.test(id))).toEqual([]);
  });

  test('each region\'s artifact store lets the deploy roles of that region\'s stacks read, and no other', () => {
    const policies = storePolicies(s.result.templates);
    const home = policies.filter((p) => p.stackId === 'PipelineStack');
    const east = policies.filter((p) => p.stackId.endsWith('us-east-1'));
    expect(home).toHaveLength(2); // bucket policy and key policy
    expect(east).toHaveLength(2);
    for (const p of home) {
      expect(p.json).toContain(DEPLOY_ROLE(BETA_ENV));
      expect(p.json).not.toContain(DEPLOY_ROLE(PROD_ENV));
    }
    for (const p of east) {
      expect(p.json).toContain(DEPLOY_ROLE(PROD_ENV));
      expect(p.json).not.toContain(DEPLOY_ROLE(BETA_ENV));
    }
  });

  test('a Lambda code change alters the assets, not the pipeline or its stores', () => {
    const changed = synthesize({ lambdaCode: LAMBDA_V2 });
    expect(changed.fileAssets).toHaveLength(1);
    expect(changed.fileAssets).not.toEqual(s.fileAssets);
    const pipelineTemplates = (r: typeof s.result) => Object.fromEntries(Object.entries(r.templates).filter(([id]) => id.startsWith('PipelineStack')));
    expect(Object.keys(pipelineTemplates(s.result))).toEqual(['PipelineStack-Pipeline-ArtifactStores-us-east-1', 'PipelineStack']);
    expect(pipelineTemplates(changed.result)).toEqual(pipelineTemplates(s.result));
  });

  test('selfUpdate: the project may assume the deploy and file publishing roles of the pipeline account in the store regions, and the pipeline does not restart', () => {
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as any[];
    const update = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('SelfUpdateProjectRole'));
    const assume = update.Properties.PolicyDocument.Statement.find((st: any) => st.Action === 'sts:AssumeRole');
    expect(JSON.stringify(assume.Resource)).toContain(DEPLOY_ROLE(PIPELINE_ENV));
    expect(JSON.stringify(assume.Resource)).toContain(DEPLOY_ROLE({ account: PIPELINE_ENV.account, region: 'us-east-1' }));
    expect(assume.Resource).toHaveLength(4);
    const pipeline = Object.values(s.template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(pipeline.Properties.RestartExecutionOnUpdate).not.toBe(true);
  });

  test('failure notifications keep working', () => {
    expect(s.pipeline.failureNotifications).toBeDefined();
    expect(Object.keys(s.template.findResources('AWS::Events::Rule')).length).toBeGreaterThan(0);
  });
});

describe('CrossRegionCfnPipeline with CDK stages: structure', () => {
  /** A stage of `count` independent stacks (one queue each) and one stack depending on the first. */
  class ManyStacks extends Stage {
    constructor(scope: App, id: string, count: number) {
      super(scope, id, { env: BETA_ENV });
      const stacks = Array.from({ length: count }, (_, i) => {
        const st = new Stack(this, `S${i}`);
        new sqs.Queue(st, 'Q');
        return st;
      });
      const top = new Stack(this, 'Top');
      new sqs.Queue(top, 'Q');
      top.addDependency(stacks[0]);
    }
  }

  function define(waves: CrossRegionCfnPipelineProps['waves'], more: Partial<CrossRegionCfnPipelineProps> = {}, app: App = createTestApp()) {
    const { stack, source } = pipelineStack(app);
    const pipeline = new CrossRegionCfnPipeline(stack, 'Pipeline', { source, buildStep: BuildStep.cdkSynth(), waves, failureNotifications: false, ...more });
    return { app, stack, pipeline, template: () => Template.fromStack(stack) };
  }

  test('above 50 actions a wave splits its stages and keeps each stack after those it depends on', () => {
    const app = createTestApp();
    const gate = new RecordingGate();
    const { template } = define([{ waveName: 'W', cdkStages: [new ManyStacks(app, 'Many', 54)], gate }], {}, app);
    const t = template();
    // No Assets stage: the stacks hold nothing to publish but their templates (read from the cloud assembly).
    expect(stagesOf(t).map((st) => [st.Name, st.Actions.length])).toEqual([
      ['Source', 1], ['Build', 1], ['W.ChangeSets', 50], ['W.ChangeSets.2', 5], ['W', 50], ['W.2', 6],
    ]);
    // Independent stacks first (runOrder 1); 'Top' (depends on S0) last, at the next runOrder of its part.
    const second = stage(t, 'W.ChangeSets.2').Actions.map((a: any) => [a.Name, a.RunOrder]);
    expect(second.slice(0, 4)).toEqual(Array(4).fill([expect.stringMatching(/^Many-S\d+$/), 1]));
    expect(second[4]).toEqual(['Many-Top', 2]);
    expect(new Set(stage(t, 'W.ChangeSets').Actions.map((a: any) => a.RunOrder))).toEqual(new Set([1]));
    const w = stage(t, 'W');
    expect(w.Actions[0]).toMatchObject({ Name: 'Approve', RunOrder: 1 });
    expect(new Set(w.Actions.slice(1).map((a: any) => a.RunOrder))).toEqual(new Set([2]));
    expect(stage(t, 'W.2').Actions.map((a: any) => a.RunOrder)).toEqual([1, 1, 1, 1, 1, 2]);
    // The gate is bound to the execution stage: its conditions go there, not to the change sets.
    expect(gate.bound).toMatchObject({ stageName: 'W', runOrder: 1 });
    expect(w.BeforeEntry).toBeDefined();
    expect(stage(t, 'W.ChangeSets').BeforeEntry).toBeUndefined();
  });

  test('changeSets: false deploys each stack directly after the gate, in dependency order', () => {
    const app = createTestApp();
    const { template } = define([{ waveName: 'Beta', cdkStages: [new ServiceStage(app, 'Beta', { env: BETA_ENV, withImage: false })], gate: new RecordingGate() }],
      { changeSets: false }, app);
    const t = template();
    expect(stagesOf(t).map((st) => st.Name)).toEqual(['Source', 'Build', 'Assets', 'Beta']);
    expect(summary(stage(t, 'Beta'))).toEqual([
      ['Approve', 'Manual', 1], ['Beta-Data', 'CREATE_UPDATE', 2], ['Beta-Api', 'CREATE_UPDATE', 3], ['Beta-Jobs', 'CREATE_UPDATE', 3],
    ]);
  });

  test('two stages of one wave deploy in parallel, level by level; stacks of the same name get their environment in the action name', () => {
    const app = createTestApp();
    const eu = new ServiceStage(app, 'Eu', { env: BETA_ENV, withImage: false });
    class Named extends Stage {
      constructor(scope: App, id: string, env: { account: string; region: string }) {
        super(scope, id, { env });
        new sqs.Queue(new Stack(this, 'Orders', { stackName: 'orders' }), 'Q');
      }
    }
    const a = new Named(app, 'A', BETA_ENV);
    const b = new Named(app, 'B', PROD_ENV);
    const t = define([{ waveName: 'W', cdkStages: [eu, a, b] }], {}, app).template();
    expect(stage(t, 'W.ChangeSets').Actions.map((x: any) => [x.Name, x.RunOrder])).toEqual([
      ['Eu-Data', 1], ['orders.eu-west-1.222222222222', 1], ['orders.us-east-1.333333333333', 1], ['Eu-Api', 2], ['Eu-Jobs', 2],
    ]);
  });

  test('a stage in the pipeline account: the stores name its deploy role in their policies, without a dependency cycle', () => {
    const app = createTestApp();
    const home = new ServiceStage(app, 'Home', { env: PIPELINE_ENV, withImage: false });
    const east = new ServiceStage(app, 'East', { env: { account: PIPELINE_ENV.account, region: 'us-east-1' }, withImage: false });
    const { stack } = define([{ waveName: 'W', cdkStages: [home, east] }], {}, app);
    const assembly = app.synth();
    const templates = Object.fromEntries(assembly.stacks.map((a) => [a.id, a.template]));
    const east1 = storePolicies(templates).filter((p) => p.stackId.endsWith('us-east-1'));
    expect(east1.map((p) => p.json).join()).toContain(DEPLOY_ROLE({ account: PIPELINE_ENV.account, region: 'us-east-1' }));
    const homeStore = storePolicies(templates).filter((p) => p.stackId === 'PipelineStack');
    expect(homeStore.map((p) => p.json).join()).toContain(DEPLOY_ROLE(PIPELINE_ENV));
    // The store stack does not depend on the pipeline stack (which depends on it).
    const storeStack = assembly.stacks.find((a) => a.id.endsWith('us-east-1'))!;
    expect(storeStack.dependencies.map((d) => d.id)).not.toContain(stack.artifactId);
  });

  test('selfUpdate with template waves: UpdatePipeline before the first wave, no Assets stage', () => {
    const app = createTestApp();
    const { stack, source } = pipelineStack(app);
    const buildSpec = codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } });
    new CrossRegionCfnPipeline(stack, 'Pipeline', {
      source,
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      selfUpdate: true,
      failureNotifications: false,
      waves: [{ waveName: 'Prod', targets: [{ region: 'eu-west-1' }] }],
    });
    expect(stagesOf(Template.fromStack(stack)).map((st) => st.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Prod.ChangeSets', 'Prod']);
  });

  describe('errors', () => {
    const beta = (app: App, id = 'Beta') => new ServiceStage(app, id, { env: BETA_ENV, withImage: false });
    const expectError = (make: (app: App) => CrossRegionCfnPipelineProps['waves'], more: Partial<CrossRegionCfnPipelineProps>, message: RegExp) => {
      const app = createTestApp();
      expect(() => define(make(app), more, app)).toThrow(message);
    };

    test('a wave with targets and cdkStages', () => {
      expectError((app) => [{ waveName: 'W', targets: [{ region: 'eu-west-1' }], cdkStages: [beta(app)] }], {},
        /^CrossRegionCfnPipeline 'Pipeline': wave 'W' has both targets and cdkStages; a wave deploys either .*: remove targets/);
    });

    test('a template wave beside a CDK wave', () => {
      expectError((app) => [{ waveName: 'T', targets: [{ region: 'eu-west-1' }] }, { waveName: 'C', cdkStages: [beta(app)] }], { stackName: 'app' },
        /wave 'T' has targets but wave 'C' has cdkStages; a pipeline deploys either the build's templates or CDK stages .*use two pipelines\.$/);
    });

    test.each([
      ['testStack', { testStack: { stackName: 't', tests: [{ name: 'Smoke' }] } }],
      ['stackName', { stackName: 'app' }],
      ['templatePath', { templatePath: 'x.json' }],
      ['executionPolicy', { executionPolicy: [] }],
      ['allowEmptyExecutionPolicy', { allowEmptyExecutionPolicy: true }],
      ['capabilities', { capabilities: [] }],
    ])('%s with CDK stages', (prop, more) => {
      expectError((app) => [{ waveName: 'W', cdkStages: [beta(app)] }], more as any, new RegExp(`: ${prop} is set, but the waves deploy CDK stages: .*; remove ${prop}\\.$`));
    });

    test('a stack set with CDK stages', () => {
      expectError((app) => [{ waveName: 'W', cdkStages: [beta(app)] }], { deployment: CfnDeployment.stackSet() }, /deployment is CfnDeployment\.stackSet\(\.\.\.\), .*; remove deployment\.$/);
    });

    test('an empty cdkStages list, and a CDK wave without stages', () => {
      expectError(() => [{ waveName: 'W', cdkStages: [] }], {}, /wave 'W' has an empty cdkStages list; pass at least one CDK stage/);
      expectError((app) => [{ waveName: 'A', cdkStages: [beta(app)] }, { waveName: 'B' } as any], {}, /wave 'B' has no cdkStages; pass at least one CDK stage/);
    });

    test('the same stage twice, and the same stack from two stages', () => {
      expectError((app) => {
        const st = beta(app);
        return [{ waveName: 'A', cdkStages: [st] }, { waveName: 'B', cdkStages: [st] }];
      }, {}, /CDK stage 'Beta' is in wave 'A' and in wave 'B'; deploy each stage once/);
      expectError((app) => {
        const st = beta(app);
        return [{ waveName: 'A', cdkStages: [st, st] }];
      }, {}, /CDK stage 'Beta' is in wave 'A' twice/);
      class Fixed extends Stage {
        constructor(scope: App, id: string) {
          super(scope, id, { env: BETA_ENV });
          new sqs.Queue(new Stack(this, 'S', { stackName: 'shared' }), 'Q');
        }
      }
      expectError((app) => [{ waveName: 'A', cdkStages: [new Fixed(app, 'One')] }, { waveName: 'B', cdkStages: [new Fixed(app, 'Two')] }], {},
        /stack 'shared' in aws:\/\/222222222222\/eu-west-1 is deployed by CDK stages 'One' and 'Two'; give the stacks distinct names/);
    });

    test('a wave named like a stage the CDK wiring adds', () => {
      for (const name of ['Assets', 'Assets2', 'UpdatePipeline']) {
        expectError((app) => [{ waveName: name, cdkStages: [beta(app)] }], {}, new RegExp(`waveName '${name}' is the name of a stage the pipeline defines itself`));
      }
    });

    test('cdkStages that are not stages (an env-agnostic stage deploys to the pipeline\'s env: env-agnostic-stage.test.ts)', () => {
      expectError(() => [{ waveName: 'W', cdkStages: [{}] as any }], {}, /waves\[0\]\.cdkStages\[0\] is .*, not a Stage; pass a CDK stage/);
    });

    test('the pipeline\'s own CloudFormation roles are refused: CDK stages deploy with the bootstrap roles', () => {
      const app = createTestApp();
      const { pipeline } = define([{ waveName: 'W', cdkStages: [beta(app)] }], {}, app);
      expect(() => pipeline.actionRole(BETA_ENV.account)).toThrow(/^CrossRegionCfnPipeline 'Pipeline': actionRole\(\) is a role of template targets, but the waves deploy CDK stages, .*bootstrap deploy role/);
      expect(() => pipeline.executionRole(BETA_ENV.account)).toThrow(/executionRole\(\) is a role of template targets, .*bootstrap CloudFormation execution role/);
    });

    test('template waves still need stackName', () => {
      expectError(() => [{ waveName: 'W', targets: [{ region: 'eu-west-1' }] }], {}, /^CrossRegionCfnPipeline 'Pipeline': stackName is missing; pass a stack name/);
    });
  });
});
