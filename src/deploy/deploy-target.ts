import { ArnFormat, CfnCapabilities, Duration, Stack, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ACCOUNT_ID, CODEPIPELINE_NAME, REGION_NAME, STACK_NAME } from '../private/names';
import { acknowledgeWildcards, escapeRegExp, WildcardAllowance } from '../private/sbd-nag';

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
}

/** Options of `DeployTarget.cloudFormation`. */
export interface CloudFormationTargetOptions {
  /** Name of the stack to deploy. */
  readonly stackName: string;

  /** The template: `'path.yaml'` in the default input, or `'ArtifactName::path.yaml'`. */
  readonly templatePath: string;

  /**
   * Deploy through a change set: one action creates (replaces) the change set, the next
   * executes it. Otherwise one action creates or updates the stack directly.
   *
   * @default false
   */
  readonly changeSet?: boolean;

  /**
   * Name of the change set.
   *
   * @default '<stackName>-changes'
   */
  readonly changeSetName?: string;

  /**
   * Template parameter values; values may use `Artifact.getParam()` (list those artifacts in `extraInputs`).
   *
   * @default - none
   */
  readonly parameterOverrides?: { [name: string]: any };

  /**
   * Template configuration file (parameters, tags, stack policy): `'path.json'` or `'ArtifactName::path.json'`.
   *
   * @default - none
   */
  readonly templateConfiguration?: string;

  /**
   * Names of more artifacts the action reads (for `parameterOverrides` or `templateConfiguration`).
   *
   * @default - none
   */
  readonly extraInputs?: string[];

  /**
   * Capabilities the stack needs (e.g. `CfnCapabilities.NAMED_IAM` when it defines named IAM roles).
   *
   * @default - none
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Role CloudFormation assumes to create the stack's resources.
   *
   * @default - a role assumed by cloudformation.amazonaws.com holding exactly `deploymentPolicy`
   * plus read access to the pipeline artifacts (never administrator access)
   */
  readonly deploymentRole?: iam.IRole;

  /**
   * What the defined deployment role may do: the permissions the stack's resources need.
   * Without them, the role can only read the pipeline's artifacts and create no resource:
   * declare what the stack creates (or pass `deploymentRole`).
   *
   * @default - no permissions
   */
  readonly deploymentPolicy?: iam.PolicyStatement[];

  /**
   * Account to deploy to. In another account than the pipeline's, the artifacts are
   * encrypted with a customer-managed KMS key.
   *
   * @default - the pipeline's account
   */
  readonly account?: string;

  /**
   * Region to deploy to.
   *
   * @default - the pipeline's region
   */
  readonly region?: string;

  /**
   * Name of the action (with a change set, the prefix of the two actions).
   *
   * @default - the stack name
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.ecs`. */
export interface EcsTargetOptions {
  /** The service to update. */
  readonly service: ecs.IBaseService;

  /**
   * The image definitions file: `'imagedefinitions.json'` or `'ArtifactName::imagedefinitions.json'`.
   *
   * @default 'imagedefinitions.json' in the default input
   */
  readonly imageFile?: string;

  /**
   * How long the deployment may take (1-60 minutes).
   *
   * @default 60 minutes (CodePipeline's default)
   */
  readonly deploymentTimeout?: Duration;

  /**
   * Name of the action.
   *
   * @default 'DeployEcs'
   */
  readonly actionName?: string;
}

/** An image the ECS blue/green deployment substitutes into the task definition. */
export interface BlueGreenImageInput {
  /** Artifact holding `imageDetail.json` (an ECR source output, or a build output). */
  readonly input: string;

  /**
   * Placeholder in the task definition template.
   *
   * @default 'IMAGE'
   */
  readonly taskDefinitionPlaceholder?: string;
}

/** Options of `DeployTarget.ecsBlueGreen`. */
export interface EcsBlueGreenTargetOptions {
  /** The CodeDeploy ECS deployment group. */
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;

  /**
   * The task definition template.
   *
   * @default 'taskdef.json' in the default input
   */
  readonly taskDefinitionTemplatePath?: string;

  /**
   * The AppSpec template.
   *
   * @default 'appspec.yaml' in the default input
   */
  readonly appSpecTemplatePath?: string;

