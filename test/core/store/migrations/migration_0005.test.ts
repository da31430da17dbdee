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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-m5-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

const PAIR_COLUMNS = 'id, dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row, removed_at';

describe('migration 0005 (notes by note_id)', () => {
  it("carries a version-4 database to version 5: every row kept, and each admission gets its own note over the shared text", () => {
    const file = tempDb();
    const v4 = openStore(file, { targetVersion: 4 });
    // seedVersion1Rows: note 1 (note_id 1-DS-1, hadm 2) with pairs of task 1_2. A second admission (task 7_8)
    // had the same text, so version 4 stored no note of its own: its pair points at note 1.
    seedVersion1Rows(v4);
    v4.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '7_8', 'I10', 'Essential hypertension', 1, '', 1, 3)").run();
    v4.prepare("INSERT INTO notes (text_sha256, note_id, subject_id, hadm_id, note_type, note_seq, text, length, segmenter_version) VALUES ('p', NULL, '5', '6', 'DS', NULL, 'Processed text.', 15, 1)").run();
    v4.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '5_6', 'R51', 'Headache', 0, '', 2, 4)").run();
    v4.prepare("INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('base', 1, 'baseline', 'finished', '{}', '{}', 'now')").run();
    v4.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (1, 0, 1), (1, 1, 3)').run();
    const before = tableRows(v4, [...VERSION1_TABLES.filter((table) => table !== 'pairs'), 'runs', 'run_pairs']);
    const pairsBefore = v4.prepare(`SELECT ${PAIR_COLUMNS} FROM pairs ORDER BY id`).all();
    v4.close();

    const v5 = openStore(file, { targetVersion: 5 });
    expect(schemaVersion(v5)).toBe(5);
    expect(tableRows(v5, [...VERSION1_TABLES.filter((table) => table !== 'pairs'), 'runs', 'run_pairs'])).toEqual(before);
    expect(v5.prepare(`SELECT ${PAIR_COLUMNS} FROM pairs ORDER BY id`).all()).toEqual(pairsBefore);

    const linked = v5
      .prepare(
        `SELECT p.task_id AS taskId, a.note_id AS noteId, a.subject_id AS subjectId, a.hadm_id AS hadmId, a.text_id AS textId
         FROM pairs p JOIN admission_notes a ON a.id = p.admission_note_id ORDER BY p.id`,
      )
      .all();
    expect(linked).toEqual([
      { taskId: '1_2', noteId: '1-DS-1', subjectId: '1', hadmId: '2', textId: 1 },
      { taskId: '1_2', noteId: '1-DS-1', subjectId: '1', hadmId: '2', textId: 1 },
      // The admission that had lost its own metadata: known from its task id, note_id left for the next import.
      { taskId: '7_8', noteId: null, subjectId: '7', hadmId: '8', textId: 1 },
      { taskId: '5_6', noteId: null, subjectId: '5', hadmId: '6', textId: 2 },
    ]);
    expect(v5.prepare('SELECT count(*) AS n FROM admission_notes').get()).toEqual({ n: 3 });
    expect(v5.pragma('foreign_key_check')).toEqual([]);
    // MIMIC's note_id identifies one note.
    expect(() => v5.prepare("INSERT INTO admission_notes (note_id, hadm_id, text_id) VALUES ('1-DS-1', '9', 1)").run()).toThrow(/UNIQUE/);
    v5.close();
  });
});
