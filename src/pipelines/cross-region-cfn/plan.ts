import { CfnCapabilities, Stack, Token } from 'aws-cdk-lib';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { CdkStackPlan, CdkWavesPlan, checkCdkProps, deploysCdkStages, planCdkWaves } from './plan-cdk';
import { CrossRegionCfnPipelineProps, CrossRegionTarget } from './props';
import { checkWaveReviews, planWaveReview } from './render-review';
import { checkAccount, checkChangeSetName, checkExecutionRoles, checkRegion, checkStackName, checkStackSetOptions, fillTemplatePath, generatedStageName } from './validate';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { BuildOptions, TestOptions } from '../../build/build-options';
import { checkStackSetTemplatePath } from '../../deploy/private/stack-set';
import { IStageGate } from '../../gates/stage-gate';
import { FailureNotificationsOptions } from '../../notifications/failure-notifications';
import { fail } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import { MAX_ACTIONS_PER_STAGE, MAX_STAGES } from '../../private/quotas';
import { ReviewLayout } from '../../review/wiring/review-step';
import { PipelineSource } from '../../source/pipeline-source';

/**
 * The complete plan of a `CrossRegionCfnPipeline`: every input validated, every default
 * applied, every name computed. Rendering (render-stages.ts, render-actions.ts) works from
 * this alone and never reads the props.
 */
export interface PipelinePlan {
  readonly account: string;
  readonly region: string;
  readonly source: PipelineSource;
  /** Undefined: a stack set's template is read from the source. */
  readonly buildStep?: BuildOptions;
  readonly pipelineName?: string;
  readonly failureNotifications?: FailureNotificationsOptions;
  /** The stores given by the caller; undefined: the pipeline defines its own, trusting `crossAccounts`. */
  readonly artifactStores?: ArtifactStores;
  /** Regions that need an artifact store: the pipeline's, the test stack's and every target's. */
  readonly storeRegions: string[];
  /** Target accounts other than the pipeline's (the stores must trust them). */
  readonly crossAccounts: string[];
  readonly roles: AccountRolesPlan;
  readonly capabilities: CfnCapabilities[];
  readonly testStack?: TestStackPlan;
  /** One of the two is set. */
  readonly stacks?: StacksPlan;
  readonly stackSet?: StackSetPlan;
  /** The CDK stages, when the waves deploy `cdkStages` (then `stacks` holds their stacks). */
  readonly cdk?: CdkWavesPlan;
  /** Define the UpdatePipeline stage (CdkSelfUpdate). */
  readonly selfUpdate: boolean;
}

/** What the per-account action and execution roles hold. */
export interface AccountRolesPlan {
  readonly executionPolicy?: iam.PolicyStatement[];
  readonly executionManagedPolicies?: iam.IManagedPolicy[];
}

export interface TestStackPlan {
  readonly stackName: string;
  readonly region: string;
  readonly templatePath: string;
  readonly parameterOverrides?: { [name: string]: string };
  readonly tests: TestOptions[];
  /** Define the DELETE_ONLY action after the tests. */
  readonly delete: boolean;
}

/** One stack deployment, as planned: account filled in, names computed. */
export interface TargetPlan {
  readonly region: string;
  readonly account: string;
  readonly crossAccount: boolean;
  readonly stackName: string;
  readonly templatePath: string;
  readonly actionName: string;
  readonly parameterOverrides?: { [name: string]: string };
  /** The caller's execution role for this target; undefined: the pipeline's role of `account`. */
  readonly executionRole?: iam.IRole;
}

/** Stages named `<base>`, `<base>.2`, ... and what each holds. */
export interface StagePart<T> {
  readonly stageName: string;
  readonly items: T[];
}

/** One stack per target, through change sets or directly. */
export interface StacksPlan {
  /** The change set name; undefined: deploy directly with CREATE_UPDATE. */
  readonly changeSetName?: string;
  readonly waves: StacksWavePlan[];
}

