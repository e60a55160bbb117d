// Reads the pipelines of a cloud assembly into the model of model-types.ts, for `diagram` and `report`: one
// function per CloudFormation shape it meets (pipeline, stage, action, approval, topic, rule, alarm), read top
// down; over 400 lines because those readers share the resolve context and are clearer side by side.
import { AssemblyInfo, StackInfo } from './assembly';
import { ActionModel, AlarmModel, ApprovalModel, ConditionModel, NotificationModel, PipelineModel, RuleModel, StageGateModel, StageModel, TopicModel } from './model-types';
import { concreteValue, PIPELINE_ACCOUNT, PIPELINE_REGION, referencedIds, ResolveContext, resolveValue, stringsIn } from './resolve';

export * from './model-types';

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

/** What the stage and action readers need to know about their pipeline. */
interface PipelineScope {
  readonly assembly: AssemblyInfo;
  readonly stack: StackInfo;
  readonly ctx: ResolveContext;
  readonly logicalId: string;
  /** The concrete pipeline name, when the template gives one. */
  readonly name?: string;
  readonly region: string;
  readonly account: string;
}

function pipelineModel(assembly: AssemblyInfo, stack: StackInfo, logicalId: string, props: any): PipelineModel {
  const ctx = contextOf(stack);
  const region = stack.region ?? PIPELINE_REGION;
  const account = stack.account ?? PIPELINE_ACCOUNT;
  const concreteName = props.Name !== undefined ? concreteValue(props.Name, ctx) : undefined;
  const name = concreteName ?? constructName(ctx.resources, logicalId) ?? logicalId;
  const scope: PipelineScope = { assembly, stack, ctx, logicalId, name: concreteName, region, account };
  const stages: StageModel[] = (props.Stages ?? []).map((s: any) => stageModel(s, scope));
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
    notifications: notificationsOf(scope),
    alarms: alarmsOf(scope),
    artifactRegions,
  };
}

function stageModel(stage: any, scope: PipelineScope): StageModel {
  const { ctx } = scope;
  const stageName = String(concreteValue(stage.Name, ctx) ?? stage.Name);
  const actions: ActionModel[] = (stage.Actions ?? []).map((a: any) => actionModel(a, stageName, scope));
  const byOrder = new Map<number, ActionModel[]>();
  for (const a of actions) byOrder.set(a.runOrder, [...(byOrder.get(a.runOrder) ?? []), a]);
  const lanes = [...byOrder.entries()].sort(([a], [b]) => a - b).map(([runOrder, as]) => ({ runOrder, actions: as }));
  return {
    name: stageName,
    lanes,
    beforeEntry: gateModel('beforeEntry', stage.BeforeEntry, ctx),
    onSuccess: gateModel('onSuccess', stage.OnSuccess, ctx),
    onFailure: gateModel('onFailure', stage.OnFailure, ctx),
  };
}

function actionModel(action: any, stageName: string, scope: PipelineScope): ActionModel {
  const { ctx } = scope;
  const type = action.ActionTypeId ?? {};
  const category = String(type.Category ?? '?');
  const owner = String(type.Owner ?? 'AWS');
  const provider = String(type.Provider ?? '?');
  const approval = category === 'Approval' && provider === 'Manual';
  const config = action.Configuration ?? {};
  const name = String(concreteValue(action.Name, ctx) ?? action.Name);
  const project = provider === 'CodeBuild' && config.ProjectName !== undefined ? nameOrLabel(config.ProjectName, ctx) : undefined;
  return {
    name,
    category,
    owner,
    provider,
    runOrder: Number(action.RunOrder ?? 1),
    region: action.Region === undefined ? scope.region : concreteValue(action.Region, ctx) ?? PIPELINE_REGION,
    account: accountOf(action.RoleArn, ctx, scope.account),
    detail: project ? `project ${project}` : detailOf(config, ctx),
    approval,
    approvalInfo: approval ? approvalModel(action, stageName, name, scope) : undefined,
    project,
    billable: !approval && owner !== 'Custom',
  };
}

/** A concrete name, else `<construct path>` of the resource it refers to. */
function nameOrLabel(value: any, ctx: ResolveContext): string {
  return concreteValue(value, ctx) ?? tokenLabel(value, ctx);
}

