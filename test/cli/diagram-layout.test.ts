import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ACTION_TEXT_MAX, Box, BOX_PAD, FONTS, layoutDiagram, maxDiagramWidth, STAGE_MAX_WIDTH } from '../../src/cli/layout';
import { ActionModel, PipelineModel, StageModel } from '../../src/cli/model';
import { renderSvg } from '../../src/cli/svg';
import { textWidth, wrapText } from '../../src/cli/text';

/** A pipeline model as the assembly reader makes it, without an assembly. */
function action(name: string, runOrder: number, extra: Partial<ActionModel> = {}): ActionModel {
  return { name, category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', runOrder, region: 'eu-west-1', account: '111111111111', approval: false, billable: true, ...extra };
}

function stage(name: string, actions: ActionModel[]): StageModel {
  const orders = [...new Set(actions.map((a) => a.runOrder))].sort((a, b) => a - b);
  return { name, lanes: orders.map((runOrder) => ({ runOrder, actions: actions.filter((a) => a.runOrder === runOrder) })) };
}

function pipeline(stages: StageModel[], name = 'release'): PipelineModel {
  return {
    id: `S/${name}`,
    name,
    logicalId: name,
    stack: { id: 'S', displayName: 'S', assemblyDir: '.', templateFile: 'S.template.json', template: {}, dependencies: [] },
    pipelineType: 'V2',
    executionMode: 'QUEUED',
    region: 'eu-west-1',
    account: '111111111111',
    stages,
    notifications: [],
    alarms: [],
    artifactRegions: ['eu-west-1'],
  };
}

function all(box: Box): Box[] {
  return [box, ...box.children.flatMap(all)];
}

const LONG = 'arn:aws:cloudformation:ap-southeast-2:222222222222:stack/a-very-long-stack-name-that-goes-on-and-on/with-more-segments';

describe('layout', () => {
  test('stage boxes left to right in pipeline order, level and of one height (no staircase)', () => {
    const p = pipeline(['Source', 'Build', 'Canary', 'Rest', 'Prod'].map((n, i) => stage(n, [action(`${n}-a`, 1), ...(i === 3 ? [action('x', 2), action('y', 2)] : [])])));
    const [box] = layoutDiagram([p]).pipelines;
    const stages = box.children.filter((c) => c.kind === 'stage');
    expect(stages.map((s) => s.lines[0].text)).toEqual(['1. Source', '2. Build', '3. Canary', '4. Rest', '5. Prod']);
    for (let i = 1; i < stages.length; i++) {
      expect(stages[i].x).toBeGreaterThan(stages[i - 1].x + stages[i - 1].width);
      expect([stages[i].y, stages[i].height]).toEqual([stages[0].y, stages[0].height]);
    }
  });

  test('the actions of a stage stack top to bottom by runOrder; parallel actions stack inside their lane', () => {
    const p = pipeline([stage('Deploy', [action('approve', 1), action('us', 2), action('eu', 2), action('execute', 3)])]);
    const [box] = layoutDiagram([p]).pipelines;
    const lanes = box.children[0].children.filter((c) => c.kind === 'lane');
    expect(lanes.map((l) => [l.index, l.children.map((a) => a.lines[0].text)])).toEqual([[1, ['approve']], [2, ['us', 'eu']], [3, ['execute']]]);
    expect(lanes[1].lines[0].text).toBe('runOrder 2 · 2 in parallel');
    for (let i = 1; i < lanes.length; i++) expect(lanes[i].y).toBeGreaterThanOrEqual(lanes[i - 1].y + lanes[i - 1].height);
    const [us, eu] = lanes[1].children;
    expect(eu.x).toBe(us.x);
    expect(eu.y).toBeGreaterThanOrEqual(us.y + us.height);
    // Every action of the stage in one column.
    expect(new Set(lanes.flatMap((l) => l.children.map((a) => a.x))).size).toBe(1);
  });

  test('width is bounded by the number of stages, whatever the text or the parallelism', () => {
    const wide = (n: number, parallel: number) => pipeline(Array.from({ length: n }, (_, i) => stage(`${LONG}-${i}`, Array.from({ length: parallel }, (__, j) => action(`${LONG}-${j}`, 1, { detail: LONG }))), `${LONG}${LONG}`));
    for (const n of [1, 3, 7]) {
      const one = layoutDiagram([wide(n, 1)]);
      const many = layoutDiagram([wide(n, 12)]);
      expect(one.width).toBeLessThanOrEqual(maxDiagramWidth(n));
      expect(many.width).toBeLessThanOrEqual(maxDiagramWidth(n));
      // Parallel actions stack: 12 take the width of 2.
      expect(many.width).toBe(layoutDiagram([wide(n, 2)]).width);
      for (const s of one.pipelines[0].children.filter((c) => c.kind === 'stage')) expect(s.width).toBeLessThanOrEqual(STAGE_MAX_WIDTH);
    }
    expect(maxDiagramWidth(7)).toBeLessThanOrEqual(2400);
    // Two pipelines stack: the diagram is as wide as the wider one.
    expect(layoutDiagram([wide(3, 1), wide(7, 1)]).width).toBe(layoutDiagram([wide(7, 1)]).width);
  });

  test('every line of text fits its box by the DejaVu Sans widths, and wraps instead of widening it', () => {
    const p = pipeline([stage('Deploy', [action(LONG, 1, { detail: `CHANGE_SET_REPLACE ${LONG}` })])]);
    const boxes = layoutDiagram([p]).pipelines.flatMap(all);
    for (const b of boxes) {
      for (const l of b.lines) {
        expect(l.width).toBe(textWidth(l.text, FONTS[l.role]));
        expect(l.x).toBeGreaterThanOrEqual(b.x);
        expect(l.x + l.width).toBeLessThanOrEqual(b.x + b.width - BOX_PAD + 0.01);
      }
    }
    const a = boxes.find((b) => b.kind === 'action')!;
    expect(a.lines.length).toBeGreaterThan(4);
    expect(a.width).toBe(ACTION_TEXT_MAX + 2 * BOX_PAD);
  });

  test('the SVG names DejaVu Sans, turns kerning and ligatures off, and nests each box with its text', () => {
    const svg = renderSvg([pipeline([stage('Build', [action('Build', 1, { provider: 'CodeBuild', detail: 'project <P/Build>' })])])]);
    expect(svg).toMatch(/<svg [^>]*font-family="'DejaVu Sans', Verdana, sans-serif"[^>]*style="font-kerning: none; font-variant-ligatures: none"/);
    expect(svg).toContain('>CodeBuild: project &lt;P/Build&gt;</text>');
    expect(svg).toMatch(/<g class="box stage" data-stage="0">\n\s*<rect [^>]*\/>\n\s*<text [^>]*>1\. Build<\/text>\n\s*<g class="box action">/);
  });
});

describe('text', () => {
  test("widths are DejaVu Sans' advance widths: 'a' is 1255/2048 em, Bold wider, unknown characters 1 em", () => {
    expect(textWidth('a', { size: 2048 })).toBe(1255);
    expect(textWidth('aa', { size: 12 })).toBeCloseTo((2 * 1255 * 12) / 2048, 10);
    expect(textWidth('Build', { size: 12, bold: true })).toBeGreaterThan(textWidth('Build', { size: 12 }));
    expect(textWidth('漢', { size: 10 })).toBe(10);
  });

  test('wraps between words, then after / - . : in a long word, then anywhere; never wider than asked', () => {
    const font = { size: 12 };
    expect(wrapText('CloudFormation: CREATE_UPDATE my-service-staging', 150, font)).toEqual(['CloudFormation:', 'CREATE_UPDATE', 'my-service-staging']);
    expect(wrapText('review: https://example.com/my-service/release-notes', 150, font)).toEqual(['review:', 'https://example.com/', 'my-service/release-', 'notes']);
    const cut = wrapText('x'.repeat(60), 100, font);
    expect(cut.join('')).toBe('x'.repeat(60));
    for (const l of cut) expect(textWidth(l, font)).toBeLessThanOrEqual(100);
    expect(wrapText('', 100, font)).toEqual(['']);
    // A hanging indent: the lines after the first are narrower.
    const hung = wrapText('aaaa '.repeat(20), 120, font, 30);
    expect(textWidth(hung[0], font)).toBeGreaterThan(90);
    for (const l of hung.slice(1)) expect(textWidth(l, font)).toBeLessThanOrEqual(90);
  });

  test('the width table is what scripts/font-widths.ts reads from the installed DejaVu Sans', () => {
    const dir = process.env.DEJAVU_DIR ?? '/usr/share/fonts/truetype/dejavu';
    if (!fs.existsSync(path.join(dir, 'DejaVuSans.ttf'))) {
      // eslint-disable-next-line no-console
      console.warn(`SKIPPED the width table check: no ${dir}/DejaVuSans.ttf (apt-get install -y fonts-dejavu-core).`);
      return;
    }
    const root = path.join(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', '--project', path.join(root, 'tsconfig.tools.json'), path.join(root, 'scripts', 'font-widths.ts'), '--check'], { encoding: 'utf-8', cwd: root });
    expect(out).toMatch(/font-widths\.ts is current\./);
  });
});
