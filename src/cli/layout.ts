import { actionKind, actionWhere, alarmLines, approvalLines, gateLines, notificationLines, pipelineTitle } from './diagram';
import { ActionModel, PipelineModel, StageGateModel, StageModel } from './model';
import { Font, textWidth, wrapText } from './text';

/**
 * The SVG's layout, computed here so that it is predictable (no graph layout engine): each pipeline
 * is a row; its stages are columns left to right in pipeline order, all at the same height; inside a
 * stage, top to bottom: its title, its beforeEntry condition, its runOrder lanes in runOrder (the
 * actions of a lane, which run in parallel, stacked inside the lane's frame), then its onSuccess and
 * onFailure conditions. Notification rules and alarms sit under the stages. Text is measured with
 * DejaVu Sans' advance widths and wrapped to at most ACTION_TEXT_MAX pixels, so a stage is at most
 * STAGE_MAX_WIDTH wide and a diagram at most `maxDiagramWidth(stages)`.
 */

/** Fonts of the diagram's text roles. */
export const FONTS = {
  pipeline: { size: 15, bold: true },
  stage: { size: 13, bold: true },
  name: { size: 12, bold: true },
  body: { size: 12 },
  meta: { size: 11 },
} satisfies Record<string, Font>;

export type TextRole = keyof typeof FONTS;

/** Line height of a role: 1.3 em, rounded up to a pixel. */
export function lineHeight(role: TextRole): number {
  return Math.ceil(FONTS[role].size * 1.3);
}

/** Widest wrapped text in an action, condition or stage title. */
export const ACTION_TEXT_MAX = 236;
/** Padding inside an action or condition box. */
export const BOX_PAD = 8;
/** Indent of the continuation lines of a wrapped body line. */
export const HANG = 12;
/** Padding inside a lane's frame, around its actions. */
export const LANE_PAD = 6;
/** Padding inside a stage box. */
export const STAGE_PAD = 10;
/** Horizontal gap between stages (the arrow). */
export const STAGE_GAP = 36;
/** Vertical gap between the blocks of a stage, and between parallel actions. */
export const BLOCK_GAP = 10;
/** Vertical gap between runOrder lanes (a downward arrow). */
export const LANE_GAP = 18;
/** Padding inside a pipeline box. */
export const PIPELINE_PAD = 14;
/** Gap between pipelines, and the margin around the diagram. */
export const MARGIN = 16;
/** The narrowest a pipeline's inner area gets, so that a one-stage pipeline's title stays legible. */
export const PIPELINE_MIN_INNER = 480;
/** The widest a stage gets: its text, two paddings, a lane frame. */
export const STAGE_MAX_WIDTH = ACTION_TEXT_MAX + 2 * BOX_PAD + 2 * LANE_PAD + 2 * STAGE_PAD;

/** The widest diagram of pipelines whose longest has `stages` stages. */
export function maxDiagramWidth(stages: number): number {
  const row = stages * STAGE_MAX_WIDTH + Math.max(0, stages - 1) * STAGE_GAP;
  return 2 * MARGIN + 2 * PIPELINE_PAD + Math.max(row, PIPELINE_MIN_INNER);
}

/** A line of text: `y` is its baseline. */
export interface TextLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly role: TextRole;
  /** Its width in DejaVu Sans. */
  readonly width: number;
}

export type BoxKind = 'pipeline' | 'stage' | 'lane' | 'action' | 'approval' | 'condition' | 'notifications';

/** A rectangle with its own text, and the boxes drawn inside it. */
export interface Box {
  readonly kind: BoxKind;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly lines: TextLine[];
  readonly children: Box[];
  /** Stage index in its pipeline (stage boxes), runOrder (lanes). */
  readonly index?: number;
}

export interface Arrow {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly dashed?: boolean;
}

export interface DiagramLayout {
  readonly width: number;
  readonly height: number;
  /** One box per pipeline. */
  readonly pipelines: Box[];
  readonly arrows: Arrow[];
}

/** Text of a box before layout: paragraphs wrapped to the box's width. */
interface Para {
  readonly text: string;
  readonly role: TextRole;
  /** Pixels from the box's text edge. */
  readonly indent?: number;
}

function naturalWidth(paras: Para[]): number {
  return Math.max(0, ...paras.map((p) => textWidth(p.text, FONTS[p.role]) + (p.indent ?? 0)));
}

/** Wrap paragraphs to `width`; lines relative to (0, 0) at the box's text origin, and the text height. */
function setText(paras: Para[], width: number): { lines: Array<Omit<TextLine, 'x' | 'y'> & { dx: number; dy: number }>; height: number } {
  const lines: Array<Omit<TextLine, 'x' | 'y'> & { dx: number; dy: number }> = [];
  let y = 0;
  for (const p of paras) {
    const font = FONTS[p.role];
    const indent = p.indent ?? 0;
    const lh = lineHeight(p.role);
    // Continuation lines of body text hang by HANG, so that wrapped items stay apart.
    const hang = p.role === 'body' ? HANG : 0;
    wrapText(p.text, width - indent, font, hang).forEach((text, i) => {
      // Baseline at 0.8 of the em below the line's top, the rest of the line height split around it.
      const baseline = y + (lh - font.size) / 2 + font.size * 0.8;
      lines.push({ text, role: p.role, width: textWidth(text, font), dx: indent + (i > 0 ? hang : 0), dy: baseline });
      y += lh;
    });
  }
  return { lines, height: y };
}

