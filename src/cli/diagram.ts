import { ActionModel, AlarmModel, formatMinutes, NotificationModel, PipelineModel, StageGateModel, TopicModel } from './model';

/** Lines shown in an action's box: name, provider and what it acts on, approval details, where it runs. */
export function actionLines(a: ActionModel): string[] {
  return [a.name, actionKind(a), ...approvalLines(a), actionWhere(a)];
}

/** `CodeBuild: project <Pipeline/Build>`, `CloudFormation: CREATE_UPDATE app`, `Manual approval`. */
export function actionKind(a: ActionModel): string {
  const kind = a.approval ? 'Manual approval' : a.provider;
  return a.detail ? `${kind}: ${a.detail}` : kind;
}

export function actionWhere(a: ActionModel): string {
  return `${a.region} · ${a.account}`;
}

/** What people look for on an approval: how long it waits, who is told, who may approve, what they read. */
export function approvalLines(a: ActionModel): string[] {
  const info = a.approvalInfo;
  if (!info) return [];
  const lines = [`timeout ${formatMinutes(info.timeoutMinutes)}${info.timeoutIsDefault ? ' (CodePipeline default)' : ''}`];
  if (info.topic) lines.push(...topicLines(info.topic, 'notifies'));
  else lines.push('notifies no one (no SNS topic)');
  lines.push(`approvers: ${info.approvers.length ? info.approvers.join(', ') : 'any principal allowed codepipeline:PutApprovalResult (none named in the app)'}`);
  if (info.reviewUrl) lines.push(`review: ${info.reviewUrl}`);
  if (info.message) lines.push(`message: "${info.message}"`);
  return lines;
}

/** `<verb> topic <X>`, then its e-mail addresses and other subscribers. */
export function topicLines(t: TopicModel, verb = '→'): string[] {
  return [
    `${verb} topic ${t.name}`,
    ...(t.emails.length ? [`e-mails: ${t.emails.join(', ')}`] : []),
    ...t.others.map((o) => `subscriber: ${o}`),
  ];
}

/** A notification rule: what it matches, where it sends, the topics and addresses behind it. */
export function notificationLines(n: NotificationModel): string[] {
  return [`${n.kind}: ${n.events}`, `→ ${n.targets.join(', ') || 'no target'}`, ...n.topics.flatMap((t) => topicLines(t))];
}

/** An alarm on the pipeline's metrics and the topics it notifies. */
export function alarmLines(al: AlarmModel): string[] {
  return [`alarm ${al.name}: ${al.condition}`, ...al.topics.flatMap((t) => topicLines(t))];
}

export function pipelineTitle(p: PipelineModel): string {
  return `${p.name} (${p.pipelineType}, ${p.executionMode}) · ${p.region} · ${p.account}`;
}

/** Lines shown in a stage-condition box. */
export function gateLines(g: StageGateModel): string[] {
  const head = g.result ? `${g.kind}: ${g.result}${g.retryMode ? ` (${g.retryMode})` : ''}` : g.kind;
  const lines = [head];
  for (const c of g.conditions) {
    lines.push(`${c.result} if:`);
    for (const r of c.rules) lines.push(`  ${r.name}: ${r.summary}`);
  }
  return lines;
}

/**
 * Mermaid flowchart of every pipeline: one subgraph per pipeline, a subgraph per stage (in order,
 * left to right) holding one subgraph per runOrder lane (top to bottom); stage conditions as
 * hexagons, manual approvals highlighted, notification rules and alarms as flags linked with dotted
 * edges. Renders on GitHub.
 */
export function toMermaid(pipelines: PipelineModel[]): string {
  const out: string[] = ['flowchart LR'];
  const gates: string[] = [];
  const notes: string[] = [];
  const text = (lines: string[]) => '"' + lines.map(escapeMermaid).join('<br/>') + '"';
  pipelines.forEach((p, pi) => {
    const pid = `p${pi}`;
    out.push(`  subgraph ${pid}[${text([pipelineTitle(p)])}]`, '    direction LR');
    const flow: string[] = [];
    p.stages.forEach((s, si) => {
      const sid = `${pid}_s${si}`;
      if (s.beforeEntry) {
        const gid = `${sid}_beforeEntry`;
        out.push(`    ${gid}{{${text(gateLines(s.beforeEntry))}}}`);
        gates.push(gid);
        flow.push(gid);
      }
      out.push(`    subgraph ${sid}[${text([`${si + 1}. ${s.name}`])}]`, '      direction TB');
      s.lanes.forEach((lane, li) => {
        const lid = `${sid}_l${li}`;
        out.push(`      subgraph ${lid}[${text([`runOrder ${lane.runOrder}`])}]`, '        direction TB');
        lane.actions.forEach((a, ai) => {
          const aid = `${lid}_a${ai}`;
          out.push(`        ${aid}[${text(actionLines(a))}]`);
          if (a.approval) gates.push(aid);
        });
        out.push('      end');
        if (li > 0) out.push(`      ${sid}_l${li - 1} --> ${lid}`);
      });
      out.push('    end');
      flow.push(sid);
      if (s.onSuccess) {
        const gid = `${sid}_onSuccess`;
        out.push(`    ${gid}{{${text(gateLines(s.onSuccess))}}}`);
        gates.push(gid);
        flow.push(gid);
      }
      if (s.onFailure) {
        const gid = `${sid}_onFailure`;
        out.push(`    ${gid}{{${text(gateLines(s.onFailure))}}}`);
        out.push(`    ${sid} -. on failure .-> ${gid}`);
        gates.push(gid);
      }
    });
    for (let i = 1; i < flow.length; i++) out.push(`    ${flow[i - 1]} --> ${flow[i]}`);
    out.push('  end');
    p.notifications.forEach((n, ni) => {
      const nid = `${pid}_n${ni}`;
      out.push(`  ${nid}>${text(notificationLines(n))}]`);
      out.push(`  ${pid} -.-> ${nid}`);
      notes.push(nid);
    });
    p.alarms.forEach((al, ai) => {
      const nid = `${pid}_alarm${ai}`;
      out.push(`  ${nid}>${text(alarmLines(al))}]`);
      out.push(`  ${pid} -.-> ${nid}`);
      notes.push(nid);
    });
  });
  out.push('  classDef gate fill:#fff4d6,stroke:#b7791f,color:#000');
  out.push('  classDef note fill:#fde2e1,stroke:#c53030,color:#000');
  if (gates.length) out.push(`  class ${gates.join(',')} gate`);
  if (notes.length) out.push(`  class ${notes.join(',')} note`);
  return out.join('\n') + '\n';
}