export interface StacksWavePlan {
  readonly waveName: string;
  readonly gate?: IStageGate;
  /** The template targets (none in a wave of CDK stages). */
  readonly targets: TargetPlan[];
  /** The stacks of the wave's CDK stages, by level (none in a wave of targets). */
  readonly cdkStacks: CdkStackPlan[];
  /** The change set stages before the gate, at most 50 actions each (none when deploying directly). */
  readonly changeSetStages: StagePart<WaveItem>[];
  /** The change-set review (`reviewChangeSets`), see render-review.ts. */
  readonly review?: ReviewLayout;
}

/** What one action of a wave deploys: a template target or a stack of a CDK stage. */
export type WaveItem = TargetPlan | CdkStackPlan;

/** Position of an item in its wave's deployment order (template targets are independent: 1). */
export function waveLevel(item: WaveItem): number {
  return 'level' in item ? item.level : 1;
}

/** A StackSet: the first wave creates or updates it, later waves add instances. */
export interface StackSetPlan {
  readonly stackSetName: string;
  readonly templatePath: string;
  readonly description?: string;
  readonly deploymentModel?: cpactions.StackSetDeploymentModel;
  readonly parameters?: { [name: string]: string };
  readonly failureTolerancePercentage: number;
  readonly maxAccountConcurrencyPercentage: number;
  readonly waves: StackSetWavePlan[];
}

export interface StackSetWavePlan {
  readonly waveName: string;
  readonly gate?: IStageGate;
  /** The first wave deploys the stack set itself (CloudFormationStackSet), later ones its instances. */
  readonly action: 'StackSet' | 'StackInstances';
  readonly regions: string[];
  /** The targets' accounts, when the wave has no organizational units. */
  readonly accounts: string[];
  readonly organizationalUnits?: string[];
}

const SOURCE_AND_BUILD = ['Source', 'Build'];
const SOURCE_ONLY = ['Source'];
const TEST_STAGE = 'Test';
/** The stages `wireCdkStages` adds before the first wave. */
const CDK_STAGES = ['UpdatePipeline', 'Assets'];

/**
 * Validate the props (failing with `<Construct> '<id>': ...` messages) and plan the pipeline.
 * Defines nothing: the scope only names the construct in errors and gives the stack's env.
 */
