import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BuildStagePlan, DeployStagePlan, PipelinePlan, TestStagePlan } from './plan';
import { StageReviewRenderer } from './stage-review';
import { TestOptions } from '../../build/build-options';
import { artifactBucketAllowances, defineBuildStep } from '../../build/private/build-step';
import { DeployTarget } from '../../deploy/deploy-target';
import { fail } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { acknowledgeWildcards } from '../../private/wildcard-allowances';
import { SourceBinding } from '../../source/source-options';
import { wireCdkStages } from '../private/cdk-wiring';

/**
 * Render a `SourceBuildDeployPipeline` plan into an aws-codepipeline Pipeline in `scope`: the
 * Source, Build and Test stages, the deploy stages in order, then the CDK stages' UpdatePipeline and
 * Assets stages before the first deploy stage. Construct ids and the order in which constructs are
 * defined and actions added are part of the templates: keep them.
 */
export function renderPipeline(scope: Construct, plan: PipelinePlan, artifactBucket: s3.IBucket): codepipeline.Pipeline {
  const kmsEncrypted = artifactBucket.encryptionKey !== undefined;
  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: plan.pipelineName,
    pipelineType: plan.pipelineType,
    executionMode: plan.executionMode,
    variables: plan.variables,
    artifactBucket,
    crossAccountKeys: kmsEncrypted,
    // The keys aws-cdk-lib defines for replication buckets in other regions rotate, as ours do.
    enableKeyRotation: kmsEncrypted ? true : undefined,
    restartExecutionOnUpdate: plan.restartExecutionOnUpdate,
  });
  acknowledgeWildcards(scope, artifactBucketAllowances(artifactBucket));

  const r = new StageRenderer(scope, plan, pipeline, artifactBucket);
  r.renderSource();
  if (plan.build) r.renderBuild(plan.build);
  if (plan.test) r.renderTest(plan.test);
  for (const stage of plan.deployStages) r.renderDeployStage(stage);

  wireCdkStages(scope, {
    pipeline,
    artifactBucket,
    cdkTargets: plan.cdkStages,
    bindOptions: { stageName: 'Assets', runOrder: 1, defaultInput: r.defaultInput, artifacts: r.artifacts.snapshot() },
    beforeStageName: plan.deployStages[0]?.stageName ?? '',
    selfUpdate: plan.selfUpdate,
    errorPrefix: plan.me,
  });
  return pipeline;
}

/** The artifacts produced so far, by name, and who produced them: each name once. */
class ArtifactRegistry {
  private readonly byName: { [name: string]: codepipeline.Artifact } = {};

  constructor(private readonly me: string) {}

  /** Register what `where` outputs; a name produced twice fails. */
  public produce(where: string, outputs: codepipeline.Artifact[]): void {
    for (const output of outputs) {
      const name = output.artifactName!;
      if (Object.prototype.hasOwnProperty.call(this.byName, name)) {
        fail(this.me, `artifact '${name}' is produced twice (again by ${where}); give each output a distinct name.`);
      }
      this.byName[name] = output;
    }
  }

  /** The artifact `ref` names, or `defaultInput` when it names none; an artifact nobody produced fails. */
  public input(ref: string | undefined, defaultInput: codepipeline.Artifact, where: string, field: string): codepipeline.Artifact {
    if (ref === undefined) return defaultInput;
    const found = Object.prototype.hasOwnProperty.call(this.byName, ref) ? this.byName[ref] : undefined;
    if (!found) {
      fail(this.me, `${where}: ${field} '${ref}' is an artifact nobody produces before it; use one of ${Object.keys(this.byName).map((k) => `'${k}'`).join(', ')}, or add it to a build's \`outputs\`.`);
    }
    return found;
  }

  /** A copy, for a target's bind options. */
  public snapshot(): { [name: string]: codepipeline.Artifact } {
    return { ...this.byName };
  }
}

/** Renders the stages one after the other, tracking the artifacts and the default input. */
class StageRenderer {
  public readonly artifacts: ArtifactRegistry;
  /** What targets and tests read unless they name an input: the source output, then the primary build output. */
  public defaultInput!: codepipeline.Artifact;
  private source!: SourceBinding;

  constructor(private readonly scope: Construct, private readonly plan: PipelinePlan,
    private readonly pipeline: codepipeline.Pipeline, private readonly artifactBucket: s3.IBucket) {
    this.artifacts = new ArtifactRegistry(plan.me);
  }

  public renderSource(): void {
    const { plan, pipeline } = this;
    this.source = plan.source.bind(this.scope, { artifactName: 'Source' });
    this.artifacts.produce('the source', [this.source.output]);
    pipeline.addStage({ stageName: 'Source', actions: [this.source.action] });
    for (const trigger of this.source.triggers ?? []) {
      if (plan.pipelineType !== codepipeline.PipelineType.V2) {
        fail(plan.me, 'the source has push/pull-request filters, which are V2 triggers, but pipelineType is V1; use PipelineType.V2.');
      }
      pipeline.addTrigger(trigger);
    }
    this.defaultInput = this.source.output;
  }

