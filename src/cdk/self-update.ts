import * as path from 'path';
import { App, ArnFormat, Aws, DefaultStackSynthesizer, Duration, Names, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ASSEMBLY_FOLDER, AssemblyFile, shellQuote } from './private/assembly-file';
import { projectAllowances } from '../build/private/build-step';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import { CODEPIPELINE_NAME, REGION_NAME } from '../private/names';
import * as v from '../private/validate';
import { acknowledgeWildcards } from '../private/wildcard-allowances';

/** Major version of the CDK CLI the self-update runs unless told otherwise (the `latest` tag points at a 3.0.0 that cannot read current assemblies). */
const CDK_CLI_MAJOR = '2';

/** Props of `CdkSelfUpdate`. */
export interface CdkSelfUpdateProps {
  /** The stack holding the pipeline: the stack the action deploys. It needs a concrete account and region and `DefaultStackSynthesizer`. */
  readonly pipelineStack: Stack;

  /** The artifact bucket of the pipeline; the project encrypts with its key and reads the cloud assembly from it (granted by the action). */
  readonly artifactBucket: s3.IBucket;

  /**
   * Regions of the pipeline's account, besides its own, whose stacks `cdk deploy` also deploys as
   * dependencies of the pipeline stack (aws-cdk-lib's cross-region support stacks): the project may
   * assume the bootstrap deploy and file publishing roles there too.
   *
   * @default - none
   */
  readonly supportRegions?: string[];

  /**
   * Version of the CDK CLI the script runs (`npx aws-cdk@<version>`): a major or an exact version.
   *
   * @default '2'
   */
  readonly cdkCliVersion?: string;

  /**
   * Build image of the project.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * Timeout of the project.
   *
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
}

/** Options of `CdkSelfUpdate.action`. */
export interface CdkSelfUpdateActionOptions {
  /** The cloud assembly artifact (the output of the `cdk synth` build). */
  readonly input: codepipeline.Artifact;

  /**
   * runOrder of the action.
   *
   * @default 1
   */
  readonly runOrder?: number;

  /**
   * Name of the action.
   *
   * @default 'SelfUpdate'
   */
  readonly actionName?: string;
}

/**
 * Opt-in pipeline self-update: a CodeBuild action that deploys the pipeline's own stack from the
 * new cloud assembly only when the pipeline's own template changed, and otherwise does nothing.
 *
 * The project runs a script written into the cloud assembly at synth
 * (`cdk-delivery-pipelines/<id>/self-update.sh`): it fetches the running stack's template
 * (`cloudformation:GetTemplate`, the only call made with the project's own role), compares it
 * with the template in the assembly as parsed JSON, and exits when they are equal. Only when they
 * differ does it run `cdk deploy --app . <stack> --require-approval never` (the CLI assumes the
 * bootstrap deploy and file publishing roles of the pipeline's environment). The pipeline's
 * template changes only with its structure (stages, environments, actions), never with an
 * application asset, so most runs end at the comparison.
 *
 * Unlike CDK Pipelines' self-mutation, the pipeline is not defined with
 * `restartExecutionOnUpdate`, so an update does not start a new execution: CodePipeline does not
 * rerun the latest revision through an edited pipeline, and the current execution goes on.
 */
export class CdkSelfUpdate extends Construct {
  /** The project running the self-update. */
  public readonly project: codebuild.PipelineProject;

  /** Path of the script relative to the root of the cloud assembly. */
  public readonly scriptPath: string;

  private readonly script: AssemblyFile;

  constructor(scope: Construct, id: string, props: CdkSelfUpdateProps) {
    v.checkScope('CdkSelfUpdate', scope, id);
    super(scope, id);
    v.checkProps(this, props, {
      pipelineStack: v.required(v.cdk.stack),
      artifactBucket: v.required(v.cdk.bucket),
      buildImage: v.cdk.buildImage,
      cdkCliVersion: v.str(),
      supportRegions: v.strings,
      timeout: v.duration(),
    });
    const stack = props.pipelineStack;
    const { account, region } = stack;
    if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
      fail(this, `pipeline stack '${stack.stackName}' has no concrete account and region; give it env: { account: '123456789012', region: 'eu-west-1' } so the self-update knows which bootstrap roles to use.`);
    }
    if (!(stack.synthesizer instanceof DefaultStackSynthesizer)) {
      fail(this, `pipeline stack '${stack.stackName}' uses ${stack.synthesizer.constructor.name}, which has no bootstrap deploy role for the CLI to assume; use DefaultStackSynthesizer (the default).`);
    }
    const version = props.cdkCliVersion ?? CDK_CLI_MAJOR;
    if (!/^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$/.test(version)) {
      fail(this, `cdkCliVersion '${version}' is not a version; give a major ('2') or an exact version ('2.1148.1').`);
    }
    const supportRegions = props.supportRegions ?? [];
    for (const r of supportRegions) {
      if (!REGION_NAME.test(r)) fail(this, `support region '${r}' is not a region name; use e.g. 'us-east-1'.`);
    }