export function planPipeline(scope: IConstruct, props: CrossRegionCfnPipelineProps): PipelinePlan {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    fail(scope, `stack '${stack.node.path}' has no concrete env (account '${stack.account}', region '${stack.region}'); ` +
      "define it with env: { account: '111111111111', region: 'eu-west-1' }: cross-region stores and cross-account roles are located at synth time.");
  }
  const account = stack.account;
  const region = stack.region;
  const stackSetOptions = props.deployment?.stackSetOptions;
  const templatePath = stackSetOptions ? (stackSetOptions.templatePath ?? 'template.yaml') : (props.templatePath ?? 'template-{region}.yaml');
  if (stackSetOptions) {
    checkStackSetTemplatePath(scope, 'templatePath', templatePath, props.buildStep ? 'build output' : 'source artifact');
  }
  const cdkWaves = deploysCdkStages(props);
  if (cdkWaves) {
    checkCdkProps(scope, props);
  } else if (props.stackName === undefined) {
    fail(scope, "stackName is missing; pass a stack name, e.g. 'my-service'.");
  }
  const selfUpdate = props.selfUpdate ?? false;
  const ctx: Context = { scope, account, region, stackName: props.stackName ?? '', templatePath };
  const head = props.buildStep ? SOURCE_AND_BUILD : SOURCE_ONLY;
  const reserved = [...head, ...(props.testStack ? [TEST_STAGE] : []), ...(cdkWaves || selfUpdate ? CDK_STAGES : [])];
  const waves = planWaves(ctx, props, reserved, cdkWaves);
  const cdk = cdkWaves ? planCdkWaves(scope, props) : undefined;
  if (props.changeSetName !== undefined) checkChangeSetName(scope, props.changeSetName);
  if (stackSetOptions) {
    checkStackSetOptions(scope, props, stackSetOptions);
  } else {
    for (const wave of props.waves) {
      if (wave.organizationalUnits !== undefined) {
        fail(scope, `wave '${wave.waveName}' has organizationalUnits, which only a stack set deploys to; remove them, or pass deployment: CfnDeployment.stackSet({ deploymentModel: StackSetDeploymentModel.organizations() }).`);
      }
    }
  }
  if (props.buildStep?.outputs !== undefined && props.buildStep.outputs.length === 0) {
    fail(scope, 'build.outputs is empty; the build must output the templates, e.g. outputs: [\'BuildOutput\'].');
  }
  const testStack = props.testStack ? planTestStack(ctx, props) : undefined;
  if (!cdkWaves) checkExecutionRoles(scope, props, waves.flatMap((w) => w.targets), testStack !== undefined, stackSetOptions !== undefined);

  const changeSets = props.changeSets ?? true;
  checkWaveReviews(scope, props);
  const stacks: StacksPlan | undefined = stackSetOptions ? undefined : {
    changeSetName: changeSets ? (props.changeSetName ?? 'PipelineChangeSet') : undefined,
    waves: waves.map((wave, i) => {
      const cdkStacks = cdk?.waves[i] ?? [];
      const items: WaveItem[] = [...wave.targets, ...cdkStacks];
      return { ...wave, cdkStacks, changeSetStages: changeSets ? splitIntoStages(`${wave.waveName}.ChangeSets`, items, 0) : [], review: planWaveReview(scope, props, i) };
    }),
  };
  const stackSet: StackSetPlan | undefined = stackSetOptions ? {
    stackSetName: stackSetOptions.stackSetName ?? ctx.stackName,
    templatePath,
    description: stackSetOptions.description,
    deploymentModel: stackSetOptions.deploymentModel,
    parameters: stackSetOptions.parameters,
    failureTolerancePercentage: stackSetOptions.failureTolerancePercentage ?? 0,
    maxAccountConcurrencyPercentage: stackSetOptions.maxAccountConcurrencyPercentage ?? 1,
    waves: waves.map((wave, i) => {
      const ous = wave.organizationalUnits;
      return {
        waveName: wave.waveName,
        gate: wave.gate,
        action: i === 0 ? 'StackSet' : 'StackInstances',
        regions: unique(wave.targets.map((t) => t.region)),
        accounts: unique(wave.targets.map((t) => t.account)),
        organizationalUnits: ous && ous.length > 0 ? ous : undefined,
      };
    }),
  } : undefined;

  // Early and with the remedy; PipelineChecks (CDP-STAGE-COUNT) also counts the stages a gate
  // with many actions adds, but only names the quota.
  const assetStages = cdk ? Math.ceil(new Set(cdk.deployments.flatMap((d) => d.assetEnvironments.map((e) => `${e.account}/${e.region}`))).size / MAX_ACTIONS_PER_STAGE) : 0;
  const stageCount = (props.buildStep ? SOURCE_AND_BUILD : SOURCE_ONLY).length + (testStack ? 1 : 0) + (selfUpdate ? 1 : 0) + assetStages + (stacks
    ? stacks.waves.reduce((n, w) => n + w.changeSetStages.length + (w.review?.split ? 1 : 0)
      + splitIntoStages(w.waveName, [...w.targets, ...w.cdkStacks], 0).length, 0)
    : stackSet!.waves.length);
  if (stageCount > MAX_STAGES) {
    fail(scope, `the pipeline needs ${stageCount} stages but CodePipeline allows ${MAX_STAGES}; merge waves, or deploy through CfnDeployment.stackSet(...).`);
  }

  // Stack sets run every operation from the pipeline account: no cross-account role, no shared key.
  const crossAccounts = stackSet ? [] : unique([
    ...waves.flatMap((w) => w.targets.filter((t) => t.crossAccount).map((t) => t.account)),
    ...(cdk?.accounts ?? []).filter((a) => a !== account),
  ]);
  const targetRegions = stackSet ? [] : [...waves.flatMap((w) => w.targets.map((t) => t.region)), ...cdk?.regions ?? []];
  return {
    account,
    region,
    source: props.source,
    buildStep: props.buildStep,
    pipelineName: props.pipelineName,
    failureNotifications: (props.failureNotifications ?? true) ? (props.notifications ?? {}) : undefined,
    artifactStores: props.artifactStores,
    storeRegions: unique([region, ...(testStack ? [testStack.region] : []), ...targetRegions]),
    crossAccounts,
    roles: { executionPolicy: props.executionPolicy, executionManagedPolicies: props.executionManagedPolicies },
    capabilities: props.capabilities ?? [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
    testStack,
    stacks,
    stackSet,
    cdk,
    selfUpdate,
  };
}

