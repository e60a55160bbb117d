import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { harnessTemplate } from './actions-harness';
import { DeployTarget } from '../../src/deploy';
import { codeCommitSource, definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

describe('DeployTarget.ecrBuildAndPublish', () => {
  test('renders Build/AWS/ECRBuildAndPublish and pushes to the one repository', () => {
    const { app, stack } = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo2', 'api');
    definePipeline(stack, {
      source: codeCommitSource(stack, { variablesNamespace: 'SourceVariables' }),
      stages: [{ stageName: 'Image', targets: [DeployTarget.ecrBuildAndPublish({ repository: repo, dockerfileDirectory: 'services/api', imageTags: ['#{SourceVariables.CommitId}', 'latest'] })] }],
    });
    const template = harnessTemplate(app);
    const action = stage(template, 'Image').Actions[0];
    expect(action.Name).toBe('BuildImage');
    expect(action.ActionTypeId).toEqual({ Category: 'Build', Owner: 'AWS', Provider: 'ECRBuildAndPublish', Version: '1' });
    expect(action.Configuration).toEqual({ ECRRepositoryName: 'api', DockerFilePath: 'services/api', ImageTags: '#{SourceVariables.CommitId},latest', RegistryType: 'private' });
    expect(action.Namespace).toBe('BuildImage');
    const push = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .find((s: any) => ([] as string[]).concat(s.Action).includes('ecr:PutImage'));
    expect(JSON.stringify(push.Resource)).toContain(':repository/api');
  });

  test('fails on a bad tag, a Dockerfile path or a V1 pipeline', () => {
    const define = (o: object, pipelineType?: codepipeline.PipelineType) => {
      const { stack } = newStack();
      const repo = ecr.Repository.fromRepositoryName(stack, 'R', 'api');
      definePipeline(stack, { pipelineType, stages: [{ stageName: 'Image', targets: [DeployTarget.ecrBuildAndPublish({ repository: repo, ...o })] }] });
    };
    expect(() => define({ imageTags: ['v 1'] })).toThrow(/stage 'Image', action 'BuildImage': imageTags has 'v 1', which is not an image tag/);
    expect(() => define({ dockerfileDirectory: 'api/Dockerfile' })).toThrow(/dockerfileDirectory 'api\/Dockerfile' is not a directory of the input/);
    expect(() => define({}, codepipeline.PipelineType.V1)).toThrow(/the ECRBuildAndPublish action runs only in V2 pipelines/);
  });
});