    const root = this.node.root;
    if (!App.isApp(root)) fail(this, 'the construct is not in an App; the self-update reads the app\'s cloud assembly.');
    const stackDir = path.relative(root.outdir, Stage.of(stack)!.outdir).split(path.sep).filter((p) => p !== '').join('/');
    const templatePath = stackDir ? `${stackDir}/${stack.templateFile}` : stack.templateFile;
    this.scriptPath = `${ASSEMBLY_FOLDER}/${Names.uniqueId(this)}/self-update.sh`;
    this.script = new AssemblyFile(this, 'Script', this.scriptPath,
      () => selfUpdateScript({ stackName: stack.stackName, stackSelector: stack.node.path, region, templatePath, version }), 0o755);

    const key = props.artifactBucket.encryptionKey;
    this.project = new codebuild.PipelineProject(this, 'Project', {
      description: `Deploys the pipeline stack ${stack.stackName} when its template changed`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: 20 } },
          build: { commands: [`bash ${shellQuote(this.scriptPath)}`] },
        },
      }),
      environment: {
        buildImage: props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.SMALL,
        privileged: false,
      },
      timeout: props.timeout ?? Duration.minutes(30),
      encryptionKey: key,
    });

    // Build logs to CloudWatch Logs (Control Tower CT.CODEBUILD.PR.3), CodeBuild's default log group.
    (this.project.node.defaultChild as codebuild.CfnProject).logsConfig = { cloudWatchLogs: { status: 'ENABLED' } };
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:GetTemplate'], resources: [stackArn] }));
    const qualifier = (stack.synthesizer as { bootstrapQualifier?: string }).bootstrapQualifier ?? stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const roleArn = (template: string, r: string) => cxapi.EnvironmentPlaceholders.replace(template.replace(/\$\{Qualifier\}/g, qualifier), { accountId: account, region: r, partition: '%%P%%' })
      .split('%%P%%').join(Aws.PARTITION);
    const roles = [region, ...supportRegions].flatMap((r) => [
      roleArn(DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN, r),
      roleArn(DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN, r),
    ]);
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles }));
    acknowledgeWildcards(this.project.role!, [
      ...projectAllowances(this.project, props.artifactBucket, key),
      {
        resource: stackArn,
        onlyActions: ['cloudformation:GetTemplate'],
        reason: 'CloudFormation stack ARNs end in a stack id generated at creation; the wildcard covers only the id of this one pipeline stack, and only GetTemplate is allowed on it.',
      },
    ]);
    if (!key) {
      acknowledge(this.project, 'AwsSolutions-CB4',
        'The pipeline artifact bucket has no customer-managed key (the caller chose AWS-managed encryption), so this project encrypts ' +
          'like every other artifact of the pipeline, with the AWS managed key for S3; it writes no output artifact.');
    }
  }

  /** The script as it is written into the cloud assembly. */
  public get scriptContent(): string {
    return this.script.content;
  }

  /** The self-update action (place it after the synth build, before the first deployment). */
  public action(options: CdkSelfUpdateActionOptions): actions.CodeBuildAction {
    v.checkProps(`${v.where(this)}.action`, options, { input: v.required(v.cdk.artifact), actionName: v.str(), runOrder: v.runOrder }, 'options');
    const actionName = options.actionName ?? 'SelfUpdate';
    if (!CODEPIPELINE_NAME.test(actionName)) {
      fail(this, `action name '${actionName}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
    }
    return new actions.CodeBuildAction({ actionName, project: this.project, input: options.input, runOrder: options.runOrder });
  }
}

interface ScriptOptions {
  readonly stackName: string;
  readonly stackSelector: string;
  readonly region: string;
  readonly templatePath: string;
  readonly version: string;
}

/** Node program: exit 0 when the template on stdin (GetTemplate's TemplateBody as JSON) equals the file in argv[1], as parsed JSON. */
const COMPARE = [
  'const fs = require("fs");',
  'const canon = (v) => Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;',
  'let deployed = JSON.parse(fs.readFileSync(0, "utf-8"));',
  'if (typeof deployed === "string") { try { deployed = JSON.parse(deployed); } catch { process.exit(1); } }',
  'const wanted = JSON.parse(fs.readFileSync(process.argv[1], "utf-8"));',
  'process.exit(JSON.stringify(canon(deployed)) === JSON.stringify(canon(wanted)) ? 0 : 1);',
].join(' ');

function selfUpdateScript(o: ScriptOptions): string {
  return [
    '#!/usr/bin/env bash',
    `# Written by cdk-delivery-pipelines at synth: deploys the pipeline stack ${o.stackName} only when its template changed.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")/../.."',
    `STACK=${shellQuote(o.stackName)}`,
    `TEMPLATE=${shellQuote(o.templatePath)}`,
    `if deployed="$(aws cloudformation get-template --stack-name "$STACK" --region ${shellQuote(o.region)} --template-stage Original --query TemplateBody --output json)" \\`,
    `  && printf '%s' "$deployed" | node -e ${shellQuote(COMPARE)} "$TEMPLATE"; then`,
    '  echo "The pipeline stack $STACK runs this template already: nothing to update."',
    '  exit 0',
    'fi',
    'echo "The template of the pipeline stack $STACK changed: deploying it."',
    `CDK_DISABLE_CLI_TELEMETRY=true npx --yes aws-cdk@${o.version} deploy --app . ${shellQuote(o.stackSelector)} --require-approval never --no-notices --ci`,
    '',
  ].join('\n');
}

