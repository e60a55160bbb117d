import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { buildSpec, definePipeline, newStack, stage, stagesOf } from './source-build-deploy-fixtures';
import { DeployTarget } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';

describe('SourceBuildDeployPipeline buildActions and testActions', () => {
  test('ECRBuildAndPublish as the build (no CodeBuild project), Commands as a test step; the image digest variable reaches the deploy stage', () => {
    const { app, stack } = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Api', 'api');
    definePipeline(stack, {
      buildStep: undefined,
      buildActions: [DeployTarget.ecrBuildAndPublish({ repository: repo, imageTags: ['latest'] })],
      testActions: [DeployTarget.commands({ actionName: 'Unit', commands: ['npm ci', 'npm test'] })],
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, parameterOverrides: { Digest: '#{BuildImage.ECRImageDigestId}' } })] }],
    });
    const t = harnessTemplate(app);
    expect(stagesOf(t).map((s) => s.Name)).toEqual(['Source', 'Build', 'Test', 'Prod']);
    t.resourceCountIs('AWS::CodeBuild::Project', 0);
    const [build] = stage(t, 'Build').Actions;
    expect(build.ActionTypeId).toEqual({ Category: 'Build', Owner: 'AWS', Provider: 'ECRBuildAndPublish', Version: '1' });
    expect(build.InputArtifacts).toEqual([{ Name: 'Source' }]);
    const [unit] = stage(t, 'Test').Actions;
    expect(unit.ActionTypeId).toEqual({ Category: 'Compute', Owner: 'AWS', Provider: 'Commands', Version: '1' });
    expect(unit.Commands).toEqual(['npm ci', 'npm test']);
    expect(unit.InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('beside a buildStep: same stage and runOrder; testActions beside tests read the build output', () => {
    const { app, stack } = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Api', 'api');
    definePipeline(stack, {
      buildActions: [DeployTarget.ecrBuildAndPublish({ repository: repo })],
      tests: [{ name: 'Integration', buildSpec }],
      testActions: [DeployTarget.commands({ actionName: 'Lint', commands: ['npm run lint'] })],
    });
    const t = harnessTemplate(app);
    expect(stage(t, 'Build').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([['Build', 'CodeBuild', 1], ['BuildImage', 'ECRBuildAndPublish', 1]]);
    expect(stage(t, 'Test').Actions.map((a: any) => [a.Name, a.RunOrder, a.InputArtifacts])).toEqual([
      ['Integration', 1, [{ Name: 'BuildOutput' }]], ['Lint', 1, [{ Name: 'BuildOutput' }]],
    ]);
  });

  test('fails on a V1 pipeline, on a duplicate action name, and on an input the build stage does not have yet', () => {
    const a = newStack();
    expect(() => definePipeline(a.stack, {
      pipelineType: codepipeline.PipelineType.V1,
      testActions: [DeployTarget.commands({ commands: ['npm test'] })],
    })).toThrow(/Commands action.*V2|V2.*Commands/);
    const b = newStack();
    expect(() => definePipeline(b.stack, { buildActions: [DeployTarget.commands({ actionName: 'Build', commands: ['make'] })] }))
      .toThrow(/stage 'Build' has two actions named 'Build'/);
    const c = newStack();
    expect(() => definePipeline(c.stack, { buildActions: [DeployTarget.commands({ commands: ['make'], inputs: ['BuildOutput'] })] }))
      .toThrow(/inputs 'BuildOutput' is an artifact nobody produces before this stage/);
    const d = newStack();
    expect(() => definePipeline(d.stack, { buildActions: [{ commands: ['make'] } as any] })).toThrow(/buildActions\[0\] is .*not an instance of DeployTarget|buildActions\[0\]/);
  });
});
