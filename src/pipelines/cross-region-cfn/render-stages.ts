import { PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AccountRoleFactory } from './account-roles';
import { PipelinePlan, StackSetPlan, StacksPlan, WaveItem, splitIntoStages, waveLevel } from './plan';
import { CfnActions } from './render-actions';
import { renderWaveReview, WaveReviewContext } from './render-review';
import { ArtifactStores } from '../../artifacts/artifact-stores';
import { storeKeyReference, storeReference } from '../../artifacts/store-access';
import { defineBuildStep } from '../../build/private/build-step';
import { IStageGate, StageGateBinding } from '../../gates/stage-gate';
import { fail, where } from '../../private/errors';
import { wireCdkStages } from '../private/cdk-wiring';

const SOURCE_ARTIFACT = 'Source';
const TEST_OUTPUTS = 'TestStackOutputs';

/** What rendering defined, for the construct to expose. */
export interface RenderedPipeline {
  readonly pipeline: codepipeline.Pipeline;
  readonly buildProject?: codebuild.IProject;
  readonly accountRoles: AccountRoleFactory;
  readonly stageNames: string[];
}

/**
 * Define the pipeline a plan describes, in `scope`: the artifact store references, the pipeline
 * and its role, then the stages in order (Source, Build, Test, the waves).
 */
export function renderPipeline(scope: Construct, plan: PipelinePlan, stores: ArtifactStores): RenderedPipeline {
  const stack = Stack.of(scope);
  const buckets: { [region: string]: s3.IBucket } = {};
  for (const region of plan.storeRegions) {
    const store = stores.forRegion(region);
    buckets[region] = storeReference(scope, `Store-${region}`, stores, store);
    if (store.stack !== stack) stack.node.addDependency(store.stack);
  }

  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
    roleName: plan.crossAccounts.length > 0 ? PhysicalName.GENERATE_IF_NEEDED : undefined,
  });
  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: plan.pipelineName,
    pipelineType: codepipeline.PipelineType.V2,
    role,
    crossRegionReplicationBuckets: buckets,
    crossAccountKeys: false,
  });
  const homeStore = stores.forRegion(plan.region);
  if (homeStore.stack === stack && Construct.isConstruct(homeStore.bucket)) {
    pipeline.node.defaultChild!.node.addDependency(homeStore.bucket);
  }
  const accountRoles = new AccountRoleFactory(scope, { pipelineRole: role, ...plan.roles });
  const stages = new Stages(pipeline);

  // Source
  const source = plan.source.bind(scope, { artifactName: SOURCE_ARTIFACT });
  const sourceRegion = source.action.actionProperties.resource?.env.region ?? source.action.actionProperties.region;
  if (sourceRegion !== undefined && !Token.isUnresolved(sourceRegion) && sourceRegion !== plan.region) {
    fail(scope, `the source action '${source.action.actionProperties.actionName}' is in region '${sourceRegion}', but CodePipeline runs source actions in the pipeline's region '${plan.region}'; ` +
      'use a source in the pipeline region (replicate the repository or bucket there).');
  }
  for (const trigger of source.triggers ?? []) pipeline.addTrigger(trigger);
  stages.add('Source', [source.action]);

  // Build (none: a stack set's template is read from the source)
  const homeKey = storeKeyReference(scope, 'ArtifactKey', homeStore);
  const build = plan.buildStep ? defineBuildStep(scope, 'Build', {
    options: plan.buildStep,
    defaultActionName: 'Build',
    defaultOutputs: ['BuildOutput'],
    type: cpactions.CodeBuildActionType.BUILD,
    input: source.output,
    encryptionKey: homeKey,
    fullClonePolicy: source.fullClonePolicy,
    errorPrefix: where(scope),
  }) : undefined;
  if (build) stages.add('Build', [build.action]);
  const templates = build ? build.outputs[0] : source.output;
  const actions = new CfnActions({
    scope,
    account: plan.account,
    region: plan.region,
    accountRoles,
    stores,
    templates,
    capabilities: plan.capabilities,
  });

  // Test stack
  if (plan.testStack) {
    const outputs = new codepipeline.Artifact(TEST_OUTPUTS);
    const test = actions.testStack(plan.testStack, outputs);
    const tests = plan.testStack.tests.map((t, i) => defineBuildStep(scope, `Test${i}`, {
      options: t,
      defaultActionName: t.name,
      defaultOutputs: [],
      type: cpactions.CodeBuildActionType.TEST,
      input: templates,
      extraInputs: [outputs],
      runOrder: 2,
      encryptionKey: homeKey,
      errorPrefix: where(scope),
    }).action);
    stages.add('Test', [test.deploy, ...tests, ...(test.delete ? [test.delete] : [])]);
  }

  // Waves
  const firstWave = stages.names.length;
  const reviewCtx = () => ({ owner: scope, pipeline, reportBucket: storeReference(scope, 'ReviewReportStore', stores, homeStore, homeKey) });
  if (plan.stacks) renderStackWaves(stages, actions, plan.stacks, reviewCtx);
  if (plan.stackSet) renderStackSetWaves(stages, actions, plan.stackSet);

  // CDK stages: UpdatePipeline (opt-in) and Assets (one action per environment) before the first wave.
  if (plan.cdk || plan.selfUpdate) {
    wireCdkStages(scope, {
      pipeline,
      // The home store with the key reference the build uses: the projects' access to the key comes from their bucket grants.
      artifactBucket: storeReference(scope, 'AssemblyStore', stores, homeStore, homeKey),
      deployments: plan.cdk?.deployments,
      assembly: templates,
      beforeStageName: stages.names[firstWave],
      selfUpdate: plan.selfUpdate,
      errorPrefix: where(scope),
    });
  }

  return { pipeline, buildProject: build?.project, accountRoles, stageNames: pipeline.stages.map((s) => s.stageName) };
}

