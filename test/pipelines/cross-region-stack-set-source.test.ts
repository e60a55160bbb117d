import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import { CfnDeployment, CrossRegionCfnPipeline, CrossRegionCfnPipelineProps } from '../../src/pipelines/cross-region-cfn';
import { PipelineSource } from '../../src/source/pipeline-source';
import { createTestApp, synthValidated } from '../util';

// A StackSet deployed from a template in the source artifact, without a build step (#22 §4).
const env = { account: '111111111111', region: 'eu-west-1' };

function setup(overrides: Partial<CrossRegionCfnPipelineProps> = {}, app: App = createTestApp(), fullClone = false) {
  const stack = new Stack(app, 'Pipe', { env });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
  const pipeline = new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(repo, { branch: 'main', fullClone }),
    stackName: 'baseline',
    deployment: CfnDeployment.stackSet({ templatePath: 'cfn/baseline.yaml', parameters: { Env: 'prod' } }),
    waves: [
      { waveName: 'First', targets: [{ region: 'eu-west-1', account: '222222222222' }] },
      { waveName: 'Rest', targets: [{ region: 'us-east-1', account: '333333333333' }, { region: 'eu-west-1', account: '333333333333' }] },
    ],
    ...overrides,
  });
  return { app, pipeline };
}

function stages(template: any): any[] {
  const [pipeline] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return pipeline.Properties.Stages;
}

describe('CrossRegionCfnPipeline: a stack set from the source artifact', () => {
  test('Source then the waves: the stack set reads its template from the source, later waves add instances', () => {
    const { app, pipeline } = setup();
    const result = synthValidated(app);
    const template = result.templates.Pipe;
    expect(stages(template).map((s) => s.Name)).toEqual(['Source', 'First', 'Rest']);
    expect(pipeline.buildProject).toBeUndefined();
    expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project')).toEqual([]);
    const [first] = stages(template)[1].Actions;
    expect(first.ActionTypeId.Provider).toBe('CloudFormationStackSet');
    expect(first.InputArtifacts).toEqual([{ Name: 'Source' }]);
    expect(first.Configuration).toMatchObject({
      StackSetName: 'baseline',
      TemplatePath: 'Source::cfn/baseline.yaml',
      PermissionModel: 'SELF_MANAGED',
      DeploymentTargets: '222222222222',
      Regions: 'eu-west-1',
    });
    expect(JSON.stringify(first.Configuration.Parameters)).toMatch(/Env.*prod/);
    const [rest] = stages(template)[2].Actions;
    expect(rest.ActionTypeId.Provider).toBe('CloudFormationStackInstances');
    expect(rest.Configuration).toMatchObject({ StackSetName: 'baseline', DeploymentTargets: '333333333333', Regions: 'us-east-1,eu-west-1' });
  });

  test('service-managed, in organizational units', () => {
    const { app } = setup({
      deployment: CfnDeployment.stackSet({ templatePath: 'baseline.yaml', deploymentModel: cpactions.StackSetDeploymentModel.organizations() }),
      waves: [{ waveName: 'Org', organizationalUnits: ['ou-ab12-cdefgh34'], targets: [{ region: 'eu-west-1' }] }],
    });
    const [action] = stages(synthValidated(app).templates.Pipe)[1].Actions;
    expect(action.Configuration).toMatchObject({
      TemplatePath: 'Source::baseline.yaml', PermissionModel: 'SERVICE_MANAGED', DeploymentTargets: 'ou-ab12-cdefgh34', Regions: 'eu-west-1',
    });
  });

  test('with a buildStep the template is still read from the build output', () => {
    const buildSpec = codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } }, artifacts: { files: ['cfn/*'] } });
    const { app } = setup({ buildStep: { buildSpec } });
    const s = stages(synthValidated(app).templates.Pipe);
    expect(s.map((x) => x.Name)).toEqual(['Source', 'Build', 'First', 'Rest']);
    expect(s[2].Actions[0].Configuration.TemplatePath).toBe('BuildOutput::cfn/baseline.yaml');
  });

  test.each([
    ['/cfn/baseline.yaml', /templatePath '\/cfn\/baseline.yaml' is absolute, but the template is read from inside the source artifact; pass a path relative/],
    ['C:\\cfn\\baseline.yaml', /is absolute/],
    ['../other/baseline.yaml', /templatePath '\.\.\/other\/baseline.yaml' leaves the source artifact \('\.\.'\); pass a path inside it/],
    ['cfn/../../x.yaml', /leaves the source artifact/],
    ['Other::baseline.yaml', /names an artifact \('::'\), but a stack set's template is read from the source artifact; pass only the path/],
    ['', /templatePath is empty; pass the template's path in the source artifact/],
    ['template-{region}.yaml', /has placeholders but a stack set deploys one template everywhere/],
  ])('templatePath %j fails naming the construct, the value and the fix', (templatePath, message) => {
    expect(() => setup({ deployment: CfnDeployment.stackSet({ templatePath }) })).toThrow(message);
    expect(() => setup({ deployment: CfnDeployment.stackSet({ templatePath }) })).toThrow(/CrossRegionCfnPipeline 'Deploy'/);
  });

  test('without a buildStep and without a stack set: an error with the remedy', () => {
    expect(() => setup({ deployment: undefined, allowEmptyExecutionPolicy: true, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1' }] }] }))
      .toThrow(/CrossRegionCfnPipeline 'Deploy'.*buildStep is missing; pass build options that emit the templates.*or deploy one template from the source as a stack set/);
    expect(() => setup({ deployment: CfnDeployment.stacks(), allowEmptyExecutionPolicy: true, waves: [{ waveName: 'W', targets: [{ region: 'eu-west-1' }] }] }))
      .toThrow(/buildStep is missing/);
  });

  test('testStack or selfUpdate without a buildStep: errors naming the option', () => {
    expect(() => setup({ testStack: { stackName: 't', tests: [] } })).toThrow(/testStack is set but there is no buildStep.*pass buildStep, or remove testStack/);
    expect(() => setup({ selfUpdate: true })).toThrow(/selfUpdate is set but there is no buildStep/);
    expect(() => setup({ selfUpdate: false })).not.toThrow();
  });

  test('a full-clone source holds no files: an error without a buildStep', () => {
    expect(() => setup({}, createTestApp(), true)).toThrow(/the source is a full clone \(fullClone: true\).*remove fullClone from the source, or pass a buildStep/);
  });
});
