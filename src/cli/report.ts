import { AssemblyInfo, StackInfo } from './assembly';
import { contextOf, PipelineModel, pipelinesIn } from './model';
import { stringsIn } from './resolve';

/** Prices the estimate assumes (USD, us-east-1 list prices; see README). */
export interface Prices {
  /** Per customer managed KMS key per month. */
  readonly kmsKeyMonth: number;
  /** Per active V1 pipeline per month (one that ran at least once that month, older than 30 days). */
  readonly v1PipelineMonth: number;
  /** Per V2 action execution minute (every action but manual approval and custom actions; rounded up per action). */
  readonly v2ActionMinute: number;
}

export const DEFAULT_PRICES: Prices = { kmsKeyMonth: 1, v1PipelineMonth: 1, v2ActionMinute: 0.002 };

export interface UsageAssumptions {
  readonly runsPerMonth: number;
  readonly minutesPerAction: number;
}

export const DEFAULT_USAGE: UsageAssumptions = { runsPerMonth: 30, minutesPerAction: 3 };

export interface PipelineFootprint {
  readonly pipeline: string;
  readonly stack: string;
  readonly pipelineType: string;
  readonly stages: number;
  readonly actions: number;
  /** Actions charged per minute on V2. */
  readonly billableActions: number;
  /** The pipeline's stack plus its support stacks. */
  readonly stacks: number;
  /** Stacks other than the pipeline's that hold its artifact stores, keys or action roles. */
  readonly supportStacks: string[];
  readonly resources: number;
  readonly roles: number;
  readonly kmsKeys: number;
  readonly cost: PipelineCost;
}

export interface PipelineCost {
  readonly kmsKeys: number;
  readonly pipeline: number;
  readonly actionMinutes: number;
  readonly actionMinutesCost: number;
  readonly total: number;
}

export interface Report {
  readonly assembly: string;
  readonly prices: Prices;
  readonly usage: UsageAssumptions;
  readonly pipelines: PipelineFootprint[];
  /** Over the distinct stacks of all pipelines (a stack shared by two pipelines counts once). */
  readonly total: {
    readonly stacks: number;
    readonly resources: number;
    readonly roles: number;
    readonly kmsKeys: number;
    readonly cost: PipelineCost;
  };
  /** What the estimate leaves out. */
  readonly notes: string[];
}

const KMS_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);
const NAME_PROPERTIES = ['BucketName', 'AliasName', 'RoleName', 'KeyAlias', 'TopicName', 'FunctionName'];

export function report(assembly: AssemblyInfo, usage: UsageAssumptions = DEFAULT_USAGE, prices: Prices = DEFAULT_PRICES): Report {
  const pipelines = pipelinesIn(assembly);
  const rows: PipelineFootprint[] = [];
  const allStacks = new Set<StackInfo>();
  const costs: PipelineCost[] = [];
  for (const p of pipelines) {
    const support = supportStacksOf(assembly, p);
    const stacks = [p.stack, ...support];
    stacks.forEach((s) => allStacks.add(s));
    const counts = countResources(stacks);
    const actions = p.stages.flatMap((s) => s.lanes.flatMap((l) => l.actions));
    const billable = actions.filter((a) => a.billable).length;
    const cost = costOf(p, counts.kmsKeys, billable, usage, prices);
    costs.push(cost);
    rows.push({
      pipeline: p.name,
      stack: p.stack.displayName,
      pipelineType: p.pipelineType,
      stages: p.stages.length,
      actions: actions.length,
      billableActions: billable,
      stacks: stacks.length,
      supportStacks: support.map((s) => s.displayName),
      ...counts,
      cost,
    });
  }
  const totals = countResources([...allStacks]);
  const kmsCost = round(totals.kmsKeys * prices.kmsKeyMonth);
  const pipelineCost = round(costs.reduce((a, c) => a + c.pipeline, 0));
  const minutes = costs.reduce((a, c) => a + c.actionMinutes, 0);
  const minutesCost = round(costs.reduce((a, c) => a + c.actionMinutesCost, 0));
  return {
    assembly: assembly.directory,
    prices,
    usage,
    pipelines: rows,
    total: {
      stacks: allStacks.size,
      ...totals,
      cost: {
        kmsKeys: kmsCost,
        pipeline: pipelineCost,
        actionMinutes: minutes,
        actionMinutesCost: minutesCost,
        total: round(kmsCost + pipelineCost + minutesCost),
      },
    },
    notes: [
      'Free tier not deducted: 1 active V1 pipeline and 100 V2 action minutes per account per month.',
      'V1 pipelines cost nothing in their first 30 days and in months with no run.',
      'Not included: CodeBuild minutes, S3 storage and requests, Lambda, CloudWatch, data transfer, the deployed stacks.',
    ],
  };
}

