import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputFileError, writeFileAtomic } from '../../../src/core/export/output-file';
import { tempDir } from '../../helpers/mimic-files';

let dir: string;
beforeEach(() => {
  dir = tempDir('medbench-output-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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
