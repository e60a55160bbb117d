import { App, CfnWaitConditionHandle, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { BuildStep } from '../../src/build/build-step';
import { CdkStageDeployment } from '../../src/cdk/stage-deployment';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { CrossRegionCfnPipeline } from '../../src/pipelines/cross-region-cfn';
import { SourceBuildDeployPipeline } from '../../src/pipelines/source-build-deploy/source-build-deploy-pipeline';
import { PipelineSource } from '../../src/source/pipeline-source';
import { stagesOf } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthValidated } from '../util';
import { BETA_ENV, PIPELINE_ENV } from './fixtures';

/** A CDK stage of one stack named `app` (one resource), with the env given (none: env-agnostic). */
class AppStage extends Stage {
  constructor(scope: App, id: string, props: StageProps = {}) {
    super(scope, id, props);
    new CfnWaitConditionHandle(new Stack(this, 'App', { stackName: `app-${id.toLowerCase()}` }), 'Handle');
    exemptFixtureFromControlTower(this, 'the application under deployment, not a construct of this library');
  }
}

function pipelineStack(app: App, env: { account?: string; region?: string } | undefined = PIPELINE_ENV) {
  const stack = new Stack(app, 'PipelineStack', { env });
  return { stack, source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'orders')) };
}

function sourceBuildDeploy(app: App, stage: Stage, env?: { account?: string; region?: string }) {
  const { stack, source } = pipelineStack(app, env);
  new SourceBuildDeployPipeline(stack, 'Pipeline', {
    source, buildStep: BuildStep.cdkSynth(), stages: [{ stageName: 'Deploy', targets: [DeployTarget.cdkStage(stage)] }],
  });
}

function crossRegion(app: App, stage: Stage) {
  const { stack, source } = pipelineStack(app);
  new CrossRegionCfnPipeline(stack, 'Pipeline', { source, buildStep: BuildStep.cdkSynth(), waves: [{ waveName: 'Deploy', cdkStages: [stage] }] });
}

/** The CloudFormation actions of the pipeline's stage `name`: [name, region (undefined: the pipeline's), deploy role ARN as JSON]. */
function cfnActions(app: App, stageName: string) {
  const result = synthValidated(app);
  expect(formatFindings(result.findings)).toBe(formatFindings([]));
  const stages = stagesOf(Template.fromJSON(result.templates.PipelineStack)).filter((s) => s.Name === stageName || s.Name === `${stageName}.ChangeSets`);
  expect(stages.length).toBeGreaterThan(0);
  return stages.flatMap((st) => st.Actions).filter((a: any) => a.ActionTypeId.Provider === 'CloudFormation')
    .map((a: any) => ({ name: a.Name, region: a.Region, role: JSON.stringify(a.RoleArn), execRole: JSON.stringify(a.Configuration.RoleArn) }));
}

