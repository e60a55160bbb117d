// Over 400 lines on purpose: the public construct with its documented props and the stage assembly (source, build,
// tests, deploy stages, CDK stages); pieces live in src/source, src/build, src/deploy, src/gates, src/cdk.
import { Duration, Names, PhysicalName, RemovalPolicy, Stack, Stage as CdkStage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { BuildOptions, TestOptions } from '../../build/build-options';
import { artifactBucketAllowances, defineBuildStep } from '../../build/private/build-step';
import { PipelineChecks } from '../../checks/pipeline-checks';
import { DeployTarget } from '../../deploy/deploy-target';
import { CDK_STAGE_TARGETS } from '../../deploy/private/cdk-stages';
import { IStageGate } from '../../gates/stage-gate';
import { FailureNotifications, FailureNotificationsOptions } from '../../notifications/failure-notifications';
import { bucketEventsToEventBridge, defineAccessLogBucket } from '../../private/access-logs';
import { acknowledge } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import { allowGrantsOnlyForAwsResources } from '../../private/kms';
import { CODEPIPELINE_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { acknowledgeWildcards, arnPattern, WildcardAllowance } from '../../private/wildcard-allowances';
import { PipelineSource } from '../../source/pipeline-source';
import { wireCdkStages } from '../private/cdk-wiring';

/** One deploy stage: optional gate, targets in parallel, then post-deploy tests in parallel. */
export interface DeployStageOptions {
  /** Name of the stage (1-100 of A-Za-z0-9.@_-, unique in the pipeline). */
  readonly stageName: string;

  /**
   * Where the stage deploys; the targets run in parallel (same runOrder).
   *
   * @default - none: the stage holds only its gate's approval and/or its post-deploy tests
   * (an approval-only or test-only stage)
   */
  readonly targets?: DeployTarget[];

  /**
   * Gate in front of the stage (an `ApprovalGate`, or any `IStageGate`): its actions come
   * first in the stage, its conditions are rendered on the stage.
   *
   * @default - no gate
   */
  readonly gate?: IStageGate;

  /**
   * Tests run after the targets, in parallel (e.g. a load test against staging).
   *
   * @default - none
   */
  readonly postDeployTests?: TestOptions[];

  /**
   * Retry the stage automatically once when it fails (on-failure result RETRY): its failed
   * actions only, or all of them from the first. V2 pipelines only; not with a gate that has an
   * on-failure result of its own (`rollbackOnFailure` / `retryOnFailure` on the `ApprovalGate`).
   *
   * @default - no automatic retry
   */
  readonly retryOnFailure?: codepipeline.RetryMode;

  /**
   * Let the gate's approver review the change sets: the CloudFormation targets create their
   * change sets first (runOrder 1), then the gate's manual approval runs (2), then the change sets
   * are executed and the other targets deploy (3). Needs a gate with a manual approval;
   * CloudFormation targets of the stage deploy through a change set.
   *
   * @default false: the gate runs first, then the targets
   */
  readonly reviewChangeSets?: boolean;
}

/** Properties of `SourceBuildDeployPipeline`. */
export interface SourceBuildDeployPipelineProps {
  /** Where the pipeline gets its source. */
  readonly source: PipelineSource;

  /**
   * The build step (stage 'Build').
   *
   * @default - no build stage; targets deploy the source output
   */
  readonly buildStep?: BuildOptions;

  /**
   * Tests run in parallel after the build (stage 'Test').
   *
   * @default - no test stage
   */
  readonly tests?: TestOptions[];

  /**
   * Tests run beside the build, in the 'Build' stage at the same runOrder (e.g. lint or unit tests
   * that need no build output): they read the source output, or another `input` the source produced.
   * Needs a `buildStep`.
   *
   * @default - none
   */
  readonly testsBesideBuild?: TestOptions[];

  /**
   * More actions in the 'Build' stage, beside `buildStep` (same runOrder), or instead of it: builds
   * that need no CodeBuild project of yours, e.g. `DeployTarget.ecrBuildAndPublish(...)` (a Docker image
   * pushed to ECR) or `DeployTarget.commands(...)`. They read the source output unless they name an
   * input; their outputs and variables are for later stages.
   *
   * @default - none
   */
  readonly buildActions?: DeployTarget[];

  /**
   * More test steps in the 'Test' stage, beside `tests` (in parallel), e.g. `DeployTarget.commands({ commands: ['npm test'] })`
   * (no CodeBuild project) or `DeployTarget.inspectorScan(...)`. They read the primary build output unless they name an input.
   *
   * @default - none
   */
  readonly testActions?: DeployTarget[];

  /**
   * Deploy stages, in order. Pass `[]` for a build-only or build-and-test pipeline (it needs a
   * `buildStep` or `tests` then).
   */
  readonly stages: DeployStageOptions[];

  /**
   * Name of the pipeline.
   *
   * @default - generated by CloudFormation
   */
  readonly pipelineName?: string;

  /**
   * Pipeline type. V2 is needed for execution modes other than SUPERSEDED, variables and
   * trigger filters.
   *
   * @default codepipeline.PipelineType.V2
   */
  readonly pipelineType?: codepipeline.PipelineType;

  /**
   * How executions run when several are in flight.
   *
   * @default codepipeline.ExecutionMode.SUPERSEDED
   */
  readonly executionMode?: codepipeline.ExecutionMode;

  /**
   * Pipeline-level variables (`#{variables.name}` in action configuration).
   *
   * @default - none
   */
  readonly variables?: codepipeline.Variable[];

  /**
   * Artifact bucket to use instead of defining one. It must be KMS-encrypted when a target is
   * in another account.
   *
   * @default - a bucket is defined: SSL only, public access blocked, server access logs,
   * artifacts expire after `artifactExpiration`, retained on stack deletion
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * How long artifacts are kept in the defined bucket.
   *
   * @default Duration.days(30)
   */
  readonly artifactExpiration?: Duration;

  /**
   * Customer-managed key for the defined artifact bucket.
   *
   * @default - the AWS managed key (aws/s3), unless a target is in another account: then a
   * customer-managed key with rotation is defined
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Where failure notifications go.
   *
   * @default - an SSL-only topic with no subscription
   */
  readonly notifications?: FailureNotificationsOptions;

  /**
   * Define EventBridge rules for failed executions, stages and actions.
   *
   * @default true
   */
  readonly failureNotifications?: boolean;

  /**
   * Restart the pipeline when it is updated by a deployment.
   *
   * @default false
   */
  readonly restartExecutionOnUpdate?: boolean;

  /**
   * Update the pipeline from the new cloud assembly (a CDK app holding the pipeline stack):
   * an 'UpdatePipeline' stage after the build deploys the pipeline stack only when its template
   * changed, without restarting the execution. Needs `BuildStep.cdkSynth` as the build.
   *
   * @default false: deploy the pipeline stack with `cdk deploy` when stages or environments change
   */
  readonly selfUpdate?: boolean;
}

const RESERVED_STAGES = ['Source', 'Build', 'Test'];

/**
 * A V2 CodePipeline from a repository to one or more environments: source, build, tests
 * (in parallel), then deploy stages, each optionally behind a gate and followed by tests.
 * Secure by default: encrypted artifact bucket with SSL only, access logs and expiry, CodeBuild
 * projects without privileged mode, CloudFormation deployment roles that are never admin,
 * failure notifications.
 */
export class SourceBuildDeployPipeline extends Construct {
  /** The aws-codepipeline Pipeline, to reach past this construct. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The artifact bucket. */
  public readonly artifactBucket: s3.IBucket;

  /** The failure notification rules and topic, unless `failureNotifications` is false. */
  public readonly failureNotifications?: FailureNotifications;

  constructor(scope: Construct, id: string, props: SourceBuildDeployPipelineProps) {
    v.checkScope('SourceBuildDeployPipeline', scope, id);
    super(scope, id);
    const me = `SourceBuildDeployPipeline '${id}'`;
    v.checkProps(me, props, {
      source: v.required(v.instance(PipelineSource, 'a source, e.g. PipelineSource.codeCommit(repository) (not the repository itself)')),
      buildStep: v.buildOptions,
      tests: v.arrayOf(v.testOptions),
      testsBesideBuild: v.arrayOf(v.testOptions),
      buildActions: v.arrayOf(v.instance(DeployTarget, 'a target, e.g. DeployTarget.ecrBuildAndPublish({ ... })')),
      testActions: v.arrayOf(v.instance(DeployTarget, 'a target, e.g. DeployTarget.commands({ commands: [...] })')),
      stages: v.required(v.arrayOf(v.struct({
        stageName: v.required(v.str("a stage name, e.g. 'Prod'")),
        targets: v.arrayOf(v.instance(DeployTarget, 'a target, e.g. DeployTarget.cloudFormation({ stackName, templatePath })')),
        gate: v.cdk.stageGate,
        postDeployTests: v.arrayOf(v.testOptions),
        retryOnFailure: v.oneOf('a codepipeline.RetryMode', Object.values(codepipeline.RetryMode), 'e.g. codepipeline.RetryMode.FAILED_ACTIONS'),
        reviewChangeSets: v.bool,
      }, "a stage, e.g. { stageName: 'Prod', targets: [DeployTarget.cloudFormation({ ... })] }"), "a list of stages, e.g. [{ stageName: 'Prod', targets: [...] }]")),
      pipelineName: v.str(),
      pipelineType: v.oneOf('a codepipeline.PipelineType', Object.values(codepipeline.PipelineType), 'codepipeline.PipelineType.V2'),
      executionMode: v.oneOf('a codepipeline.ExecutionMode', Object.values(codepipeline.ExecutionMode), 'e.g. codepipeline.ExecutionMode.QUEUED'),
      variables: v.arrayOf(v.cdk.variable),
      artifactBucket: v.cdk.bucket,
      artifactExpiration: v.duration('e.g. Duration.days(30)'),
      encryptionKey: v.cdk.key,
      notifications: v.failureNotificationsOptions,
      failureNotifications: v.bool,
      restartExecutionOnUpdate: v.bool,
      selfUpdate: v.bool,
    });
    // No stages (build-only pipelines) and stages without targets (approval-only or test-only) are fine.
    const stages = props.stages.map((st) => ({ ...st, targets: st.targets ?? [] }));
    this.validateProps(me, props, stages);

    const stack = Stack.of(this);
    const extraTargets = [...props.buildActions ?? [], ...props.testActions ?? []];
    const crossAccountTargets = [...extraTargets, ...stages.flatMap((s) => s.targets)]
      .filter((t) => t.account !== undefined && !Token.isUnresolved(t.account) && t.account !== stack.account);
    // A CDK stage may span accounts: any stack in another account needs the KMS-encrypted store.
    const cdkCrossAccount = stages.flatMap((s) => s.targets)
      .filter((t) => !crossAccountTargets.includes(t) && CDK_STAGE_TARGETS.get(t)?.accounts.some((a) => a !== stack.account));

    this.artifactBucket = this.defineArtifactBucket(me, props, [...crossAccountTargets, ...cdkCrossAccount]);
    const kmsEncrypted = this.artifactBucket.encryptionKey !== undefined;

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: props.pipelineType ?? codepipeline.PipelineType.V2,
      executionMode: props.executionMode ?? codepipeline.ExecutionMode.SUPERSEDED,
      variables: props.variables,
      artifactBucket: this.artifactBucket,
      crossAccountKeys: kmsEncrypted,
      // The keys aws-cdk-lib defines for replication buckets in other regions rotate, as ours do.
      enableKeyRotation: kmsEncrypted ? true : undefined,
      restartExecutionOnUpdate: props.restartExecutionOnUpdate ?? false,
    });
    if (props.selfUpdate && props.restartExecutionOnUpdate) {
      fail(me, 'selfUpdate is on with restartExecutionOnUpdate; a self-update never restarts the execution, drop restartExecutionOnUpdate.');
    }
    acknowledgeWildcards(this, artifactBucketAllowances(this.artifactBucket));

    const artifacts: { [name: string]: codepipeline.Artifact } = {};
    const produce = (where: string, outputs: codepipeline.Artifact[]) => {
      for (const output of outputs) {
        const name = output.artifactName!;
        if (Object.prototype.hasOwnProperty.call(artifacts, name)) {
          fail(me, `artifact '${name}' is produced twice (again by ${where}); give each output a distinct name.`);
        }
        artifacts[name] = output;
      }
    };

    // Source
    const source = props.source.bind(this, { artifactName: 'Source' });
    produce('the source', [source.output]);
    this.pipeline.addStage({ stageName: 'Source', actions: [source.action] });
    for (const trigger of source.triggers ?? []) {
      if ((props.pipelineType ?? codepipeline.PipelineType.V2) !== codepipeline.PipelineType.V2) {
        fail(me, 'the source has push/pull-request filters, which are V2 triggers, but pipelineType is V1; use PipelineType.V2.');
      }
      this.pipeline.addTrigger(trigger);
    }

    let defaultInput = source.output;
    // Tests (beside the build, after it, after a deployment): resolve inputs, define the steps
    const input = (ref: string | undefined, where: string, field: string) => {
      if (ref === undefined) return defaultInput;
      const found = Object.prototype.hasOwnProperty.call(artifacts, ref) ? artifacts[ref] : undefined;
      if (!found) {
        fail(me, `${where}: ${field} '${ref}' is an artifact nobody produces before it; use one of ${Object.keys(artifacts).map((k) => `'${k}'`).join(', ')}, or add it to a build's \`outputs\`.`);
      }
      return found;
    };
    const testSteps = (stageName: string, tests: TestOptions[], runOrder: number, idPrefix: string) => {
      const steps = tests.map((test) => {
        const where = `stage '${stageName}', test '${test.name}'`;
        if (!Token.isUnresolved(test.name) && !CODEPIPELINE_NAME.test(test.name)) {
          fail(me, `${where}: test name '${test.name}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
        }
        return defineBuildStep(this, `${idPrefix}${test.name}`, {
          options: test,
          defaultActionName: test.name,
          defaultOutputs: [],
          type: actions.CodeBuildActionType.TEST,
          input: input(test.input, where, 'input'),
          extraInputs: test.extraInputs?.map((n) => input(n, where, 'extraInputs')),
          runOrder,
          artifactBucket: this.artifactBucket,
          fullClonePolicy: test.input === undefined && defaultInput === source.output ? source.fullClonePolicy : undefined,
          errorPrefix: me,
        });
      });
      for (const step of steps) produce(`test '${step.actionName}' in stage '${stageName}'`, step.outputs);
      return steps;
    };
    // Targets of the Build and Test stages (buildActions, testActions), bound like a deploy stage's.
    const bindTargets = (stageName: string, targets: DeployTarget[]) => {
      const bound = { actions: [] as codepipeline.IAction[], outputs: [] as codepipeline.Artifact[] };
      for (const target of targets) {
        const binding = target.bind(this, { stageName, runOrder: 1, defaultInput, artifacts: { ...artifacts } });
        v.checkCrossRegionEnv(this, stageName, binding.actions.map((a) => ({
          actionName: a.actionProperties.actionName, region: a.actionProperties.region,
        })));
        bound.actions.push(...binding.actions);
        bound.outputs.push(...binding.outputs ?? []);
      }
      return bound;
    };
    // Build (buildStep and/or buildActions), with the tests beside it (same runOrder, on the source)
    if (!props.buildStep && (props.buildActions ?? []).length > 0) {
      const bound = bindTargets('Build', props.buildActions!);
      produce('a build action', bound.outputs);
      this.checkUniqueActions(me, 'Build', bound.actions);
      this.pipeline.addStage({ stageName: 'Build', actions: bound.actions });
      for (const target of props.buildActions!) target.afterActionsAdded();
    }
    if (props.buildStep) {
      const step = defineBuildStep(this, 'BuildProject', {
        options: props.buildStep,
        defaultActionName: 'Build',
        defaultOutputs: ['BuildOutput'],
        type: actions.CodeBuildActionType.BUILD,
        input: source.output,
        artifactBucket: this.artifactBucket,
        fullClonePolicy: source.fullClonePolicy,
        errorPrefix: me,
      });
      const beside = testSteps('Build', props.testsBesideBuild ?? [], 1, 'BuildTest');
      const bound = bindTargets('Build', props.buildActions ?? []);
      produce(`build '${step.actionName}'`, step.outputs);
      produce('a build action', bound.outputs);
      const buildActions = [step.action, ...beside.map((t) => t.action), ...bound.actions];
      this.checkUniqueActions(me, 'Build', buildActions);
      this.pipeline.addStage({ stageName: 'Build', actions: buildActions });
      for (const target of props.buildActions ?? []) target.afterActionsAdded();
      if (step.outputs.length > 0) defaultInput = step.outputs[0];
    }

    // Tests after the build, in parallel
    if ((props.tests ?? []).length > 0 || (props.testActions ?? []).length > 0) {
      const steps = testSteps('Test', props.tests ?? [], 1, 'Test');
      const bound = bindTargets('Test', props.testActions ?? []);
      produce('a test action', bound.outputs);
      const testActions = [...steps.map((s) => s.action), ...bound.actions];
      this.checkUniqueActions(me, 'Test', testActions);
      this.pipeline.addStage({ stageName: 'Test', actions: testActions });
      for (const target of props.testActions ?? []) target.afterActionsAdded();
    }

    // Deploy stages
    for (const stageOptions of stages) {
      const { stageName } = stageOptions;
      // With reviewChangeSets: change sets at 1, the gate's approval at 2, execution and other targets at 3.
      const review = stageOptions.reviewChangeSets ?? false;
      const gate = stageOptions.gate?.bindToStage({ pipeline: this.pipeline, stageName, runOrder: review ? 2 : 1 });
      const gateActions = gate?.actions ?? [];
      if (review) checkReviewGate(me, stageName, gateActions);
      const firstRunOrder = review ? 3 : gateActions.length > 0 ? 2 : 1;
      let lastRunOrder = firstRunOrder;
      const stageActions: codepipeline.IAction[] = [...gateActions];
      const stageOutputs: codepipeline.Artifact[] = [];
      const reviewed: string[] = [];
      for (const target of stageOptions.targets) {
        const binding = target.bind(this, {
          stageName, runOrder: firstRunOrder, defaultInput, artifacts: { ...artifacts }, reviewRunOrder: review ? 1 : undefined,
        });
        reviewed.push(...binding.reviewActions ?? []);
        v.checkCrossRegionEnv(this, stageName, binding.actions.map((a) => ({
          actionName: a.actionProperties.actionName, region: a.actionProperties.region,
        })));
        stageActions.push(...binding.actions);
        stageOutputs.push(...binding.outputs ?? []);
        lastRunOrder = Math.max(lastRunOrder, binding.lastRunOrder);
      }
      if (review && reviewed.length === 0) {
        fail(me, `stage '${stageName}' has reviewChangeSets but none of its targets creates a change set to review; `
          + 'add a DeployTarget.cloudFormation target, or drop reviewChangeSets.');
      }
      // Tests after the targets; in a stage without targets, right after the gate.
      const testRunOrder = stageOptions.targets.length > 0 ? lastRunOrder + 1 : firstRunOrder;
      const tests = testSteps(stageName, stageOptions.postDeployTests ?? [], testRunOrder, `${stageName}Test`);
      stageActions.push(...tests.map((s) => s.action));
      produce(`a target in stage '${stageName}'`, stageOutputs);
      if (stageActions.length === 0) {
        fail(me, `stage '${stageName}' has no actions: no targets, no postDeployTests, and ${stageOptions.gate ? 'its gate adds no manual approval' : 'no gate'}; `
          + 'give it targets, postDeployTests or a gate with a manual approval (an approval-only stage), or remove the stage.');
      }
      this.checkUniqueActions(me, stageName, stageActions);
      this.checkRunOrders(me, stageName, stageActions);
      this.pipeline.addStage({
        stageName,
        actions: stageActions,
        beforeEntry: gate?.beforeEntry,
        onSuccess: gate?.onSuccess,
        onFailure: stageOnFailure(me, stageName, gate?.onFailure, stageOptions.retryOnFailure),
      });
      for (const target of stageOptions.targets) target.afterActionsAdded();
    }

    wireCdkStages(this, {
      pipeline: this.pipeline,
      artifactBucket: this.artifactBucket,
      targets: stages.flatMap((s) => s.targets),
      bindOptions: { stageName: 'Assets', runOrder: 1, defaultInput, artifacts: { ...artifacts } },
      beforeStageName: stages[0]?.stageName ?? '',
      selfUpdate: props.selfUpdate ?? false,
      errorPrefix: me,
    });

    this.acknowledgeCrossAccountSupport(crossAccountTargets);
    this.acknowledgeCrossRegionSupport(props.artifactBucket ? Duration.days(30) : (props.artifactExpiration ?? Duration.days(30)));

    if (props.failureNotifications ?? true) {
      this.failureNotifications = new FailureNotifications(this, 'FailureNotifications', { pipeline: this.pipeline, ...props.notifications });
    }

    // Every CodePipeline rule and quota, checked on the synthesized pipeline (also what the
    // caller adds later, e.g. through `pipeline.addStage` or `DeployTarget.action`).
    PipelineChecks.enforce(this);
  }

  private validateProps(me: string, props: SourceBuildDeployPipelineProps, stages: Array<DeployStageOptions & { targets: DeployTarget[] }>): void {
    if (props.pipelineName !== undefined && !Token.isUnresolved(props.pipelineName) && !CODEPIPELINE_NAME.test(props.pipelineName)) {
      fail(me, `pipelineName '${props.pipelineName}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
    }
    const type = props.pipelineType ?? codepipeline.PipelineType.V2;
    const mode = props.executionMode ?? codepipeline.ExecutionMode.SUPERSEDED;
    if (type !== codepipeline.PipelineType.V2 && mode !== codepipeline.ExecutionMode.SUPERSEDED) {
      fail(me, `executionMode ${mode} needs a V2 pipeline but pipelineType is ${type}; use PipelineType.V2 (the default) or ExecutionMode.SUPERSEDED.`);
    }
    if (type !== codepipeline.PipelineType.V2 && (props.variables ?? []).length > 0) {
      fail(me, `pipeline variables need a V2 pipeline but pipelineType is ${type}; use PipelineType.V2 (the default).`);
    }
    const hasBuild = props.buildStep !== undefined || (props.buildActions ?? []).length > 0;
    const hasTests = (props.tests ?? []).length > 0 || (props.testActions ?? []).length > 0;
    if (stages.length === 0 && !hasBuild && !hasTests) {
      fail(me, 'nothing runs after the source: no buildStep, no tests and no stages; give a buildStep (a build-only pipeline), tests, '
        + 'or a deploy stage, e.g. { stageName: \'Prod\', targets: [DeployTarget.cloudFormation({ ... })] }.');
    }
    if (stages.length === 0 && props.selfUpdate) {
      fail(me, 'selfUpdate is on but the pipeline has no deploy stages; the UpdatePipeline stage goes before the first deploy stage: add one, or drop selfUpdate.');
    }
    const seen = new Set<string>(RESERVED_STAGES.filter((s) => s !== 'Build' || hasBuild).filter((s) => s !== 'Test' || hasTests));
    for (const stage of stages) {
      if (!Token.isUnresolved(stage.stageName) && !CODEPIPELINE_NAME.test(stage.stageName)) {
        fail(me, `stageName '${stage.stageName}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
      }
      if (seen.has(stage.stageName)) {
        fail(me, `stage name '${stage.stageName}' appears twice (the pipeline's own stages are ${RESERVED_STAGES.join(', ')}); give each stage a distinct name.`);
      }
      seen.add(stage.stageName);
      if (stage.reviewChangeSets && !stage.gate) {
        fail(me, `stage '${stage.stageName}' has reviewChangeSets but no gate; give it a gate with a manual approval, e.g. new ApprovalGate(this, 'Approve', { emails: [...] }).`);
      }
      if (stage.retryOnFailure !== undefined && type !== codepipeline.PipelineType.V2) {
        fail(me, `stage '${stage.stageName}' has retryOnFailure, which is a V2 stage condition, but pipelineType is ${type}; use PipelineType.V2 (the default).`);
      }
      if (stage.targets.length === 0 && !stage.gate && (stage.postDeployTests ?? []).length === 0) {
        fail(me, `stage '${stage.stageName}' has no targets, no gate and no postDeployTests; give at least one DeployTarget `
          + '(DeployTarget.action(...) for anything else), a gate with a manual approval (an approval-only stage) or tests, or remove the stage.');
      }
      if (stage.targets.length === 0 && stage.reviewChangeSets) {
        fail(me, `stage '${stage.stageName}' has reviewChangeSets but no targets; add the DeployTarget.cloudFormation targets whose change sets are reviewed.`);
      }
    }
    if ((props.testsBesideBuild ?? []).length > 0 && !props.buildStep) {
      fail(me, 'testsBesideBuild is given but there is no buildStep; put the tests in `tests` (stage \'Test\'), or give a buildStep.');
    }
    const lists: [string, TestOptions[]][] = [['Build', props.testsBesideBuild ?? []], ['Test', props.tests ?? []], ...stages.map((st) => [st.stageName, st.postDeployTests ?? []] as [string, TestOptions[]])];
    for (const [stageName, tests] of lists) {
      const names = tests.map((t) => t.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined) {
        fail(me, `stage '${stageName}' has two tests named '${dup}'; give each test a distinct name.`);
      }
    }
    if (props.failureNotifications === false && props.notifications) {
      fail(me, 'notifications is given but failureNotifications is false; drop one of them.');
    }
    if (props.artifactBucket && (props.encryptionKey || props.artifactExpiration)) {
      fail(me, `artifactBucket is given with ${props.encryptionKey ? 'encryptionKey' : 'artifactExpiration'}; those configure the bucket defined for you: set encryption and lifecycle on your bucket instead.`);
    }
    const retention = props.artifactExpiration;
    if (retention && !retention.isUnresolved() && retention.toDays({ integral: false }) < 1) {
      fail(me, `artifactExpiration ${retention.toHumanString()} is under 1 day; S3 lifecycle expiry counts whole days, pass Duration.days(1) or more.`);
    }
    if (retention && !retention.isUnresolved() && !Number.isInteger(retention.toDays({ integral: false }))) {
      fail(me, `artifactExpiration ${retention.toHumanString()} is not a whole number of days; S3 lifecycle expiry counts days, pass e.g. Duration.days(30).`);
    }
  }

  private defineArtifactBucket(me: string, props: SourceBuildDeployPipelineProps, crossAccountTargets: DeployTarget[]): s3.IBucket {
    const crossAccount = crossAccountTargets.length > 0;
    if (props.artifactBucket) {
      if (crossAccount && !props.artifactBucket.encryptionKey) {
        fail(me, `a target deploys to account ${crossAccountTargets[0].account} but the given artifactBucket has no KMS key; ` +
          'the AWS managed S3 key cannot be shared across accounts: pass a bucket encrypted with a customer-managed key, or leave artifactBucket out.');
      }
      return props.artifactBucket;
    }
    const key = props.encryptionKey ?? (crossAccount
      ? new kms.Key(this, 'ArtifactKey', {
        description: `Artifacts of pipeline ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      })
      : undefined);
    if (key instanceof kms.Key && !props.encryptionKey) allowGrantsOnlyForAwsResources(key);
    const logs = defineAccessLogBucket(this, 'AccessLogs', {
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, // delivery through the bucket policy below
    });
    const bucket = new s3.Bucket(this, 'ArtifactBucket', {
      // Named only when another account's stack refers to it (a cross-account target).
      bucketName: PhysicalName.GENERATE_IF_NEEDED,
      encryption: key ? s3.BucketEncryption.KMS : s3.BucketEncryption.KMS_MANAGED,
      encryptionKey: key,
      bucketKeyEnabled: key ? true : undefined,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned (Control Tower CT.S3.PR.11, with lifecycle CT.S3.PR.3): an overwritten or expired artifact stays
      // recoverable for a day, then its noncurrent version and delete marker go too.
      versioned: true,
      lifecycleRules: [{
        expiration: props.artifactExpiration ?? Duration.days(30),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }, {
        expiredObjectDeleteMarker: true,
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    bucketEventsToEventBridge(bucket);
    acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'Object Lock (CT.S3.PR.9) cannot be turned off once on, and pipeline artifacts are transient: they expire after artifactExpiration. '
      + 'An account that enables CT.S3.PR.9 fails the deployment of this bucket: pass artifactBucket, a bucket of your own with Object Lock.');
    // Server access logging through a bucket policy (not the legacy log-delivery ACL), whatever
    // the app's @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy flag says.
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: logs.bucketName,
      logFilePrefix: 'artifacts/',
    };
    logs.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsPolicy',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logs.arnForObjects('artifacts/*')],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));
    return bucket;
  }

  /**
   * aws-cdk-lib puts the roles of cross-account actions in a support stack per account
   * ('cross-account-support-stack-<account>'). Acknowledge there, on this pipeline's roles only,
   * the wildcards its grants cause (artifact reads, the artifact key, the target stack).
   */
  private acknowledgeCrossAccountSupport(targets: DeployTarget[]): void {
    const stage = CdkStage.of(this);
    if (!stage) return;
    const onlyUnder = `/${Names.uniqueId(this.pipeline)}-`;
    for (const account of new Set(targets.map((t) => t.account!))) {
      const support = stage.node.tryFindChild(`cross-account-support-stack-${account}`);
      if (!support) continue;
      const stackArn = arnPattern('cloudformation', 'stack/[A-Za-z][A-Za-z0-9-]*/\\*', { account });
      const stackReason = 'CloudFormation stack ARNs end in an id generated at creation: the wildcard covers only the named stack of this action, '
        + 'and DescribeStack*/GetTemplate* are read-only action groups on it (aws-cdk-lib CloudFormation action grants).';
      const keyAccounts = this.narrowCrossAccountKeyGrants(support, onlyUnder);
      const allowances: WildcardAllowance[] = [
        ...artifactBucketAllowances(this.artifactBucket),
        {
          resource: '*',
          onlyActions: ['kms:Decrypt', 'kms:DescribeKey'],
          reason: 'The artifact keys live in the pipeline account and have no physical name, so aws-cdk-lib cannot name them in a policy of another '
            + 'account and grants kms:Decrypt/DescribeKey on "*" here. '
            + (keyAccounts ? `The statement holds only for keys owned by account ${keyAccounts.join(', ')} (condition aws:ResourceAccount), and `
              : 'The artifact key\'s account is not known at synth, so the statement is not narrowed further; ')
            + 'the key policy of each artifact key decides which roles of this account may use it.',
        },
        { action: 'cloudformation:DescribeStack*', resourcePattern: () => stackArn, reason: stackReason },
        { action: 'cloudformation:GetTemplate*', resourcePattern: () => stackArn, reason: stackReason },
        { resourcePattern: () => stackArn, reason: stackReason },
      ];
      // Replication buckets in other regions: the action and deployment roles read their artifacts there.
      for (const replication of Object.values(this.pipeline.crossRegionSupport)) {
        if (replication.replicationBucket !== this.artifactBucket) allowances.push(...artifactBucketAllowances(replication.replicationBucket));
      }
      acknowledgeWildcards(support, allowances.map((a) => ({ ...a, onlyUnder })));
    }
  }

  /**
   * aws-cdk-lib grants the roles it defines in a target account's support stack (action and deployment
   * roles) kms:Decrypt/DescribeKey on "*": the artifact keys are in another account and have no name an
   * IAM policy can hold. Hold those statements to keys of the accounts owning the artifact stores
   * (`aws:ResourceAccount`; the replication keys are in the pipeline account too). Returns those accounts,
   * or undefined when one is a token (then the statements stay as aws-cdk-lib wrote them).
   */
  private narrowCrossAccountKeyGrants(support: IConstruct, onlyUnder: string): string[] | undefined {
    const keys = [this.artifactBucket, ...Object.values(this.pipeline.crossRegionSupport).map((r) => r.replicationBucket)]
      .map((b) => b.encryptionKey).filter((k): k is kms.IKey => k !== undefined);
    const accounts = [...new Set(keys.map((k) => k.env.account))].sort();
    if (accounts.length === 0 || accounts.some((a) => Token.isUnresolved(a))) return undefined;
    for (const policy of support.node.findAll()) {
      if (!(policy instanceof iam.Policy) || !policy.node.path.includes(onlyUnder)) continue;
      // PolicyDocument has no public reader of its statements; the statements are aws-cdk-lib's own grants.
      const statements = ((policy.document as unknown as { statements?: iam.PolicyStatement[] }).statements ?? [])
        .filter((st) => st.effect === iam.Effect.ALLOW && st.resources.length === 1 && st.resources[0] === '*' && !st.frozen
          && st.actions.length > 0 && st.actions.every((a) => a === 'kms:Decrypt' || a === 'kms:DescribeKey') && Object.keys(st.conditions ?? {}).length === 0);
      for (const st of statements) st.addCondition('StringEquals', { 'aws:ResourceAccount': accounts.length === 1 ? accounts[0] : accounts });
    }
    return accounts;
  }

  /**
   * A target in another region: aws-cdk-lib defines a replication bucket in a support stack of
   * that region. Acknowledge the grants on it (like those on the artifact bucket) and its
   * missing access logs.
   */
  private acknowledgeCrossRegionSupport(expiration: Duration): void {
    const aliases: string[] = [];
    for (const support of Object.values(this.pipeline.crossRegionSupport)) {
      const bucket = support.replicationBucket;
      if (bucket === this.artifactBucket) continue;
      acknowledgeWildcards(this, artifactBucketAllowances(bucket));
      if (bucket.encryptionKey instanceof kms.Alias) {
        aliases.push(bucket.encryptionKey.aliasName);
        if (bucket.encryptionKey.aliasTargetKey instanceof kms.Key) allowGrantsOnlyForAwsResources(bucket.encryptionKey.aliasTargetKey);
      }
      // What costs nothing on aws-cdk-lib's replication bucket, as on the artifact bucket: versioning,
      // expiry of artifacts and of their noncurrent versions, events to EventBridge.
      const cfnBucket = bucket.node.defaultChild;
      if (bucket instanceof s3.Bucket && cfnBucket instanceof s3.CfnBucket) {
        cfnBucket.versioningConfiguration = { status: 'Enabled' };
        cfnBucket.lifecycleConfiguration = {
          rules: [
            { status: 'Enabled', expirationInDays: expiration.toDays(), noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            { status: 'Enabled', expiredObjectDeleteMarker: true },
          ],
        };
        bucketEventsToEventBridge(bucket);
        acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
          'Object Lock (CT.S3.PR.9) cannot be turned off once on, and replicated artifacts are transient (they expire like the artifact bucket\'s). '
          + 'An account that enables CT.S3.PR.9 fails the deployment of this aws-cdk-lib support stack.');
        acknowledge(bucket, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
          'aws-cdk-lib defines this replication bucket in its own support stack with no server access logs (see AwsSolutions-S1 here). '
          + 'An account that enables CT.S3.PR.2 fails the deployment of that support stack.');
      }
      acknowledge(bucket, 'AwsSolutions-S1',
        'Replication artifact store that aws-cdk-lib defines in its own cross-region support stack (SSL enforced, public access blocked): aws-cdk-lib '
        + 'gives it no server access logs and offers no option to add them, and this construct does not take replication buckets of your own, so reads '
        + 'and writes of its objects are not logged unless you enable CloudTrail S3 data events (off by default). Only the pipeline role and its action '
        + 'roles are granted access to it.');
    }
    this.narrowReplicationKeyGrants(aliases);
  }

  /**
   * aws-cdk-lib grants the pipeline role the keys of replication buckets in other regions on "*"
   * (the key is in another stack and has no name an IAM policy can hold). Limit that statement to
   * the keys behind those aliases (`kms:ResourceAliases`), and acknowledge the "*" it keeps.
   */
  private narrowReplicationKeyGrants(aliases: string[]): void {
    if (aliases.length === 0) return;
    const policy = this.pipeline.role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof iam.Policy)) return;
    // PolicyDocument has no public reader of its statements; the statements are aws-cdk-lib's own grants.
    const statements = ((policy.document as unknown as { statements?: iam.PolicyStatement[] }).statements ?? [])
      .filter((st) => st.effect === iam.Effect.ALLOW && st.resources.length === 1 && st.resources[0] === '*'
        && st.actions.length > 0 && st.actions.every((a) => a.startsWith('kms:')) && Object.keys(st.conditions ?? {}).length === 0 && !st.frozen);
    for (const st of statements) st.addCondition('ForAnyValue:StringEquals', { 'kms:ResourceAliases': aliases });
    if (statements.length === 0) return;
    const reason = 'Keys of the replication buckets aws-cdk-lib defines in other regions: the key has no name an IAM policy can hold, so aws-cdk-lib grants on "*"; '
      + `the statement holds only for keys with the alias ${aliases.join(', ')} (condition kms:ResourceAliases), i.e. those replication keys.`;
    acknowledgeWildcards(this.pipeline.role, [
      { resource: '*', onlyActions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], reason },
      { action: 'kms:ReEncrypt*', resources: ['*'], reason },
      { action: 'kms:GenerateDataKey*', resources: ['*'], reason },
    ]);
  }

  private checkUniqueActions(me: string, stageName: string, stageActions: codepipeline.IAction[]): void {
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

  private checkRunOrders(me: string, stageName: string, stageActions: codepipeline.IAction[]): void {
    for (const action of stageActions) {
      const runOrder = action.actionProperties.runOrder ?? 1;
      if (runOrder < 1 || runOrder > 999) {
        fail(me, `stage '${stageName}', action '${action.actionProperties.actionName}' has runOrder ${runOrder}; use 1-999.`);
      }
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

/** With reviewChangeSets, the gate must approve between the change sets (runOrder 1) and their execution (3). */
function checkReviewGate(me: string, stageName: string, gateActions: codepipeline.IAction[]): void {
  if (gateActions.length === 0) {
    fail(me, `stage '${stageName}' has reviewChangeSets but its gate has no manual approval (only conditions); give the gate a manual approval `
      + '(emails, approvers, message or manual: true), or drop reviewChangeSets.');
  }
  for (const action of gateActions) {
    if ((action.actionProperties.runOrder ?? 1) !== 2) {
      fail(me, `stage '${stageName}' has reviewChangeSets but its gate put action '${action.actionProperties.actionName}' at runOrder `
        + `${action.actionProperties.runOrder ?? 1}; the gate must place its actions at the runOrder bindToStage passes (2, after the change sets).`);
    }
  }
}
