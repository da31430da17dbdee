import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkUserPath, expandHome, requireUserPath, resolveUserPath } from '../../src/core/path-check';

let dir: string;
const home = process.env.HOME;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-paths-'));
  process.env.HOME = dir;
});
afterEach(() => {
  process.env.HOME = home;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('paths typed in the browser', () => {
  it('expands ~ and resolves relative paths against the home folder, not the server folder', () => {
    expect(expandHome('~')).toBe(dir);
    expect(expandHome('~/a/b.csv')).toBe(path.join(dir, 'a/b.csv'));
    expect(resolveUserPath('x.csv')).toBe(path.join(dir, 'x.csv'));
    expect(resolveUserPath('/abs/x.csv')).toBe('/abs/x.csv');
  });

  it('says what is wrong: missing file, folder, missing folder, unwritable folder', () => {
    fs.writeFileSync(path.join(dir, 'in.csv'), 'a');
    expect(checkUserPath('~/in.csv', 'read-file')).toEqual({ path: path.join(dir, 'in.csv'), ok: true, message: null });
    expect(checkUserPath('~/none.csv', 'read-file').message).toBe(`there is no file at ${path.join(dir, 'none.csv')}`);
    expect(checkUserPath('~', 'read-file').message).toMatch(/is a folder; choose a file in it/);
    expect(checkUserPath('~', 'write-file').message).toMatch(/is a folder; add a file name/);
    expect(checkUserPath('~/sub/out.zip', 'write-file').message).toBe(`the folder ${path.join(dir, 'sub')} does not exist`);
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(checkUserPath('~/file/out.zip', 'write-file').message).toMatch(/is not a folder/);
    if (process.getuid?.() !== 0) {
      fs.mkdirSync(path.join(dir, 'ro'), { mode: 0o500 });
      expect(checkUserPath('~/ro/out.zip', 'write-file').message).toMatch(/is not writable/);
    }
    expect(() => requireUserPath('~/none.csv', 'read-file')).toThrow(/there is no file/);
  });
});