  /**
   * Images substituted into the task definition (at most 4).
   *
   * @default - none
   */
  readonly containerImageInputs?: BlueGreenImageInput[];

  /**
   * Name of the action.
   *
   * @default 'DeployBlueGreen'
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.codeDeploy` (EC2/on-premises). */
export interface CodeDeployTargetOptions {
  /** The server deployment group. */
  readonly deploymentGroup: codedeploy.IServerDeploymentGroup;

  /**
   * Artifact holding the revision (with `appspec.yml`).
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployCodeDeploy'
   */
  readonly actionName?: string;
}

/** A bucket to copy an artifact to. */
export interface S3PublishOptions {
  /** Destination bucket. */
  readonly bucket: s3.IBucket;

  /**
   * Unzip the artifact into the bucket; otherwise store it as one object at `objectKey`.
   *
   * @default true
   */
  readonly extract?: boolean;

  /**
   * Key prefix (with `extract`) or object key (without). Required when `extract` is false.
   *
   * @default - the bucket root
   */
  readonly objectKey?: string;

  /**
   * KMS key to encrypt the copied objects with.
   *
   * @default - the bucket's default encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Cache-Control headers of the copied objects.
   *
   * @default - none
   */
  readonly cacheControl?: actions.CacheControl[];
}

/** Options of `DeployTarget.s3`. */
export interface S3TargetOptions extends S3PublishOptions {
  /**
   * Artifact to copy.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Also copy the same artifact to another bucket (e.g. an archive of release artifacts),
   * in parallel (same runOrder).
   *
   * @default - no second copy
   */
  readonly publishTo?: S3PublishOptions;

  /**
   * Name of the action (the copy to `publishTo` is named `<actionName>-Publish`).
   *
   * @default 'DeployS3'
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.elasticBeanstalk`. */
export interface ElasticBeanstalkTargetOptions {
  /** Application name. */
  readonly applicationName: string;

  /** Environment name. */
  readonly environmentName: string;

  /**
   * Artifact holding the application bundle.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployBeanstalk'
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.lambdaInvoke`. */
export interface LambdaInvokeTargetOptions {
  /** The function; it must report back with PutJobSuccessResult / PutJobFailureResult. */
  readonly function: lambda.IFunction;

  /**
   * User parameters passed to the function as JSON.
   *
   * @default - none
   */
  readonly userParameters?: { [key: string]: any };

  /**
   * Names of artifacts the function reads.
   *
   * @default - none
   */
  readonly inputs?: string[];

  /**
   * Names of artifacts the function writes (usable by later stages).
   *
   * @default - none
   */
  readonly outputs?: string[];

  /**
   * Name of the action.
   *
   * @default 'Invoke'
   */
  readonly actionName?: string;
}

/** Options of `DeployTarget.stepFunctions`. */
export interface StepFunctionsTargetOptions {
  /** The state machine to start. */
  readonly stateMachine: sfn.IStateMachine;

  /**
   * Input of the execution: a literal, or a file path in an artifact.
   *
   * @default - an empty input
   */
  readonly stateMachineInput?: actions.StateMachineInput;

  /**
   * Prefix of the execution name.
   *
   * @default - none
   */
  readonly executionNamePrefix?: string;