function costOf(p: PipelineModel, kmsKeys: number, billableActions: number, usage: UsageAssumptions, prices: Prices): PipelineCost {
  const kms = round(kmsKeys * prices.kmsKeyMonth);
  const v2 = p.pipelineType === 'V2';
  const pipeline = !v2 && usage.runsPerMonth > 0 ? prices.v1PipelineMonth : 0;
  // CodePipeline rounds each action execution up to the minute.
  const actionMinutes = v2 ? billableActions * usage.runsPerMonth * Math.ceil(usage.minutesPerAction) : 0;
  const actionMinutesCost = round(actionMinutes * prices.v2ActionMinute);
  return { kmsKeys: kms, pipeline, actionMinutes, actionMinutesCost, total: round(kms + pipeline + actionMinutesCost) };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function countResources(stacks: StackInfo[]): { resources: number; roles: number; kmsKeys: number } {
  let resources = 0;
  let roles = 0;
  let kmsKeys = 0;
  for (const s of stacks) {
    for (const r of Object.values<any>(s.template.Resources ?? {})) {
      resources++;
      if (r?.Type === 'AWS::IAM::Role') roles++;
      if (KMS_TYPES.has(r?.Type)) kmsKeys++;
    }
  }
  return { resources, roles, kmsKeys };
}

/**
 * Support stacks of a pipeline: other stacks holding something the pipeline definition names
 * (an artifact bucket, a key alias, an action role: aws-codepipeline's cross-region and
 * cross-account support stacks, and this library's regional artifact stores), found by
 * physical name, or exporting a value the pipeline imports.
 */
export function supportStacksOf(assembly: AssemblyInfo, p: PipelineModel): StackInfo[] {
  const definition = p.stack.template.Resources[p.logicalId]?.Properties ?? {};
  const strings = stringsIn(definition, contextOf(p.stack));
  const imports = new Set<string>();
  collectImports(definition, imports);
  return assembly.stacks.filter((s) => {
    if (s === p.stack) return false;
    const ctx = contextOf(s);
    for (const r of Object.values<any>(s.template.Resources ?? {})) {
      for (const prop of NAME_PROPERTIES) {
        const raw = r?.Properties?.[prop];
        if (typeof raw !== 'string' && !(raw && typeof raw === 'object')) continue;
        const name = stringsIn(raw, ctx).find((x) => x.length >= 3 && !x.includes('${'));
        if (!name) continue;
        const bare = name.replace(/^alias\//, '');
        if (strings.some((x) => x === name || x.endsWith(`/${bare}`) || x.endsWith(`:${bare}`) || x.endsWith(`:${name}`))) return true;
      }
    }
    for (const output of Object.values<any>(s.template.Outputs ?? {})) {
      const exported = output?.Export?.Name;
      if (typeof exported === 'string' && imports.has(exported)) return true;
    }
    return false;
  });
}

function collectImports(value: any, out: Set<string>) {
  if (Array.isArray(value)) {value.forEach((v) => collectImports(v, out));} else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::ImportValue' && typeof v === 'string') out.add(v);
      else collectImports(v, out);
    }
  }
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The report as a text table, with the prices and usage it assumes. */
export function formatReport(r: Report): string {
  const header = ['Pipeline', 'Type', 'Stacks', 'Support stacks', 'Resources', 'Roles', 'KMS keys', 'Actions (billable)', 'KMS $/mo', 'Pipeline $/mo', 'Action min/mo', 'Action $/mo', 'Total $/mo'];
  const rows = r.pipelines.map((p) => [
    `${p.pipeline} (${p.stack})`,
    p.pipelineType,
    String(p.stacks),
    String(p.supportStacks.length),
    String(p.resources),
    String(p.roles),
    String(p.kmsKeys),
    `${p.actions} (${p.billableActions})`,
    usd(p.cost.kmsKeys),
    usd(p.cost.pipeline),
    String(p.cost.actionMinutes),
    usd(p.cost.actionMinutesCost),
    usd(p.cost.total),
  ]);
  const t = r.total;
  rows.push(['Total (distinct stacks)', '', String(t.stacks), '', String(t.resources), String(t.roles), String(t.kmsKeys), '', usd(t.cost.kmsKeys), usd(t.cost.pipeline), String(t.cost.actionMinutes), usd(t.cost.actionMinutesCost), usd(t.cost.total)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [
    `Cloud assembly: ${r.assembly}`,
    `${r.pipelines.length} pipeline(s)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Prices assumed (USD, list prices; check https://aws.amazon.com/codepipeline/pricing/ and https://aws.amazon.com/kms/pricing/):',
    `  KMS customer managed key: ${usd(r.prices.kmsKeyMonth)} per key per month`,
    `  V1 pipeline: ${usd(r.prices.v1PipelineMonth)} per active pipeline per month`,
    `  V2 pipeline: $${r.prices.v2ActionMinute} per action execution minute (manual approvals and custom actions free; each action rounded up to the minute)`,
    `Usage assumed: ${r.usage.runsPerMonth} runs per month, ${r.usage.minutesPerAction} minute(s) per action (--runs-per-month, --minutes-per-action)`,
    ...r.notes,
  ];
  for (const p of r.pipelines.filter((x) => x.supportStacks.length)) out.push(`Support stacks of ${p.pipeline}: ${p.supportStacks.join(', ')}`);
  return out.join('\n') + '\n';
}