/** CodePipeline's timeout of a manual approval without `TimeoutInMinutes`: 7 days. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60;

function approvalModel(action: any, stageName: string, actionName: string, scope: PipelineScope): ApprovalModel {
  const { ctx } = scope;
  const config = action.Configuration ?? {};
  const timeout = concreteValue(action.TimeoutInMinutes, ctx);
  return {
    topic: config.NotificationArn !== undefined ? topicModel(config.NotificationArn, scope.stack) : undefined,
    approvers: approversOf(scope, stageName, actionName),
    timeoutMinutes: timeout !== undefined ? Number(timeout) : DEFAULT_APPROVAL_TIMEOUT_MINUTES,
    timeoutIsDefault: timeout === undefined,
    reviewUrl: concreteValue(config.ExternalEntityLink, ctx),
    message: concreteValue(config.CustomData, ctx),
  };
}

/** An SNS topic referenced by `arn` in `stack`, with its subscriptions in the same stack. */
function topicModel(arn: any, stack: StackInfo): TopicModel {
  const ctx = contextOf(stack);
  const [id] = [...referencedIds(arn)].filter((x) => ctx.resources[x]?.Type === 'AWS::SNS::Topic');
  if (!id) {
    const text = resolveValue(arn, ctx).text;
    const m = /^arn:[^:]*:sns:[^:]*:[^:]*:([^:${}]+)$/.exec(text);
    return { name: m ? m[1] : tokenLabel(arn, ctx), emails: [], others: [] };
  }
  const topic = ctx.resources[id];
  const subscriptions: Array<{ protocol: any; endpoint: any }> = (topic.Properties?.Subscription ?? [])
    .map((s: any) => ({ protocol: s.Protocol, endpoint: s.Endpoint }));
  for (const r of Object.values<any>(ctx.resources)) {
    if (r?.Type === 'AWS::SNS::Subscription' && referencedIds(r.Properties?.TopicArn).has(id)) {
      subscriptions.push({ protocol: r.Properties.Protocol, endpoint: r.Properties.Endpoint });
    }
  }
  const emails: string[] = [];
  const others: string[] = [];
  for (const s of subscriptions) {
    const protocol = String(concreteValue(s.protocol, ctx) ?? '?');
    const endpoint = nameOrLabel(s.endpoint, ctx);
    if (protocol === 'email' || protocol === 'email-json') emails.push(endpoint);
    else others.push(`${protocol} ${endpoint}`);
  }
  return { name: nameOrLabel(topic.Properties?.TopicName ?? { Ref: id }, ctx), emails, others };
}

/** Does an IAM action pattern (`codepipeline:PutApproval*`, `codepipeline:*`) allow PutApprovalResult? Not `*`: that is an admin role, not an approver. */
function allowsApproval(action: string): boolean {
  if (!/^codepipeline:/i.test(action)) return false;
  return globMatch(action.toLowerCase(), 'codepipeline:putapprovalresult');
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.split('?').map(escapeRegExp).join('.')).join('.*') + '$');
  return re.test(text);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The app's principals people use (users, groups, roles not assumed by a service) that an identity
 * policy allows `codepipeline:PutApprovalResult` on `<pipeline>/<stage>/<action>`.
 */