/** A box of wrapped text at (x, y), `width` wide. */
function textBox(kind: BoxKind, paras: Para[], x: number, y: number, width: number, pad = BOX_PAD): Box {
  const set = setText(paras, width - 2 * pad);
  return {
    kind,
    x,
    y,
    width,
    height: set.height + 2 * pad,
    lines: set.lines.map((l) => ({ text: l.text, role: l.role, width: l.width, x: x + pad + l.dx, y: y + pad + l.dy })),
    children: [],
  };
}

function actionParas(a: ActionModel): Para[] {
  return [
    { text: a.name, role: 'name' },
    { text: actionKind(a), role: 'body' },
    ...approvalLines(a).map((text): Para => ({ text, role: 'body' })),
    { text: actionWhere(a), role: 'meta' },
  ];
}

function conditionParas(g: StageGateModel): Para[] {
  return gateLines(g).map((text, i) => {
    const indent = text.match(/^ */)![0].length;
    return { text: text.trimStart(), role: i === 0 ? 'name' : 'body', indent: indent ? 12 : 0 };
  });
}

function laneLabel(runOrder: number, parallel: number): string {
  return parallel > 1 ? `runOrder ${runOrder} · ${parallel} in parallel` : `runOrder ${runOrder}`;
}

/** Lay out one stage with its top-left corner at (x, y); height is its content's (stretched later). */
function layoutStage(stage: StageModel, index: number, x: number, y: number, arrows: Arrow[]): Box {
  const framed = stage.lanes.length > 1 || stage.lanes.some((l) => l.actions.length > 1);
  const title: Para[] = [{ text: `${index + 1}. ${stage.name}`, role: 'stage' }];
  const conditions = [stage.beforeEntry, stage.onSuccess, stage.onFailure].filter((g): g is StageGateModel => !!g);
  const laneLabels = stage.lanes.map((l): Para[] => [{ text: laneLabel(l.runOrder, l.actions.length), role: 'meta' }]);
  // Every box of the stage is as wide as its widest text needs, up to ACTION_TEXT_MAX.
  const text = Math.min(ACTION_TEXT_MAX, Math.ceil(Math.max(
    ...stage.lanes.flatMap((l) => l.actions.map((a) => naturalWidth(actionParas(a)))),
    ...conditions.map((g) => naturalWidth(conditionParas(g))),
    naturalWidth(title) - (framed ? 2 * LANE_PAD : 0),
    ...laneLabels.map((p) => naturalWidth(p) - 2 * BOX_PAD),
    60,
  )));
  const actionWidth = text + 2 * BOX_PAD;
  const inner = actionWidth + (framed ? 2 * LANE_PAD : 0);
  const width = inner + 2 * STAGE_PAD;
  const children: Box[] = [];
  const titleSet = setText(title, inner);
  let cy = y + STAGE_PAD + titleSet.height + BLOCK_GAP / 2;
  if (stage.beforeEntry) {
    const box = textBox('condition', conditionParas(stage.beforeEntry), x + STAGE_PAD, cy, inner);
    children.push(box);
    cy += box.height + BLOCK_GAP;
  }
  stage.lanes.forEach((lane, li) => {
    if (li > 0) {
      arrows.push({ x1: x + width / 2, y1: cy - LANE_GAP + 2, x2: x + width / 2, y2: cy - 2 });
    }
    if (!framed) {
      for (const a of lane.actions) {
        const box = textBox(a.approval ? 'approval' : 'action', actionParas(a), x + STAGE_PAD, cy, actionWidth);
        children.push(box);
        cy += box.height + BLOCK_GAP;
      }
      cy += LANE_GAP - BLOCK_GAP;
      return;
    }
    const lx = x + STAGE_PAD;
    const label = setText(laneLabels[li], inner - 2 * BOX_PAD);
    const actions: Box[] = [];
    let ay = cy + LANE_PAD / 2 + label.height + LANE_PAD / 2;
    for (const a of lane.actions) {
      const box = textBox(a.approval ? 'approval' : 'action', actionParas(a), lx + LANE_PAD, ay, actionWidth);
      actions.push(box);
      ay += box.height + BLOCK_GAP;
    }
    const height = ay - BLOCK_GAP + LANE_PAD - cy;
    children.push({
      kind: 'lane',
      x: lx,
      y: cy,
      width: inner,
      height,
      index: lane.runOrder,
      lines: label.lines.map((l) => ({ text: l.text, role: l.role, width: l.width, x: lx + BOX_PAD + l.dx, y: cy + LANE_PAD / 2 + l.dy })),
      children: actions,
    });
    cy += height + LANE_GAP;
  });
  if (stage.lanes.length) cy += BLOCK_GAP - LANE_GAP;
  for (const g of [stage.onSuccess, stage.onFailure]) {
    if (!g) continue;
    const box = textBox('condition', conditionParas(g), x + STAGE_PAD, cy, inner);
    children.push(box);
    cy += box.height + BLOCK_GAP;
  }
  return {
    kind: 'stage',
    x,
    y,
    width,
    height: cy - BLOCK_GAP + STAGE_PAD - y,
    index,
    lines: titleSet.lines.map((l) => ({ text: l.text, role: l.role, width: l.width, x: x + STAGE_PAD + l.dx, y: y + STAGE_PAD + l.dy })),
    children,
  };
}

