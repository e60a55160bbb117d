import { CfnCapabilities, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { OUTPUT_NAME } from './private/stack-outputs';
import { TargetKind } from './private/target-kind';
import { StackOutputOptions } from './stack-outputs';
import { STACK_SET_DEPLOYMENT_MODEL_MEMBERS } from '../private/cdk-internals';
import { fail } from '../private/errors';
import * as v from '../private/validate';
import { ActionTarget } from './targets/action-target';
import { CdkStageTarget, CdkStageTargetOptions } from './targets/cdk-stage-target';
import { CloudFormationTarget, CloudFormationTargetOptions } from './targets/cloudformation-target';
import { codeDeployTarget, CodeDeployTargetOptions } from './targets/codedeploy-target';
import { commandsTarget, CommandsTargetOptions } from './targets/commands-target';
import { ec2Target, Ec2TargetOptions } from './targets/ec2-target';
import { ecrBuildAndPublishTarget, EcrBuildAndPublishTargetOptions } from './targets/ecr-build-and-publish-target';
import { ecsBlueGreenTarget, EcsBlueGreenTargetOptions } from './targets/ecs-blue-green-target';
import { ecsTarget, EcsTargetOptions } from './targets/ecs-target';
import { EksDeployment, eksTarget, EksTargetOptions } from './targets/eks-target';
import { elasticBeanstalkTarget, ElasticBeanstalkTargetOptions } from './targets/elastic-beanstalk-target';
import { InspectorScanSubject, inspectorScanTarget, InspectorScanTargetOptions } from './targets/inspector-scan-target';
import { DeployStrategy, lambdaDeployTarget, LambdaDeployTargetOptions } from './targets/lambda-deploy-target';
import { lambdaInvokeTarget, LambdaInvokeTargetOptions } from './targets/lambda-invoke-target';
import { pipelineInvokeTarget, PipelineInvokeTargetOptions } from './targets/pipeline-invoke-target';
import { S3Target, S3TargetOptions } from './targets/s3-target';
import { StackSetInstancesTarget, StackSetInstancesTargetOptions, StackSetTarget, StackSetTargetOptions } from './targets/stack-set-target';
import { stepFunctionsTarget, StepFunctionsTargetOptions } from './targets/step-functions-target';

/**
 * Where a target finds its files. Everywhere a target takes an artifact or a file, it takes a
 * string: `'ArtifactName'` or `'ArtifactName::path/in/artifact'`; a plain `'path'` (for a file)
 * or nothing (for an artifact) means the pipeline's default input (the primary build output,
 * or the source output when there is no build).
 */
export interface DeployTargetBindOptions {
  /** Name of the stage the target is placed in (for error messages). */
  readonly stageName: string;

  /** runOrder of the target's first action. */
  readonly runOrder: number;

  /** The artifact used when the target names none. */
  readonly defaultInput: codepipeline.Artifact;

  /** Every artifact produced by an earlier stage, by name. */
  readonly artifacts: { [name: string]: codepipeline.Artifact };

  /**
   * Set when the stage reviews changes before it applies them (`reviewChangeSets`): a target
   * that can prepare its change for review (a CloudFormation change set) puts that action at this
   * runOrder, before the gate's approval, and what applies the change at `runOrder`. Other
   * targets ignore it and deploy at `runOrder`, after the approval.
   *
   * @default - no review: everything at `runOrder` and after
   */
  readonly reviewRunOrder?: number;
}

/** What a bound target gives the stage. */
export interface DeployTargetBinding {
  /** The actions to add to the stage. */
  readonly actions: codepipeline.IAction[];

  /** The highest runOrder the actions use (later actions of the stage go after it). */
  readonly lastRunOrder: number;

  /**
   * Artifacts the actions output, for later stages.
   *
   * @default - none
   */
  readonly outputs?: codepipeline.Artifact[];

  /**
   * Names of the actions that prepared a change for review at `reviewRunOrder` (e.g. the
   * change-set actions).
   *
   * @default - none
   */
  readonly reviewActions?: string[];

  /**
   * The change sets the actions at `reviewRunOrder` create, for the stage's change-set review.
   *
   * @default - none
   */
  readonly changeSets?: ReviewedChangeSet[];
}

/** A change set a target creates for review (before the approval) and executes after it. */
export interface ReviewedChangeSet {
  /** Name of the stack. */
  readonly stackName: string;

  /** Name of the change set. */
  readonly changeSetName: string;

  /**
   * Account of the stack.
   *
   * @default - the pipeline's account
   */
  readonly account?: string;

  /**
   * Region of the stack.
   *
   * @default - the pipeline's region
   */
  readonly region?: string;
}

/**
 * Where a stage deploys: CloudFormation, ECS, ECS blue/green, CodeDeploy, S3, Elastic
 * Beanstalk, a Lambda function, a Step Functions state machine, or any action.
 */
export abstract class DeployTarget {
  /** A CloudFormation stack, deployed directly or through a change set. */
  public static cloudFormation(options: CloudFormationTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.cloudFormation', options, {
      stackName: v.required(v.str("a stack name, e.g. 'my-app'")),
      templatePath: v.required(v.str("the template in an artifact, e.g. 'BuildOutput::app.template.json'")),
      changeSet: v.bool,
      changeSetName: v.str(),
      parameterOverrides: v.mapOf(v.plainData),
      templateConfiguration: v.str(),
      extraInputs: v.strings,
      capabilities: v.arrayOf(v.oneOf('a CfnCapabilities', Object.values(CfnCapabilities), 'e.g. CfnCapabilities.NAMED_IAM')),
      executionRole: v.cdk.role,
      actionRole: v.cdk.role,
      executionPolicy: v.arrayOf(v.cdk.policyStatement),
      allowEmptyExecutionPolicy: v.bool,
      account: v.str(),
      region: v.str(),
      actionName: v.str(),
    }, 'options');
    return new KindTarget(new CloudFormationTarget(options));
  }

  /**
   * A CloudFormation StackSet: one action (CloudFormationStackSet) creates or updates the stack set
   * from one template and deploys its instances to `accounts` (self-managed) or
   * `organizationalUnits` (service-managed) in `regions`. Add instances in later stages with
   * `DeployTarget.stackSetInstances`.
   */
  public static stackSet(options: StackSetTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.stackSet', options, {
      ...STACK_SET_INSTANCES_SPEC,
      template: v.required(v.str("the template in an artifact, e.g. 'baseline.yaml' or 'BuildOutput::baseline.yaml'")),
      deploymentModel: v.implementing('a StackSetDeploymentModel', 'e.g. StackSetDeploymentModel.organizations()', ...STACK_SET_DEPLOYMENT_MODEL_MEMBERS),
      parameters: v.mapOf(v.str()),
      capabilities: v.arrayOf(v.oneOf('a CfnCapabilities', Object.values(CfnCapabilities), 'e.g. CfnCapabilities.NAMED_IAM')),
      description: v.str(),
    }, 'options');
    return new KindTarget(new StackSetTarget(options));
  }

  /**
   * More instances of a stack set an earlier stage deployed (`DeployTarget.stackSet`): one action
   * (CloudFormationStackInstances) in `accounts` or `organizationalUnits`, in `regions`.
   */
  public static stackSetInstances(options: StackSetInstancesTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.stackSetInstances', options, STACK_SET_INSTANCES_SPEC, 'options');
    return new KindTarget(new StackSetInstancesTarget(options));
  }

  /** An ECS service (rolling update from an image definitions file). */
  public static ecs(options: EcsTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.ecs', options, { service: v.required(v.cdk.ecsService), imageFile: v.str(), deploymentTimeout: v.duration(), actionName: v.str() }, 'options');
    return new KindTarget(ecsTarget(options));
  }

  /** An ECS service deployed blue/green by CodeDeploy. */
  public static ecsBlueGreen(options: EcsBlueGreenTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.ecsBlueGreen', options, {
      deploymentGroup: v.required(v.cdk.deploymentGroup),
      taskDefinitionTemplatePath: v.str(),
      appSpecTemplatePath: v.str(),
      actionName: v.str(),
      containerImageInputs: v.arrayOf(v.struct({ input: v.required(v.str("an image artifact, e.g. 'Image'")), taskDefinitionPlaceholder: v.str() })),
    }, 'options');
    return new KindTarget(ecsBlueGreenTarget(options));
  }

  /** An EC2/on-premises CodeDeploy deployment group. */
  public static codeDeploy(options: CodeDeployTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.codeDeploy', options, { deploymentGroup: v.required(v.cdk.deploymentGroup), input: v.str(), actionName: v.str() }, 'options');
    return new KindTarget(codeDeployTarget(options));
  }

  /** An S3 bucket (unzipped, or as one object), optionally published to a second bucket in parallel. */
  public static s3(options: S3TargetOptions): DeployTarget {
    v.checkProps('DeployTarget.s3', options, {
      bucket: v.required(v.cdk.bucket),
      extract: v.bool,
      objectKey: v.str(),
      encryptionKey: v.cdk.key,
      input: v.str(),
      actionName: v.str(),
      cacheControl: v.arrayOf(v.implementing('an actions.CacheControl', 'e.g. actions.CacheControl.maxAge(Duration.hours(1))', 'value')),
      publishTo: v.struct({
        bucket: v.required(v.cdk.bucket), extract: v.bool, objectKey: v.str(), encryptionKey: v.cdk.key, cacheControl: v.arrayOf(v.anything),
      }),
    }, 'options');
    return new KindTarget(new S3Target(options));
  }

  /** An Elastic Beanstalk environment. */
  public static elasticBeanstalk(options: ElasticBeanstalkTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.elasticBeanstalk', options, { applicationName: v.required(v.str()), environmentName: v.required(v.str()), input: v.str(), actionName: v.str() }, 'options');
    return new KindTarget(elasticBeanstalkTarget(options));
  }

  /** A Lambda function invoked by the pipeline (custom deployment or check). */
  public static lambdaInvoke(options: LambdaInvokeTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.lambdaInvoke', options, { function: v.required(v.cdk.function), userParameters: v.mapOf(v.plainData), inputs: v.strings, outputs: v.strings, actionName: v.str() }, 'options');
    return new KindTarget(lambdaInvokeTarget(options));
  }

  /**
   * A Lambda function deployed by CodePipeline's Lambda deploy action (V2 pipelines): the code
   * from an artifact, an alias shifted to the new version all at once, canary or linear, rolled
   * back when an alarm fires.
   */
  public static lambdaDeploy(options: LambdaDeployTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.lambdaDeploy', options, {
      function: v.required(v.cdk.function),
      actionName: v.str(),
      alarms: v.arrayOf(v.cdk.alarm),
      aliasName: v.str(),
      input: v.str(),
      targetVersion: v.str(),
      deployStrategy: v.instance(DeployStrategy, 'e.g. DeployStrategy.canary(10, Duration.minutes(5))'),
    }, 'options');
    return new KindTarget(lambdaDeployTarget(options));
  }

  /**
   * An EKS cluster, by CodePipeline's EKS deploy action (V2 pipelines): a Helm chart or kubectl
   * manifests from an artifact, in a namespace, in this account or another one (through `role`).
   */
  public static eks(options: EksTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.eks', options, {
      deployment: v.required(v.instance(EksDeployment, "EksDeployment.helm({ ... }) or EksDeployment.kubectl(['k8s/app.yaml'])")),
      actionName: v.str(),
      cluster: v.cdk.cluster,
      clusterName: v.str(),
      input: v.str(),
      kubernetesNamespace: v.str(),
      role: v.cdk.role,
      securityGroups: v.arrayOf(v.cdk.securityGroup),
      subnets: v.arrayOf(v.cdk.subnet),
    }, 'options');
    return new KindTarget(eksTarget(options));
  }

  /**
   * EC2 instances (or SSM managed nodes) found by tag, by CodePipeline's EC2 deploy action (V2
   * pipelines): files copied to a directory, scripts before and after, in batches.
   */
  public static ec2(options: Ec2TargetOptions): DeployTarget {
    const maxInstances = v.implementing('an actions.Ec2MaxInstances', 'e.g. actions.Ec2MaxInstances.targets(1)', 'value');
    v.checkProps('DeployTarget.ec2', options, {
      instanceTagKey: v.required(v.str("a tag key, e.g. 'app'")),
      postScript: v.required(v.str("a script in the artifact, e.g. 'scripts/start.sh'")),
      targetDirectory: v.required(v.str("a directory, e.g. '/opt/app'")),
      actionName: v.str(),
      input: v.str(),
      instanceTagValue: v.str(),
      preScript: v.str(),
      instanceType: v.oneOf('an actions.Ec2InstanceType', Object.values(actions.Ec2InstanceType), 'e.g. actions.Ec2InstanceType.EC2'),
      maxBatch: maxInstances,
      maxError: maxInstances,
      targetGroups: v.arrayOf(v.cdk.targetGroup),
    }, 'options');
    return new KindTarget(ec2Target(options));
  }

  /** Start another pipeline, with variables and source revisions (CodePipeline's pipeline invoke action, V2 pipelines). */
  public static pipelineInvoke(options: PipelineInvokeTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.pipelineInvoke', options, {
      pipeline: v.required(v.cdk.pipeline),
      actionName: v.str(),
      variables: v.mapOf(v.str()),
      sourceRevisions: v.arrayOf(v.struct({
        actionName: v.required(v.str()),
        revisionValue: v.required(v.str()),
        revisionType: v.required(v.oneOf('an actions.RevisionType', Object.values(actions.RevisionType), 'e.g. actions.RevisionType.COMMIT_ID')),
      })),
    }, 'options');
    return new KindTarget(pipelineInvokeTarget(options));
  }

  /**
   * Shell commands on CodePipeline-managed compute, with no CodeBuild project (CodePipeline's
   * Commands action, V2 pipelines): a build or test step in any stage, with output files and
   * output variables.
   */
  public static commands(options: CommandsTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.commands', options, {
      commands: v.required(v.strings),
      actionName: v.str(),
      inputs: v.strings,
      outputVariables: v.strings,
      variablesNamespace: v.namespace,
      output: v.struct({ name: v.required(v.str("an artifact name, e.g. 'Report'")), files: v.required(v.strings) }),
    }, 'options');
    return new KindTarget(commandsTarget(options));
  }

  /**
   * Build a Docker image and push it to ECR with no CodeBuild project (CodePipeline's
   * ECRBuildAndPublish action, V2 pipelines); its `ECRImageDigestId` variable is for later stages.
   */
  public static ecrBuildAndPublish(options: EcrBuildAndPublishTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.ecrBuildAndPublish', options, {
      repository: v.required(v.cdk.ecrRepository),
      actionName: v.str(),
      dockerfileDirectory: v.str(),
      imageTags: v.strings,
      input: v.str(),
      variablesNamespace: v.namespace,
    }, 'options');
    return new KindTarget(ecrBuildAndPublishTarget(options));
  }

  /**
   * An Amazon Inspector scan of source code or an ECR image that fails the stage above the
   * severity thresholds, with the report and SBOM as an artifact (V2 pipelines).
   */
  public static inspectorScan(options: InspectorScanTargetOptions): DeployTarget {
    const threshold = v.literal(v.num('a whole number of findings, e.g. 0'));
    v.checkProps('DeployTarget.inspectorScan', options, {
      subject: v.required(v.instance(InspectorScanSubject, 'InspectorScanSubject.sourceCode() or InspectorScanSubject.ecrImage(repository)')),
      actionName: v.str(),
      output: v.str(),
      criticalThreshold: threshold,
      highThreshold: threshold,
      mediumThreshold: threshold,
      lowThreshold: threshold,
    }, 'options');
    return new KindTarget(inspectorScanTarget(options));
  }

  /** A Step Functions state machine execution. */
  public static stepFunctions(options: StepFunctionsTargetOptions): DeployTarget {
    v.checkProps('DeployTarget.stepFunctions', options, {
      stateMachine: v.required(v.cdk.stateMachine),
      executionNamePrefix: v.matching('an execution name prefix', /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/, "a prefix, e.g. 'release' (no spaces, brackets, wildcards or punctuation)"),
      actionName: v.str(),
      stateMachineInput: v.implementing('an actions.StateMachineInput', 'e.g. actions.StateMachineInput.literal({ ... })', 'input'),
    }, 'options');
    return new KindTarget(stepFunctionsTarget(options));
  }

  /**
   * Every stack of a CDK `Stage`, in dependency order, through a change set each, with the CDK
   * bootstrap roles of its environment (deploy role as action role, CloudFormation execution
   * role as deployment role). The stage is read (synthesized) when the pipeline that deploys it
   * is defined: add every stack to the stage before defining the pipeline. The pipeline publishes
   * its assets (one action per environment) before the first deployment.
   */
  public static cdkStage(stage: Stage, options?: CdkStageTargetOptions): DeployTarget {
    v.checkArg('DeployTarget.cdkStage', 'stage', stage, v.required(v.cdk.stage));
    v.checkProps('DeployTarget.cdkStage', options, { assembly: v.str(), changeSet: v.bool }, 'options');
    return new KindTarget(new CdkStageTarget(stage, options));
  }

  /**
   * Any action, as is (escape hatch). Its runOrder is its own: set `runOrder` on it to place
   * it after other targets.
   */
  public static action(action: codepipeline.IAction): DeployTarget {
    v.checkArg('DeployTarget.action', 'action', action, v.required(v.cdk.action));
    return new KindTarget(new ActionTarget(action));
  }

  /**
   * Account the target deploys to, when it says (a pipeline makes its artifacts KMS-encrypted
   * when this differs from its own account).
   */
  public get account(): string | undefined {
    return undefined;
  }

  /**
   * The CDK stage this target deploys, when it is a `DeployTarget.cdkStage` (pipelines publish its
   * assets and update themselves from its cloud assembly).
   *
   * @internal
   */
  public _cdkStage(): CdkStageTarget | undefined {
    return undefined;
  }

  /**
   * A stack output of this target as a pipeline variable: a string that becomes
   * `#{<namespace>.<outputName>}` in the pipeline that deploys the target, for the configuration of
   * actions that run after the deployment (the stage's `postDeployTests` and later stages' build,
   * test and commands steps: `environmentVariables: { API_URL: { value: target.output('ApiUrl') } }`;
   * parameter overrides, user parameters). The deploying action (the change set execution, or the
   * create/update) then gets the variables namespace `<stage name>-<actionName or stack name>`.
   *
   * Checked at synth: the output exists (CDK stacks; a `DeployTarget.cloudFormation` template is
   * read only at deploy time, so its output names are not checked), and every action reading it
   * runs after the deployment (a later stage, or a higher runOrder in the same stage). Only
   * `DeployTarget.cloudFormation` and `DeployTarget.cdkStage` targets have stack outputs.
   *
   * @param outputName the output's logical id in the stack's template (`new CfnOutput(stack, 'ApiUrl', ...)` at the stack's root: 'ApiUrl');
   * JavaScript callers may pass the `CfnOutput` itself (read as `outputOf`)
   * @param options the stack, for a CDK stage with several stacks
   */
  public output(outputName: string, options?: StackOutputOptions): string {
    checkOutputArgs(outputName, options);
    return fail('DeployTarget.output', `this target has no stack outputs (reading '${outputName}'); only DeployTarget.cloudFormation and DeployTarget.cdkStage `
      + 'targets do: read other targets\' variables through their variablesNamespace (DeployTarget.commands, DeployTarget.ecrBuildAndPublish).');
  }

  /**
   * The value of a `CfnOutput` of a stack this target deploys (a stack of its CDK stage), as a
   * pipeline variable: `output()` with the output's logical id and stack read from the `CfnOutput`.
   *
   * @param cfnOutput an output defined in a stack of the target's CDK stage
   */
  public outputOf(cfnOutput: CfnOutput): string {
    checkCfnOutput(cfnOutput);
    return fail('DeployTarget.outputOf', 'this target deploys no CDK stage, so no CfnOutput of yours; use it on a DeployTarget.cdkStage target '
      + '(a DeployTarget.cloudFormation target reads its outputs by name: target.output(\'ApiUrl\')).');
  }

  /** Define the target's actions for one stage. `scope` names the pipeline in errors. */
  public abstract bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding;

  /**
   * Called by the pipeline once the actions of the last `bind` are in their stage (roles that
   * the actions define only exist then, e.g. the CloudFormation deployment role).
   */
  public afterActionsAdded(): void {
    // nothing by default
  }
}

