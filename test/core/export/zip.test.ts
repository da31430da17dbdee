import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32, createZip, OutputFileError, readZip, writeFileAtomic, ZipFormatError } from '../../../src/core/export/zip';
import { tempDir } from '../../helpers/mimic-files';

let dir: string;
beforeEach(() => {
  dir = tempDir('medbench-zip-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const hasCommand = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const hasUnzip = hasCommand('unzip', ['-v']);
const hasPython = hasCommand('python3', ['-c', 'import zipfile']);

const repetitive = 'task_id,code,prediction\n'.repeat(200);
const binary = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251);
const entries = [
  { name: 'predictions.csv', data: repetitive },
  { name: 'empty.txt', data: '' },
  { name: 'folder/données-ü.bin', data: binary },
];

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('createZip / readZip', () => {
  it('round-trips entries, deflating only what shrinks', () => {
    const archive = createZip(entries);
    const read = readZip(archive);
    expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    expect(read[0]!.method).toBe('deflate');
    expect(read[0]!.data.toString('utf8')).toBe(repetitive);
    expect(read[1]!.data.length).toBe(0);
    expect(read[1]!.method).toBe('store');
    expect(Buffer.compare(read[2]!.data, Buffer.from(binary))).toBe(0);
    expect(archive.length).toBeLessThan(repetitive.length);
  });

  it('stores everything when asked', () => {
    const read = readZip(createZip(entries, { compression: 'store' }));
    expect(read.every((e) => e.method === 'store')).toBe(true);
    expect(read[0]!.data.toString('utf8')).toBe(repetitive);
  });

  it('detects a corrupted entry', () => {
    const archive = createZip([{ name: 'a.txt', data: 'hello world' }], { compression: 'store' });
    const corrupted = Buffer.from(archive);
    corrupted[30 + 'a.txt'.length] ^= 0xff; // first data byte
    expect(() => readZip(corrupted)).toThrow(/CRC-32/);
    expect(() => readZip(Buffer.from('not a zip at all, just some text here'))).toThrow(ZipFormatError);
  });

  it('refuses duplicate and unsafe names', () => {
    expect(() => createZip([{ name: 'a', data: '' }, { name: 'a', data: '' }])).toThrow(/duplicate/);
    for (const name of ['../evil', '/abs', 'a\\b', '']) expect(() => createZip([{ name, data: '' }])).toThrow(/unsafe/);
  });

  it.skipIf(!hasUnzip)('passes unzip -t and unzip -p gives the bytes back', () => {
    const file = path.join(dir, 'test.zip');
    fs.writeFileSync(file, createZip(entries));
    const tested = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(tested.status).toBe(0);
    expect(tested.stdout).toMatch(/No errors detected/);
    expect(spawnSync('unzip', ['-p', file, 'predictions.csv'], { encoding: 'utf8' }).stdout).toBe(repetitive);
  });

  it.skipIf(!hasPython)("passes Python's zipfile test and reads back", () => {
    const file = path.join(dir, 'test.zip');
    fs.writeFileSync(file, createZip(entries));
    const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint("|".join(i.filename + ":" + str(i.file_size) for i in z.infolist()))';
    const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`predictions.csv:${repetitive.length}|empty.txt:0|folder/données-ü.bin:${binary.length}`);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file behind', () => {
    const file = path.join(dir, 'out.txt');
    fs.writeFileSync(file, 'old');
    writeFileAtomic(file, 'new content');
    expect(fs.readFileSync(file, 'utf8')).toBe('new content');
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });

  it('names the file when its folder is missing, and leaves nothing behind on failure', () => {
    const file = path.join(dir, 'absent', 'out.txt');
    expect(() => writeFileAtomic(file, 'x')).toThrow(OutputFileError);
    expect(() => writeFileAtomic(file, 'x')).toThrow(`cannot write ${file}: its folder does not exist`);
    fs.mkdirSync(path.join(dir, 'a-folder'));
    expect(() => writeFileAtomic(path.join(dir, 'a-folder'), 'x')).toThrow(OutputFileError);
    expect(fs.readdirSync(dir)).toEqual(['a-folder']);
  });
});
