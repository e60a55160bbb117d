import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { NotifyFunction } from './notify-function';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';

/**
 * The one failure notifier of a stack: the Lambda function (with its role, policy and log group)
 * that every `FailureNotifications` of the stack sends its pipeline's events to. Not part of the
 * public API: reach it through `FailureNotifications.notifier`.
 *
 * One per stack, not per account and region: a notifier shared across stacks would make every
 * other stack import its function ARN, while its role's policy names their pipelines and topics,
 * a cycle of cross-stack references (or, broken by hand, a deploy order between stacks that
 * otherwise deploy independently). So pipelines in one stack share one notifier; each further
 * stack with pipelines in the same account and region has its own.
 */
export class FailureNotifier extends Construct {
  /** Construct id of the notifier, a direct child of its stack. */
  public static readonly ID = 'CdpFailureNotifier';

  /** The stack's notifier, defined on first use. */
  public static of(scope: IConstruct): FailureNotifier {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(FailureNotifier.ID);
    if (existing === undefined) return new FailureNotifier(stack, FailureNotifier.ID);
    if (!(existing instanceof FailureNotifier)) {
      fail(scope, `stack '${stack.node.path}' already has a child '${FailureNotifier.ID}' that is not the failure notifier; ` +
        'this id is reserved for the notifier shared by the stack\'s pipelines: give your construct another id.');
    }
    return existing;
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  private readonly readExecutions: iam.PolicyStatement;
  private readonly publish: iam.PolicyStatement;
  private readonly pipelineArns = new Set<string>();
  private readonly topicArns = new Set<string>();
  private readonly keys = new Set<string>();
  private retentionDays: number = 0;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    acknowledge(this.logGroup, 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'The notifier logs hold pipeline, stage and action names and error summaries of failed executions, no secrets or artifacts; ' +
        'CloudWatch Logs encrypts them at rest with its own key. A customer-managed key costs $1/month. Control Tower control ' +
        'CT.CLOUDWATCH.PR.3 would still block the deploy where it is enabled: there, turn enrichment off (`enrich: false`, no log group).');
    // An explicit role with inline statements only: no AWSLambdaBasicExecutionRole (logs:* on every group).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Failure notifier of the CodePipeline pipelines of this stack: reads their executions, publishes to their topics',
    });
    // logs:CreateLogStream and logs:PutLogEvents on this log group (its ARN covers its streams, which Lambda names at run time).
    this.logGroup.grantWrite(this.role);
    // Both actions take the `pipeline` resource type (arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName});
    // the resources are the pipelines registered, added as they register (so never empty when synthesized).
    this.readExecutions = new iam.PolicyStatement({ actions: ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions'] });
    this.publish = new iam.PolicyStatement({ actions: ['sns:Publish'] });

    this.function = new NotifyFunction(this, 'Function', {
      description: 'Writes and publishes the failure notifications of the CodePipeline pipelines of this stack',
      role: this.role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
    });
    acknowledge(this.function, 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'The notifier calls only AWS APIs (CodePipeline GetPipelineExecution/ListActionExecutions on its pipelines, SNS Publish on their topics) ' +
        'and reaches no private resource; in a VPC it would need NAT or interface endpoints (about $7/month each per AZ). Control Tower control ' +
        'CT.LAMBDA.PR.3 would still block the deploy where it is enabled: there, turn enrichment off (`enrich: false`, no function).');
    this.node.addValidation({
      validate: () => this.pipelineArns.size === 0 ? [`${FailureNotifier.ID} watches no pipeline; it is defined only by FailureNotifications.`] : [],
    });
  }

  /**
   * Send this pipeline's events to the notifier: the role may read its executions and publish
   * to its topic (and use the topic's key), and the rule invokes the function with the event
   * wrapped as `{ topicArn, pipelineName, event }` (see `notify-message.ts` `readNotifierInput`).
   */
  public register(pipeline: codepipeline.IPipeline, topic: sns.ITopic, logRetention?: logs.RetentionDays,
    productionStages?: () => string[]): NotifierInput {
    const first = this.pipelineArns.size === 0;
    this.pipelineArns.add(pipeline.pipelineArn);
    this.readExecutions.addResources(pipeline.pipelineArn);
    if (!this.topicArns.has(topic.topicArn)) {
      this.topicArns.add(topic.topicArn);
      this.publish.addResources(topic.topicArn);
    }
    if (first) {
      this.role.addToPrincipalPolicy(this.readExecutions);
      this.role.addToPrincipalPolicy(this.publish);
    }
    // topic.grantPublish would grant kms:GenerateDataKey* (a wildcard); SNS needs exactly these two.
    const key = topic.masterKey;
    if (key && !this.keys.has(key.node.path)) {
      this.keys.add(key.node.path);
      key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    // One log group for all: it keeps logs as long as the longest retention any pipeline asked for.
    const retention = logRetention ?? logs.RetentionDays.ONE_YEAR;
    if (retention > this.retentionDays) {
      this.retentionDays = retention;
      (this.logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays = retention === logs.RetentionDays.INFINITE ? undefined : retention;
    }
    return new NotifierInput(topic.topicArn, pipeline.pipelineName, productionStages);
  }
}

/**
 * The rule's input to the notifier: `{"topicArn": ..., "pipelineName": ..., "event": <the event>}`.
 * `<aws.events.event.json>` is EventBridge's predefined variable for the whole original event
 * (detail included), valid only as a JSON value; aws-cdk-lib's `RuleTargetInput.fromObject`
 * would quote it as a string, so the template is written here. With delivery metrics, `delivery`
 * carries the pipeline's production stages (read at synth, after every stage is added):
 * `"delivery":{"productionStages":["Prod"]}`.
 */
export class NotifierInput extends events.RuleTargetInput {
  constructor(private readonly topicArn: string, private readonly pipelineName: string, private readonly productionStages?: () => string[]) {
    super();
  }

  public bind(rule: events.IRule): events.RuleTargetInputProperties {
    const stack = Stack.of(rule);
    const json = (value: string) => Token.isUnresolved(value) ? stack.toJsonString(value) : JSON.stringify(value);
    const stages = this.productionStages;
    const delivery = stages ? `"delivery":{"productionStages":${Lazy.string({ produce: () => stack.toJsonString(stages()) })}},` : '';
    return { inputTemplate: `{"topicArn":${json(this.topicArn)},"pipelineName":${json(this.pipelineName)},${delivery}"event":<aws.events.event.json>}` };
  }
}