const deployRole = (account: string, region: string) => `:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`;
const execRole = (account: string, region: string) => `:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;

describe('a CDK stage without an account or region deploys to the pipeline\'s (as CDK Pipelines does)', () => {
  describe.each([
    ['SourceBuildDeployPipeline', sourceBuildDeploy],
    ['CrossRegionCfnPipeline', crossRegion],
  ] as const)('%s', (_name, define) => {
    test('an env-agnostic stage deploys with the pipeline account\'s bootstrap roles, in the pipeline\'s region', () => {
      const app = createTestApp();
      define(app, new AppStage(app, 'Agnostic'));
      const actions = cfnActions(app, 'Deploy');
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((a: any) => a.name.startsWith('app-agnostic'))).toBe(true);
      for (const action of actions) {
        // No Region: the action runs in the pipeline's region; the roles are the pipeline account's.
        expect(action.region).toBeUndefined();
        expect(action.role).toContain(deployRole(PIPELINE_ENV.account, PIPELINE_ENV.region));
      }
      expect(actions.find((a: any) => a.execRole !== undefined)?.execRole).toContain(execRole(PIPELINE_ENV.account, PIPELINE_ENV.region));
    });

    test('a stage with an account only deploys to that account in the pipeline\'s region', () => {
      const app = createTestApp();
      define(app, new AppStage(app, 'Beta', { env: { account: BETA_ENV.account } }));
      const actions = cfnActions(app, 'Deploy');
      expect(actions[0].region).toBeUndefined();
      expect(actions[0].role).toContain(deployRole(BETA_ENV.account, PIPELINE_ENV.region));
    });

    test('a stage with a region only deploys to that region in the pipeline\'s account', () => {
      const app = createTestApp();
      define(app, new AppStage(app, 'East', { env: { region: 'us-east-1' } }));
      const actions = cfnActions(app, 'Deploy');
      expect(actions[0].region).toBe('us-east-1');
      expect(actions[0].role).toContain(deployRole(PIPELINE_ENV.account, 'us-east-1'));
    });

    test('fails when an env-agnostic stage and a stage in the pipeline\'s env define the same stack (the same environment)', () => {
      const app = createTestApp();
      const explicit = new AppStage(app, 'Explicit', { env: PIPELINE_ENV });
      const agnostic = new Stage(app, 'Agnostic');
      new CfnWaitConditionHandle(new Stack(agnostic, 'App', { stackName: 'app-explicit' }), 'Handle');
      const { stack, source } = pipelineStack(app);
      const make = () => (define === sourceBuildDeploy
        ? new SourceBuildDeployPipeline(stack, 'Pipeline', {
          source,
          buildStep: BuildStep.cdkSynth(),
          stages: [
            { stageName: 'One', targets: [DeployTarget.cdkStage(explicit)] },
            { stageName: 'Two', targets: [DeployTarget.cdkStage(agnostic)] },
          ],
        })
        : new CrossRegionCfnPipeline(stack, 'Pipeline', {
          source, buildStep: BuildStep.cdkSynth(), waves: [{ waveName: 'One', cdkStages: [explicit] }, { waveName: 'Two', cdkStages: [agnostic] }],
        }));
      expect(make).toThrow(/stack 'app-explicit' in aws:\/\/111111111111\/eu-west-1 is deployed by CDK stages 'Explicit' and 'Agnostic'/);
    });
  });

  test('fails when both the stage and the pipeline\'s stack are env-agnostic, naming the stack and the fix', () => {
    const app = createTestApp();
    expect(() => sourceBuildDeploy(app, new AppStage(app, 'Agnostic'), {})).toThrow(
      /^AppStage 'Agnostic': stack 'app-agnostic' has no concrete account \(env-agnostic\) and neither has the pipeline's stack; give the stage or stack env: \{ account: '123456789012', region: 'eu-west-1' \}, or define the pipeline in a stack with a concrete env/);
  });

  test('CdkStageDeployment.fromStage takes the pipeline env; without it every stack needs an env', () => {
    const app = createTestApp();
    const stage = new AppStage(app, 'Agnostic');
    expect(() => CdkStageDeployment.fromStage(stage)).toThrow(/has no concrete account \(env-agnostic\); .*, or pass the pipeline's env as pipelineEnv/);
    const d = CdkStageDeployment.fromStage(stage, PIPELINE_ENV);
    expect(d.stacks.map((s) => [s.account, s.region])).toEqual([[PIPELINE_ENV.account, PIPELINE_ENV.region]]);
    expect(d.stacks[0].deployRoleArn).toContain(deployRole(PIPELINE_ENV.account, PIPELINE_ENV.region));
    expect(() => CdkStageDeployment.fromStage(stage, { acount: '1' } as any)).toThrow(/^CdkStageDeployment\.fromStage: pipelineEnv has an unknown key 'acount' \(did you mean 'account'\?\)/);
    expect(() => CdkStageDeployment.fromStage(stage, { account: 1 } as any)).toThrow(/^CdkStageDeployment\.fromStage: pipelineEnv\.account is a number \(1\), not a string/);
  });
});
