import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { harnessTemplate } from './actions-harness';
import { DeployTarget, InspectorScanSubject } from '../../src/deploy';
import { definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';

describe('DeployTarget.inspectorScan', () => {
  test('scans source code and an ECR image with thresholds, each with a report artifact', () => {
    const { app, stack } = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo2', 'api');
    definePipeline(stack, {
      stages: [{
        stageName: 'Scan',
        targets: [
          DeployTarget.inspectorScan({ subject: InspectorScanSubject.sourceCode(), criticalThreshold: 0, highThreshold: 5, actionName: 'ScanCode', output: 'CodeReport' }),
          DeployTarget.inspectorScan({ subject: InspectorScanSubject.ecrImage(repo, 'release'), criticalThreshold: 0, actionName: 'ScanImage', output: 'ImageReport' }),
        ],
      }],
    });
    const template = harnessTemplate(app);
    const [code, image] = ['ScanCode', 'ScanImage'].map((n) => stage(template, 'Scan').Actions.find((a: any) => a.Name === n));
    expect(code.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'InspectorScan', Version: '1' });
    expect(code.Configuration).toMatchObject({ InspectorRunMode: 'SourceCodeScan', CriticalThreshold: 0, HighThreshold: 5 });
    expect(code.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(code.OutputArtifacts).toEqual([{ Name: 'CodeReport' }]);
    expect(image.Configuration).toMatchObject({ InspectorRunMode: 'ECRImageScan', ECRRepositoryName: 'api', ImageTag: 'release', CriticalThreshold: 0 });
    expect(image.OutputArtifacts).toEqual([{ Name: 'ImageReport' }]);
  });

  test('fails on a negative or fractional threshold, or a V1 pipeline', () => {
    const define = (o: object, pipelineType?: codepipeline.PipelineType) => {
      const { stack } = newStack();
      definePipeline(stack, { pipelineType, stages: [{ stageName: 'Scan', targets: [DeployTarget.inspectorScan({ subject: InspectorScanSubject.sourceCode(), ...o })] }] });
    };
    expect(() => define({ highThreshold: -1 })).toThrow(/stage 'Scan', action 'InspectorScan': highThreshold is -1; pass a whole number of findings/);
    expect(() => define({ lowThreshold: 1.5 })).toThrow(/lowThreshold is 1.5/);
    expect(() => define({}, codepipeline.PipelineType.V1)).toThrow(/the InspectorScan action runs only in V2 pipelines/);
  });
});
