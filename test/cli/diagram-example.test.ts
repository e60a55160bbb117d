import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { dumpResult, findChromium, readPng, screenshot } from './diagram-browser';
import { l2Assembly } from './fixtures';
import { defineExampleApp } from '../../examples/app';
import { readAssembly } from '../../src/cli/assembly';
import { actionLines, toMermaid } from '../../src/cli/diagram';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES, PipelineModel, pipelinesIn } from '../../src/cli/model';
import { renderSvg } from '../../src/cli/svg';
import { textWidth } from '../../src/cli/text';

/**
 * The example app (examples/app.ts, README's picture) drawn by `diagram`: the labels people look for,
 * then the SVG rendered by headless Chromium and measured with the browser's own text metrics.
 */
let example: PipelineModel[];
let exampleDir: string;
beforeAll(() => {
  exampleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-example-'));
  const app = new App({ outdir: exampleDir, context: { 'aws:cdk:enable-path-metadata': true } });
  defineExampleApp(app);
  app.synth();
  example = pipelinesIn(readAssembly(exampleDir));
});

function service(): PipelineModel {
  return example.find((p) => p.stack.displayName === 'ServicePipeline')!;
}
function rollout(): PipelineModel {
  return example.find((p) => p.stack.displayName === 'RegionalRollout')!;
}
function action(p: PipelineModel, stage: string, name: string) {
  const found = p.stages.find((s) => s.name === stage)?.lanes.flatMap((l) => l.actions).find((a) => a.name === name);
  if (!found) throw new Error(`no action ${stage}/${name} in ${p.name}`);
  return found;
}

describe('the labels people look for', () => {
  test('CodeBuild actions name their project (the construct path when CloudFormation names it)', () => {
    expect(action(service(), 'Build', 'Build').project).toBe('<Pipeline/BuildProject>');
    expect(action(service(), 'Staging', 'LoadTest').project).toBe('<Pipeline/StagingTestLoadTest>');
    expect(actionLines(action(rollout(), 'Test', 'Smoke'))).toContain('CodeBuild: project <Deploy/Test0>');
    expect(action(service(), 'Staging', 'my-service-staging').project).toBeUndefined();
  });

  test('a manual approval shows its timeout, topic, e-mail recipients, approvers, review link and message', () => {
    const approve = action(service(), 'Prod', 'Approve');
    expect(approve.approvalInfo).toEqual({
      topic: { name: '<ProdGate/Topic>', emails: ['release@example.com'], others: [] },
      approvers: ['<ReleaseManagers>'],
      timeoutMinutes: 2 * 24 * 60,
      timeoutIsDefault: false,
      reviewUrl: 'https://example.com/my-service/release-notes',
      message: 'Check the staging dashboard and the load test report first',
    });
    expect(actionLines(approve)).toEqual([
      'Approve',
      'Manual approval',
      'timeout 2 days',
      'notifies topic <ProdGate/Topic>',
      'e-mails: release@example.com',
      'approvers: <ReleaseManagers>',
      'review: https://example.com/my-service/release-notes',
      'message: "Check the staging dashboard and the load test report first"',
      'eu-west-1 · 111111111111',
    ]);
  });

  test("an approval without TimeoutInMinutes or approvers says CodePipeline's 7 days and who may approve", () => {
    const rest = action(rollout(), 'Rest', 'Approve');
    expect(rest.approvalInfo).toMatchObject({ timeoutMinutes: DEFAULT_APPROVAL_TIMEOUT_MINUTES, timeoutIsDefault: true, approvers: [] });
    expect(actionLines(rest)).toEqual(expect.arrayContaining([
      'timeout 7 days (CodePipeline default)',
      'approvers: any principal allowed codepipeline:PutApprovalResult (none named in the app)',
    ]));
  });

  test('approvers are people, not admin or service roles: an L2 pipeline with adminPermissions deploy roles names none', () => {
    const release = pipelinesIn(readAssembly(l2Assembly())).find((p) => p.name === 'release')!;
    const approve = release.stages[1].lanes[0].actions[0];
    expect(approve.approvalInfo).toEqual({
      topic: undefined,
      approvers: [],
      timeoutMinutes: DEFAULT_APPROVAL_TIMEOUT_MINUTES,
      timeoutIsDefault: true,
      reviewUrl: undefined,
      message: undefined,
    });
    expect(actionLines(approve)).toContain('notifies no one (no SNS topic)');
  });

  test('notifications: the rule, the topic behind the notifier, its e-mails and the failure alarm', () => {
    const [rule] = service().notifications;
    expect(rule).toMatchObject({
      kind: 'EventBridge rule',
      events: 'pipeline|stage|action FAILED; CANCELED; Approval STARTED',
      targets: ['Lambda'],
      topics: [{ name: '<Pipeline/FailureNotifications/Topic>', emails: ['team@example.com'], others: [] }],
    });
    expect(service().alarms).toEqual([expect.objectContaining({
      name: '<Pipeline/FailureNotifications/FailureAlarm>',
      condition: 'Failures >= 1 in 5 min',
      topics: [{ name: '<Pipeline/FailureNotifications/Topic>', emails: ['team@example.com'], others: [] }],
    })]);
    // The rollout pipeline has a topic without subscribers: no e-mail line.
    expect(rollout().notifications[0].topics).toEqual([{ name: '<Deploy/FailureNotifications/Topic>', emails: [], others: [] }]);
  });

  test('Mermaid carries the same labels, stages in order with their lanes top to bottom', () => {
    const mmd = toMermaid([service()]);
    expect(mmd).toContain('subgraph p0_s4["5. Prod"]\n      direction TB');
    expect(mmd).toContain('notifies topic #lt;ProdGate/Topic#gt;<br/>e-mails: release@example.com<br/>approvers: #lt;ReleaseManagers#gt;');
    expect(mmd).toContain('p0_alarm0>"alarm #lt;Pipeline/FailureNotifications/FailureAlarm#gt;: Failures #gt;= 1 in 5 min<br/>→ topic #lt;Pipeline/FailureNotifications/Topic#gt;<br/>e-mails: team@example.com"]');
  });
});

