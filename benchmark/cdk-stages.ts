/**
 * The example CDK app (examples/cdk-app.ts: one stage with a Lambda and a container image,
 * Beta 222222222222/eu-west-1 then Prod 333333333333/us-east-1 behind an approval) deployed by
 * SourceBuildDeployPipeline (DeployTarget.cdkStage, selfUpdate) and by CDK Pipelines
 * (aws-cdk-lib/pipelines CodePipeline, self-mutation on, its default). Counts what each pipeline
 * stack (and its cross-region support stacks) holds, and whether a Lambda code change alters
 * the pipeline's template. Run: `npx ts-node --project tsconfig.tools.json benchmark/cdk-stages.ts`;
 * prints the table and writes it into benchmark/RESULTS.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { CDK_APP_BETA_ENV, CDK_APP_LAMBDA_DIR, CDK_APP_PIPELINE_ENV, CDK_APP_PROD_ENV, defineCdkExampleApp, OrdersStage } from '../examples/cdk-app';

type Kind = 'ours' | 'cdkPipelines';

function defineCdkPipelines(app: App, lambdaCode: string): void {
  const stack = new Stack(app, 'OrdersPipeline', { env: CDK_APP_PIPELINE_ENV });
  const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'orders');
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    crossAccountKeys: true,
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.codeCommit(repo, 'main'),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  pipeline.addStage(new OrdersStage(app, 'Beta', { env: CDK_APP_BETA_ENV, lambdaCode }));
  pipeline.addStage(new OrdersStage(app, 'Prod', { env: CDK_APP_PROD_ENV, lambdaCode }), { pre: [new pipelines.ManualApprovalStep('Approve')] });
}

interface Figures {
  readonly stages: number;
  readonly actions: number;
  readonly codeBuildProjects: number;
  readonly resources: number;
  readonly kmsKeys: number;
  readonly templates: number;
  readonly pipelineTemplate: string;
}

function measure(kind: Kind, lambdaCode: string): Figures {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  const app = new App({ outdir });
  if (kind === 'ours') defineCdkExampleApp(app, { lambdaCode });
  else defineCdkPipelines(app, lambdaCode);
  const assembly = app.synth();
  // The pipeline's own stacks: the top-level assembly (stage stacks live in nested assemblies).
  const templates = assembly.stacks.map((s) => s.template);
  const resources = templates.flatMap((t) => Object.values<any>(t.Resources ?? {}));
  const pipelineStack = assembly.getStackByName('OrdersPipeline').template;
  const pipeline = Object.values<any>(pipelineStack.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  const stages: any[] = pipeline.Properties.Stages;
  const figures = {
    stages: stages.length,
    actions: stages.reduce((n, s) => n + s.Actions.length, 0),
    codeBuildProjects: resources.filter((r) => r.Type === 'AWS::CodeBuild::Project').length,
    resources: resources.length,
    kmsKeys: resources.filter((r) => r.Type === 'AWS::KMS::Key').length,
    templates: templates.length,
    pipelineTemplate: JSON.stringify(pipelineStack),
  };
  fs.rmSync(outdir, { recursive: true, force: true });
  return figures;
}

function main(): void {
  // A code-only change: the same function with one more line.
  const changed = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lambda-'));
  fs.writeFileSync(path.join(changed, 'index.js'), fs.readFileSync(path.join(CDK_APP_LAMBDA_DIR, 'index.js'), 'utf-8') + '// v2\n');
  const row = (kind: Kind) => {
    const before = measure(kind, CDK_APP_LAMBDA_DIR);
    const after = measure(kind, changed);
    return { ...before, codeChangeAltersPipeline: before.pipelineTemplate !== after.pipelineTemplate };
  };
  const ours = row('ours');
  const cdkp = row('cdkPipelines');
  fs.rmSync(changed, { recursive: true, force: true });
  const line = (label: string, a: unknown, b: unknown) => `| ${label} | ${a} | ${b} |`;
  const table = [
    '<!-- cdk-stages: benchmark/cdk-stages.ts -->',
    '### CDK app: SourceBuildDeployPipeline (cdkStage + selfUpdate) vs CDK Pipelines',
    '',
    'examples/cdk-app.ts: one stage (a Lambda from a directory, a container image), Beta 222222222222/eu-west-1, then Prod',
    '333333333333/us-east-1 behind a manual approval; pipeline in 111111111111/eu-west-1. CDK Pipelines: `CodePipeline` with',
    '`crossAccountKeys: true` and its defaults (self-mutation, change sets, one publishing action per asset). Counted over the',
    'pipeline stack and its cross-region support stacks (not the application stacks).',
    '',
    '| | SourceBuildDeployPipeline | CDK Pipelines |',
    '|---|---|---|',
    line('stages', ours.stages, cdkp.stages),
    line('actions', ours.actions, cdkp.actions),
    line('CodeBuild projects', ours.codeBuildProjects, cdkp.codeBuildProjects),
    line('resources (pipeline + support stacks)', ours.resources, cdkp.resources),
    line('templates', ours.templates, cdkp.templates),
    line('KMS keys', ours.kmsKeys, cdkp.kmsKeys),
    line('a Lambda code change alters the pipeline template', ours.codeChangeAltersPipeline ? 'yes' : 'no', cdkp.codeChangeAltersPipeline ? 'yes' : 'no'),
    '',
    'Ours also defines failure notifications and an access-log bucket (CDK Pipelines has neither), so its resource count includes them.',
    '<!-- /cdk-stages -->',
  ].join('\n');
  console.log(table);
  const results = path.join(__dirname, 'RESULTS.md');
  const current = fs.readFileSync(results, 'utf-8');
  const pattern = /<!-- cdk-stages: benchmark\/cdk-stages\.ts -->[\s\S]*<!-- \/cdk-stages -->/;
  fs.writeFileSync(results, pattern.test(current) ? current.replace(pattern, table) : `${current.trimEnd()}\n\n${table}\n`);
}

main();
