import { CfnOutput, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { Construct } from 'constructs';
import { ApprovalGate, BuildStep, CrossRegionCfnPipeline, DeployTarget, PipelineSource, SourceBuildDeployPipeline } from '../../src';
import { buildSpec, codeCommitSource, definePipeline, newStack, stage, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { formatFindings, synthAndReport } from '../util';
import { codeBlocksOf, docSection } from '../util/docs';
import { runExample } from '../util/examples';

const cfn = (stackName: string, extra = {}) => DeployTarget.cloudFormation({ stackName, templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, ...extra });
const envOf = (action: any) => JSON.parse(action.Configuration.EnvironmentVariables);
const byName = (st: any) => Object.fromEntries(st.Actions.map((a: any) => [a.Name, a]));

/** A CDK stage with two stacks: Data (output TableName) and Api (outputs ApiUrl, and Nested/Endpoint under a construct). */
class AppStage extends Stage {
  public readonly data: Stack;
  public readonly api: Stack;
  public readonly endpoint: CfnOutput;
  constructor(scope: Construct, id: string) {
    super(scope, id, { env: { account: '111111111111', region: 'eu-west-1' } });
    this.data = new Stack(this, 'Data');
    new CfnWaitConditionHandle(this.data, 'Keep');
    new CfnOutput(this.data, 'TableName', { value: 'orders' });
    this.api = new Stack(this, 'Api');
    new CfnWaitConditionHandle(this.api, 'Keep');
    new CfnOutput(this.api, 'ApiUrl', { value: 'https://api.example.com' });
    this.endpoint = new CfnOutput(new Construct(this.api, 'Nested'), 'Endpoint', { value: 'https://endpoint.example.com' });
  }
}

describe('DeployTarget.cloudFormation outputs', () => {
  test('the deploying action gets the namespace <stage>-<stack>; a post-deploy test reads #{Prod-app.ApiUrl}; the harness (PipelineChecks included) passes', () => {
    const { app, stack } = newStack();
    const app1 = cfn('app');
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [app1], postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { API_URL: { value: app1.output('ApiUrl') } } }] }],
    });
    const prod = byName(stage(validatedTemplate(app).template, 'Prod'));
    expect(prod.app.Namespace).toBe('Prod-app');
    expect(prod.app.Configuration.ActionMode).toBe('CREATE_UPDATE');
    expect(envOf(prod.Smoke)).toEqual([{ name: 'API_URL', type: 'PLAINTEXT', value: '#{Prod-app.ApiUrl}' }]);
  });

  test('with a change set the execute action declares the namespace, not the change set creation', () => {
    const { app, stack } = newStack();
    const app1 = cfn('app', { changeSet: true, actionName: 'App' });
    definePipeline(stack, {
      stages: [
        { stageName: 'Staging', targets: [app1] },
        { stageName: 'Check', targets: [DeployTarget.commands({ commands: [`curl -f ${app1.output('ApiUrl')}`], actionName: 'Curl' })] },
      ],
    });
    const t = validatedTemplate(app).template;
    const staging = byName(stage(t, 'Staging'));
    expect(staging['App-Execute'].Namespace).toBe('Staging-App');
    expect(staging['App-Prepare'].Namespace).toBeUndefined();
    expect(byName(stage(t, 'Check')).Curl.Commands).toEqual(['curl -f #{Staging-App.ApiUrl}']);
  });

  test('in a stage that reviews change sets, the execution after the approval publishes the outputs', () => {
    const { app, stack } = newStack();
    const app1 = cfn('app');
    definePipeline(stack, {
      stages: [{
        stageName: 'Prod',
        gate: new ApprovalGate(stack, 'Approve', { manual: true }),
        reviewChangeSets: true,
        targets: [app1],
        postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { API_URL: { value: app1.output('ApiUrl') } } }],
      }],
    });
    const prod = byName(stage(validatedTemplate(app).template, 'Prod'));
    expect(prod['app-Prepare'].Namespace).toBeUndefined();
    // change set 1, review 2, approval 3, execution 4 (the outputs), tests 5
    expect(prod.Approve.RunOrder).toBe(3);
    expect([prod['app-Execute'].Namespace, prod['app-Execute'].RunOrder]).toEqual(['Prod-app', 4]);
    expect(prod.Smoke.RunOrder).toBe(5);
  });

  test('reading an output adds no permission: the IAM policies equal those of the same pipeline with a literal value', () => {
    const policies = (read: boolean) => {
      const { app, stack } = newStack();
      const app1 = cfn('app', { changeSet: true });
      definePipeline(stack, {
        stages: [{ stageName: 'Prod', targets: [app1], postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value: read ? app1.output('ApiUrl') : 'https://x' } } }] }],
      });
      const t = validatedTemplate(app).template;
      return { policies: t.findResources('AWS::IAM::Policy'), roles: t.findResources('AWS::IAM::Role'), namespace: byName(stage(t, 'Prod'))['app-Execute'].Namespace };
    };
    const [withRead, without] = [policies(true), policies(false)];
    expect(withRead.namespace).toBe('Prod-app');
    expect(without.namespace).toBeUndefined();
    expect(withRead.policies).toEqual(without.policies);
    expect(withRead.roles).toEqual(without.roles);
  });

  test('a target whose outputs nobody reads declares no namespace', () => {
    const { app, stack } = newStack();
    definePipeline(stack);
    expect(byName(stage(validatedTemplate(app).template, 'Prod')).app.Namespace).toBeUndefined();
  });

  test('fails when a stage reads the output before the target has deployed (same runOrder, or an earlier stage)', () => {
    const sameStage = newStack();
    const a = cfn('app');
    definePipeline(sameStage.stack, {
      stages: [{ stageName: 'Prod', targets: [a, DeployTarget.commands({ commands: [`curl ${a.output('ApiUrl')}`], actionName: 'Curl' })] }],
    });
    expect(() => sameStage.app.synth()).toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action 'Curl' \(Commands\) reads output 'ApiUrl' of DeployTarget.cloudFormation\('app'\) \(stack 'app'\), which action 'app' of stage 'Prod' deploys at runOrder 1, not before this action \(runOrder 1\); .*read it at a higher runOrder than 1/);

    const earlier = newStack();
    const b = cfn('app');
    definePipeline(earlier.stack, {
      stages: [
        { stageName: 'Beta', postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value: b.output('ApiUrl') } } }] },
        { stageName: 'Prod', targets: [b] },
      ],
    });
    expect(() => earlier.app.synth()).toThrow(/stage 'Beta', action 'Smoke' \(EnvironmentVariables\) reads output 'ApiUrl' .* read it in a stage after 'Prod', or deploy the target in an earlier stage/);
  });

  test('fails when the output is read where no pipeline deploys the target', () => {
    const { app, stack } = newStack();
    const deployed = cfn('app');
    const elsewhere = cfn('other');
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [deployed], postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value: elsewhere.output('ApiUrl') } } }] }],
    });
    expect(() => app.synth()).toThrow(/DeployTarget.cloudFormation\('other'\): output 'ApiUrl' is read in stack 'Stack', where no pipeline deploys the target; .*put the target in a stage of that pipeline/);
  });

  test('fails when read in a CrossRegionCfnPipeline (it deploys no DeployTarget, so has no output references)', () => {
    const { app, stack } = newStack();
    const target = cfn('app');
    new CrossRegionCfnPipeline(stack, 'Waves', {
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app')),
      buildStep: { buildSpec },
      stackName: 'app',
      allowEmptyExecutionPolicy: true,
      testStack: { stackName: 'app-test', tests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value: target.output('ApiUrl') } } }] },
      waves: [{ waveName: 'Prod', targets: [{ region: 'us-east-2' }] }],
    });
    expect(() => app.synth()).toThrow(/DeployTarget.cloudFormation\('app'\): output 'ApiUrl' is read in stack 'Stack', where no pipeline deploys the target; .*CrossRegionCfnPipeline deploys no DeployTarget/);
  });

  test('fails when an artifact takes the name of an outputs namespace (CodePipeline requires them distinct)', () => {
    const { app, stack } = newStack();
    const a = cfn('app', { templatePath: 'Prod-app::template.yaml' });
    definePipeline(stack, {
      buildStep: { buildSpec, outputs: ['Prod-app'] },
      stages: [{ stageName: 'Prod', targets: [a], postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value: a.output('ApiUrl') } } }] }],
    });
    expect(() => app.synth()).toThrow(/stage 'Build', action 'Build' outputs artifact 'Prod-app', the variables namespace of DeployTarget.cloudFormation\('app'\) \(stack 'app'\)'s outputs; .*rename the artifact/);
  });

  test('fails when the target is in two stages and its output is read', () => {
    const { stack } = newStack();
    const a = cfn('app');
    a.output('ApiUrl');
    expect(() => definePipeline(stack, { stages: [{ stageName: 'Beta', targets: [a] }, { stageName: 'Prod', targets: [a] }] }))
      .toThrow(/stage 'Prod': DeployTarget.cloudFormation\('app'\) is in two stages and its output 'ApiUrl' is read; .*define one target per stage/);
  });

  test('fails on a malformed output name, a stack option, and on targets without stack outputs', () => {
    expect(() => cfn('app').output('api-url')).toThrow(/DeployTarget.output: outputName is a string \('api-url'\), not a stack output name \(its logical id: 1-255 of A-Za-z0-9\)/);
    expect(() => cfn('app').output('ApiUrl', { stack: new Stack() })).toThrow(/DeployTarget.cloudFormation\('app'\): output\('ApiUrl'\) names a stack, but this target deploys one stack from a template file; drop the stack option/);
    expect(() => DeployTarget.commands({ commands: ['true'] }).output('X')).toThrow(/DeployTarget.output: this target has no stack outputs \(reading 'X'\); only DeployTarget.cloudFormation and DeployTarget.cdkStage/);
    expect(() => cfn('app').outputOf(new CfnOutput(new Stack(), 'X', { value: 'x' }))).toThrow(/DeployTarget.outputOf: this target deploys no CDK stage/);
    expect(() => cfn('app').output('ApiUrl', { stak: new Stack() } as any)).toThrow(/DeployTarget.output: options has an unknown key 'stak' \(did you mean 'stack'\?\)/);
  });
});