/** What the page script measures (see MEASURE). */
interface Measured {
  width: number;
  height: number;
  texts: Array<{ text: string; kind: string; size: number; bold: boolean; box: Rect; bbox: Rect; length: number; x: number; overlaps: string[] }>;
  boxes: Array<{ kind: string; rect: Rect; parent?: Rect }>;
  stages: Array<{ pipeline: number; stage: number; title: string; rect: Rect }>;
}
interface Rect { x: number; y: number; width: number; height: number }

/** Runs in Chromium: every text with its own box's rect and the browser's metrics; every box in its parent; the stage boxes. */
const MEASURE = `
const rectOf = (g) => { const r = g.querySelector(':scope > rect'); return { x: r.x.baseVal.value, y: r.y.baseVal.value, width: r.width.baseVal.value, height: r.height.baseVal.value }; };
const out = { width: document.querySelector('svg').width.baseVal.value, height: document.querySelector('svg').height.baseVal.value, texts: [], boxes: [], stages: [] };
for (const t of document.querySelectorAll('svg text')) {
  const g = t.parentElement;
  const b = t.getBBox();
  const bbox = { x: b.x, y: b.y, width: b.width, height: b.height };
  const children = [...g.querySelectorAll(':scope > g.box')].map(rectOf);
  const overlaps = children.filter((c) => bbox.x < c.x + c.width && c.x < bbox.x + bbox.width && bbox.y < c.y + c.height && c.y < bbox.y + bbox.height).map((c) => JSON.stringify(c));
  const style = getComputedStyle(t);
  out.texts.push({ text: t.textContent, kind: g.classList[1], size: parseFloat(style.fontSize), bold: Number(style.fontWeight) >= 700, box: rectOf(g), bbox, length: t.getComputedTextLength(), x: t.x.baseVal[0].value, overlaps });
}
for (const g of document.querySelectorAll('svg g.box')) {
  const parent = g.parentElement.closest('g.box');
  out.boxes.push({ kind: g.classList[1], rect: rectOf(g), parent: parent ? rectOf(parent) : undefined });
}
for (const g of document.querySelectorAll('svg g.stage')) {
  out.stages.push({ pipeline: Number(g.closest('g.pipeline').dataset.pipeline), stage: Number(g.dataset.stage), title: g.querySelector(':scope > text').textContent, rect: rectOf(g) });
}
document.getElementById('result').textContent = JSON.stringify(out);
`;

const CHROMIUM = findChromium();
const NO_CHROMIUM = 'SKIPPED: chromium is not installed. Install Debian\'s packages to run this test: apt-get install -y chromium fonts-dejavu-core (or set CHROMIUM_PATH).';

