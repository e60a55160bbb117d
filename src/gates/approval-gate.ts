import { Duration, Lazy, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ApprovalGateAttachOptions, ApprovalGateProps } from './approval-gate-props';
import { acknowledge } from '../private/acknowledge';
import { fail } from '../private/errors';
import * as v from '../private/validate';
import { defineFailureCondition, renderFailureConditions } from './private/failure-condition';
import { defineEntryCondition, defineSuccessCondition } from './private/gate-conditions';
import { GateCondition } from './rules/gate-condition';
import { GateRule } from './rules/gate-rule';
import { IStageGate, StageGateBindOptions, StageGateBinding, StageGateReview } from './stage-gate';
import { CODEPIPELINE_NAME, EMAIL_ADDRESS } from '../private/names';

export * from './approval-gate-props';

const MIN_TIMEOUT = Duration.minutes(5);
const MAX_TIMEOUT = Duration.days(7);

interface Binding {
  readonly pipeline: codepipeline.Pipeline;
  readonly stageName: string;
}

/**
 * A gate before a stage: a manual approval people can act on (SNS topic and e-mails, message,
 * review URL, timeout, approvers scoped to exactly this action) and/or automated V2 stage
 * conditions (alarms, deployment window, Lambda checks, rollback on alarms), with the IAM
 * each rule needs granted to the pipeline role.
 *
 * Give it to a pipeline of this library as a stage's gate, or put it in front of a new stage of
 * any aws-codepipeline `Pipeline` with `attachTo`. A gate guards one stage of one pipeline.
 * `grantApprove` and the `on*` event methods work before or after the gate is attached: what
 * depends on the stage is filled in when it is.
 */
export class ApprovalGate extends Construct implements IStageGate {
  /** Whether the gate holds a manual approval action. */
  public readonly manual: boolean;

  /** Name of the manual approval action. */
  public readonly actionName: string;

  /** The topic approval requests go to, if any. */
  public readonly notificationTopic?: sns.ITopic;

  private readonly props: ApprovalGateProps;
  private readonly entryCondition?: GateCondition;
  private readonly successCondition?: GateCondition;
  private readonly failureCondition?: GateCondition;
  private binding?: Binding;
  private action?: actions.ManualApprovalAction;