  /** The build step and/or the build actions, with the tests beside the build (same runOrder, on the source). */
  public renderBuild(build: BuildStagePlan): void {
    const { plan, scope, source } = this;
    if (!build.step) {
      const bound = this.bindTargets('Build', build.actions);
      this.artifacts.produce('a build action', bound.outputs);
      this.addStage('Build', bound.actions);
      for (const target of build.actions) target.afterActionsAdded();
      return;
    }
    const step = defineBuildStep(scope, 'BuildProject', {
      options: build.step,
      defaultActionName: 'Build',
      defaultOutputs: ['BuildOutput'],
      type: actions.CodeBuildActionType.BUILD,
      input: source.output,
      artifactBucket: this.artifactBucket,
      fullClonePolicy: source.fullClonePolicy,
      errorPrefix: plan.me,
    });
    const beside = this.testSteps('Build', build.testsBeside, 1, 'BuildTest');
    const bound = this.bindTargets('Build', build.actions);
    this.artifacts.produce(`build '${step.actionName}'`, step.outputs);
    this.artifacts.produce('a build action', bound.outputs);
    this.addStage('Build', [step.action, ...beside.map((t) => t.action), ...bound.actions]);
    for (const target of build.actions) target.afterActionsAdded();
    if (step.outputs.length > 0) this.defaultInput = step.outputs[0];
  }

  /** Tests after the build, in parallel. */
  public renderTest(test: TestStagePlan): void {
    const steps = this.testSteps('Test', test.tests, 1, 'Test');
    const bound = this.bindTargets('Test', test.actions);
    this.artifacts.produce('a test action', bound.outputs);
    this.addStage('Test', [...steps.map((s) => s.action), ...bound.actions]);
    for (const target of test.actions) target.afterActionsAdded();
  }

  /** The gate, the targets, then the post-deploy tests. */
  public renderDeployStage(st: DeployStagePlan): void {
    const { plan, pipeline, scope } = this;
    const { stageName } = st;
    const review = st.review ? new StageReviewRenderer(scope, plan.me, stageName, st.review) : undefined;
    const gate = st.gate?.bindToStage({
      pipeline, stageName: review?.approvalStageName ?? stageName, runOrder: st.gateRunOrder, changeSetReview: review?.gateReview,
    });
    const gateActions = gate?.actions ?? [];
    if (st.reviewChangeSets) checkReviewGate(plan.me, stageName, gateActions, st.gateRunOrder);
    const firstRunOrder = st.review?.split ? 1 : st.reviewChangeSets ? st.gateRunOrder + 1 : gateActions.length > 0 ? 2 : 1;
    let lastRunOrder = firstRunOrder;
    const stageActions: codepipeline.IAction[] = st.review?.split ? [] : [...gateActions];
    const stageOutputs: codepipeline.Artifact[] = [];
    const reviewed: string[] = [];
    for (const target of st.targets) {
      const binding = target.bind(scope, {
        stageName, runOrder: firstRunOrder, defaultInput: this.defaultInput, artifacts: this.artifacts.snapshot(), reviewRunOrder: st.reviewRunOrder,
      });
      reviewed.push(...binding.reviewActions ?? []);
      checkRegions(scope, stageName, binding.actions);
      stageActions.push(...review ? review.take(binding) : binding.actions);
      stageOutputs.push(...binding.outputs ?? []);
      lastRunOrder = Math.max(lastRunOrder, binding.lastRunOrder);
    }
    if (st.reviewChangeSets && reviewed.length === 0) {
      fail(plan.me, `stage '${stageName}' has reviewChangeSets but none of its targets creates a change set to review; `
        + 'add a DeployTarget.cloudFormation target, or drop reviewChangeSets.');
    }
    // Tests after the targets; in a stage without targets, right after the gate.
    const testRunOrder = st.targets.length > 0 ? lastRunOrder + 1 : firstRunOrder;
    const tests = this.testSteps(stageName, st.postDeployTests, testRunOrder, `${stageName}Test`);
    stageActions.push(...tests.map((s) => s.action));
    this.artifacts.produce(`a target in stage '${stageName}'`, stageOutputs);
    if (review) stageActions.push(...review.finish(pipeline, this.artifactBucket, gateActions, gate?.notificationTopic));
    if (stageActions.length === 0) {
      fail(plan.me, `stage '${stageName}' has no actions: no targets, no postDeployTests, and ${st.gate ? 'its gate adds no manual approval' : 'no gate'}; `
        + 'give it targets, postDeployTests or a gate with a manual approval (an approval-only stage), or remove the stage.');
    }
    checkUniqueActions(plan.me, stageName, stageActions);
    checkRunOrders(plan.me, stageName, stageActions);
    pipeline.addStage({
      stageName,
      actions: stageActions,
      beforeEntry: gate?.beforeEntry,
      onSuccess: gate?.onSuccess,
      onFailure: stageOnFailure(plan.me, stageName, gate?.onFailure, st.retryOnFailure),
    });
    for (const target of st.targets) target.afterActionsAdded();
  }

