import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { defineExampleApp } from '../../examples/app';
import { docFileContaining, REPO_ROOT } from '../util/docs';

/**
 * README.md shows the example app's pipelines as drawn by `cdk-delivery-pipelines diagram` and
 * the table printed by `cdk-delivery-pipelines report`. This test synthesizes the example app the
 * way `npx projen synth:example` does (examples/cdk.json's context, plus the context the `cdk`
 * CLI passes an app: path and asset metadata, version reporting), runs both commands on that
 * assembly and fails when docs/example-pipelines.svg or the report block (docs/cost-report.md, found by
 * its markers in README.md or docs/*.md) differ.
 *
 * The commands run as the package installs them (assets/cli/main/index.js, `npx projen bundle`).
 * Regenerate (then review the diff, as with snapshots):
 *   UPDATE_DOCS=1 npx jest test/docs/readme.test.ts --selectProjects defaults
 * or by hand: `npx projen synth:example`, then
 *   node assets/cli/main/index.js diagram examples/cdk.out --format svg --out docs/example-pipelines.svg
 *   node assets/cli/main/index.js report examples/cdk.out   (paste between the report markers)
 */
const ROOT = path.join(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const SVG = path.join(ROOT, 'docs', 'example-pipelines.svg');
const REPORT_START = '<!-- example-report:start (generated: see test/docs/readme.test.ts) -->';
const REPORT_END = '<!-- example-report:end -->';
/** The directory name the README's command names; the test's assembly is in a temporary one. */
const SHOWN_DIR = 'examples/cdk.out';
const UPDATE = process.env.UPDATE_DOCS === '1';

/** What the `cdk` CLI (aws-cdk 2.1148) passes to every app through CDK_CONTEXT_JSON. */
const CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
};

let assemblyDir: string;
beforeAll(() => {
  assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf-8'));
  // A plain App, not createTestApp(): the README shows what users get from the example app,
  // whatever feature-flag set this jest project runs with.
  const app = new App({ outdir: assemblyDir, context: { ...cdkJson.context, ...CLI_CONTEXT } });
  defineExampleApp(app);
  app.synth();
});

/** The command as the package installs it (package.json `bin`), built by `npx projen bundle`. */
const BIN = path.join(ROOT, 'assets', 'cli', 'main', 'index.js');

function cli(...argv: string[]): string {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing; run 'npx projen bundle' (npm test does it first).`);
  return execFileSync(process.execPath, [BIN, ...argv], { encoding: 'utf-8' });
}

function reportBlock(readme: string): string | undefined {
  const start = readme.indexOf(REPORT_START);
  const end = readme.indexOf(REPORT_END);
  return start < 0 || end < start ? undefined : readme.slice(start + REPORT_START.length, end);
}

describe('README shows the example app as the commands draw and price it', () => {
  test('docs/example-pipelines.svg is what `diagram --format svg` draws for the example app', () => {
    const svg = cli('diagram', assemblyDir, '--format', 'svg');
    expect(svg).toMatch(/^<\?xml|^<svg/);
    // Both pipelines of the example app (one box each), with their stages.
    expect(svg.match(/<g class="box pipeline" data-pipeline="\d+">/g)).toHaveLength(2);
    for (const text of ['Pipeline/Pipeline (V2, SUPERSEDED)', 'Deploy/Pipeline (V2, SUPERSEDED)', 'Staging', 'Prod', 'Canary.ChangeSets', 'Rest.ChangeSets']) expect(svg).toContain(text);
    expect(svg).not.toContain(assemblyDir);
    if (UPDATE) fs.writeFileSync(SVG, svg);
    expect(fs.existsSync(SVG) ? fs.readFileSync(SVG, 'utf-8') : '(missing)').toBe(svg);
  });

  test('README references the SVG', () => {
    expect(fs.readFileSync(README, 'utf-8')).toContain('](docs/example-pipelines.svg)');
  });

  test('the documented report block is what `report` prints for the example app', () => {
    const printed = (cli('report', assemblyDir)).split(assemblyDir).join(SHOWN_DIR);
    expect(printed).toContain(`Cloud assembly: ${SHOWN_DIR}\n2 pipeline(s)`);
    const expected = `\n\`\`\`text\n$ npx cdk-delivery-pipelines report ${SHOWN_DIR}\n${printed}\`\`\`\n`;
    const reportDoc = path.join(REPO_ROOT, docFileContaining(REPORT_START).file);
    let readme = fs.readFileSync(reportDoc, 'utf-8');
    if (UPDATE && reportBlock(readme) !== undefined) {
      const start = readme.indexOf(REPORT_START) + REPORT_START.length;
      readme = readme.slice(0, start) + expected + readme.slice(readme.indexOf(REPORT_END));
      fs.writeFileSync(reportDoc, readme);
    }
    expect(reportBlock(readme)).toBe(expected);
  });

  test('the SVG and the report are the same on every run (no dates, paths or hashes)', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf-8'));
    const app = new App({ outdir: again, context: { ...cdkJson.context, ...CLI_CONTEXT } });
    defineExampleApp(app);
    app.synth();
    expect(cli('diagram', again, '--format', 'svg')).toBe(cli('diagram', assemblyDir, '--format', 'svg'));
    expect((cli('report', again)).split(again).join(SHOWN_DIR)).toBe((cli('report', assemblyDir)).split(assemblyDir).join(SHOWN_DIR));
  });
});