  constructor(scope: Construct, id: string, props: ApprovalGateProps = {}) {
    v.checkScope('ApprovalGate', scope, id);
    super(scope, id);
    v.checkProps(this, props, {
      manual: v.bool,
      emails: v.strings,
      notificationTopic: v.cdk.topic,
      message: v.str(),
      reviewUrl: v.str(),
      timeout: v.duration('e.g. Duration.hours(4)'),
      approvers: v.arrayOf(v.implementing('an iam.IGrantable', 'a role, user or group, e.g. iam.Role.fromRoleName(this, \'Releasers\', \'releasers\')', 'grantPrincipal')),
      actionName: v.str(),
      alarms: v.arrayOf(v.cdk.alarm),
      alarmWaitTime: v.duration(),
      deploymentWindow: v.struct({ cron: v.required(v.str("a cron expression, e.g. 'cron(0 9 ? * MON-FRI *)'")), timeZone: v.str() }),
      checks: v.arrayOf(v.cdk.function),
      rules: v.arrayOf(v.instance(GateRule, 'a rule, e.g. new VariableCheckRule({ ... })')),
      entryResult: v.oneOf('a codepipeline.Result', Object.values(codepipeline.Result), 'e.g. codepipeline.Result.FAIL'),
      rollbackOnAlarms: v.arrayOf(v.cdk.alarm),
      rollbackWaitTime: v.duration(),
      successRules: v.arrayOf(v.instance(GateRule, 'a rule, e.g. new LambdaInvokeRule({ function })')),
      successResult: v.oneOf('a codepipeline.Result', Object.values(codepipeline.Result), 'e.g. codepipeline.Result.FAIL'),
      rollbackOnFailure: v.bool,
      retryOnFailure: v.oneOf('a codepipeline.RetryMode', Object.values(codepipeline.RetryMode), 'e.g. codepipeline.RetryMode.FAILED_ACTIONS'),
      failureRules: v.arrayOf(v.instance(GateRule, 'a rule, e.g. new CloudWatchAlarmRule({ alarm })')),
      failureResult: v.oneOf('a codepipeline.Result', Object.values(codepipeline.Result), 'e.g. codepipeline.Result.ROLLBACK'),
    });
    this.props = props;
    const owner = this.describe();

    const wantsManual = (props.emails ?? []).length > 0 || props.notificationTopic !== undefined
      || (props.approvers ?? []).length > 0 || props.message !== undefined || props.reviewUrl !== undefined;
    this.manual = props.manual ?? wantsManual;
    if (!this.manual && wantsManual) {
      fail(owner, 'manual is false but emails, notificationTopic, approvers, message or reviewUrl is given; '
        + 'these belong to a manual approval: remove them or leave manual unset.');
    }
    if (!this.manual && props.timeout) {
      fail(owner, `timeout ${props.timeout.toHumanString()} is given but the gate has no manual approval; remove timeout or set manual: true.`);
    }

    this.actionName = props.actionName ?? 'Approve';
    if (!Token.isUnresolved(this.actionName) && !CODEPIPELINE_NAME.test(this.actionName)) {
      fail(owner, `actionName '${this.actionName}' is invalid; use 1 to 100 of A-Z a-z 0-9 . @ _ -.`);
    }
    this.validateTimeout(owner, props.timeout);
    for (const email of props.emails ?? []) {
      if (!Token.isUnresolved(email) && !EMAIL_ADDRESS.test(email)) {
        fail(owner, `emails entry '${email}' is not an e-mail address; pass addresses like 'release@example.com'.`);
      }
    }
    if (props.reviewUrl !== undefined && !Token.isUnresolved(props.reviewUrl) && !/^https?:\/\/\S+$/.test(props.reviewUrl)) {
      fail(owner, `reviewUrl '${props.reviewUrl}' is not an http(s) URL; pass e.g. 'https://example.com/release-notes'.`);
    }

    this.entryCondition = defineEntryCondition(owner, props);
    this.successCondition = defineSuccessCondition(owner, props);
    this.failureCondition = defineFailureCondition(owner, props);

    if (props.rollbackOnFailure && props.retryOnFailure !== undefined) {
      fail(owner, `rollbackOnFailure and retryOnFailure (${props.retryOnFailure}) are both given; a stage has one on-failure result (ROLLBACK or RETRY): keep one.`);
    }
    const automated = this.entryCondition || this.successCondition || this.failureCondition
      || props.rollbackOnFailure || props.retryOnFailure !== undefined;
    if (!this.manual && !automated) {
      fail(owner, 'the gate has neither a manual approval nor any automated condition; '
        + 'give emails, approvers, message, reviewUrl or manual: true for a manual approval, or alarms, deploymentWindow, checks, rules, rollbackOnAlarms, successRules, '
        + 'failureRules, rollbackOnFailure or retryOnFailure.');
    }

    if (this.manual) {
      this.notificationTopic = props.notificationTopic;
      if (!this.notificationTopic && (props.emails ?? []).length > 0) {
        const topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
        acknowledge(topic, 'AwsSolutions-SNS2',
          'Approval requests carry the pipeline, stage and action names, the approval message and the review URL, no secrets or artifacts. '
          + 'Pass `notificationTopic` with your own KMS-encrypted topic to encrypt (the pipeline is granted sns:Publish and the key use).');
        this.notificationTopic = topic;
      }
      for (const email of props.emails ?? []) {
        this.notificationTopic!.addSubscription(new subscriptions.EmailSubscription(email));
      }
      for (const approver of props.approvers ?? []) {
        this.grantApprove(approver);
      }
    }

    this.node.addValidation({
      validate: () => this.binding ? [] : [`${owner}: not attached to any stage; give it to a pipeline stage as its gate, or call gate.attachTo(pipeline, { stageName }).`],
    });
  }

