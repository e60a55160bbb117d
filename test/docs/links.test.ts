import * as fs from 'fs';
import * as path from 'path';
import { DocFile, docFiles, headingsOf, proseOf, REPO_ROOT } from '../util/docs';

/**
 * The user documentation holds together: every relative link of README.md and docs/*.md points at a
 * file that exists, and at a heading of it when it names one (`#anchor`, GitHub's slugs); README is
 * short enough to read (at most 600 lines), opens with a table of contents that lists every section,
 * and holds no notes meant for the maintainers.
 */
const DOCS = docFiles();
const README = DOCS.find((d) => d.file === 'README.md')!;
const README_MAX_LINES = 600;

/**
 * Pages other changes write, linked from README already. Skipped until they arrive: remove a name
 * once its page is merged (then a broken link to it fails like any other).
 */
const PENDING = new Set<string>([
]);

/** GitHub's anchor for a heading: lower case, punctuation dropped (not `-` or `_`), spaces to `-`. */
export function slugOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/<[^>]*>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a Markdown file, duplicates numbered as GitHub does (`x`, `x-1`, ...). */
function anchorsOf(doc: DocFile): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const h of headingsOf(doc)) {
    const slug = slugOf(h.text);
    const n = seen.get(slug) ?? 0;
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
    seen.set(slug, n + 1);
  }
  return anchors;
}

interface Link {
  readonly from: string;
  readonly line: number;
  readonly target: string;
}

/** The links of a file's prose (not its code blocks or inline code): `[text](target)` and `![alt](target)`. */
function linksOf(doc: DocFile): Link[] {
  return proseOf(doc).flatMap((text, i) => {
    const prose = text.replace(/`[^`]*`/g, '``');
    return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ from: doc.file, line: i + 1, target: m[1] }));
  });
}

/** What is wrong with a relative link, or undefined. */
function brokenLink(link: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined; // https:, mailto:
  const [file, anchor] = link.target.split('#', 2);
  const resolved = file === '' ? link.from : path.posix.normalize(path.posix.join(path.posix.dirname(link.from), file));
  if (PENDING.has(resolved)) return undefined;
  if (resolved.startsWith('..')) return `${link.target} leaves the repository`;
  if (!fs.existsSync(path.join(REPO_ROOT, resolved))) return `${link.target}: ${resolved} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return `${link.target}: an anchor into a file that is not Markdown`;
  const anchors = anchorsOf({ file: resolved, text: fs.readFileSync(path.join(REPO_ROOT, resolved), 'utf-8') });
  return anchors.has(anchor) ? undefined : `${link.target}: ${resolved} has no heading '#${anchor}'`;
}

describe('user documentation', () => {
  const links = DOCS.flatMap(linksOf);

  test('README and docs/*.md have links (this test reads them)', () => {
    expect(links.filter((l) => l.from === 'README.md').length).toBeGreaterThan(20);
    expect(new Set(links.map((l) => l.from)).size).toBeGreaterThan(5);
  });

  test('every relative link points at a file that exists, and at one of its headings when it names one', () => {
    const broken = links.map((l) => ({ l, problem: brokenLink(l) })).filter((x) => x.problem).map(({ l, problem }) => `${l.from}:${l.line}: ${problem}`);
    expect(broken).toEqual([]);
  });

  test(`README is at most ${README_MAX_LINES} lines`, () => {
    expect(README.text.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  test('README opens with a table of contents that links every section', () => {
    const sections = headingsOf(README).filter((h) => h.level === 2);
    expect(sections[0].text).toBe('Contents');
    const contents = README.text.split('\n').slice(sections[0].line, sections[1].line - 1).join('\n');
    const missing = sections.slice(1).map((h) => slugOf(h.text)).filter((slug) => !contents.includes(`](#${slug})`));
    expect(missing).toEqual([]);
  });

  test('README links every docs page', () => {
    const pages = fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
    const linked = new Set(linksOf(README).map((l) => l.target.split('#')[0]));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
    expect([...PENDING].filter((p) => !linked.has(p))).toEqual([]);
  });

  test('no notes meant for the maintainers (research notes, internal design documents)', () => {
    const internal = /research notes|DESIGN\.md|notes\/|only page openings/i;
    const found = DOCS.flatMap((d) => d.text.split('\n').map((text, i) => ({ where: `${d.file}:${i + 1}`, text })))
      .filter((l) => internal.test(l.text)).map((l) => `${l.where}: ${l.text.trim()}`);
    expect(found).toEqual([]);
  });

  test('the checks themselves catch what they should', () => {
    expect(slugOf('Waves of CDK stages: `CrossRegionCfnPipeline`')).toBe('waves-of-cdk-stages-crossregioncfnpipeline');
    expect(slugOf('Source -> build -> tests')).toBe('source---build---tests');
    expect(brokenLink({ from: 'README.md', line: 1, target: 'docs/gates.md#typed-rules' })).toBeUndefined();
    expect(brokenLink({ from: 'docs/gates.md', line: 1, target: '../README.md#no-such-heading' })).toMatch(/has no heading '#no-such-heading'/);
    expect(brokenLink({ from: 'README.md', line: 1, target: 'docs/no-such-page.md' })).toMatch(/does not exist/);
    expect(brokenLink({ from: 'README.md', line: 1, target: 'https://example.com/x#y' })).toBeUndefined();
    expect(linksOf({ file: 'x.md', text: 'see `[a](b.md)` and\n```\n[c](d.md)\n```\n[e](f.md)' }).map((l) => [l.target, l.line])).toEqual([['f.md', 5]]);
  });
});