function approversOf(scope: PipelineScope, stageName: string, actionName: string): string[] {
  const out: string[] = [];
  for (const stack of scope.assembly.stacks) {
    const ctx = contextOf(stack);
    const same = stack === scope.stack;
    // A resource naming this pipeline (by reference or name), or `*`, matched as a glob against the action's ARN;
    // other deploy-time values (`${AWS::Region}` of an agnostic stack) match anything.
    const allowsOn = (resource: any): boolean => {
      const named = (same && referencedIds(resource).has(scope.logicalId))
        || (!!scope.name && stringsIn(resource, ctx).some((s) => s.includes(scope.name!)));
      if (!named && resource !== '*') return false;
      const text = resolveValue(resource, ctx).text
        .split('${' + scope.logicalId + '}').join(scope.name ?? '\u0000pipeline')
        .replace(/\$\{[^}]*\}/g, '*');
      const arn = `arn:aws:codepipeline:${scope.region}:${scope.account}:${scope.name ?? '\u0000pipeline'}/${stageName}/${actionName}`;
      return globMatch(text, arn);
    };
    const grants = (doc: any): boolean => (doc?.Statement ?? []).some((st: any) =>
      st.Effect === 'Allow'
      && ([] as any[]).concat(st.Action ?? []).some((a) => typeof a === 'string' && allowsApproval(a))
      && ([] as any[]).concat(st.Resource ?? []).some(allowsOn));
    const people = (refs: any[] | undefined) => (refs ?? []).flatMap((r) => [...referencedIds(r)]).filter((id) => isPerson(ctx.resources[id]));
    for (const [id, r] of Object.entries<any>(ctx.resources)) {
      const props = r?.Properties ?? {};
      if (r?.Type === 'AWS::IAM::Policy' || r?.Type === 'AWS::IAM::ManagedPolicy') {
        if (!grants(props.PolicyDocument)) continue;
        for (const p of [...people(props.Roles), ...people(props.Users), ...people(props.Groups)]) out.push(label(ctx, p));
      } else if (['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'].includes(r?.Type) && isPerson(r)) {
        if ((props.Policies ?? []).some((pol: any) => grants(pol.PolicyDocument))) out.push(label(ctx, id));
      }
    }
  }
  return [...new Set(out)];
}

/** `<construct path>` of a resource. */
function label(ctx: ResolveContext, id: string): string {
  return `<${constructName(ctx.resources, id) ?? id}>`;
}

