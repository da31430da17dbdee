import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Imported by path: build/ sits outside tsconfig.node.json's file list.
const makeIconsFile = path.resolve('build', 'make-icons.ts');
const { ICNS_TYPES, ICO_SIZES, PNG_SIGNATURE, encodePng, renderIcon, writeIcons } = (await import(makeIconsFile)) as {
  ICNS_TYPES: Record<string, number>;
  ICO_SIZES: number[];
  PNG_SIGNATURE: Buffer;
  encodePng(size: number, rgba: Buffer): Buffer;
  renderIcon(size: number): Buffer;
  writeIcons(outDir: string): string[];
};

/** Width, height, colour type and the inflated scanlines of a PNG. */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let offset = 8;
  let header: Buffer | null = null;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  expect(header).not.toBeNull();
  return { width: header!.readUInt32BE(0), height: header!.readUInt32BE(4), colourType: header![9], rows: zlib.inflateSync(Buffer.concat(data)) };
}

/** The RGBA pixel at (x, y) of decoded unfiltered scanlines. */
function pixel(decoded: ReturnType<typeof decodePng>, x: number, y: number): number[] {
  const start = y * (decoded.width * 4 + 1) + 1 + x * 4;
  return [...decoded.rows.subarray(start, start + 4)];
}

/** The decoded scanlines of every PNG inside a file (a PNG, or the PNGs an ICO/ICNS embeds). */
function pixelsOfImages(file: Buffer): Buffer[] {
  const images: Buffer[] = [];
  for (let at = file.indexOf(PNG_SIGNATURE); at !== -1; at = file.indexOf(PNG_SIGNATURE, at + 8)) {
    let end = at + 8;
    while (file.toString('ascii', end + 4, end + 8) !== 'IEND') end += 12 + file.readUInt32BE(end);
    images.push(decodePng(file.subarray(at, end + 12)).rows);
  }
  return images;
}

let fresh: string;
beforeAll(() => {
  fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-icons-'));
  writeIcons(fresh);
});
afterAll(() => fs.rmSync(fresh, { recursive: true, force: true }));

const committed = (name: string) => fs.readFileSync(path.resolve('build', name));

describe('the app icon', () => {
  it('is a 1024 px RGBA PNG: transparent corners, teal square, white cross', () => {
    const icon = decodePng(committed('icon.png'));
    expect([icon.width, icon.height, icon.colourType]).toEqual([1024, 1024, 6]);
    expect(pixel(icon, 0, 0)[3]).toBe(0);
    expect(pixel(icon, 512, 512)).toEqual([255, 255, 255, 255]);
    expect(pixel(icon, 150, 512)).toEqual([15, 118, 110, 255]);
  });

  it('matches what build/make-icons.ts draws (the committed files are not stale)', () => {
    // Pixels, not bytes: another zlib may compress the same pixels differently.
    for (const name of ['icon.png', 'icon.ico', 'icon.icns']) {
      const drawn = pixelsOfImages(fs.readFileSync(path.join(fresh, name)));
      const stored = pixelsOfImages(committed(name));
      expect(stored.length, name).toBe(drawn.length);
      stored.forEach((rows, index) => expect(rows.equals(drawn[index]), `${name} #${index}`).toBe(true));
    }
  });

  it('is an ICO with PNG images from 16 to 256 px', () => {
    const ico = committed('icon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, ICO_SIZES.length]);
    ICO_SIZES.forEach((size, index) => {
      const entry = 6 + index * 16;
      expect(ico[entry] || 256).toBe(size);
      const image = ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8));
      expect(decodePng(image).width).toBe(size);
    });
  });

  it('is an ICNS whose entries hold PNGs of their declared sizes', () => {
    const icns = committed('icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const seen: Record<string, number> = {};
    for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4)) {
      const type = icns.toString('ascii', offset, offset + 4);
      seen[type] = decodePng(icns.subarray(offset + 8, offset + icns.readUInt32BE(offset + 4))).width;
    }
    expect(seen).toEqual(ICNS_TYPES);
  });

  it('encodes pixels losslessly', () => {
    const pixels = renderIcon(32);
    const decoded = decodePng(encodePng(32, pixels));
    for (let y = 0; y < 32; y++) {
      expect(decoded.rows[y * (32 * 4 + 1)]).toBe(0);
      expect(decoded.rows.subarray(y * 129 + 1, (y + 1) * 129).equals(pixels.subarray(y * 128, (y + 1) * 128))).toBe(true);
    }
  });
});
