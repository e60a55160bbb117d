import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { escapeRegExp, WildcardAllowance } from '../../private/wildcard-allowances';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';

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

/** One field of an ARN in cdk-nag's flattened form: a literal, or a pseudo parameter such as `<AWS::Partition>`. */
const ARN_PART = '(?:<AWS::[A-Za-z]+>|[^:<>*]+)';

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
    // A literal ARN as given; a token (a service of the app) in the ARN format with the cluster name, the
    // one IAM matches ecs:UpdateService against (service/<cluster>/<service>), whatever
    // @aws-cdk/aws-ecs:arnFormatIncludesClusterName says.
    const serviceArn = Token.isUnresolved(service.serviceArn)
      ? stack.formatArn({
        service: 'ecs',
        resource: 'service',
        resourceName: `${service.cluster.clusterName}/${service.serviceName}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        region: service.env.region,
        account: service.env.account,
      })
      : service.serviceArn;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
      resources: [serviceArn],
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

/** The actions of `DeployTarget.ecs`. */
export function ecsTarget(options: EcsTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployEcs', (b) => {
    const timeout = options.deploymentTimeout?.toMinutes({ integral: true });
    if (timeout !== undefined && (timeout < 1 || timeout > 60)) {
      fail(b.where, `deploymentTimeout is ${timeout} minutes; CodePipeline's ECS action takes 1 to 60 minutes.`);
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