  /**
   * Name of the action.
   *
   * @default 'StartExecution'
   */
  readonly actionName?: string;
}

/** One field of an ARN in cdk-nag's flattened form: a literal, or a pseudo parameter such as `<AWS::Partition>`. */
const ARN_PART = '(?:<AWS::[A-Za-z]+>|[^:<>*]+)';


const ECS_BLUE_GREEN_REASON = 'aws-cdk-lib grants the ECS blue/green deploy action ecs:RegisterTaskDefinition on "*" (registering a task definition '
  + 'has no resource-level permissions: the new revision does not exist before the call) and iam:PassRole on "*" conditioned on iam:PassedToService '
  + 'ecs-tasks.amazonaws.com (the deployment group does not expose the task definition roles to narrow it). Only these two actions use "*"; the '
  + 'CodeDeploy actions are on this deployment group, its application and deployment config. The role belongs to this one action.';

function s3DeployAllowances(o: S3PublishOptions): WildcardAllowance[] {
  const reason = 'aws-cdk-lib grants the S3 deploy action read/write on its destination bucket only (Bucket.grantReadWrite): '
    + 'the object keys come from the artifact and are not known at synth.';
  const objects = o.bucket.arnForObjects('*');
  const out: WildcardAllowance[] = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']
    .map((action) => ({ action, resources: [o.bucket.bucketArn, objects], reason }));
  out.push({ resource: objects, reason });
  const keys = [o.encryptionKey, o.bucket.encryptionKey].filter((k): k is kms.IKey => k !== undefined);
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    if (keys.length > 0) {
      out.push({ action, resources: keys.map((k) => k.keyArn), reason: 'Data-key operations on the destination\'s KMS key only (aws-cdk-lib Key.grantEncryptDecrypt).' });
    }
  }
  return out;
}

/**
 * Where a stage deploys: CloudFormation, ECS, ECS blue/green, CodeDeploy, S3, Elastic
 * Beanstalk, a Lambda function, a Step Functions state machine, or any action.
 */
export abstract class DeployTarget {
  /** A CloudFormation stack, deployed directly or through a change set. */
  public static cloudFormation(options: CloudFormationTargetOptions): DeployTarget {
    return new CloudFormationTarget(options);
  }

  /** An ECS service (rolling update from an image definitions file). */
  public static ecs(options: EcsTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'DeployEcs', (b) => {
      const timeout = options.deploymentTimeout?.toMinutes({ integral: true });
      if (timeout !== undefined && (timeout < 1 || timeout > 60)) {
        throw new Error(`${b.where}: deploymentTimeout is ${timeout} minutes; CodePipeline's ECS action takes 1 to 60 minutes.`);
      }
      const action = new EcsServiceDeployAction({
        actionName: b.name,
        service: options.service,
        imageFile: b.file(options.imageFile ?? 'imagedefinitions.json', 'imageFile'),
        deploymentTimeout: timeout,
        runOrder: b.runOrder,
      });
      b.allow(action.allowances());
      return action;
    });
  }

  /** An ECS service deployed blue/green by CodeDeploy. */
  public static ecsBlueGreen(options: EcsBlueGreenTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'DeployBlueGreen', (b) => {
      if ((options.containerImageInputs?.length ?? 0) > 4) {
        throw new Error(`${b.where}: ${options.containerImageInputs!.length} containerImageInputs; CodeDeploy ECS takes at most 4.`);
      }
      b.allow([{ resource: '*', onlyActions: ['ecs:RegisterTaskDefinition', 'iam:PassRole'], reason: ECS_BLUE_GREEN_REASON }]);
      return new actions.CodeDeployEcsDeployAction({
        actionName: b.name,
        deploymentGroup: options.deploymentGroup,
        taskDefinitionTemplateFile: b.file(options.taskDefinitionTemplatePath ?? 'taskdef.json', 'taskDefinitionTemplatePath'),
        appSpecTemplateFile: b.file(options.appSpecTemplatePath ?? 'appspec.yaml', 'appSpecTemplatePath'),
        containerImageInputs: options.containerImageInputs?.map((i) => ({
          input: b.artifact(i.input, 'containerImageInputs.input'),
          taskDefinitionPlaceholder: i.taskDefinitionPlaceholder,
        })),
        runOrder: b.runOrder,
      });
    });
  }

  /** An EC2/on-premises CodeDeploy deployment group. */
  public static codeDeploy(options: CodeDeployTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'DeployCodeDeploy', (b) => new actions.CodeDeployServerDeployAction({
      actionName: b.name,
      deploymentGroup: options.deploymentGroup,
      input: b.artifact(options.input, 'input'),
      runOrder: b.runOrder,
    }));
  }

  /** An S3 bucket (unzipped, or as one object), optionally published to a second bucket in parallel. */
  public static s3(options: S3TargetOptions): DeployTarget {
    return new S3Target(options);
  }

