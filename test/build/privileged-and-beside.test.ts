import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { BuildStep } from '../../src';
import { harnessTemplate } from '../deploy/actions-harness';
import { buildSpec, definePipeline, newStack, stage } from '../pipelines/source-build-deploy-fixtures';
import { synthAndReport } from '../util';

describe('BuildOptions.privileged', () => {
  test('privileged: true runs the defined project in privileged mode; CT.CODEBUILD.PR.4 acknowledged on that project only, with the reason', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { buildStep: { buildSpec, privileged: true }, tests: [{ name: 'Unit', buildSpec }] });
    const t = harnessTemplate(app);
    const projects = Object.entries<any>(t.findResources('AWS::CodeBuild::Project'));
    const privileged = projects.filter(([, p]) => p.Properties.Environment.PrivilegedMode === true).map(([id]) => id);
    expect(privileged).toEqual([expect.stringMatching(/^PipelineBuildProject/)]);
    expect(projects.filter(([, p]) => p.Properties.Environment.PrivilegedMode === false)).toHaveLength(1);
    const meta = JSON.stringify(stack.node.findChild('Pipeline').node.findChild('BuildProject').node.metadata);
    expect(meta).toMatch(/codebuild_project_environment_privileged_check/);
    expect(meta).toMatch(/Privileged mode was requested for 'Build'/);
    const testMeta = JSON.stringify(stack.node.findChild('Pipeline').node.findChild('TestUnit').node.metadata);
    expect(testMeta).not.toMatch(/privileged_check/);
  });

  test('without privileged the projects are unprivileged and the privileged-mode rule is not acknowledged anywhere', () => {
    const { app, stack } = newStack();
    definePipeline(stack);
    const t = harnessTemplate(app);
    for (const p of Object.values<any>(t.findResources('AWS::CodeBuild::Project'))) expect(p.Properties.Environment.PrivilegedMode).toBe(false);
    expect(JSON.stringify(stack.node.findAll().map((c) => c.node.metadata))).not.toMatch(/privileged_check/);
  });

  test('BuildStep.cdkSynth({ privileged: true }) builds Docker assets in privileged mode', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { buildStep: BuildStep.cdkSynth({ privileged: true }), stages: [] });
    harnessTemplate(app).hasResourceProperties('AWS::CodeBuild::Project', { Environment: { PrivilegedMode: true } });
  });

  test('the acknowledgment covers only the privileged project it defines: a privileged project of the caller is still reported', () => {
    const { app, stack } = newStack();
    const own = new codebuild.PipelineProject(stack, 'Own', { environment: { privileged: true } });
    definePipeline(stack, { buildStep: { project: own } });
    const reported = synthAndReport(app);
    expect([...reported.findings, ...reported.notices].map((f) => `${f.rule} ${f.constructPath}`))
      .toContainEqual('codebuild_project_environment_privileged_check Stack/Own/Resource');
  });

  test('the privileged project defined for the build raises no privileged-mode finding or notice', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { buildStep: { buildSpec, privileged: true } });
    const reported = synthAndReport(app);
    expect([...reported.findings, ...reported.notices].filter((f) => /privileged/.test(f.rule))).toEqual([]);
  });

  test('fails when privileged is given with a project, or is not a boolean', () => {
    const { stack } = newStack();
    const own = new codebuild.PipelineProject(stack, 'Own');
    expect(() => definePipeline(stack, { buildStep: { project: own, privileged: true } }))
      .toThrow(/'Build' passes a project and also privileged; those configure the project defined for you/);
    const other = newStack();
    expect(() => definePipeline(other.stack, { buildStep: { buildSpec, privileged: 'yes' as any } })).toThrow(/buildStep\.privileged is a string .*true or false/);
  });
});

describe('testsBesideBuild', () => {
  test('tests run in the Build stage at the build\'s runOrder, on the source output; the build output still feeds later stages', () => {
    const { app, stack } = newStack();
    definePipeline(stack, { testsBesideBuild: [{ name: 'Lint', buildSpec }, { name: 'Unit', buildSpec }] });
    const t = harnessTemplate(app);
    const build = stage(t, 'Build');
    expect(build.Actions.map((a: any) => [a.Name, a.RunOrder, a.InputArtifacts])).toEqual([
      ['Build', 1, [{ Name: 'Source' }]], ['Lint', 1, [{ Name: 'Source' }]], ['Unit', 1, [{ Name: 'Source' }]],
    ]);
    expect(stage(t, 'Prod').Actions[0].InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
  });

  test('fails when a test beside the build reads the build output, has the build\'s name, or there is no build', () => {
    const { stack } = newStack();
    expect(() => definePipeline(stack, { testsBesideBuild: [{ name: 'Unit', buildSpec, input: 'BuildOutput' }] }))
      .toThrow(/stage 'Build', test 'Unit': input 'BuildOutput' is an artifact nobody produces before it; use one of 'Source'/);
    const b = newStack();
    expect(() => definePipeline(b.stack, { testsBesideBuild: [{ name: 'Build', buildSpec }] })).toThrow(/stage 'Build' has two actions named 'Build'/);
    const c = newStack();
    expect(() => definePipeline(c.stack, { buildStep: undefined, testsBesideBuild: [{ name: 'Unit', buildSpec }] }))
      .toThrow(/testsBesideBuild is given but there is no buildStep; put the tests in `tests`/);
    const d = newStack();
    expect(() => definePipeline(d.stack, { testsBesideBuild: [{ name: 'Unit', buildSpec }, { name: 'Unit', buildSpec }] }))
      .toThrow(/stage 'Build' has two tests named 'Unit'/);
  });
});