  /** The pipeline the gate is attached to, once attached. */
  public get pipeline(): codepipeline.Pipeline | undefined {
    return this.binding?.pipeline;
  }

  /** The name of the stage the gate guards, once attached. */
  public get stageName(): string | undefined {
    return this.binding?.stageName;
  }

  /** The manual approval action, once attached (manual gates only). */
  public get approvalAction(): actions.ManualApprovalAction | undefined {
    return this.action;
  }

  /**
   * Put the gate in front of a new stage of any aws-codepipeline `Pipeline` (V2 for automated
   * conditions) and return the stage. The stage holds the gate's manual approval (if any) and
   * `options.actions`.
   */
  public attachTo(pipeline: codepipeline.Pipeline, options: ApprovalGateAttachOptions): codepipeline.IStage {
    v.checkArg(this, 'attachTo() pipeline', pipeline, v.required(v.instance(codepipeline.Pipeline, 'the codepipeline.Pipeline to add the gated stage to')));
    v.checkProps(this, options, { stageName: v.required(v.matching('a stage name (1-100 of A-Za-z0-9.@_-)', CODEPIPELINE_NAME, "a stage name, e.g. 'Prod'")), placement: v.struct({ rightBefore: v.implementing('a codepipeline.IStage', 'a stage, e.g. pipeline.stages[1]', 'stageName'), justAfter: v.implementing('a codepipeline.IStage', 'a stage, e.g. pipeline.stages[1]', 'stageName') }), actions: v.arrayOf(v.cdk.action) }, 'attachTo() options');
    const first = pipeline.stages[0];
    if (first && options.placement?.rightBefore === first) {
      fail(this.describe(), `cannot be placed before '${first.stageName}', the source stage of the pipeline; `
        + 'the first stage holds only source actions. Place the gate after it (placement: { justAfter: ... }).');
    }
    const binding = this.bindToStage({ pipeline, stageName: options.stageName });
    return pipeline.addStage({
      stageName: options.stageName,
      placement: options.placement,
      actions: [...(binding.actions ?? []), ...(options.actions ?? [])],
      beforeEntry: binding.beforeEntry,
      onSuccess: binding.onSuccess,
      onFailure: binding.onFailure,
    });
  }

