import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Headless Chromium for the diagram tests: Debian's `chromium` package (with `fonts-dejavu-core`, the
 * font the SVG names). Driven from the command line only: `--screenshot` for the PNG, `--dump-dom`
 * for measurements an inline script writes into the page.
 */

/** The Chromium binary: $CHROMIUM_PATH, else `chromium` or `chromium-browser` on the PATH; undefined when absent. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf-8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

function run(chromium: string, args: string[]): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  try {
    const r = spawnSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${profile}`,
      ...args,
    ], { encoding: 'utf-8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${chromium} ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Render an SVG file to a PNG of exactly its size. */
export function screenshot(chromium: string, svgFile: string, pngFile: string, width: number, height: number): void {
  run(chromium, [`--window-size=${width},${height}`, `--screenshot=${pngFile}`, `file://${svgFile}`]);
  if (!fs.existsSync(pngFile)) throw new Error(`${chromium} wrote no screenshot to ${pngFile}`);
}

/** Load an HTML file and return the text of its `#result` element after its scripts ran. */
export function dumpResult(chromium: string, htmlFile: string): string {
  const dom = run(chromium, ['--dump-dom', `file://${htmlFile}`]);
  const m = /<pre id="result">([\s\S]*?)<\/pre>/.exec(dom);
  if (!m) throw new Error(`no #result in the page Chromium dumped:\n${dom.slice(0, 2000)}`);
  return m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

export interface Png {
  readonly width: number;
  readonly height: number;
  /** [r, g, b, a] at (x, y). */
  readonly pixel: (x: number, y: number) => number[];
}

/** Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes). */
export function readPng(file: string): Png {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file} is not a PNG`);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`${file}: unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels] : 0;
      let v: number;
      switch (filter) {
        case 0: v = line[i]; break;
        case 1: v = line[i] + a; break;
        case 2: v = line[i] + b; break;
        case 3: v = line[i] + Math.floor((a + b) / 2); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`${file}: unknown PNG filter ${filter}`);
      }
      pixels[y * stride + i] = v % 256;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + (x + 1) * channels)],
  };
}