describe('DeployTarget.cdkStage outputs', () => {
  function cdkPipeline(read: (t: DeployTarget, s: AppStage) => string, extraStage = true) {
    const { app, stack } = newStack();
    const appStage = new AppStage(app, 'Prod');
    const target = DeployTarget.cdkStage(appStage);
    const value = read(target, appStage);
    new SourceBuildDeployPipeline(stack, 'Pipeline', {
      source: codeCommitSource(stack),
      buildStep: BuildStep.cdkSynth(),
      stages: [
        { stageName: 'Prod', targets: [target], postDeployTests: [{ name: 'Smoke', buildSpec, environmentVariables: { URL: { value } } }] },
        ...extraStage ? [{ stageName: 'After', targets: [DeployTarget.commands({ commands: [`echo ${value}`], actionName: 'Echo' })] }] : [],
      ],
    });
    return { app, appStage };
  }

  test('output(name, { stack }) and outputOf(cfnOutput): the stack\'s execute action declares <stage>-<stack name>; tests and later stages read it', () => {
    const { app, appStage } = cdkPipeline((t, s) => `${t.output('ApiUrl', { stack: s.api })} ${t.outputOf(s.endpoint)}`);
    const t = validatedTemplate(app).template;
    const prod = byName(stage(t, 'Prod'));
    expect(prod['Prod-Api-Execute'].Namespace).toBe('Prod-Prod-Api');
    expect(prod['Prod-Api-Prepare'].Namespace).toBeUndefined();
    expect(prod['Prod-Data-Execute'].Namespace).toBeUndefined();
    const endpointId = appStage.api.resolve(appStage.endpoint.logicalId);
    expect(endpointId).toMatch(/^NestedEndpoint[0-9A-F]{8}$/);
    expect(envOf(prod.Smoke)).toEqual([{ name: 'URL', type: 'PLAINTEXT', value: `#{Prod-Prod-Api.ApiUrl} #{Prod-Prod-Api.${endpointId}}` }]);
    expect(byName(stage(t, 'After')).Echo.Commands).toEqual([`echo #{Prod-Prod-Api.ApiUrl} #{Prod-Prod-Api.${endpointId}}`]);
  });

  test('fails when the stack has no such output, naming its outputs', () => {
    expect(() => cdkPipeline((t, s) => t.output('Url', { stack: s.api }), false))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Prod': output 'Url' of DeployTarget.cdkStage\('Prod'\) is not an output of stack 'Prod-Api' \(its outputs: ApiUrl, NestedEndpoint[0-9A-F]+\); use one of those, or define it in the stack/);
  });

  test('fails when the stage has several stacks and the call names none, saying which stack has the output', () => {
    expect(() => cdkPipeline((t) => t.output('TableName'), false))
      .toThrow(/DeployTarget.cdkStage\('Prod'\) deploys 2 stacks \(Prod-Api, Prod-Data\), so output\('TableName'\) must say which: pass the stack, .*'TableName' is an output of 'Prod-Data'/);
  });

  test('a CfnOutput passed to output() (as JavaScript users of envFromCfnOutputs write it) is read as outputOf', () => {
    const { appStage } = cdkPipeline((t, s) => t.output(s.endpoint as any), false);
    expect(appStage.endpoint).toBeDefined();
  });

  test('fails when the stack is not in the stage', () => {
    const { app } = newStack();
    const target = DeployTarget.cdkStage(new AppStage(app, 'Prod'));
    const other = new Stack(app, 'Other');
    expect(() => target.output('ApiUrl', { stack: other })).toThrow(/DeployTarget.cdkStage\('Prod'\): output\('ApiUrl'\) reads stack 'Other', which is not in stage 'Prod'; pass a stack defined in the stage/);
  });
});

describe('the docs examples of stack outputs', () => {
  test.each(['Stack outputs', 'Stack outputs of CDK stages'])('"%s" synthesizes through the harness with no finding, the references resolved', (heading) => {
    const [block] = codeBlocksOf(docSection(heading), ['ts']);
    const [app] = runExample(block.code);
    const result = synthAndReport(app);
    expect(formatFindings(result.findings)).toBe(formatFindings([]));
    const pipelineTemplate = JSON.stringify(Object.values(result.templates).find((t: any) => JSON.stringify(t).includes('AWS::CodePipeline::Pipeline')));
    expect(pipelineTemplate).toContain(heading === 'Stack outputs' ? '#{Staging-service-api.ApiUrl}' : '#{Beta-Beta-Service.VersionParameter}');
  });
});
