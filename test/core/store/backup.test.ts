import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimicLike } from '../../../bench/generate-notes';
import { listAudit } from '../../../src/core/audit';
import { importDataset } from '../../../src/core/data/import';
import { backupStore, BackupError } from '../../../src/core/store/backup';
import { checkStore } from '../../../src/core/store/check';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../src/core/store/database';
import { cliEnv, finished, medbench, sleep, spawnMedbench, withReader } from '../../crash/medbench-process';
import { tempDir } from '../../helpers/mimic-files';

let dir: string;
let template: string;
let pairs: number;
beforeAll(async () => {
  dir = tempDir('medbench-backup-');
  const data = await generateMimicLike({ outDir: path.join(dir, 'data'), textBytes: 3_000_000, annotatedNotes: 300, seed: 4 });
  template = path.join(dir, 'template.db');
  const db = openStore(template);
  pairs = (await importDataset(db, { annotations: data.annotationsPath, notes: data.notesPath, format: 'raw' })).pairs;
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const predictions = (file: string) => withReader(file, (db) => db.prepare('SELECT count(*) FROM predictions').pluck().get() as number);

describe('backupStore', () => {
  it('writes one self-contained, checked file, never overwrites, and audits it', async () => {
    const db = openStore(template);
    try {
      const out = path.join(dir, 'copy one.db');
      const report = await backupStore(db, out);
      expect(report).toMatchObject({ out, schemaVersion: LATEST_SCHEMA_VERSION });
      expect(fs.existsSync(`${out}-wal`)).toBe(false);
      expect(checkStore(out)).toMatchObject({ ok: true });
      expect(listAudit(db, { kind: 'backup' })).toEqual([expect.objectContaining({ outputs: [{ role: 'backup', path: out, sha256: report.sha256, bytes: report.bytes }] })]);
      await expect(backupStore(db, out)).rejects.toThrow(BackupError);
      await expect(backupStore(db, template)).rejects.toThrow(/the database itself/);
      await expect(backupStore(db, path.join(dir, 'no-such-folder', 'x.db'))).rejects.toThrow(/does not exist/);
    } finally {
      db.close();
    }
  });
});

describe('concurrency through the real CLI (WAL)', () => {
  it('a reader and `medbench backup` work while a run writes; each backup is a consistent snapshot', async () => {
    const db = path.join(dir, 'busy.db');
    fs.copyFileSync(template, db);
    const env = cliEnv(path.join(dir, 'home'));
    const run = spawnMedbench(['run', '--model', 'baseline', '--name', 'live', '--db', db, '--json'], env);
    const done = finished(run);
    let exited = false;
    void done.then(() => (exited = true));
    const seen: number[] = [];
    const backups: string[] = [];
    while (!exited) {
      seen.push(predictions(db));
      if (seen.at(-1)! > 0 && backups.length < 2) {
        const out = path.join(dir, `during-${backups.length}.db`);
        const backup = await medbench(['backup', '--out', out, '--db', db], env);
        expect(backup.code, backup.stderr).toBe(0);
        backups.push(out);
      }
      await sleep(20);
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(seen.every((n, i) => i === 0 || n >= seen[i - 1]!)).toBe(true);
    expect(predictions(db)).toBe(pairs);
    for (const out of backups) {
      expect(checkStore(out).ok).toBe(true);
      const n = predictions(out);
      expect(n).toBeLessThanOrEqual(pairs);
      // A snapshot holds whole predictions only: every prediction has its samples.
      expect(withReader(out, (r) => r.prepare('SELECT count(*) FROM predictions p WHERE NOT EXISTS (SELECT 1 FROM prediction_samples s WHERE s.prediction_id = p.id)').pluck().get())).toBe(0);
    }
  }, 120_000);

  it('two different runs on one database both finish; a second writer of the same run is refused clearly', async () => {
    const db = path.join(dir, 'two.db');
    fs.copyFileSync(template, db);
    const env = cliEnv(path.join(dir, 'home'));
    const [a, b] = await Promise.all([
      medbench(['run', '--model', 'baseline', '--name', 'a', '--db', db, '--json'], env),
      medbench(['run', '--model', 'baseline', '--name', 'b', '--db', db, '--json'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ n: pairs, status: 'finished' });
    expect(JSON.parse(b.stdout)).toMatchObject({ n: pairs, status: 'finished' });

    const first = spawnMedbench(['run', '--model', 'baseline', '--name', 'same', '--db', db], env);
    const firstDone = finished(first);
    while (withReader(db, (r) => r.prepare("SELECT count(*) FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 'same'").pluck().get() as number) === 0) await sleep(10);
    const second = await medbench(['run', '--resume', 'same', '--db', db], env);
    const firstResult = await firstDone;
    expect(firstResult.code).toBe(0);
    // Either refused while the first one writes, or (if the first finished meanwhile) nothing to do.
    if (second.code !== 0) {
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/being written by another medbench process/);
    } else {
      expect(second.stdout).toMatch(/already finished/);
    }
    expect(checkStore(db).ok).toBe(true);
  }, 120_000);
});
