import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimicLike, type GenerateResult } from '../../../bench/generate-notes';
import { LATEST_SCHEMA_VERSION } from '../../../src/core/store/database';
import { cliEnv, importFingerprint, integrityOf, medbench, tableCounts } from '../../crash/medbench-process';
import { tempDir } from '../../helpers/mimic-files';

/** Database failures through the real CLI: a clear error naming the file, exit 1, and no damage. */
let dir: string;
let demoDb: string;
let big: GenerateResult;
let env: NodeJS.ProcessEnv;

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Root can mount a tmpfs in CI containers and here; elsewhere those tests say why they skip. */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = tempDir('medbench-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}
const MOUNT = canMount();
if (!MOUNT) console.warn('errors.test: read-only and full-disk cases skipped: mounting a tmpfs needs root on Linux');

beforeAll(async () => {
  dir = tempDir('medbench-errors-');
  env = cliEnv(path.join(dir, 'home'), { MEDBENCH_BUSY_TIMEOUT: '200' });
  demoDb = path.join(dir, 'demo.db');
  const demo = await medbench(['demo', '--db', demoDb, '--json'], env);
  expect(demo.code, demo.stderr).toBe(0);
  big = await generateMimicLike({ outDir: path.join(dir, 'big'), textBytes: 3_000_000, annotatedNotes: 300, seed: 2 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function copyOfDemo(target: string): string {
  fs.copyFileSync(demoDb, target);
  return target;
}

describe('a database locked by another writer', () => {
  it('import and run fail with "locked", naming the file, and change nothing', async () => {
    const db = copyOfDemo(path.join(dir, 'locked.db'));
    const before = importFingerprint(db);
    const counts = tableCounts(db);
    const holder = new Database(db);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    try {
      const imported = await medbench(['import', '--annotations', big.annotationsPath, '--notes', big.notesPath, '--db', db], env);
      expect(imported.code).toBe(1);
      expect(imported.stderr).toMatch(/locked by another process/);
      expect(imported.stderr).toContain(db);
      const run = await medbench(['run', '--model', 'baseline', '--name', 'second', '--db', db], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(importFingerprint(db)).toBe(before);
    expect(tableCounts(db)).toEqual(counts);
    expect(integrityOf(db)).toBe('ok');
  }, 60_000);
});

describe('a database from a newer schema', () => {
  it('every command refuses it without touching the file; check reports it', async () => {
    const db = copyOfDemo(path.join(dir, 'future.db'));
    const raw = new Database(db);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    raw.pragma('journal_mode = DELETE');
    raw.close();
    const before = sha(db);
    for (const args of [['pairs'], ['runs'], ['audit'], ['run', '--model', 'baseline', '--name', 'x'], ['import', '--annotations', big.annotationsPath, '--notes', big.notesPath], ['backup', '--out', path.join(dir, 'future-backup.db')]]) {
      const result = await medbench([...args, '--db', db], env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/newer MedBench Local/);
      expect(result.stderr).toContain(db);
    }
    const check = await medbench(['check', '--db', db, '--json'], env);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).problems).toEqual([expect.objectContaining({ kind: 'newer-schema' })]);
    expect(sha(db)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'future-backup.db'))).toBe(false);
  }, 60_000);
});

describe.skipIf(!MOUNT)('file system failures (tmpfs mounts)', () => {
  const mounts: string[] = [];
  const mount = (options: string) => {
    const at = tempDir('medbench-mnt-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at]);
    mounts.push(at);
    return at;
  };
  afterAll(() => {
    for (const at of mounts) {
      spawnSync('umount', [at]);
      fs.rmSync(at, { recursive: true, force: true });
    }
  });

  it('a read-only file system: clear error, file unchanged', async () => {
    const at = mount('size=8m');
    const db = copyOfDemo(path.join(at, 'medbench.db'));
    const before = sha(db);
    execFileSync('mount', ['-o', 'remount,ro', at]);
    for (const args of [['import', '--annotations', big.annotationsPath, '--notes', big.notesPath], ['run', '--model', 'baseline', '--name', 'ro']]) {
      const result = await medbench([...args, '--db', db], env);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/read-only/);
      expect(result.stderr).toContain(db);
    }
    expect(sha(db)).toBe(before);
  }, 60_000);

  it('a full disk: the import fails with "disk is full" and the database keeps its previous state', async () => {
    const at = mount('size=1200k');
    const db = copyOfDemo(path.join(at, 'medbench.db'));
    const before = importFingerprint(db);
    const result = await medbench(['import', '--annotations', big.annotationsPath, '--notes', big.notesPath, '--db', db], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/disk is full/);
    expect(result.stderr).toContain(db);
    expect(integrityOf(db)).toBe('ok');
    expect(importFingerprint(db)).toBe(before);
    const small = mount('size=64k');
    const backup = await medbench(['backup', '--out', path.join(small, 'copy.db'), '--db', db], env);
    expect(backup.code, backup.stderr).toBe(1);
    expect(backup.stderr).toMatch(/disk is full/);
    expect(fs.readdirSync(small)).toEqual([]);
  }, 60_000);
});
