import { DEJAVU_SANS, DEJAVU_SANS_BOLD, FontWidthTable } from './font-widths';

/**
 * The one font the SVG names, and measures its text with: DejaVu Sans (Debian's default sans-serif,
 * package fonts-dejavu-core). Verdana, of nearly the same metrics, and sans-serif are fallbacks only.
 */
export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_FAMILY_CSS = "'DejaVu Sans', Verdana, sans-serif";

export interface Font {
  /** Pixels. */
  readonly size: number;
  readonly bold?: boolean;
}

const lookups = new Map<FontWidthTable, Map<number, number>>();

function lookup(table: FontWidthTable): Map<number, number> {
  let map = lookups.get(table);
  if (!map) {
    map = new Map();
    for (const [first, widths] of table.ranges) widths.forEach((w, i) => map!.set(first + i, w));
    lookups.set(table, map);
  }
  return map;
}

/**
 * Advance width in pixels of `text` in DejaVu Sans, as a browser lays it out without kerning or
 * ligatures (the SVG turns both off): the sum of the glyphs' advance widths. A character outside
 * the table counts as 1 em, wider than any glyph in it.
 */
export function textWidth(text: string, font: Font): number {
  const table = font.bold ? DEJAVU_SANS_BOLD : DEJAVU_SANS;
  const map = lookup(table);
  let units = 0;
  for (const ch of text) units += map.get(ch.codePointAt(0)!) ?? table.unitsPerEm;
  return (units * font.size) / table.unitsPerEm;
}

/**
 * Break `text` into lines no wider than `maxWidth`: between words; a word wider than a line after
 * `/ - . , : | @ =`; and inside a run of other characters only when nothing else fits.
 */
export function wrapText(text: string, maxWidth: number, font: Font, hang = 0): string[] {
  const lines: string[] = [];
  let line = '';
  // The first line may use maxWidth; the others, indented by `hang`, maxWidth - hang.
  const fits = (s: string) => textWidth(s, font) <= maxWidth - (lines.length > 0 ? hang : 0);
  for (const word of text.split(/ +/).filter((w) => w)) {
    const joined = line ? `${line} ${word}` : word;
    if (fits(joined)) {
      line = joined;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    if (fits(word)) {
      line = word;
      continue;
    }
    // A word wider than a line: its pieces, each ending at a break character.
    for (const piece of word.match(/[^/\-.,:|@=]*[/\-.,:|@=]*/g)!.filter((p) => p)) {
      if (fits(line + piece)) {
        line += piece;
        continue;
      }
      if (line) lines.push(line);
      let rest = piece;
      while (!fits(rest)) {
        let cut = 1;
        while (cut < rest.length && fits(rest.slice(0, cut + 1))) cut++;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}