/**
 * Without a build step the pipeline deploys a stack set from the source artifact: everything
 * else reads the build output (the templates per target, the cloud assembly, the test stack's
 * tests, the self-update), so it fails with the remedy.
 */
export function checkBuildStep(scope: IConstruct, props: CrossRegionCfnPipelineProps): void {
  if (props.buildStep !== undefined) return;
  if (!props.deployment?.stackSetOptions) {
    fail(scope, 'buildStep is missing; pass build options that emit the templates, e.g. buildStep: { buildSpec }, ' +
      "or deploy one template from the source as a stack set: deployment: CfnDeployment.stackSet({ templatePath: 'template.yaml' }).");
  }
  for (const option of ['testStack', 'selfUpdate'] as const) {
    if (props[option] !== undefined && props[option] !== false) {
      fail(scope, `${option} is set but there is no buildStep (the stack set's template is read from the source); ${option} needs a build: pass buildStep, or remove ${option}.`);
    }
  }
  if (props.source.fullClone) {
    fail(scope, 'the source is a full clone (fullClone: true), whose artifact holds a git reference for CodeBuild, not the files, but the stack set reads its template from the source without a buildStep; ' +
      'remove fullClone from the source, or pass a buildStep that outputs the template.');
  }
}

/**
 * Split `items` into stages `<base>`, `<base>.2`, ... of at most 50 actions, the first of which
 * also holds `leadingActions` actions (a gate's).
 */
export function splitIntoStages<T>(base: string, items: T[], leadingActions: number): StagePart<T>[] {
  const parts: T[][] = [];
  let rest = items;
  let take = Math.max(1, MAX_ACTIONS_PER_STAGE - leadingActions);
  while (rest.length > 0) {
    parts.push(rest.slice(0, take));
    rest = rest.slice(take);
    take = MAX_ACTIONS_PER_STAGE;
  }
  return parts.map((part, i) => ({ stageName: i === 0 ? base : `${base}.${i + 1}`, items: part }));
}

interface Context {
  readonly scope: IConstruct;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly templatePath: string;
}

interface WaveTargets {
  readonly waveName: string;
  readonly gate?: IStageGate;
  readonly targets: TargetPlan[];
  readonly organizationalUnits?: string[];
}