/** A user, a group, or a role someone other than an AWS service assumes. */
function isPerson(resource: any): boolean {
  if (resource?.Type === 'AWS::IAM::User' || resource?.Type === 'AWS::IAM::Group') return true;
  if (resource?.Type !== 'AWS::IAM::Role') return false;
  const statements = resource.Properties?.AssumeRolePolicyDocument?.Statement ?? [];
  return statements.some((st: any) => st.Effect === 'Allow' && st.Principal && (st.Principal === '*' || Object.keys(st.Principal).some((k) => k !== 'Service')));
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

function detailOf(config: any, ctx: ResolveContext): string | undefined {
  const parts: string[] = [];
  if (config.ActionMode) parts.push(String(concreteValue(config.ActionMode, ctx) ?? ''));
  for (const key of DETAIL_KEYS) {
    const v = concreteValue(config[key], ctx);
    if (v) {
      parts.push(v);
      break;
    }
  }
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
function notificationsOf(scope: PipelineScope): NotificationModel[] {
  const out: NotificationModel[] = [];
  for (const stack of scope.assembly.stacks) {
    const ctx = contextOf(stack);
    const mentions = mentionsPipeline(scope, stack);
    const topicsIn = (value: any): TopicModel[] => [...referencedIds(value)]
      .filter((id) => ctx.resources[id]?.Type === 'AWS::SNS::Topic')
      .map((id) => topicModel({ Ref: id }, stack));
    for (const [id, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      const props = resource?.Properties ?? {};
      if (resource?.Type === 'AWS::Events::Rule') {
        const pattern = props.EventPattern;
        if (!pattern || !(pattern.source ?? []).includes('aws.codepipeline') || !mentions(pattern)) continue;
        const targets = props.Targets ?? [];
        out.push({
          kind: 'EventBridge rule',
          stack: stack.displayName,
          logicalId: id,
          events: describePattern(pattern),
          targets: targets.map((t: any) => targetKind(t.Arn, ctx)),
          topics: uniqueTopics(targets.flatMap((t: any) => topicsIn(t))),
        });
      } else if (resource?.Type === 'AWS::CodeStarNotifications::NotificationRule') {
        if (!mentions(props.Resource)) continue;
        const events = (props.EventTypeIds ?? []).map((e: any) => String(e).replace(/^codepipeline-pipeline-/, '')).join(', ');
        const targets = props.Targets ?? [];
        out.push({
          kind: 'Notification rule',
          stack: stack.displayName,
          logicalId: id,
          events,
          targets: targets.map((t: any) => String(t.TargetType ?? '?')),
          topics: uniqueTopics(targets.filter((t: any) => t.TargetType === 'SNS').map((t: any) => topicModel(t.TargetAddress, stack))),
        });
      }
    }
  }
  return out;
}

/** Does a value of `stack` refer to the pipeline (by reference in its own stack, or by name)? */
function mentionsPipeline(scope: PipelineScope, stack: StackInfo): (value: any) => boolean {
  const ctx = contextOf(stack);
  return (value) => {
    if (stack === scope.stack && referencedIds(value).has(scope.logicalId)) return true;
    if (!scope.name) return false;
    return stringsIn(value, ctx).some((s) => s === scope.name || s.endsWith(`:${scope.name}`));
  };
}

function uniqueTopics(topics: TopicModel[]): TopicModel[] {
  const seen = new Set<string>();
  return topics.filter((t) => !seen.has(t.name) && !!seen.add(t.name));
}

const COMPARISONS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** CloudWatch alarms whose metric has the pipeline as its `PipelineName` dimension. */
function alarmsOf(scope: PipelineScope): AlarmModel[] {
  const out: AlarmModel[] = [];
  for (const stack of scope.assembly.stacks) {
    const ctx = contextOf(stack);
    const mentions = mentionsPipeline(scope, stack);
    for (const [id, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (resource?.Type !== 'AWS::CloudWatch::Alarm') continue;
      const props = resource.Properties ?? {};
      const dimensions = [...(props.Dimensions ?? []), ...(props.Metrics ?? []).flatMap((m: any) => m.MetricStat?.Metric?.Dimensions ?? [])];
      if (!dimensions.some((d: any) => d.Name === 'PipelineName' && mentions(d.Value))) continue;
      const op = COMPARISONS[String(props.ComparisonOperator)] ?? String(props.ComparisonOperator ?? '?');
      const period = Number(props.Period ?? 60) * Number(props.EvaluationPeriods ?? 1);
      const metric = props.MetricName !== undefined ? String(concreteValue(props.MetricName, ctx) ?? '?') : 'metric math';
      out.push({
        name: nameOrLabel(props.AlarmName ?? { Ref: id }, ctx),
        stack: stack.displayName,
        logicalId: id,
        condition: `${metric} ${op} ${props.Threshold ?? '?'} in ${formatMinutes(Math.round(period / 60))}`,
        topics: uniqueTopics([...referencedIds(props.AlarmActions ?? [])]
          .filter((x) => ctx.resources[x]?.Type === 'AWS::SNS::Topic')
          .map((x) => topicModel({ Ref: x }, stack))),
      });
    }
  }
  return out;
}

/** `2 days`, `3 h`, `90 min`. */
export function formatMinutes(minutes: number): string {
  if (minutes > 0 && minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  if (minutes > 0 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

function describePattern(pattern: any): string {
  const kinds = (pattern['detail-type'] ?? []).map((d: string) => DETAIL_TYPES[d] ?? d);
  const what = kinds.length ? kinds.join('|') : 'any event';
  // A branch of successes only is the notifier's delivery metrics (it notifies nothing): not drawn.
  const branches: any[] = Array.isArray(pattern.detail?.$or)
    ? pattern.detail.$or.map((b: any) => ({ ...pattern.detail, ...b })).filter((b: any) => !(b.state?.length === 1 && b.state[0] === 'SUCCEEDED'))
    : [pattern.detail ?? {}];
  const states = branches.map((d) => {
    const category: string[] = d.type?.category ?? [];
    const state: string[] = d.state ?? [];
    return [...(category.length ? [category.join('|')] : []), ...(state.length ? [state.join('|')] : [])].join(' ');
  });
  return states.every((x) => x) ? `${what} ${states.join('; ')}` : `${what} (every state)`;
}

function targetKind(arn: any, ctx: ResolveContext): string {
  for (const id of referencedIds(arn)) {
    const type = ctx.resources[id]?.Type;
    if (type) return TARGET_KINDS[type] ?? type;
  }
  const m = /^arn:[^:]*:([^:]+):/.exec(resolveValue(arn, ctx).text);
  return m ? m[1] : 'target';
}