const STACK_SET_INSTANCES_SPEC = {
  stackSetName: v.required(v.str("a stack set name, e.g. 'org-baseline'")),
  regions: v.required(v.strings),
  accounts: v.strings,
  organizationalUnits: v.strings,
  failureTolerancePercentage: v.num(),
  maxAccountConcurrencyPercentage: v.num(),
  actionRole: v.cdk.role,
  actionName: v.str(),
};

/** A built-in target: `DeployTarget`'s face on one of `targets/<kind>-target.ts`. */
class KindTarget extends DeployTarget {
  constructor(private readonly kind: TargetKind) {
    super();
  }

  public get account(): string | undefined {
    return this.kind.account;
  }

  /** @internal */
  public _cdkStage(): CdkStageTarget | undefined {
    return this.kind instanceof CdkStageTarget ? this.kind : undefined;
  }

  public output(outputName: string, options?: StackOutputOptions): string {
    // JavaScript callers may pass the CfnOutput itself, as CDK Pipelines' envFromCfnOutputs takes it.
    if ((outputName as unknown) instanceof CfnOutput && options === undefined) return this.outputOf(outputName as unknown as CfnOutput);
    if (!this.kind.output) return super.output(outputName, options);
    checkOutputArgs(outputName, options);
    return this.kind.output(outputName, options ?? {});
  }