  /** An Elastic Beanstalk environment. */
  public static elasticBeanstalk(options: ElasticBeanstalkTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'DeployBeanstalk', (b) => {
      b.allow([{
        roleFinding: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk]',
        reason: 'aws-cdk-lib attaches this AWS managed policy to the role of the Elastic Beanstalk deploy action only (the role is assumable only by the '
          + 'pipeline role): an environment update drives EC2, Auto Scaling, ELB and CloudFormation on the environment\'s behalf, as the CodePipeline '
          + 'documentation for this action requires. Use DeployTarget.action() with your own role to narrow it.',
      }]);
      return new actions.ElasticBeanstalkDeployAction({
        actionName: b.name,
        applicationName: options.applicationName,
        environmentName: options.environmentName,
        input: b.artifact(options.input, 'input'),
        runOrder: b.runOrder,
      });
    });
  }

  /** A Lambda function invoked by the pipeline (custom deployment or check). */
  public static lambdaInvoke(options: LambdaInvokeTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'Invoke', (b) => {
      b.allow([
        {
          resource: '*',
          onlyActions: ['lambda:ListFunctions'],
          reason: 'aws-cdk-lib grants the Lambda invoke action lambda:ListFunctions, which has no resource-level permissions; invoking is granted on this function only.',
        },
        {
          resourcePattern: (flatten) => new RegExp(`^${escapeRegExp(flatten(options.function.functionArn))}:\\*$`),
          reason: 'Versions and aliases of this one function (aws-cdk-lib Function.grantInvoke).',
        },
      ]);
      return new actions.LambdaInvokeAction({
        actionName: b.name,
        lambda: options.function,
        userParameters: options.userParameters,
        inputs: options.inputs?.map((i) => b.artifact(i, 'inputs')),
        outputs: b.newOutputs(options.outputs ?? []),
        runOrder: b.runOrder,
      });
    });
  }

  /** A Step Functions state machine execution. */
  public static stepFunctions(options: StepFunctionsTargetOptions): DeployTarget {
    return new SingleActionTarget(options.actionName ?? 'StartExecution', (b) => {
      b.allow([{
        resourcePattern: () => /^arn:[^:]+:states:[^:]+:[^:]+:execution:[^:*]+:\*$/,
        reason: 'Executions of this one state machine (execution:<state machine name>:*): execution names are generated per run; aws-cdk-lib grants DescribeExecution on them.',
      }]);
      return new actions.StepFunctionInvokeAction({
        actionName: b.name,
        stateMachine: options.stateMachine,
        stateMachineInput: options.stateMachineInput,
        executionNamePrefix: options.executionNamePrefix,
        runOrder: b.runOrder,
      });
    });
  }

  /**
   * Any action, as is (escape hatch). Its runOrder is its own: set `runOrder` on it to place
   * it after other targets.
   */
  public static action(action: codepipeline.IAction): DeployTarget {
    return new EscapeHatchTarget(action);
  }

  /**
   * Account the target deploys to, when it says (a pipeline makes its artifacts KMS-encrypted
   * when this differs from its own account).
   */
  public get account(): string | undefined {
    return undefined;
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

/** Resolves the target's strings to artifacts, with errors that name the pipeline, stage and field. */
class Binder {
  public readonly outputs: codepipeline.Artifact[] = [];
  public readonly where: string;

  constructor(private readonly scope: Construct, private readonly options: DeployTargetBindOptions, public readonly name: string) {
    this.where = `${scope.constructor.name} '${scope.node.id}': stage '${options.stageName}', action '${name}'`;
    if (!Token.isUnresolved(name) && !CODEPIPELINE_NAME.test(name)) {
      throw new Error(`${scope.constructor.name} '${scope.node.id}': stage '${options.stageName}': action name '${name}' is invalid; use 1-100 characters of A-Za-z0-9.@_-.`);
    }
  }

  public get runOrder(): number {
    return this.options.runOrder;
  }

  /** Acknowledge the wildcards aws-cdk-lib grants to this action's own role (and only there). */
  public allow(allowances: WildcardAllowance[]): void {
    const onlyUnder = `/${this.options.stageName}/${this.name}/`;
    acknowledgeWildcards(this.scope, allowances.map((a) => ({ ...a, onlyUnder })));
  }

  /** An artifact by name (or the default input). */
  public artifact(name: string | undefined, field: string): codepipeline.Artifact {
    if (name === undefined) return this.options.defaultInput;
    const found = this.options.artifacts[name];
    if (!found) {
      const known = Object.keys(this.options.artifacts);
      throw new Error(`${this.where}: ${field} '${name}' is an artifact nobody produces before this stage; use one of ${known.map((k) => `'${k}'`).join(', ') || '(none)'}, or add it to a build's \`outputs\`.`);
    }
    return found;
  }

  /** A file: 'path' in the default input, or 'Artifact::path'. */
  public file(ref: string, field: string): codepipeline.ArtifactPath {
    const i = ref.indexOf('::');
    const [artifactName, path] = i >= 0 ? [ref.slice(0, i), ref.slice(i + 2)] : [undefined, ref];
    if (!Token.isUnresolved(path) && (path.length === 0 || path.startsWith('/'))) {
      throw new Error(`${this.where}: ${field} '${ref}' has no file path; pass 'path/in/artifact' or 'ArtifactName::path/in/artifact'.`);
    }
    return this.artifact(artifactName, field).atPath(path);
  }

  public newOutputs(names: string[]): codepipeline.Artifact[] {
    for (const name of names) {
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(name)) {
        throw new Error(`${this.where}: output artifact name '${name}' is invalid; use 1-100 characters of A-Za-z0-9_-.`);
      }
    }
    const made = names.map((n) => new codepipeline.Artifact(n));
    this.outputs.push(...made);
    return made;
  }
}

