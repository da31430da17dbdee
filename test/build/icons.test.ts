import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import config from '../../electron-builder.config';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height, colour type and the inflated scanlines of a PNG (an independent reader, not the encoder's). */
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
  return { width: header!.readUInt32BE(0), height: header!.readUInt32BE(4), colourType: header![9], interlace: header![12], rows: zlib.inflateSync(Buffer.concat(data)) };
}

/** The RGBA pixel at (x, y) of scanlines whose filter bytes are all 0 (as the committed icon's are). */
function pixel(decoded: ReturnType<typeof decodePng>, x: number, y: number): number[] {
  const stride = decoded.width * 4 + 1;
  expect(decoded.rows[y * stride]).toBe(0);
  const start = y * stride + 1 + x * 4;
  return [...decoded.rows.subarray(start, start + 4)];
}

const resources = path.resolve(config.directories?.buildResources ?? 'build');

describe('the app icon', () => {
  it('is one 1024 px RGBA PNG, the single source electron-builder turns into ICO and ICNS itself', () => {
    const icon = decodePng(fs.readFileSync(path.join(resources, 'icon.png')));
    // electron-builder needs at least 512 px for macOS and 256 px for Windows.
    expect([icon.width, icon.height, icon.colourType, icon.interlace]).toEqual([1024, 1024, 6, 0]);
    // Derived formats kept next to it would win over the PNG and could go stale.
    expect(fs.existsSync(path.join(resources, 'icon.ico'))).toBe(false);
    expect(fs.existsSync(path.join(resources, 'icon.icns'))).toBe(false);
  });

  it('shows a white cross on a teal square with transparent corners', () => {
    const icon = decodePng(fs.readFileSync(path.join(resources, 'icon.png')));
    expect(pixel(icon, 0, 0)[3]).toBe(0);
    expect(pixel(icon, 512, 512)).toEqual([255, 255, 255, 255]);
    expect(pixel(icon, 150, 512)).toEqual([15, 118, 110, 255]);
  });

  it('is what every platform configuration points at', () => {
    for (const platform of [config.linux, config.win, config.mac]) expect(platform?.icon).toBe('build/icon.png');
  });
});
