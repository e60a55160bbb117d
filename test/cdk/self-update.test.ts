import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Aws, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CdkSelfUpdate } from '../../src/cdk/self-update';
import { canonical, createTestApp, SynthResult, synthValidated } from '../util';
import { PIPELINE_ENV, pipelineFixture } from './fixtures';

interface Synthesized {
  readonly result: SynthResult;
  readonly template: Template;
  readonly update: CdkSelfUpdate;
  readonly outdir: string;
}

function synthesize(supportRegions?: string[]): Synthesized {
  const app = createTestApp();
  const { stack, pipeline, bucket, assembly } = pipelineFixture(app);
  const update = new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket, supportRegions });
  pipeline.addStage({ stageName: 'UpdatePipeline', actions: [update.action({ input: assembly })] });
  const result = synthValidated(app);
  return { result, template: Template.fromJSON(result.templates.PipelineStack), update, outdir: app.outdir };
}

/** The project role's statements, canonical (the same under both flag sets). */
function projectStatements(template: Template): any[] {
  return canonical(Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('SelfUpdateProjectRole'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement));
}

/**
 * Run the written script with `aws` and `npx` replaced by recorders on PATH: `aws` prints the
 * "running" template given (or fails when there is none), `npx` records its arguments.
 */
function runScript(outdir: string, scriptPath: string, runningTemplate: unknown | undefined): { npx: string[]; stdout: string } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-bin-'));
  const log = path.join(bin, 'npx.log');
  const running = path.join(bin, 'running.json');
  if (runningTemplate !== undefined) fs.writeFileSync(running, JSON.stringify(runningTemplate));
  fs.writeFileSync(path.join(bin, 'aws'), `#!/usr/bin/env bash\necho "$@" >> ${JSON.stringify(path.join(bin, 'aws.log'))}\n[ -f ${JSON.stringify(running)} ] || { echo "Stack does not exist" >&2; exit 254; }\ncat ${JSON.stringify(running)}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'npx'), `#!/usr/bin/env bash\necho "$@" >> ${JSON.stringify(log)}\n`, { mode: 0o755 });
  const stdout = execFileSync('bash', [path.join(outdir, scriptPath)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  const awsArgs = fs.readFileSync(path.join(bin, 'aws.log'), 'utf-8');
  expect(awsArgs).toContain('cloudformation get-template --stack-name PipelineStack --region eu-west-1 --template-stage Original --query TemplateBody --output json');
  return { npx: fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').trim().split('\n') : [], stdout };
}

describe('CdkSelfUpdate', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  });

  test('the project may only read the pipeline stack template and assume the bootstrap deploy and file publishing roles of the pipeline environment', () => {
    const stack = new Stack();
    const role = (kind: string) => canonical(stack.resolve(`arn:${Aws.PARTITION}:iam::111111111111:role/cdk-hnb659fds-${kind}-role-111111111111-eu-west-1`));
    const statements = projectStatements(s.template);
    expect(statements.find((st) => st.Action === 'sts:AssumeRole').Resource).toEqual([role('deploy'), role('file-publishing')]);
    expect(statements.find((st) => st.Action === 'cloudformation:GetTemplate').Resource).toBe('arn:aws:cloudformation:eu-west-1:111111111111:stack/PipelineStack/*');
    const services = new Set(statements.flatMap((st) => [].concat(st.Action) as string[]).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['cloudformation', 'codebuild', 'kms', 'logs', 's3', 'sts']);
    expect(statements.flatMap((st) => [].concat(st.Action))).not.toContain('*');
  });

  test('support regions add their deploy and file publishing roles, nothing else', () => {
    const t = synthesize(['us-east-1']).template;
    const assume = projectStatements(t).find((st) => st.Action === 'sts:AssumeRole');
    expect(JSON.stringify(assume.Resource)).toMatch(/cdk-hnb659fds-deploy-role-111111111111-us-east-1/);
    expect(assume.Resource).toHaveLength(4);
  });

  test('the project is not privileged and runs the script written into the assembly', () => {
    const [project] = Object.values(s.template.findResources('AWS::CodeBuild::Project')) as any[];
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands).toEqual([`bash '${s.update.scriptPath}'`]);
    expect(fs.readFileSync(path.join(s.outdir, s.update.scriptPath), 'utf-8')).toBe(s.update.scriptContent);
  });

  test('when the running template equals the new one (keys in another order), the script deploys nothing', () => {
    const wanted = s.result.templates.PipelineStack;
    const reordered = Object.fromEntries(Object.entries(wanted).reverse());
    const run = runScript(s.outdir, s.update.scriptPath, reordered);
    expect(run.npx).toEqual([]);
    expect(run.stdout).toContain('nothing to update');
  });

  test('when the template changed, the script deploys the pipeline stack from the assembly with the pinned CLI', () => {
    const changed = { ...s.result.templates.PipelineStack, Description: 'an older pipeline' };
    const run = runScript(s.outdir, s.update.scriptPath, changed);
    expect(run.npx).toEqual(['--yes aws-cdk@2 deploy --app . PipelineStack --require-approval never --no-notices --ci']);
  });

  test('when the running template cannot be read (first deployment, no permission), the script deploys', () => {
    expect(runScript(s.outdir, s.update.scriptPath, undefined).npx).toHaveLength(1);
  });

  test('fails when the pipeline stack is environment-agnostic', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Agnostic');
    const { bucket } = pipelineFixture(app);
    expect(() => new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket }))
      .toThrow(/^CdkSelfUpdate 'SelfUpdate': pipeline stack 'Agnostic' has no concrete account and region; give it env/);
  });

  test('fails when the pipeline stack has no bootstrap deploy role', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Cli', { env: PIPELINE_ENV, synthesizer: new CliCredentialsStackSynthesizer() });
    const { bucket } = pipelineFixture(app);
    expect(() => new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket }))
      .toThrow(/pipeline stack 'Cli' uses CliCredentialsStackSynthesizer, which has no bootstrap deploy role for the CLI to assume; use DefaultStackSynthesizer/);
  });

  test('fails when cdkCliVersion is not a version', () => {
    const app = createTestApp();
    const { stack, bucket } = pipelineFixture(app);
    expect(() => new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket, cdkCliVersion: 'latest' }))
      .toThrow(/^CdkSelfUpdate 'SelfUpdate': cdkCliVersion 'latest' is not a version; give a major \('2'\) or an exact version \('2\.1148\.1'\)\.$/);
  });

  test('fails when a support region is not a region', () => {
    const app = createTestApp();
    const { stack, bucket } = pipelineFixture(app);
    expect(() => new CdkSelfUpdate(stack, 'SelfUpdate', { pipelineStack: stack, artifactBucket: bucket, supportRegions: ['moon-1'] }))
      .toThrow(/support region 'moon-1' is not a region name/);
  });
});