class SingleActionTarget extends DeployTarget {
  constructor(private readonly actionName: string, private readonly make: (b: Binder) => codepipeline.IAction) {
    super();
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const b = new Binder(scope, options, this.actionName);
    const action = this.make(b);
    return { actions: [action], lastRunOrder: options.runOrder, outputs: b.outputs };
  }
}

class EscapeHatchTarget extends DeployTarget {
  constructor(private readonly action: codepipeline.IAction) {
    super();
  }

  public get account(): string | undefined {
    return this.action.actionProperties.account ?? this.action.actionProperties.resource?.env.account;
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    new Binder(scope, options, this.action.actionProperties.actionName);
    const runOrder = this.action.actionProperties.runOrder ?? 1;
    return { actions: [this.action], lastRunOrder: Math.max(runOrder, options.runOrder), outputs: this.action.actionProperties.outputs };
  }
}

class S3Target extends DeployTarget {
  constructor(private readonly options: S3TargetOptions) {
    super();
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const name = this.options.actionName ?? 'DeployS3';
    const b = new Binder(scope, options, name);
    const input = b.artifact(this.options.input, 'input');
    const copy = (o: S3PublishOptions, actionName: string, field: string) => {
      new Binder(scope, options, actionName).allow(s3DeployAllowances(o));
      const extract = o.extract ?? true;
      if (!extract && !o.objectKey) {
        throw new Error(`${b.where}: ${field}extract is false but no objectKey is given; pass the object key to store the artifact under, e.g. 'releases/app.zip'.`);
      }
      return new actions.S3DeployAction({
        actionName,
        bucket: o.bucket,
        input,
        extract,
        objectKey: o.objectKey,
        encryptionKey: o.encryptionKey,
        cacheControl: o.cacheControl,
        runOrder: options.runOrder,
      });
    };
    const result = [copy(this.options, name, '')];
    if (this.options.publishTo) {
      const publishName = `${name}-Publish`;
      new Binder(scope, options, publishName);
      result.push(copy(this.options.publishTo, publishName, 'publishTo.'));
    }
    return { actions: result, lastRunOrder: options.runOrder };
  }
}

class CloudFormationTarget extends DeployTarget {
  private pending?: actions.CloudFormationCreateUpdateStackAction | actions.CloudFormationCreateReplaceChangeSetAction;