  private addStage(stageName: string, stageActions: codepipeline.IAction[]): void {
    checkUniqueActions(this.plan.me, stageName, stageActions);
    this.pipeline.addStage({ stageName, actions: stageActions });
  }

  /** Tests (beside the build, after it, after a deployment): resolve inputs, define the steps. */
  private testSteps(stageName: string, tests: TestOptions[], runOrder: number, idPrefix: string) {
    const { plan, source } = this;
    const steps = tests.map((test) => {
      const where = `stage '${stageName}', test '${test.name}'`;
      if (!Token.isUnresolved(test.name) && !CODEPIPELINE_NAME.test(test.name)) {
        fail(plan.me, `${where}: test name '${test.name}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
      }
      return defineBuildStep(this.scope, `${idPrefix}${test.name}`, {
        options: test,
        defaultActionName: test.name,
        defaultOutputs: [],
        type: actions.CodeBuildActionType.TEST,
        input: this.artifacts.input(test.input, this.defaultInput, where, 'input'),
        extraInputs: test.extraInputs?.map((n) => this.artifacts.input(n, this.defaultInput, where, 'extraInputs')),
        runOrder,
        artifactBucket: this.artifactBucket,
        fullClonePolicy: test.input === undefined && this.defaultInput === source.output ? source.fullClonePolicy : undefined,
        errorPrefix: plan.me,
      });
    });
    for (const step of steps) this.artifacts.produce(`test '${step.actionName}' in stage '${stageName}'`, step.outputs);
    return steps;
  }

  /** Targets of the Build and Test stages (buildActions, testActions), bound like a deploy stage's. */
  private bindTargets(stageName: string, targets: DeployTarget[]) {
    const bound = { actions: [] as codepipeline.IAction[], outputs: [] as codepipeline.Artifact[] };
    for (const target of targets) {
      const binding = target.bind(this.scope, { stageName, runOrder: 1, defaultInput: this.defaultInput, artifacts: this.artifacts.snapshot() });
      checkRegions(this.scope, stageName, binding.actions);
      bound.actions.push(...binding.actions);
      bound.outputs.push(...binding.outputs ?? []);
    }
    return bound;
  }
}

function checkRegions(scope: Construct, stageName: string, stageActions: codepipeline.IAction[]): void {
  v.checkCrossRegionEnv(scope, stageName, stageActions.map((a) => ({
    actionName: a.actionProperties.actionName, region: a.actionProperties.region,
  })));
}

function checkUniqueActions(me: string, stageName: string, stageActions: codepipeline.IAction[]): void {
  const seen = new Set<string>();
  for (const action of stageActions) {
    const name = action.actionProperties.actionName;
    if (seen.has(name)) {
      fail(me, `stage '${stageName}' has two actions named '${name}'; give targets and tests distinct names (\`actionName\`, or the test's \`name\`).`);
    }
    seen.add(name);
  }
  if (stageActions.length > 50) {
    fail(me, `stage '${stageName}' has ${stageActions.length} actions; CodePipeline allows at most 50 per stage, split the targets over more stages.`);
  }
}

function checkRunOrders(me: string, stageName: string, stageActions: codepipeline.IAction[]): void {
  for (const action of stageActions) {
    const runOrder = action.actionProperties.runOrder ?? 1;
    if (runOrder < 1 || runOrder > 999) {
      fail(me, `stage '${stageName}', action '${action.actionProperties.actionName}' has runOrder ${runOrder}; use 1-999.`);
    }
  }
}

/** The stage's on-failure block: the gate's, or the stage's retry (one on-failure result per stage). */
function stageOnFailure(me: string, stageName: string, fromGate: codepipeline.FailureConditions | undefined,
  retry: codepipeline.RetryMode | undefined): codepipeline.FailureConditions | undefined {
  if (retry === undefined) return fromGate;
  if (fromGate) {
    fail(me, `stage '${stageName}' has retryOnFailure (${retry}) and its gate sets an on-failure result (${fromGate.result ?? 'conditions'}); `
      + 'a stage has one on-failure result: drop retryOnFailure or the gate\'s rollbackOnFailure/retryOnFailure.');
  }
  return { result: codepipeline.Result.RETRY, retryMode: retry };
}

/** With reviewChangeSets, the gate must approve between the change sets and their execution. */
function checkReviewGate(me: string, stageName: string, gateActions: codepipeline.IAction[], gateRunOrder: number): void {
  if (gateActions.length === 0) {
    fail(me, `stage '${stageName}' has reviewChangeSets but its gate has no manual approval (only conditions); give the gate a manual approval `
      + '(emails, approvers, message or manual: true), or drop reviewChangeSets.');
  }
  for (const action of gateActions) {
    if ((action.actionProperties.runOrder ?? 1) !== gateRunOrder) {
      fail(me, `stage '${stageName}' has reviewChangeSets but its gate put action '${action.actionProperties.actionName}' at runOrder `
        + `${action.actionProperties.runOrder ?? 1}; the gate must place its actions at the runOrder bindToStage passes (${gateRunOrder}, after the change sets).`);
    }
  }
}