function escapeMermaid(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * Graphviz DOT of every pipeline, laid out left to right: a cluster per pipeline, per stage
 * and per runOrder lane; edges between lanes and stages; stage conditions as hexagons.
 */
export function toDot(pipelines: PipelineModel[]): string {
  const out: string[] = [
    'digraph pipelines {',
    '  rankdir=LR; compound=true; newrank=true; nodesep=0.25; ranksep=0.45;',
    '  graph [fontname="DejaVu Sans", fontsize=12];',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="DejaVu Sans", fontsize=10];',
    '  edge [fontname="DejaVu Sans", fontsize=9, color="#555555"];',
  ];
  const label = (lines: string[]) => '"' + lines.map(escapeDot).join('\\n') + '"';
  pipelines.forEach((p, pi) => {
    const pid = `p${pi}`;
    out.push(`  subgraph cluster_${pid} {`, `    label=${label([pipelineTitle(p)])}; style="rounded"; color="#2b6cb0"; labeljust=l;`);
    // The flow: [node, cluster or undefined] pairs in order.
    const flow: Array<{ in: string; out: string; cluster?: string }> = [];
    p.stages.forEach((s, si) => {
      const sid = `${pid}_s${si}`;
      if (s.beforeEntry) {
        const gid = `${sid}_beforeEntry`;
        out.push(`    ${gid} [shape=hexagon, fillcolor="#fff4d6", color="#b7791f", label=${label(gateLines(s.beforeEntry))}];`);
        flow.push({ in: gid, out: gid });
      }
      out.push(`    subgraph cluster_${sid} {`, `      label=${label([`${si + 1}. ${s.name}`])}; style="rounded,filled"; fillcolor="#f7fafc"; color="#718096";`);
      s.lanes.forEach((lane, li) => {
        const lid = `${sid}_l${li}`;
        out.push(`      subgraph cluster_${lid} {`, `        label=${label([`runOrder ${lane.runOrder}`])}; style="dashed"; color="#a0aec0"; fontsize=9;`);
        lane.actions.forEach((a, ai) => {
          const fill = a.approval ? ', fillcolor="#fff4d6", color="#b7791f"' : '';
          out.push(`        ${lid}_a${ai} [label=${label(actionLines(a))}${fill}];`);
        });
        out.push('      }');
        if (li > 0) out.push(`      ${sid}_l${li - 1}_a0 -> ${lid}_a0 [ltail=cluster_${sid}_l${li - 1}, lhead=cluster_${lid}];`);
      });
      out.push('    }');
      flow.push({ in: `${sid}_l0_a0`, out: `${sid}_l${Math.max(0, s.lanes.length - 1)}_a0`, cluster: `cluster_${sid}` });
      if (s.onSuccess) {
        const gid = `${sid}_onSuccess`;
        out.push(`    ${gid} [shape=hexagon, fillcolor="#fff4d6", color="#b7791f", label=${label(gateLines(s.onSuccess))}];`);
        flow.push({ in: gid, out: gid });
      }
      if (s.onFailure) {
        const gid = `${sid}_onFailure`;
        out.push(`    ${gid} [shape=hexagon, fillcolor="#fff4d6", color="#b7791f", label=${label(gateLines(s.onFailure))}];`);
        out.push(`    ${sid}_l${Math.max(0, s.lanes.length - 1)}_a0 -> ${gid} [ltail=cluster_${sid}, style=dashed, label="on failure"];`);
      }
    });
    for (let i = 1; i < flow.length; i++) {
      const from = flow[i - 1];
      const to = flow[i];
      const attrs = [from.cluster ? `ltail=${from.cluster}` : '', to.cluster ? `lhead=${to.cluster}` : ''].filter((x) => x).join(', ');
      out.push(`    ${from.out} -> ${to.in}${attrs ? ` [${attrs}]` : ''};`);
    }
    out.push('  }');
    const last = [...flow].reverse().find((f) => f.cluster);
    p.notifications.forEach((n, ni) => {
      const nid = `${pid}_n${ni}`;
      out.push(`  ${nid} [shape=note, fillcolor="#fde2e1", color="#c53030", label=${label(notificationLines(n))}];`);
      if (last) out.push(`  ${last.out} -> ${nid} [ltail=cluster_${pid}, style=dotted];`);
    });
    p.alarms.forEach((al, ai) => {
      const nid = `${pid}_alarm${ai}`;
      out.push(`  ${nid} [shape=note, fillcolor="#fde2e1", color="#c53030", label=${label(alarmLines(al))}];`);
      if (last) out.push(`  ${last.out} -> ${nid} [ltail=cluster_${pid}, style=dotted];`);
    });
  });
  out.push('}');
  return out.join('\n') + '\n';
}

function escapeDot(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