  public outputOf(cfnOutput: CfnOutput): string {
    if (!this.kind.outputOf) return super.outputOf(cfnOutput);
    checkCfnOutput(cfnOutput);
    return this.kind.outputOf(cfnOutput);
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    v.checkArg('DeployTarget.bind', 'scope', scope, v.required(v.construct));
    v.checkProps(scope, options, {
      stageName: v.required(v.str()),
      runOrder: v.required(v.runOrder),
      defaultInput: v.required(v.cdk.artifact),
      artifacts: v.required(v.mapOf(v.cdk.artifact)),
      reviewRunOrder: v.runOrder,
    }, 'bind options');
    return this.kind.bind(scope, options);
  }

  public afterActionsAdded(): void {
    this.kind.afterActionsAdded?.();
  }
}

function checkOutputArgs(outputName: string, options: StackOutputOptions | undefined): void {
  v.checkArg('DeployTarget.output', 'outputName', outputName,
    v.required(v.literal(v.matching('a stack output name (its logical id: 1-255 of A-Za-z0-9)', OUTPUT_NAME, "an output's logical id, e.g. 'ApiUrl'"))));
  if (Stack.isStack(options)) {
    fail('DeployTarget.output', `options is the stack '${options.node.path}' itself, not the options; pass { stack }: target.output('${outputName}', { stack }).`);
  }
  v.checkProps('DeployTarget.output', options, { stack: v.cdk.stack }, 'options');
}

function checkCfnOutput(cfnOutput: CfnOutput): void {
  v.checkArg('DeployTarget.outputOf', 'cfnOutput', cfnOutput, v.required(v.instance(CfnOutput, "an output of a stack of the stage, e.g. new CfnOutput(stack, 'ApiUrl', { value: api.url })")));
}