/** Skips only when Chromium is absent and we are not in CI (CI=true or DIAGRAM_REQUIRE_CHROMIUM=1 make it fail instead). */
const describeChromium = CHROMIUM || process.env.CI || process.env.DIAGRAM_REQUIRE_CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) {
  // eslint-disable-next-line no-console
  console.warn(NO_CHROMIUM);
}

describeChromium(CHROMIUM ? "the example app's SVG in headless Chromium" : NO_CHROMIUM, () => {
  let measured: Measured;
  let png: ReturnType<typeof readPng>;
  let svgWidth: number;
  beforeAll(() => {
    if (!CHROMIUM) throw new Error(NO_CHROMIUM.replace('SKIPPED', 'FAILED (in CI)'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-chromium-'));
    const svg = renderSvg(example);
    svgWidth = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    const svgHeight = Number(/<svg [^>]*height="(\d+)"/.exec(svg)![1]);
    const svgFile = path.join(dir, 'example-pipelines.svg');
    fs.writeFileSync(svgFile, svg);
    const pngFile = process.env.DIAGRAM_PNG ?? path.join(dir, 'example-pipelines.png');
    screenshot(CHROMIUM, svgFile, pngFile, svgWidth, svgHeight);
    png = readPng(pngFile);
    const html = path.join(dir, 'measure.html');
    fs.writeFileSync(html, `<!DOCTYPE html><html><body style="margin:0">${svg.replace(/^<\?xml[^>]*>\n/, '')}<pre id="result"></pre><script>${MEASURE}</script></body></html>`);
    measured = JSON.parse(dumpResult(CHROMIUM, html));
  });

  test('the PNG is at most 2,400 px wide, the size of the SVG', () => {
    expect(png.width).toBeLessThanOrEqual(2400);
    expect([png.width, png.height]).toEqual([svgWidth, measured.height]);
  });

  test('the browser draws the text in DejaVu Sans at the widths the layout measured (so the font is installed and the table right)', () => {
    expect(measured.texts.length).toBeGreaterThan(100);
    const off = measured.texts.filter((t) => Math.abs(t.length - textWidth(t.text, { size: t.size, bold: t.bold })) > 0.5);
    expect(off.map((t) => `${t.text}: browser ${t.length}, table ${textWidth(t.text, { size: t.size, bold: t.bold })}`)).toEqual([]);
  });

  test('no text runs outside its box or into the boxes inside it (browser getBBox and getComputedTextLength)', () => {
    const outside = measured.texts.filter((t) => {
      const right = Math.max(t.bbox.x + t.bbox.width, t.x + t.length);
      return t.bbox.x < t.box.x + 1 || right > t.box.x + t.box.width - 1 || t.bbox.y < t.box.y || t.bbox.y + t.bbox.height > t.box.y + t.box.height;
    });
    expect(outside.map((t) => `${t.kind} '${t.text}' ${JSON.stringify(t.bbox)} (length ${t.length}) not in ${JSON.stringify(t.box)}`)).toEqual([]);
    expect(measured.texts.filter((t) => t.overlaps.length).map((t) => `${t.kind} '${t.text}' overlaps ${t.overlaps}`)).toEqual([]);
    // Every box inside the box that holds it.
    const escaped = measured.boxes.filter(({ rect: r, parent: p }) =>
      p && (r.x < p.x || r.y < p.y || r.x + r.width > p.x + p.width || r.y + r.height > p.y + p.height));
    expect(escaped).toEqual([]);
  });

  test('stage boxes appear left to right in pipeline order, level (no staircase), in the DOM and in the PNG', () => {
    for (const [pi, p] of example.entries()) {
      const stages = measured.stages.filter((s) => s.pipeline === pi);
      expect(stages.map((s) => s.title)).toEqual(p.stages.map((s, i) => `${i + 1}. ${s.name}`));
      stages.forEach((s, i) => {
        expect(s.stage).toBe(i);
        if (i === 0) return;
        const prev = stages[i - 1].rect;
        expect(s.rect.x).toBeGreaterThanOrEqual(prev.x + prev.width + 10);
        expect([s.rect.y, s.rect.height]).toEqual([prev.y, prev.height]);
      });
      // In the picture: stage fill just inside each box's left edge, white background in the gap before it.
      for (const s of stages) {
        const y = Math.round(s.rect.y + s.rect.height - 6);
        expect(png.pixel(Math.round(s.rect.x + 4), y).slice(0, 3)).toEqual([0xf4, 0xf7, 0xfb]);
        expect(png.pixel(Math.round(s.rect.x - 8), y).slice(0, 3)).toEqual([0xff, 0xff, 0xff]);
      }
    }
  });
});