  constructor(private readonly options: CloudFormationTargetOptions) {
    super();
    const { stackName } = options;
    if (!Token.isUnresolved(stackName) && !STACK_NAME.test(stackName)) {
      throw new Error(`DeployTarget.cloudFormation: stackName '${stackName}' is invalid; a stack name starts with a letter and has 1-128 of A-Za-z0-9-.`);
    }
    if (options.deploymentRole && options.deploymentPolicy) {
      throw new Error(`DeployTarget.cloudFormation('${stackName}'): pass deploymentRole or deploymentPolicy, not both; deploymentPolicy defines the statements of the role defined for you.`);
    }
    if (options.account !== undefined && !Token.isUnresolved(options.account) && !ACCOUNT_ID.test(options.account)) {
      throw new Error(`DeployTarget.cloudFormation('${stackName}'): account '${options.account}' is invalid; pass the 12-digit AWS account id, e.g. '111111111111'.`);
    }
    if (options.region !== undefined && !Token.isUnresolved(options.region) && !REGION_NAME.test(options.region)) {
      throw new Error(`DeployTarget.cloudFormation('${stackName}'): region '${options.region}' is invalid; pass an AWS region name, e.g. 'eu-west-1'.`);
    }
  }

  public get account(): string | undefined {
    return this.options.account;
  }

  public bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding {
    const o = this.options;
    const base = o.actionName ?? (Token.isUnresolved(o.stackName) ? 'Deploy' : o.stackName);
    const b = new Binder(scope, options, base);
    const prepareName = `${base}-Prepare`;
    const executeName = `${base}-Execute`;
    const binders = o.changeSet ? [new Binder(scope, options, prepareName), new Binder(scope, options, executeName)] : [b];
    if (!Token.isUnresolved(o.stackName)) {
      const stackArn = (flatten: (t: unknown) => string) => new RegExp(`^arn:<AWS::Partition>:cloudformation:[^:]+:[^:]+:stack/${escapeRegExp(flatten(o.stackName))}/\\*$`);
      const reason = `CloudFormation stack ARNs end in an id generated at creation: the wildcard covers only stack '${o.stackName}', `
        + 'and DescribeStack*/GetTemplate* are read-only action groups on it (aws-cdk-lib CloudFormation action grants). Only on the role of this action.';
      // Only on the roles of this target's own actions (not on build, test or pipeline roles).
      for (const binder of binders) {
        binder.allow([
          { action: 'cloudformation:DescribeStack*', resourcePattern: stackArn, reason },
          { action: 'cloudformation:GetTemplate*', resourcePattern: stackArn, reason },
          { resourcePattern: stackArn, reason },
        ]);
      }
    }
    const templatePath = b.file(o.templatePath, 'templatePath');
    const templateConfiguration = o.templateConfiguration ? b.file(o.templateConfiguration, 'templateConfiguration') : undefined;
    const extraInputs = o.extraInputs?.map((n) => b.artifact(n, 'extraInputs'));
    const common = {
      stackName: o.stackName,
      templatePath,
      templateConfiguration,
      parameterOverrides: o.parameterOverrides,
      extraInputs,
      cfnCapabilities: o.capabilities,
      deploymentRole: o.deploymentRole,
      adminPermissions: false,
      account: o.account,
      region: o.region,
    };
    if (!o.changeSet) {
      const action = new actions.CloudFormationCreateUpdateStackAction({ ...common, actionName: base, runOrder: options.runOrder });
      this.pending = action;
      return { actions: [action], lastRunOrder: options.runOrder };
    }
    const changeSetName = o.changeSetName ?? `${o.stackName}-changes`;
    const prepare = new actions.CloudFormationCreateReplaceChangeSetAction({
      ...common,
      actionName: prepareName,
      changeSetName,
      runOrder: options.runOrder,
    });
    const execute = new actions.CloudFormationExecuteChangeSetAction({
      actionName: executeName,
      stackName: o.stackName,
      changeSetName,
      account: o.account,
      region: o.region,
      runOrder: options.runOrder + 1,
    });
    this.pending = prepare;
    return { actions: [prepare, execute], lastRunOrder: options.runOrder + 1 };
  }

  public afterActionsAdded(): void {
    const action = this.pending;
    this.pending = undefined;
    if (!action || this.options.deploymentRole) return;
    for (const statement of this.options.deploymentPolicy ?? []) {
      action.addToDeploymentRolePolicy(statement);
    }
  }
}

interface EcsServiceDeployActionProps {
  readonly actionName: string;
  readonly service: ecs.IBaseService;
  readonly imageFile: codepipeline.ArtifactPath;
  readonly deploymentTimeout?: number;
  readonly runOrder: number;
}

