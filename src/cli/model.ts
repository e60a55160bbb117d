import { AssemblyInfo, StackInfo } from './assembly';
import { concreteValue, PIPELINE_ACCOUNT, PIPELINE_REGION, referencedIds, ResolveContext, resolveValue, stringsIn } from './resolve';

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
  /** Charged per action execution minute on a V2 pipeline (all but manual approval and custom actions). */
  readonly billable: boolean;
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
  /** Regions with an artifact store. */
  readonly artifactRegions: string[];
}

const UNKNOWN_ACCOUNT = '<unknown account>';

/** A resource's construct path without its stack and trailing `/Resource` (CDK's `aws:cdk:path` metadata). */
function constructName(resources: Record<string, any>, logicalId: string): string | undefined {
  const cdkPath = resources[logicalId]?.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath !== 'string') return undefined;
  const parts = cdkPath.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === 'Resource') parts.pop();
  return parts.join('/') || undefined;
}

/** A deploy-time value shown by what it refers to: `<Alarm>` for a Ref to construct `Alarm`. */
function tokenLabel(value: any, ctx: ResolveContext): string {
  const [id] = [...referencedIds(value)].filter((x) => !x.startsWith('AWS::'));
  if (!id) return '<deploy-time value>';
  return `<${constructName(ctx.resources, id) ?? id}>`;
}

export function contextOf(stack: StackInfo): ResolveContext {
  return { account: stack.account, region: stack.region, resources: stack.template.Resources ?? {} };
}

/** Every AWS::CodePipeline::Pipeline of the assembly, in manifest order. */
export function pipelinesIn(assembly: AssemblyInfo): PipelineModel[] {
  const out: PipelineModel[] = [];
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (resource?.Type !== 'AWS::CodePipeline::Pipeline') continue;
      out.push(pipelineModel(assembly, stack, logicalId, resource.Properties ?? {}));
    }
  }
  return out;
}

function pipelineModel(assembly: AssemblyInfo, stack: StackInfo, logicalId: string, props: any): PipelineModel {
  const ctx = contextOf(stack);
  const region = stack.region ?? PIPELINE_REGION;
  const account = stack.account ?? PIPELINE_ACCOUNT;
  const name = concreteValue(props.Name, ctx) ?? constructName(ctx.resources, logicalId) ?? logicalId;
  const stages: StageModel[] = (props.Stages ?? []).map((s: any) => stageModel(s, ctx, region, account));
  const artifactRegions = props.ArtifactStores
    ? props.ArtifactStores.map((s: any) => concreteValue(s.Region, ctx) ?? PIPELINE_REGION)
    : [region];
  return {
    id: `${stack.displayName}/${logicalId}`,
    name,
    logicalId,
    stack,
    // CodePipeline makes a pipeline V1 when PipelineType is not given.
    pipelineType: concreteValue(props.PipelineType, ctx) ?? 'V1',
    executionMode: concreteValue(props.ExecutionMode, ctx) ?? 'SUPERSEDED',
    region,
    account,
    stages,
    notifications: notificationsOf(assembly, stack, logicalId, props.Name !== undefined ? concreteValue(props.Name, ctx) : undefined),
    artifactRegions,
  };
}

function stageModel(stage: any, ctx: ResolveContext, pipelineRegion: string, pipelineAccount: string): StageModel {
  const actions: ActionModel[] = (stage.Actions ?? []).map((a: any) => actionModel(a, ctx, pipelineRegion, pipelineAccount));
  const byOrder = new Map<number, ActionModel[]>();
  for (const a of actions) byOrder.set(a.runOrder, [...(byOrder.get(a.runOrder) ?? []), a]);
  const lanes = [...byOrder.entries()].sort(([a], [b]) => a - b).map(([runOrder, as]) => ({ runOrder, actions: as }));
  return {
    name: String(concreteValue(stage.Name, ctx) ?? stage.Name),
    lanes,
    beforeEntry: gateModel('beforeEntry', stage.BeforeEntry, ctx),
    onSuccess: gateModel('onSuccess', stage.OnSuccess, ctx),
    onFailure: gateModel('onFailure', stage.OnFailure, ctx),
  };
}

function actionModel(action: any, ctx: ResolveContext, pipelineRegion: string, pipelineAccount: string): ActionModel {
  const type = action.ActionTypeId ?? {};
  const category = String(type.Category ?? '?');
  const owner = String(type.Owner ?? 'AWS');
  const provider = String(type.Provider ?? '?');
  const approval = category === 'Approval' && provider === 'Manual';
  return {
    name: String(concreteValue(action.Name, ctx) ?? action.Name),
    category,
    owner,
    provider,
    runOrder: Number(action.RunOrder ?? 1),
    region: action.Region === undefined ? pipelineRegion : concreteValue(action.Region, ctx) ?? PIPELINE_REGION,
    account: accountOf(action.RoleArn, ctx, pipelineAccount),
    detail: detailOf(provider, action.Configuration ?? {}, ctx),
    approval,
    billable: !approval && owner !== 'Custom',
  };
}

/** The account an action runs in: its role's account (the pipeline role's when it has none). */
function accountOf(roleArn: any, ctx: ResolveContext, pipelineAccount: string): string {
  if (roleArn === undefined) return pipelineAccount;
  const ids = [...referencedIds(roleArn)].filter((id) => !id.startsWith('AWS::'));
  if (ids.length > 0 && ids.every((id) => id in ctx.resources)) return pipelineAccount; // a role in the pipeline's own stack
  const { text } = resolveValue(roleArn, ctx);
  const m = /^arn:[^:]*:iam::([^:]+):/.exec(text);
  if (!m) return UNKNOWN_ACCOUNT;
  if (/^\d{12}$/.test(m[1])) return m[1];
  return m[1] === '${AWS::AccountId}' ? pipelineAccount : UNKNOWN_ACCOUNT;
}

