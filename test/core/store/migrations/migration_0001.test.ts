import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../src/core/store/database';

describe('migration 0001 (initial)', () => {
  it('creates the tables and enforces their constraints', () => {
    const db = openStore(':memory:', { targetVersion: 1 });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['datasets', 'imports', 'import_problems', 'notes', 'sentences', 'pairs', 'gold_spans', 'gold_sentences']));
    db.prepare("INSERT INTO datasets (name, created_at, updated_at) VALUES ('d', 'now', 'now')").run();
    db.prepare("INSERT INTO notes (text_sha256, text, length, segmenter_version) VALUES ('h', 'text', 4, 1)").run();
    const insertPair = db.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (?, '1_2', ?, 'd', ?, '', ?, 1)");
    insertPair.run(1, 'I10', 1, 1);
    expect(() => insertPair.run(1, 'I10', 0, 1)).toThrow(/UNIQUE/);
    expect(() => insertPair.run(1, 'E11', 2, 1)).toThrow(/CHECK/);
    expect(() => insertPair.run(1, 'E12', 1, 99)).toThrow(/FOREIGN KEY/);
    // Deleting a pair takes its evidence with it.
    db.prepare("INSERT INTO gold_spans (pair_id, seq, span_start, span_end, text) VALUES (1, 0, 0, 4, 'text')").run();
    db.prepare('DELETE FROM pairs WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM gold_spans').get()).toEqual({ n: 0 });
    db.close();
  });
});
