/**
 * Draws the app icon (a white cross on a rounded teal square) and writes it in the three formats
 * electron-builder picks up from build/: icon.png (1024 px, Linux and the source for everything
 * else), icon.ico (Windows) and icon.icns (macOS). Pure Node: no image tools on the build machine.
 *
 *   npx tsx build/make-icons.ts [outDir]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const BACKGROUND = [15, 118, 110] as const; // teal
const FOREGROUND = [255, 255, 255] as const;
const SUPERSAMPLING = 4;

/** Shapes in a 0..1 square: the rounded background and the cross on it. */
function insideBackground(x: number, y: number): boolean {
  const margin = 0.06;
  const radius = 0.2;
  if (x < margin || x > 1 - margin || y < margin || y > 1 - margin) return false;
  const cx = Math.min(Math.max(x, margin + radius), 1 - margin - radius);
  const cy = Math.min(Math.max(y, margin + radius), 1 - margin - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function insideCross(x: number, y: number): boolean {
  const half = 0.09;
  const reach = 0.28;
  const dx = Math.abs(x - 0.5);
  const dy = Math.abs(y - 0.5);
  return (dx <= half && dy <= reach) || (dy <= half && dx <= reach);
}

/** RGBA pixels of the icon at `size` x `size`, antialiased by supersampling each pixel. */
export function renderIcon(size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0;
      let cross = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLING) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLING) / size;
          if (!insideBackground(x, y)) continue;
          if (insideCross(x, y)) cross++;
          else background++;
        }
      }
      const covered = background + cross;
      const offset = (py * size + px) * 4;
      if (covered === 0) continue;
      for (let channel = 0; channel < 3; channel++) {
        pixels[offset + channel] = Math.round((BACKGROUND[channel] * background + FOREGROUND[channel] * cross) / covered);
      }
      pixels[offset + 3] = Math.round((255 * covered) / samples);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A truecolour-with-alpha PNG of square RGBA pixels (every scanline unfiltered). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO holding PNG images (Windows Vista and later read PNG entries). */
export function encodeIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry[0] = size >= 256 ? 0 : size; // 0 means 256
    entry[1] = size >= 256 ? 0 : size;
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

/** macOS icon types that hold PNG data, by pixel size. */
export const ICNS_TYPES: Record<string, number> = { icp4: 16, icp5: 32, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 };

export function encodeIcns(images: { type: string; png: Buffer }[]): Buffer {
  const entries = images.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((total, entry) => total + entry.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** Writes icon.png, icon.ico and icon.icns into `outDir`; returns their paths. */
export function writeIcons(outDir: string): string[] {
  const pngs = new Map<number, Buffer>();
  const png = (size: number): Buffer => {
    let encoded = pngs.get(size);
    if (!encoded) {
      encoded = encodePng(size, renderIcon(size));
      pngs.set(size, encoded);
    }
    return encoded;
  };
  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    'icon.png': png(1024),
    'icon.ico': encodeIco(ICO_SIZES.map((size) => ({ size, png: png(size) }))),
    'icon.icns': encodeIcns(Object.entries(ICNS_TYPES).map(([type, size]) => ({ type, png: png(size) }))),
  };
  return Object.entries(files).map(([name, data]) => {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, data);
    return file;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ?? path.dirname(fileURLToPath(import.meta.url));
  for (const file of writeIcons(outDir)) process.stdout.write(`wrote ${file}\n`);
}
