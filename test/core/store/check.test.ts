import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../../../src/core/store/check';
import { StoreError } from '../../../src/core/store/errors';
import { cliEnv, medbench } from '../../crash/medbench-process';
import { tempDir } from '../../helpers/mimic-files';

let dir: string;
let demoDb: string;
beforeAll(async () => {
  dir = tempDir('medbench-check-');
  demoDb = path.join(dir, 'demo.db');
  const demo = await medbench(['demo', '--db', demoDb], cliEnv(path.join(dir, 'home')));
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function damaged(name: string, sql: string): string {
  const file = path.join(dir, name);
  fs.copyFileSync(demoDb, file);
  const db = new Database(file);
  // Another tool writing with foreign keys off: what the schema alone cannot prevent.
  db.pragma('foreign_keys = OFF');
  db.exec(sql);
  db.close();
  return file;
}

describe('checkStore', () => {
  it('a sound database: integrity ok, counts per table, no problems, and the file is not changed', () => {
    const before = fs.readFileSync(demoDb);
    const report = checkStore(demoDb);
    expect(report).toMatchObject({ ok: true, integrity: ['ok'], problems: [] });
    expect(report.counts).toMatchObject({ pairs: 74, predictions: 74, runs: 1 });
    expect(fs.readFileSync(demoDb).equals(before)).toBe(true);
  });

  it.each([
    ['orphan-prediction', "DELETE FROM pairs WHERE id = (SELECT pair_id FROM predictions LIMIT 1)"],
    ['orphan-sentence', 'DELETE FROM notes WHERE id = (SELECT min(id) FROM notes)'],
    ['orphan-gold-sentence', 'DELETE FROM sentences WHERE (note_id, sentence_id) IN (SELECT p.note_id, g.sentence_id FROM gold_sentences g JOIN pairs p ON p.id = g.pair_id LIMIT 1)'],
    ['orphan-run-pair', 'INSERT INTO run_pairs (run_id, position, pair_id) VALUES (1, 9999, 424242)'],
    ['unplanned-prediction', 'DELETE FROM run_pairs WHERE position = 0'],
    ['bad-gold-span', 'UPDATE gold_spans SET span_end = span_start - 1 WHERE (pair_id, seq) IN (SELECT pair_id, seq FROM gold_spans LIMIT 1)'],
    ['orphan-sample', 'DELETE FROM predictions WHERE id = 1'],
  ])('finds %s', (kind, sql) => {
    const report = checkStore(damaged(`${kind}.db`, sql));
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain(kind);
  });

  it('reports an interrupted run as a warning, not a problem', () => {
    const report = checkStore(damaged('interrupted.db', "UPDATE runs SET status = 'running', owner_pid = 2147483646"));
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'interrupted-run', detail: expect.stringContaining('--resume baseline') })]);
  });

  it('names the file when it is missing or not a database', () => {
    expect(() => checkStore(path.join(dir, 'absent.db'))).toThrow(StoreError);
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all '.repeat(200));
    expect(() => checkStore(junk)).toThrow(/junk\.db: this file is not a MedBench Local database/);
  });

  it('medbench check exits 1 on problems and prints one JSON document', async () => {
    const env = cliEnv(path.join(dir, 'home'));
    const bad = damaged('cli-bad.db', 'DELETE FROM notes WHERE id = (SELECT min(id) FROM notes)');
    const result = await medbench(['check', '--db', bad, '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false });
    expect(result.stderr).toContain(bad);
    const good = await medbench(['check', '--db', demoDb], env);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/No problems found/);
  }, 30_000);
});
