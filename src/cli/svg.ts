import { Arrow, Box, BoxKind, DiagramLayout, FONTS, layoutDiagram, TextRole } from './layout';
import { PipelineModel } from './model';
import { FONT_FAMILY_CSS } from './text';

/** Fill and stroke of each kind of box. */
const BOX_STYLE: Record<BoxKind, { fill: string; stroke: string; dash?: string; radius: number }> = {
  pipeline: { fill: '#ffffff', stroke: '#2b6cb0', radius: 8 },
  stage: { fill: '#f4f7fb', stroke: '#718096', radius: 6 },
  lane: { fill: 'none', stroke: '#a0aec0', dash: '4 3', radius: 4 },
  action: { fill: '#ffffff', stroke: '#4a5568', radius: 4 },
  approval: { fill: '#fff4d6', stroke: '#b7791f', radius: 4 },
  condition: { fill: '#fff4d6', stroke: '#b7791f', radius: 10 },
  notifications: { fill: '#fde2e1', stroke: '#c53030', radius: 4 },
};

const TEXT_COLOR: Record<TextRole, string> = {
  pipeline: '#1a365d',
  stage: '#1a202c',
  name: '#1a202c',
  body: '#2d3748',
  meta: '#4a5568',
};

/**
 * The diagram as a standalone SVG, laid out by `layoutDiagram`: no layout engine, no browser, no
 * download. Text is DejaVu Sans without kerning or ligatures, the metrics the layout measured with;
 * every box is a `<g class="box ...">` holding its `<rect>`, its own `<text>`s and the boxes inside it.
 */
export function renderSvg(pipelines: PipelineModel[]): string {
  return svgOf(layoutDiagram(pipelines));
}

export function svgOf(layout: DiagramLayout): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}"`
      + ` font-family="${FONT_FAMILY_CSS}" text-rendering="geometricPrecision" style="font-kerning: none; font-variant-ligatures: none">`,
    '<title>Pipelines: stages left to right in order, actions top to bottom in runOrder</title>',
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
      + '<path d="M 0 0 L 10 5 L 0 10 z" fill="#4a5568"/></marker></defs>',
    `<rect class="background" x="0" y="0" width="${layout.width}" height="${layout.height}" fill="#ffffff"/>`,
  ];
  layout.pipelines.forEach((p, i) => box(p, out, '', i));
  for (const a of layout.arrows) out.push(arrow(a));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function box(b: Box, out: string[], indent: string, pipelineIndex?: number): void {
  const style = BOX_STYLE[b.kind];
  const data = [
    pipelineIndex !== undefined ? ` data-pipeline="${pipelineIndex}"` : '',
    b.kind === 'stage' ? ` data-stage="${b.index}"` : '',
    b.kind === 'lane' ? ` data-run-order="${b.index}"` : '',
  ].join('');
  out.push(`${indent}<g class="box ${b.kind}"${data}>`);
  out.push(`${indent}  <rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="${style.radius}" fill="${style.fill}" stroke="${style.stroke}"`
    + `${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} stroke-width="${b.kind === 'pipeline' ? 1.5 : 1}"/>`);
  for (const l of b.lines) {
    const font = FONTS[l.role];
    out.push(`${indent}  <text x="${n(l.x)}" y="${n(l.y)}" font-size="${font.size}"${'bold' in font && font.bold ? ' font-weight="bold"' : ''} fill="${TEXT_COLOR[l.role]}">${escapeXml(l.text)}</text>`);
  }
  for (const c of b.children) box(c, out, indent + '  ');
  out.push(`${indent}</g>`);
}

function arrow(a: Arrow): string {
  return `<line class="arrow" x1="${n(a.x1)}" y1="${n(a.y1)}" x2="${n(a.x2)}" y2="${n(a.y2)}" stroke="#4a5568" stroke-width="1.5" marker-end="url(#arrow)"/>`;
}

/** A coordinate with at most 2 decimals. */
function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
