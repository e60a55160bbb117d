import * as fs from 'fs';
import * as path from 'path';

/**
 * The user documentation, README.md and docs/*.md, as the tests read it: sections by heading wherever
 * they live (a section may move from README to a docs page without its tests changing), code blocks
 * with their file and line. `./examples` runs and type-checks the TypeScript blocks.
 */
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** One Markdown file of the user documentation, by its path from the repository root. */
export interface DocFile {
  readonly file: string;
  readonly text: string;
}

/** README.md, then every docs/*.md in name order. */
export function docFiles(): DocFile[] {
  const pages = fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...pages].map((file) => ({ file, text: fs.readFileSync(path.join(REPO_ROOT, file), 'utf-8') }));
}

export interface Heading {
  readonly level: number;
  readonly text: string;
  /** 1-based line of the heading. */
  readonly line: number;
}

/** A fenced code block: its info string's first word (`ts`, `sh`, `text`, or ''), its body, its first body line. */
export interface CodeBlock {
  readonly file: string;
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the block's first body line in its file. */
  readonly line: number;
}

interface Scanned {
  readonly headings: Heading[];
  readonly blocks: CodeBlock[];
  /** The lines outside code fences (fenced lines are replaced by ''), for link checks. */
  readonly prose: string[];
}

/** Headings and code blocks of a Markdown text; a fence closes on a line of at least as many backticks. */
function scan(file: string, text: string, firstLine = 1): Scanned {
  const lines = text.split('\n');
  const headings: Heading[] = [];
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let fence: { ticks: number; lang: string; start: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    if (fence) {
      const close = /^ {0,3}(`{3,})\s*$/.exec(l);
      if (close && close[1].length >= fence.ticks) {
        blocks.push({ file, lang: fence.lang, code: fence.body.map((b) => `${b}\n`).join(''), line: fence.start });
        fence = undefined;
      } else {
        fence.body.push(l);
      }
      prose.push('');
      return;
    }
    const open = /^ {0,3}(`{3,})([^`\s]*)/.exec(l);
    if (open) {
      fence = { ticks: open[1].length, lang: open[2], start: firstLine + i + 1, body: [] };
      prose.push('');
      return;
    }
    const h = /^(#{1,6}) (.+?)\s*#*\s*$/.exec(l);
    if (h) headings.push({ level: h[1].length, text: h[2], line: firstLine + i });
    prose.push(l);
  });
  if (fence) throw new Error(`${file}:${fence.start - 1}: a code fence is never closed`);
  return { headings, blocks, prose };
}

export function headingsOf(doc: DocFile): Heading[] {
  return scan(doc.file, doc.text).headings;
}

/** Every fenced block of a file or section, optionally only of the given languages. */
export function codeBlocksOf(doc: DocFile | DocSection, langs?: string[]): CodeBlock[] {
  const blocks = scan(doc.file, doc.text, 'line' in doc ? doc.line : 1).blocks;
  return langs ? blocks.filter((b) => langs.includes(b.lang)) : blocks;
}

/** The lines of a file outside its code fences (fenced lines blank, so line numbers hold). */
export function proseOf(doc: DocFile): string[] {
  return scan(doc.file, doc.text).prose;
}

/** A section: its heading line and everything up to the next heading of the same or a higher level. */
export interface DocSection {
  readonly file: string;
  readonly heading: Heading;
  readonly text: string;
  /** 1-based line of the heading in its file. */
  readonly line: number;
}

/** Every section of the user documentation. */
export function docSections(docs: DocFile[] = docFiles()): DocSection[] {
  return docs.flatMap((doc) => {
    const lines = doc.text.split('\n');
    const headings = headingsOf(doc);
    return headings.map((heading, i) => {
      const next = headings.slice(i + 1).find((h) => h.level <= heading.level);
      const text = lines.slice(heading.line - 1, next ? next.line - 1 : undefined).join('\n');
      return { file: doc.file, heading, text, line: heading.line };
    });
  });
}

/**
 * The one section titled `heading` (exact text, any level) in README.md or docs/*.md. Fails when there
 * is none or more than one, naming where it looked.
 */
export function docSection(heading: string, docs: DocFile[] = docFiles()): DocSection {
  const found = docSections(docs).filter((s) => s.heading.text === heading);
  if (found.length !== 1) {
    const where = found.map((s) => `${s.file}:${s.line}`).join(', ');
    throw new Error(`expected one section '${heading}' in README.md or docs/*.md, found ${found.length}${where ? ` (${where})` : ''}`);
  }
  return found[0];
}

/** The file of the user documentation that contains `text` (exactly one must). */
export function docFileContaining(text: string, docs: DocFile[] = docFiles()): DocFile {
  const found = docs.filter((d) => d.text.includes(text));
  if (found.length !== 1) throw new Error(`expected one of README.md, docs/*.md to contain '${text}', found ${found.map((d) => d.file).join(', ') || 'none'}`);
  return found[0];
}