  /**
   * Bind the gate to one stage of one pipeline (called by the pipeline, right before it adds the
   * stage). Returns the manual approval action and the typed stage conditions; grants approvers and
   * the pipeline role what they need. A second call throws: a gate guards one stage.
   */
  public bindToStage(options: StageGateBindOptions): StageGateBinding {
    v.checkProps(this, options, {
      pipeline: v.required(v.instance(codepipeline.Pipeline, 'the codepipeline.Pipeline of the stage')),
      stageName: v.required(v.str("a stage name, e.g. 'Prod'")),
      runOrder: v.literal(v.num('a runOrder from 1 to 999, e.g. 2')),
      changeSetReview: v.struct({ summary: v.required(v.str("a variable reference, e.g. '#{Review-Prod.Summary}'")), reportUrl: v.required(v.str("a variable reference, e.g. '#{Review-Prod.ReportUrl}'")) }),
    }, 'bindToStage() options');
    const owner = this.describe();
    const { pipeline, stageName } = options;
    if (this.binding) {
      throw new Error(`${owner} is already attached to stage '${this.binding.stageName}' of ${this.binding.pipeline.node.path}; `
        + `a gate guards one stage of one pipeline: define another ApprovalGate for stage '${stageName}'.`);
    }
    if (pipeline.stageCount === 0 || pipeline.stages[0].stageName === stageName) {
      fail(owner, `stage '${stageName}' would be the first stage of ${pipeline.node.path}, which holds only source actions; `
        + 'a gate guards a later stage: attach it after the source stage.');
    }
    const conditions = this.entryCondition || this.successCondition || this.failureCondition
      || this.props.rollbackOnFailure || this.props.retryOnFailure !== undefined;
    if (conditions && !isV2(pipeline)) {
      fail(owner, `stage conditions (alarms, deploymentWindow, checks, rules, rollback, retry) need a V2 pipeline, and ${pipeline.node.path} is V1; `
        + 'define the pipeline with pipelineType: codepipeline.PipelineType.V2.');
    }
    const runOrder = options.runOrder ?? 1;
    if (!Token.isUnresolved(runOrder) && (!Number.isInteger(runOrder) || runOrder < 1 || runOrder > 999)) {
      fail(owner, `runOrder ${runOrder} is outside 1..999; pass a whole number in that range.`);
    }
    if (options.changeSetReview && !this.manual) {
      fail(owner, `stage '${stageName}' reviews its change sets but the gate has no manual approval to show the review in; `
        + 'give the gate a manual approval (emails, approvers, message or manual: true).');
    }
    this.binding = { pipeline, stageName };

    const gateActions: codepipeline.IAction[] = [];
    if (this.manual) {
      this.action = new actions.ManualApprovalAction({
        actionName: this.actionName,
        runOrder,
        notificationTopic: this.notificationTopic,
        // With a change-set review: your message, then the review's summary; your reviewUrl, else the report.
        additionalInformation: reviewMessage(this.props.message, options.changeSetReview),
        externalEntityLink: this.props.reviewUrl ?? options.changeSetReview?.reportUrl,
        timeout: this.props.timeout,
      });
      gateActions.push(this.action);
    }

    return {
      actions: gateActions,
      beforeEntry: this.entryCondition
        ? { conditions: [this.entryCondition.bind(this, { pipeline, stageName })] }
        : undefined,
      onSuccess: this.successCondition
        ? { conditions: [this.successCondition.bind(this, { pipeline, stageName, ruleNamePrefix: `${stageName}.${this.successCondition.result === codepipeline.Result.ROLLBACK ? 'Rollback' : 'Success'}` })] }
        : undefined,
      onFailure: this.onFailure(pipeline, stageName),
      notificationTopic: this.manual ? this.notificationTopic : undefined,
    };
  }

  private onFailure(pipeline: codepipeline.Pipeline, stageName: string): codepipeline.FailureConditions | undefined {
    if (this.failureCondition) return renderFailureConditions(this, this.failureCondition, pipeline, stageName);
    if (this.props.rollbackOnFailure) return { result: codepipeline.Result.ROLLBACK };
    if (this.props.retryOnFailure !== undefined) return { result: codepipeline.Result.RETRY, retryMode: this.props.retryOnFailure };
    return undefined;
  }

  /**
   * Let a principal approve or reject this gate: `codepipeline:PutApprovalResult` on exactly
   * `arn:<partition>:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>`, and
   * `codepipeline:GetPipeline`, `GetPipelineState`, `GetPipelineExecution` on this pipeline only.
   * Works before or after the gate is attached.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    v.checkArg(`${v.where(this)}.grantApprove`, 'grantee', grantee, v.required(v.cdk.grantable));
    this.requireManual('grantApprove');
    const approve = iam.Grant.addToPrincipal({
      grantee,
      actions: ['codepipeline:PutApprovalResult'],
      // uncached, and a placeholder until the gate is attached: a principal that cannot hold policies (an imported function's
      // UnknownPrincipal) renders the statement at once, into a warning; a gate never attached fails synth by its own validation
      resourceArns: [Lazy.uncachedString({ produce: () => this.binding ? `${this.binding.pipeline.pipelineArn}/${this.binding.stageName}/${this.actionName}` : '<gate not attached yet>' })],
    });
    const read = iam.Grant.addToPrincipal({
      grantee,
      actions: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution'],
      resourceArns: [Lazy.uncachedString({ produce: () => this.binding ? this.binding.pipeline.pipelineArn : '<gate not attached yet>' })],
    });
    return approve.combine(read);
  }

  /**
   * An EventBridge rule for when this gate's approval starts waiting for a person
   * (action execution STARTED). Works before or after the gate is attached.
   */
  public onApprovalNeeded(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.approvalEvent('onApprovalNeeded', id, 'STARTED', options);
  }