function layoutPipeline(p: PipelineModel, x: number, y: number, arrows: Arrow[]): Box {
  const stageArrows: Arrow[] = [];
  // Stages first, at a provisional y, to know the row's width; then shifted under the title.
  let sx = x + PIPELINE_PAD;
  const stages = p.stages.map((s, i) => {
    const box = layoutStage(s, i, sx, 0, stageArrows);
    sx += box.width + STAGE_GAP;
    return box;
  });
  const rowWidth = Math.max(0, sx - STAGE_GAP - (x + PIPELINE_PAD));
  const inner = Math.max(rowWidth, PIPELINE_MIN_INNER);
  const title: Para[] = [
    { text: pipelineTitle(p), role: 'pipeline' },
    { text: `stack ${p.stack.displayName} · ${p.stages.length} stage(s), left to right; actions top to bottom in runOrder`, role: 'meta' },
  ];
  const titleSet = setText(title, inner);
  const rowTop = y + PIPELINE_PAD + titleSet.height + BLOCK_GAP;
  const rowHeight = Math.max(0, ...stages.map((s) => s.height));
  const shifted = stages.map((s) => shift({ ...s, height: rowHeight }, 0, rowTop));
  for (const a of stageArrows) arrows.push({ ...a, y1: a.y1 + rowTop, y2: a.y2 + rowTop });
  // Stage to stage, level with the stage titles.
  for (let i = 1; i < shifted.length; i++) {
    const ay = rowTop + STAGE_PAD + lineHeight('stage') / 2;
    arrows.push({ x1: shifted[i - 1].x + shifted[i - 1].width + 2, y1: ay, x2: shifted[i].x - 2, y2: ay });
  }
  const children: Box[] = [...shifted];
  let cy = rowTop + rowHeight + BLOCK_GAP;
  const notes: Para[] = [
    ...p.notifications.flatMap((n) => notificationLines(n).map((text, i): Para => ({ text, role: i === 0 ? 'name' : 'body', indent: i === 0 ? 0 : 12 }))),
    ...p.alarms.flatMap((al) => alarmLines(al).map((text, i): Para => ({ text, role: i === 0 ? 'name' : 'body', indent: i === 0 ? 0 : 12 }))),
  ];
  if (notes.length) {
    const paras: Para[] = [{ text: 'Notifications', role: 'stage' }, ...notes];
    const width = Math.min(inner, Math.ceil(naturalWidth(paras)) + 2 * BOX_PAD);
    const box = textBox('notifications', paras, x + PIPELINE_PAD, cy, width);
    children.push(box);
    cy += box.height + BLOCK_GAP;
  }
  return {
    kind: 'pipeline',
    x,
    y,
    width: inner + 2 * PIPELINE_PAD,
    height: cy - BLOCK_GAP + PIPELINE_PAD - y,
    lines: titleSet.lines.map((l) => ({ text: l.text, role: l.role, width: l.width, x: x + PIPELINE_PAD + l.dx, y: y + PIPELINE_PAD + l.dy })),
    children,
  };
}

function shift(box: Box, dx: number, dy: number): Box {
  return {
    ...box,
    x: box.x + dx,
    y: box.y + dy,
    lines: box.lines.map((l) => ({ ...l, x: l.x + dx, y: l.y + dy })),
    children: box.children.map((c) => shift(c, dx, dy)),
  };
}

/** Lay out every pipeline, one under the other. */
export function layoutDiagram(pipelines: PipelineModel[]): DiagramLayout {
  const arrows: Arrow[] = [];
  const boxes: Box[] = [];
  let y = MARGIN;
  for (const p of pipelines) {
    const box = layoutPipeline(p, MARGIN, y, arrows);
    boxes.push(box);
    y += box.height + MARGIN;
  }
  const width = Math.ceil(2 * MARGIN + Math.max(0, ...boxes.map((b) => b.width)));
  // Every pipeline box as wide as the widest: one column of rows.
  const widest = width - 2 * MARGIN;
  return { width, height: Math.ceil(y), pipelines: boxes.map((b) => ({ ...b, width: widest })), arrows };
}