/** Validate waves and targets and name every action. */
function planWaves(ctx: Context, props: CrossRegionCfnPipelineProps, reserved: string[], cdkWaves: boolean): WaveTargets[] {
  const { scope } = ctx;
  if (props.waves.length === 0) {
    fail(scope, "waves is empty; pass at least one wave, e.g. waves: [{ waveName: 'Prod', targets: [{ region: 'eu-west-1' }] }].");
  }
  if (!cdkWaves) {
    fillTemplatePath(scope, ctx.templatePath, ctx.region, ctx.account);
    checkStackName(scope, ctx.stackName, 'the pipeline');
  }
  const waveNames = new Set<string>();
  const allWaveNames = props.waves.map((w) => w.waveName);
  return props.waves.map((wave) => {
    if (!CODEPIPELINE_NAME.test(wave.waveName) || wave.waveName.length > 80) {
      fail(scope, `waveName '${wave.waveName}' is not a valid stage name; use 1-80 characters from A-Z a-z 0-9 . @ _ -.`);
    }
    if (waveNames.has(wave.waveName)) fail(scope, `waveName '${wave.waveName}' is used by two waves; give each wave its own name.`);
    waveNames.add(wave.waveName);
    if (reserved.includes(wave.waveName) || (reserved.includes('Assets') && /^Assets\d+$/.test(wave.waveName))) {
      fail(scope, `waveName '${wave.waveName}' is the name of a stage the pipeline defines itself (${reserved.join(', ')}); give the wave another name, e.g. '${wave.waveName}Wave'.`);
    }
    for (const other of allWaveNames) {
      if (other !== wave.waveName && generatedStageName(other, wave.waveName)) {
        fail(scope, `waveName '${wave.waveName}' is also the name of a stage of wave '${other}' (its change sets, or a part of a wave split at ${MAX_ACTIONS_PER_STAGE} actions); give the wave another name.`);
      }
    }
    if (cdkWaves) return { waveName: wave.waveName, gate: wave.gate, targets: [], organizationalUnits: wave.organizationalUnits };
    if (wave.targets === undefined) {
      fail(scope, `waves[${props.waves.indexOf(wave)}].targets is missing; pass a list of targets, e.g. targets: [{ region: 'eu-west-1' }], or cdkStages: [stage] to deploy CDK stages.`);
    }
    const waveTargets: CrossRegionTarget[] = wave.targets;
    if (waveTargets.length === 0) {
      fail(scope, `wave '${wave.waveName}' has no targets; pass at least one target, e.g. targets: [{ region: 'eu-west-1' }], or remove the wave.`);
    }
    const seen = new Set<string>();
    const targets = waveTargets.map((target, index): TargetPlan => {
      const where = `target ${index + 1} of wave '${wave.waveName}'`;
      checkRegion(scope, target.region, where);
      if (target.stackName !== undefined) checkStackName(scope, target.stackName, where);
      const account = target.account ?? ctx.account;
      checkAccount(scope, account, where);
      const key = `${account}/${target.region}`;
      if (seen.has(key)) {
        fail(scope, `region '${target.region}'${account === ctx.account ? '' : ` of account '${account}'`} appears twice in wave '${wave.waveName}'; list each region once per wave.`);
      }
      seen.add(key);
      const crossAccount = account !== ctx.account;
      return {
        region: target.region,
        account,
        crossAccount,
        stackName: target.stackName ?? ctx.stackName,
        templatePath: fillTemplatePath(scope, ctx.templatePath, target.region, account),
        actionName: crossAccount ? `${target.region}.${account}` : target.region,
        parameterOverrides: target.parameterOverrides,
        executionRole: target.executionRole,
      };
    });
    return { waveName: wave.waveName, gate: wave.gate, targets, organizationalUnits: wave.organizationalUnits };
  });
}

function planTestStack(ctx: Context, props: CrossRegionCfnPipelineProps): TestStackPlan {
  const { scope } = ctx;
  const test = props.testStack!;
  const region = test.region ?? ctx.region;
  checkRegion(scope, region, 'testStack');
  checkStackName(scope, test.stackName, 'testStack');
  if (test.tests.length === 0) fail(scope, 'testStack.tests is empty; pass at least one test, or remove testStack.');
  const testNames = new Set<string>();
  for (const t of test.tests) {
    const name = t.actionName ?? t.name;
    if (name === 'Deploy' || name === 'Delete') {
      fail(scope, `test '${name}' of testStack has the name of the test stack's own '${name}' action; give the test another name (or actionName), e.g. '${name}Test'.`);
    }
    if (testNames.has(name)) fail(scope, `test name '${name}' is used by two tests of testStack; give each test its own name (or actionName).`);
    testNames.add(name);
  }
  return {
    stackName: test.stackName,
    region,
    templatePath: fillTemplatePath(scope, ctx.templatePath, region, ctx.account),
    parameterOverrides: test.parameterOverrides,
    tests: test.tests,
    delete: !(test.retain ?? false),
  };
}

export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
