import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../../../src/core/store/database';
import { seedVersion1Rows, tableRows, VERSION1_TABLES } from './version-fixtures';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-m2-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

describe('migration 0002 (runs)', () => {
  it('carries a version-1 database with rows to version 2: every row kept, runs can reference its pairs', () => {
    const file = tempDb();
    const v1 = openStore(file, { targetVersion: 1 });
    seedVersion1Rows(v1);
    const before = tableRows(v1, VERSION1_TABLES);
    expect(before.pairs).toHaveLength(2);
    expect(v1.prepare("SELECT name FROM sqlite_master WHERE name = 'runs'").get()).toBeUndefined();
    v1.close();

    const v2 = openStore(file, { targetVersion: 2 });
    expect(schemaVersion(v2)).toBe(2);
    expect(tableRows(v2, VERSION1_TABLES)).toEqual(before);

    // The new tables work against the old rows, with their keys and checks.
    v2.prepare(
      `INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('base', 1, 'baseline', 'finished', '{}', '{}', 'now')`,
    ).run();
    v2.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (1, 0, 1), (1, 1, 2)').run();
    const prediction = v2.prepare(
      `INSERT INTO predictions (run_id, pair_id, status, label, evidence_json, rationale, raw_output, prompt_tokens, reused_tokens, generated_tokens, ms, created_at)
       VALUES (1, ?, 'ok', 1, '[1]', '', '', 0, 0, 0, 1, 'now')`,
    );
    prediction.run(1);
    expect(() => prediction.run(1)).toThrow(/UNIQUE/);
    expect(() => prediction.run(99)).toThrow(/FOREIGN KEY/);
    expect(() =>
      v2.prepare("INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('x', 1, 'baseline', 'done', '{}', '{}', 'now')").run(),
    ).toThrow(/CHECK/);
    expect(v2.prepare('SELECT pair_id FROM run_pairs JOIN pairs ON pairs.id = run_pairs.pair_id ORDER BY position').all()).toEqual([{ pair_id: 1 }, { pair_id: 2 }]);
    v2.close();
  });
});