  /** An EventBridge rule for when this gate's approval is approved (action execution SUCCEEDED). */
  public onApproved(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.approvalEvent('onApproved', id, 'SUCCEEDED', options);
  }

  /**
   * An EventBridge rule for when this gate's approval is rejected, or expires after the timeout
   * (action execution FAILED).
   */
  public onRejected(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.approvalEvent('onRejected', id, 'FAILED', options);
  }

  private approvalEvent(method: string, id: string, state: string, options: events.OnEventOptions): events.Rule {
    v.checkArg(`${v.where(this)}.${method}`, 'id', id, v.required(v.constructId));
    v.checkProps(`${v.where(this)}.${method}`, options, {
      description: v.str(),
      ruleName: v.str(),
      crossStackScope: v.construct,
      eventPattern: v.object('an event pattern, e.g. { detail: { ... } }'),
      target: v.implementing('an events.IRuleTarget', 'a target, e.g. new targets.SnsTopic(topic)', 'bind'),
    }, 'options');
    this.requireManual(method);
    const rule = new events.Rule(this, id, {
      description: options.description,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
    });
    rule.addEventPattern({
      source: ['aws.codepipeline'],
      detailType: ['CodePipeline Action Execution State Change'],
      resources: [Lazy.string({ produce: () => this.requireBinding().pipeline.pipelineArn })],
      detail: {
        stage: [Lazy.string({ produce: () => this.requireBinding().stageName })],
        action: [this.actionName],
        state: [state],
      },
    });
    rule.addEventPattern(options.eventPattern);
    if (options.target) {
      rule.addTarget(options.target);
    }
    return rule;
  }

  private validateTimeout(owner: string, timeout: Duration | undefined): void {
    if (!timeout || Token.isUnresolved(timeout.toSeconds())) return;
    const seconds = timeout.toSeconds();
    if (seconds < MIN_TIMEOUT.toSeconds() || seconds > MAX_TIMEOUT.toSeconds()) {
      fail(owner, `timeout ${timeout.toHumanString()} is outside 5 minutes..7 days; pass a Duration in that range.`);
    }
    if (seconds % 60 !== 0) {
      fail(owner, `timeout ${timeout.toHumanString()} is not a whole number of minutes; pass e.g. Duration.hours(4).`);
    }
  }

  private requireManual(method: string): void {
    if (!this.manual) {
      fail(this.describe(), `${method} needs a manual approval, and this gate has only automated conditions; `
        + 'give emails, approvers, message, reviewUrl or manual: true.');
    }
  }

  private requireBinding(): Binding {
    if (!this.binding) {
      throw new Error(`${this.describe()}: not attached to any stage; give it to a pipeline stage as its gate, or call gate.attachTo(pipeline, { stageName }).`);
    }
    return this.binding;
  }

  private describe(): string {
    return `ApprovalGate '${this.node.id}'`;
  }
}

/** The approval's custom data: the message, the review's summary, or the message then the summary on the next line. */
function reviewMessage(message: string | undefined, review: StageGateReview | undefined): string | undefined {
  if (!review) return message;
  return message === undefined ? review.summary : `${message}\n${review.summary}`;
}

function isV2(pipeline: codepipeline.Pipeline): boolean {
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline | undefined;
  return cfn?.pipelineType === codepipeline.PipelineType.V2;
}