/**
 * Per wave: change sets in every target or CDK stack (in parallel, CDK stacks in dependency
 * order), the gate, then execution (or CREATE_UPDATE) in the same order.
 */
function renderStackWaves(stages: Stages, actions: CfnActions, plan: StacksPlan, reviewCtx: () => WaveReviewContext) {
  const changeSetName = plan.changeSetName;
  for (const wave of plan.waves) {
    // With a review (render-review.ts): the gate bound first, the review action after the last change set.
    const last = wave.changeSetStages.length - 1;
    const levels = (part: { items: WaveItem[] }) => new Set(part.items.map(waveLevel)).size;
    const review = wave.review ? renderWaveReview(reviewCtx(), wave, wave.review, changeSetName!, levels(wave.changeSetStages[last]) + 1) : undefined;
    wave.changeSetStages.forEach((part, i) => {
      const prepare = (item: WaveItem, runOrder: number) => actions.createReplaceChangeSet(item, changeSetName!, runOrder);
      const reviewHere = review && i === last && !review.ownStage ? [review.action] : [];
      stages.add(part.stageName, [...inLevels(part.items, 1, waveLevel, prepare), ...reviewHere]);
    });
    if (review?.ownStage) stages.add(review.ownStage, [review.action]);
    if (review?.approval) stages.add(review.approval.stageName, review.approval.actions, { beforeEntry: review.approval.beforeEntry });
    const items: WaveItem[] = [...wave.targets, ...wave.cdkStacks];
    stages.addGated(wave.waveName, wave.gate, items, (item, runOrder) => changeSetName !== undefined
      ? actions.executeChangeSet(item, changeSetName, runOrder)
      : actions.createUpdate(item, runOrder), waveLevel, review && { binding: review.binding, withoutActions: review.approval !== undefined });
  }
}

/** The actions of `items` from runOrder `base` on, one runOrder per level present (in order): an item runs after those of lower levels. */
function inLevels<T>(items: T[], base: number, level: (item: T) => number,
  toAction: (item: T, runOrder: number) => codepipeline.IAction): codepipeline.IAction[] {
  const levels = [...new Set(items.map(level))].sort((a, b) => a - b);
  return items.map((item) => toAction(item, base + levels.indexOf(level(item))));
}

/** The first wave deploys the stack set, later waves add its instances, each behind its gate. */
function renderStackSetWaves(stages: Stages, actions: CfnActions, plan: StackSetPlan) {
  for (const wave of plan.waves) {
    stages.addGated(wave.waveName, wave.gate, [wave], (w, runOrder) => actions.stackSet(plan, w, runOrder));
  }
  actions.acknowledgeStackSetAdministration(stages.pipeline);
}

/** The pipeline's stages, added in order. */
class Stages {
  public readonly names: string[] = [];

  constructor(public readonly pipeline: codepipeline.Pipeline) {}

  public add(stageName: string, actions: codepipeline.IAction[], binding?: StageGateBinding) {
    this.pipeline.addStage({
      stageName,
      actions,
      beforeEntry: binding?.beforeEntry,
      onSuccess: binding?.onSuccess,
      onFailure: binding?.onFailure,
    });
    this.names.push(stageName);
  }

  /**
   * Stages `<base>`, `<base>.2`, ...: the gate (its actions first, its conditions on the first
   * stage), then `items`' actions (in the order of their `level`), at most 50 actions per stage.
   */
  public addGated<T>(base: string, gate: IStageGate | undefined, items: T[], toAction: (item: T, runOrder: number) => codepipeline.IAction,
    level: (item: T) => number = () => 1, bound?: { binding: StageGateBinding; withoutActions: boolean }) {
    // A reviewed wave's gate is bound already (its approval maybe in a stage of its own).
    const binding = bound?.binding ?? gate?.bindToStage({ pipeline: this.pipeline, stageName: base, runOrder: 1 });
    const gateActions = bound?.withoutActions ? [] : binding?.actions ?? [];
    const runOrder = gateActions.length > 0 ? 2 : 1;
    splitIntoStages(base, items, gateActions.length).forEach((part, i) => {
      const partActions = inLevels(part.items, i === 0 ? runOrder : 1, level, toAction);
      if (i === 0) {
        this.add(part.stageName, [...gateActions, ...partActions], binding);
      } else {
        this.add(part.stageName, partActions);
      }
    });
  }
}