/**
 * CodePipeline's ECS (rolling update) action, as aws-cdk-lib's `EcsDeployAction`, but with a
 * policy scoped to the one service: aws-cdk-lib grants ecs:UpdateService, ecs:TagResource and
 * iam:PassRole on "*" (any service, any task definition, any role), and always adds them to the
 * role of the action, so the action is defined here instead.
 */
class EcsServiceDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: EcsServiceDeployActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'ECS',
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.imageFile.artifact],
      resource: props.service,
    };
  }

  /** The task definition of the service, when it is a service defined in this app. */
  private get taskDefinition(): ecs.TaskDefinition | undefined {
    return this.props.service instanceof ecs.BaseService ? this.props.service.taskDefinition : undefined;
  }

  /** The wildcards this action's role holds, and why (for `Binder.allow`). */
  public allowances(): WildcardAllowance[] {
    const service = this.props.service;
    const family = this.taskDefinition?.family;
    const out: WildcardAllowance[] = [
      {
        resource: '*',
        onlyActions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:ListTasks', ...(family === undefined ? ['iam:PassRole'] : [])],
        reason: 'The ECS deploy action registers a new task definition revision: ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition have no '
          + 'resource-level permissions; ecs:ListTasks is not authorized on tasks and is limited to this service\'s cluster by the ecs:cluster condition'
          + (family === undefined
            ? '; iam:PassRole is on "*" because an imported service does not expose its task definition roles, and is conditioned on iam:PassedToService ecs-tasks.amazonaws.com'
            : '') + '. ecs:UpdateService is on this one service only. The role belongs to this one action.',
      },
      {
        resourcePattern: (flatten) => new RegExp(`^arn:${ARN_PART}:ecs:${ARN_PART}:${ARN_PART}:task/${escapeRegExp(flatten(service.cluster.clusterName))}/\\*$`),
        onlyActions: ['ecs:DescribeTasks'],
        reason: 'Tasks of this service\'s cluster (task/<cluster>/*): task ids are generated per deployment; ecs:DescribeTasks is read-only.',
      },
    ];
    if (family !== undefined) {
      out.push({
        resourcePattern: (flatten) => new RegExp(`^arn:${ARN_PART}:ecs:${ARN_PART}:${ARN_PART}:task-definition/${escapeRegExp(flatten(family))}:\\*$`),
        onlyActions: ['ecs:TagResource'],
        reason: 'Revisions of this service\'s task definition family (task-definition/<family>:*): the deploy action registers the next revision with '
          + 'the current one\'s tags, and its number is not known at synth.',
      });
    } else {
      out.push({
        resourcePattern: () => new RegExp(`^arn:${ARN_PART}:ecs:${ARN_PART}:${ARN_PART}:task-definition/\\*$`),
        onlyActions: ['ecs:TagResource'],
        reason: 'An imported service does not expose its task definition family: ecs:TagResource is on task definitions of the service\'s account '
          + 'and region, and only while registering one (condition ecs:CreateAction RegisterTaskDefinition), to copy the current revision\'s tags.',
      });
    }
    return out;
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const { service } = this.props;
    const stack = Stack.of(service);
    const ecsArn = (resourceName: string) => stack.formatArn({
      service: 'ecs',
      resource: resourceName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
      region: service.env.region,
      account: service.env.account,
    });
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
      resources: [service.serviceArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks'],
      resources: [ecsArn(`task/${service.cluster.clusterName}/*`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': service.cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }));
    const taskDefinition = this.taskDefinition;
    if (taskDefinition?.family !== undefined) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [ecsArn(`task-definition/${taskDefinition.family}:*`)],
      }));
    } else {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [ecsArn('task-definition/*')],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      }));
    }
    const passRole = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    const taskRoles = taskDefinition
      ? [taskDefinition.taskRole, taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined)
      : undefined;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: taskRoles ? taskRoles.map((r) => r.roleArn) : ['*'],
      conditions: { StringEquals: passRole },
    }));
    options.bucket.grantRead(role);
    return {
      configuration: {
        ClusterName: service.cluster.clusterName,
        ServiceName: service.serviceName,
        FileName: this.props.imageFile.fileName,
        DeploymentTimeout: this.props.deploymentTimeout,
      },
    };
  }
}
