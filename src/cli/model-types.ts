// The model `diagram` and `report` read from a cloud assembly: pipelines, stages, lanes, actions, gates, topics,
// notifications (built in model.ts).
import { StackInfo } from './assembly';

/** One action of a stage, with where it runs. */
export interface ActionModel {
  readonly name: string;
  readonly category: string;
  readonly owner: string;
  readonly provider: string;
  readonly runOrder: number;
  /** Concrete region, or `<pipeline region>` when the pipeline stack is environment-agnostic. */
  readonly region: string;
  /** Concrete account, or `<pipeline account>` / `<unknown account>`. */
  readonly account: string;
  /** Short description of what it acts on (`CHANGE_SET_REPLACE app`, a project name). */
  readonly detail?: string;
  /** A manual approval action: a gate. */
  readonly approval: boolean;
  /** Who is told, who may approve and how long it waits: manual approvals only. */
  readonly approvalInfo?: ApprovalModel;
  /** The CodeBuild project a CodeBuild action runs (`<construct path>` when CloudFormation names it). */
  readonly project?: string;
  /** Charged per action execution minute on a V2 pipeline (all but manual approval and custom actions). */
  readonly billable: boolean;
}

/** An SNS topic and who subscribes to it. */
export interface TopicModel {
  /** The topic's name, or `<construct path>` when CloudFormation names it. */
  readonly name: string;
  /** E-mail addresses subscribed in the app (protocol email or email-json). */
  readonly emails: string[];
  /** Other subscriptions, as `protocol endpoint` (`lambda <Fn>`, `sqs <Queue>`, `https https://...`). */
  readonly others: string[];
}

/** A manual approval: who is told, who may approve, how long it waits. */
export interface ApprovalModel {
  /** The topic CodePipeline notifies when the approval starts waiting (`NotificationArn`). */
  readonly topic?: TopicModel;
  /**
   * IAM principals of the app (roles people assume, users, groups) allowed
   * `codepipeline:PutApprovalResult` on this action; empty when the app names none.
   */
  readonly approvers: string[];
  /** `TimeoutInMinutes`, or CodePipeline's 7 days when absent. */
  readonly timeoutMinutes: number;
  readonly timeoutIsDefault: boolean;
  /** `ExternalEntityLink`. */
  readonly reviewUrl?: string;
  /** `CustomData`: the message approvers read. */
  readonly message?: string;
}

/** Actions sharing one runOrder run in parallel: one lane. */
export interface LaneModel {
  readonly runOrder: number;
  readonly actions: ActionModel[];
}

export interface RuleModel {
  readonly name: string;
  readonly provider: string;
  readonly summary: string;
}

export interface ConditionModel {
  readonly result: string;
  readonly rules: RuleModel[];
}

/** A stage condition block (`beforeEntry`, `onSuccess`, `onFailure`). */
export interface StageGateModel {
  readonly kind: 'beforeEntry' | 'onSuccess' | 'onFailure';
  /** onFailure's own result (ROLLBACK, RETRY, FAIL). */
  readonly result?: string;
  readonly retryMode?: string;
  readonly conditions: ConditionModel[];
}

export interface StageModel {
  readonly name: string;
  readonly lanes: LaneModel[];
  readonly beforeEntry?: StageGateModel;
  readonly onSuccess?: StageGateModel;
  readonly onFailure?: StageGateModel;
}

/** A rule that tells someone about the pipeline's executions (EventBridge or CodeStar Notifications). */
export interface NotificationModel {
  readonly kind: 'EventBridge rule' | 'Notification rule';
  readonly stack: string;
  readonly logicalId: string;
  /** What it matches, e.g. `pipeline FAILED`. */
  readonly events: string;
  /** What it sends to, e.g. `Lambda`, `SNS topic`. */
  readonly targets: string[];
  /** SNS topics it publishes to: a target, or a topic named in a target's input (our notifier's). */
  readonly topics: TopicModel[];
}

/** A CloudWatch alarm on one of the pipeline's metrics (e.g. our failure alarm), and where it sends. */
export interface AlarmModel {
  /** The alarm name, or `<construct path>` when CloudFormation names it. */
  readonly name: string;
  readonly stack: string;
  readonly logicalId: string;
  /** The condition, e.g. `Failures >= 1 in 5 min`. */
  readonly condition: string;
  /** Topics of its alarm actions. */
  readonly topics: TopicModel[];
}

export interface PipelineModel {
  /** Unique in the assembly: `<stack display name>/<logical id>`. */
  readonly id: string;
  /** The pipeline name, or the logical id when CloudFormation generates the name. */
  readonly name: string;
  readonly logicalId: string;
  readonly stack: StackInfo;
  readonly pipelineType: string;
  readonly executionMode: string;
  readonly region: string;
  readonly account: string;
  readonly stages: StageModel[];
  readonly notifications: NotificationModel[];
  /** CloudWatch alarms on the pipeline's metrics (dimension `PipelineName`). */
  readonly alarms: AlarmModel[];
  /** Regions with an artifact store. */
  readonly artifactRegions: string[];
}
