import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { DeployStageOptions, SourceBuildDeployPipelineProps } from './props';
import { planStageReview, reviewStageNames, StageReviewPlan } from './stage-review';
import { BuildOptions, TestOptions } from '../../build/build-options';
import { guardLateChanges } from '../../cdk/private/late-changes';
import { DeployTarget } from '../../deploy/deploy-target';
import type { CdkStageTarget } from '../../deploy/targets/cdk-stage-target';
import { IStageGate } from '../../gates/stage-gate';
import { FailureNotificationsOptions } from '../../notifications/failure-notifications';
import { fail } from '../../private/errors';
import { CODEPIPELINE_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { ReviewPolicy } from '../../review/review-policy';
import { PipelineSource } from '../../source/pipeline-source';
import { CdkStageRules } from '../private/cdk-stage-rules';

/**
 * The complete plan of a `SourceBuildDeployPipeline`: every input validated, every default
 * applied, every stage and runOrder laid out, the CDK stages found. Rendering (render.ts,
 * artifact-bucket.ts) works from this alone and never reads the props.
 *
 * What the plan cannot hold: the artifacts a `DeployTarget` outputs and the actions a gate
 * defines are known only once they are bound (binding defines their constructs), so the render
 * keeps the artifact registry and checks the bound actions.
 */
export interface PipelinePlan {
  /** How errors name the pipeline: `SourceBuildDeployPipeline '<id>'`. */
  readonly me: string;
  readonly pipelineName?: string;
  readonly pipelineType: codepipeline.PipelineType;
  readonly executionMode: codepipeline.ExecutionMode;
  readonly variables?: codepipeline.Variable[];
  readonly restartExecutionOnUpdate: boolean;
  readonly store: ArtifactStorePlan;
  readonly source: PipelineSource;
  /** The 'Build' stage; undefined: no build. */
  readonly build?: BuildStagePlan;
  /** The 'Test' stage; undefined: no tests. */
  readonly test?: TestStagePlan;
  /** The deploy stages, in order. */
  readonly deployStages: DeployStagePlan[];
  /** The `DeployTarget.cdkStage` targets of the deploy stages, in stage order (their assets are published before the first deploy stage). */
  readonly cdkStages: CdkStageTarget[];
  /** Define the UpdatePipeline stage (CdkSelfUpdate). */
  readonly selfUpdate: boolean;
  /** Failure notification options; undefined: no failure notifications. */
  readonly failureNotifications?: FailureNotificationsOptions;
}

/** The artifact bucket: given, or defined with these settings. */
export interface ArtifactStorePlan {
  /** The caller's bucket; undefined: the pipeline defines one. */
  readonly given?: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
  /** Expiry of the artifacts in the defined bucket. */
  readonly expiration: Duration;
  /** Expiry of the replicated artifacts in the buckets aws-cdk-lib defines in other regions. */
  readonly replicationExpiration: Duration;
  /** Targets that name an account other than the pipeline's (their roles live in aws-cdk-lib's support stacks). */
  readonly crossAccountTargets: DeployTarget[];
  /** Targets that need the KMS-encrypted store: the cross-account ones and the CDK stages with a stack in another account. */
  readonly kmsNeededBy: DeployTarget[];
}

/** The 'Build' stage: the build step, the tests beside it and the build actions, all at runOrder 1. */
export interface BuildStagePlan {
  readonly step?: BuildOptions;
  readonly testsBeside: TestOptions[];
  readonly actions: DeployTarget[];
}

/** The 'Test' stage: tests and test actions in parallel (runOrder 1), on the primary build output. */
export interface TestStagePlan {
  readonly tests: TestOptions[];
  readonly actions: DeployTarget[];
}

/**
 * One deploy stage. runOrders: the gate's actions at `gateRunOrder`; the targets from 1 when the
 * gate adds no action, else from 2; with `reviewChangeSets` the change sets at `reviewRunOrder` (1),
 * the gate's approval at 2 and the targets (executions) from 3; the post-deploy tests after the
 * targets' last runOrder.
 */
export interface DeployStagePlan {
  readonly stageName: string;
  readonly targets: DeployTarget[];
  readonly gate?: IStageGate;
  readonly postDeployTests: TestOptions[];
  readonly retryOnFailure?: codepipeline.RetryMode;
  readonly reviewChangeSets: boolean;
  readonly gateRunOrder: number;
  readonly reviewRunOrder?: number;
  /** The change-set review (with `reviewChangeSets`): its policy and layout (stage-review.ts). */
  readonly review?: StageReviewPlan;
}

/** The pipeline's own stages, before the deploy stages. */
export const RESERVED_STAGES = ['Source', 'Build', 'Test'];

/**
 * Validate the props (failing with `SourceBuildDeployPipeline '<id>': ...` messages) and plan the
 * pipeline. Defines nothing: the scope only gives the stack's account.
 */
export function planPipeline(scope: IConstruct, id: string, props: SourceBuildDeployPipelineProps): PipelinePlan {
  const me = `SourceBuildDeployPipeline '${id}'`;
  checkPropTypes(me, props);
  // No stages (build-only pipelines) and stages without targets (approval-only or test-only) are fine.
  const stages = props.stages.map((st) => ({ ...st, targets: st.targets ?? [] }));
  validateProps(me, props, stages);
  // Every CDK stage once, no stack twice in one environment (the rules of CrossRegionCfnPipeline's waves).
  const rules = new CdkStageRules(me);
  for (const st of stages) {
    for (const cdk of st.targets.map((t) => t._cdkStage()).filter((k): k is CdkStageTarget => k !== undefined)) {
      rules.addStage(cdk.stage, `stage '${st.stageName}'`);
      rules.addStacks(cdk.describe(scope));
      guardLateChanges(cdk.stage, `${me}, stage '${st.stageName}' (DeployTarget.cdkStage)`);
    }
  }

  const account = Stack.of(scope).account;
  const extraTargets = [...props.buildActions ?? [], ...props.testActions ?? []];
  const crossAccountTargets = [...extraTargets, ...stages.flatMap((s) => s.targets)]
    .filter((t) => t.account !== undefined && !Token.isUnresolved(t.account) && t.account !== account);
  const cdkStages = stages.flatMap((s) => s.targets.map((t) => ({ target: t, cdk: t._cdkStage() })));
  // A CDK stage may span accounts: any stack in another account needs the KMS-encrypted store.
  const cdkCrossAccount = cdkStages
    .filter(({ target, cdk }) => !crossAccountTargets.includes(target) && cdk?.accounts.some((a) => a !== account))
    .map(({ target }) => target);

  const hasBuild = props.buildStep !== undefined || (props.buildActions ?? []).length > 0;
  const hasTests = (props.tests ?? []).length > 0 || (props.testActions ?? []).length > 0;
  return {
    me,
    pipelineName: props.pipelineName,
    pipelineType: props.pipelineType ?? codepipeline.PipelineType.V2,
    executionMode: props.executionMode ?? codepipeline.ExecutionMode.SUPERSEDED,
    variables: props.variables,
    restartExecutionOnUpdate: props.restartExecutionOnUpdate ?? false,
    store: {
      given: props.artifactBucket,
      encryptionKey: props.encryptionKey,
      expiration: props.artifactExpiration ?? Duration.days(30),
      replicationExpiration: props.artifactBucket ? Duration.days(30) : (props.artifactExpiration ?? Duration.days(30)),
      crossAccountTargets,
      kmsNeededBy: [...crossAccountTargets, ...cdkCrossAccount],
    },
    source: props.source,
    build: hasBuild ? { step: props.buildStep, testsBeside: props.testsBesideBuild ?? [], actions: props.buildActions ?? [] } : undefined,
    test: hasTests ? { tests: props.tests ?? [], actions: props.testActions ?? [] } : undefined,
    deployStages: stages.map((st) => {
      const review = st.reviewChangeSets ?? false;
      const reviewPlan = planStageReview(me, st, (props.pipelineType ?? codepipeline.PipelineType.V2) === codepipeline.PipelineType.V2);
      return {
        stageName: st.stageName,
        targets: st.targets,
        gate: st.gate,
        postDeployTests: st.postDeployTests ?? [],
        retryOnFailure: st.retryOnFailure,
        reviewChangeSets: review,
        // reviewed: change sets 1, review 2, approval 3 (in its own stage, 1, when the policy may skip it)
        gateRunOrder: review && !reviewPlan?.split ? 3 : 1,
        reviewRunOrder: review ? 1 : undefined,
        review: reviewPlan,
      };
    }),
    cdkStages: cdkStages.map(({ cdk }) => cdk).filter((k): k is CdkStageTarget => k !== undefined),
    selfUpdate: props.selfUpdate ?? false,
    failureNotifications: (props.failureNotifications ?? true) ? (props.notifications ?? {}) : undefined,
  };
}

/** The type of every prop (plain-JavaScript callers included). */
function checkPropTypes(me: string, props: SourceBuildDeployPipelineProps): void {
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
      reviewPolicy: v.oneOf('a ReviewPolicy', Object.values(ReviewPolicy), 'e.g. ReviewPolicy.SKIP_WHEN_EMPTY'),
      production: v.bool,
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
}

/** The rules between props. */
function validateProps(me: string, props: SourceBuildDeployPipelineProps, stages: Array<DeployStageOptions & { targets: DeployTarget[] }>): void {
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
  // Before aws-cdk-lib's own "Variable with duplicate name" error, with the fix.
  const variableNames = (props.variables ?? []).map((variable) => variable.variableName).filter((n) => !Token.isUnresolved(n));
  const twice = variableNames.find((n, i) => variableNames.indexOf(n) !== i);
  if (twice !== undefined) {
    fail(me, `pipeline variable '${twice}' is declared twice in variables; declare each variable once (one codepipeline.Variable per name).`);
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
    for (const added of reviewStageNames(stage.stageName, planStageReview(me, stage, type === codepipeline.PipelineType.V2))) {
      if (seen.has(added)) fail(me, `stage name '${added}' appears twice (stage '${stage.stageName}' adds it for its change-set review); give each stage a distinct name.`);
      seen.add(added);
    }
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
  if (props.selfUpdate && props.restartExecutionOnUpdate) {
    fail(me, 'selfUpdate is on with restartExecutionOnUpdate; a self-update never restarts the execution, drop restartExecutionOnUpdate.');
  }
}