const DETAIL_KEYS = ['StackName', 'StackSetName', 'ProjectName', 'FunctionName', 'ApplicationName', 'ClusterName', 'ServiceName', 'BucketName', 'RepositoryName', 'FullRepositoryId', 'ImageTag'];

function detailOf(provider: string, config: any, ctx: ResolveContext): string | undefined {
  const parts: string[] = [];
  if (config.ActionMode) parts.push(String(concreteValue(config.ActionMode, ctx) ?? ''));
  for (const key of DETAIL_KEYS) {
    const v = concreteValue(config[key], ctx);
    if (v) {
      parts.push(v);
      break;
    }
  }
  if (provider === 'Manual' && config.ExternalEntityLink) parts.push('review link');
  if (provider === 'Manual' && config.NotificationArn) parts.push('notifies SNS');
  const text = parts.filter((p) => p).join(' ');
  return text || undefined;
}

function gateModel(kind: StageGateModel['kind'], block: any, ctx: ResolveContext): StageGateModel | undefined {
  if (!block) return undefined;
  const conditions: ConditionModel[] = (block.Conditions ?? []).map((c: any) => ({
    result: String(concreteValue(c.Result, ctx) ?? '?'),
    rules: (c.Rules ?? []).map((r: any) => ruleModel(r, ctx)),
  }));
  const result = block.Result !== undefined ? concreteValue(block.Result, ctx) : undefined;
  const retryMode = block.RetryConfiguration?.RetryMode !== undefined ? concreteValue(block.RetryConfiguration.RetryMode, ctx) : undefined;
  if (conditions.length === 0 && !result) return undefined;
  return { kind, result, retryMode, conditions };
}

function ruleModel(rule: any, ctx: ResolveContext): RuleModel {
  const provider = String(rule.RuleTypeId?.Provider ?? '?');
  const config = rule.Configuration ?? {};
  const shown = Object.entries<any>(config)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${concreteValue(v, ctx) ?? tokenLabel(v, ctx)}`);
  return { name: String(concreteValue(rule.Name, ctx) ?? rule.Name), provider, summary: [provider, ...shown].join(' ') };
}

const DETAIL_TYPES: Record<string, string> = {
  'CodePipeline Pipeline Execution State Change': 'pipeline',
  'CodePipeline Stage Execution State Change': 'stage',
  'CodePipeline Action Execution State Change': 'action',
};

const TARGET_KINDS: Record<string, string> = {
  'AWS::Lambda::Function': 'Lambda',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::Logs::LogGroup': 'log group',
  'AWS::StepFunctions::StateMachine': 'state machine',
  'AWS::Events::EventBus': 'event bus',
  'AWS::CodePipeline::Pipeline': 'pipeline',
  'AWS::Chatbot::SlackChannelConfiguration': 'Chatbot',
};

/** Rules in any stack whose pattern is about this pipeline (by reference, or by its name in an ARN). */
function notificationsOf(assembly: AssemblyInfo, pipelineStack: StackInfo, logicalId: string, name: string | undefined): NotificationModel[] {
  const out: NotificationModel[] = [];
  for (const stack of assembly.stacks) {
    const ctx = contextOf(stack);
    const mentions = (value: any): boolean => {
      if (stack === pipelineStack && referencedIds(value).has(logicalId)) return true;
      if (!name) return false;
      return stringsIn(value, ctx).some((s) => s === name || s.endsWith(`:${name}`));
    };
    for (const [id, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      const props = resource?.Properties ?? {};
      if (resource?.Type === 'AWS::Events::Rule') {
        const pattern = props.EventPattern;
        if (!pattern || !(pattern.source ?? []).includes('aws.codepipeline') || !mentions(pattern)) continue;
        out.push({ kind: 'EventBridge rule', stack: stack.displayName, logicalId: id, events: describePattern(pattern), targets: (props.Targets ?? []).map((t: any) => targetKind(t.Arn, ctx)) });
      } else if (resource?.Type === 'AWS::CodeStarNotifications::NotificationRule') {
        if (!mentions(props.Resource)) continue;
        const events = (props.EventTypeIds ?? []).map((e: any) => String(e).replace(/^codepipeline-pipeline-/, '')).join(', ');
        out.push({ kind: 'Notification rule', stack: stack.displayName, logicalId: id, events, targets: (props.Targets ?? []).map((t: any) => String(t.TargetType ?? '?')) });
      }
    }
  }
  return out;
}

function describePattern(pattern: any): string {
  const kinds = (pattern['detail-type'] ?? []).map((d: string) => DETAIL_TYPES[d] ?? d);
  const states: string[] = pattern.detail?.state ?? [];
  const category: string[] = pattern.detail?.type?.category ?? [];
  const what = [...(category.length ? [category.join('|')] : []), ...(kinds.length ? [kinds.join('|')] : ['any event'])].join(' ');
  return states.length ? `${what} ${states.join('|')}` : `${what} (every state)`;
}

function targetKind(arn: any, ctx: ResolveContext): string {
  for (const id of referencedIds(arn)) {
    const type = ctx.resources[id]?.Type;
    if (type) return TARGET_KINDS[type] ?? type;
  }
  const m = /^arn:[^:]*:([^:]+):/.exec(resolveValue(arn, ctx).text);
  return m ? m[1] : 'target';
}
