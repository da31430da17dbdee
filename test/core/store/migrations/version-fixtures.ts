import type { openStore } from '../../../../src/core/store/database';

type Store = ReturnType<typeof openStore>;

/** Rows of a version-1 database as the first release wrote them: a dataset, an import, a note with sentences, two pairs. */
export function seedVersion1Rows(db: Store): void {
  db.prepare("INSERT INTO datasets (name, created_at, updated_at) VALUES ('demo', '2026-01-01', '2026-01-01')").run();
  db.prepare(
    `INSERT INTO imports (dataset_id, finished_at, format, annotations_path, annotations_sha256, annotations_bytes, notes_path, notes_bytes,
       content_sha256, outcome, pairs, added, updated, removed)
     VALUES (1, '2026-01-01', 'raw', '/d/dataset_raw.csv', 'a1', 100, '/d/discharge.csv.gz', 200, 'c1', 'new', 2, 2, 0, 0)`,
  ).run();
  db.prepare("INSERT INTO import_problems (import_id, seq, kind, row, line, task_id, code, detail) VALUES (1, 1, 'missing-note', 3, 4, '9_9', 'I10', 'no note')").run();
  db.prepare(
    `INSERT INTO notes (text_sha256, note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text, length, segmenter_version)
     VALUES ('h', '1-DS-1', '1', '2', 'DS', 1, '2150-01-01', '2150-01-02', 'Hypertension noted. No diabetes.', 32, 1)`,
  ).run();
  db.prepare('INSERT INTO sentences (note_id, sentence_id, span_start, span_end) VALUES (1, 1, 0, 19), (1, 2, 20, 32)').run();
  const pair = db.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '1_2', ?, ?, ?, 'why', 1, ?)");
  pair.run('I10', 'Essential hypertension', 1, 1);
  pair.run('E11.9', 'Type 2 diabetes', 0, 2);
  db.prepare("INSERT INTO gold_spans (pair_id, seq, span_start, span_end, text) VALUES (1, 1, 0, 12, 'Hypertension')").run();
  db.prepare('INSERT INTO gold_sentences (pair_id, sentence_id) VALUES (1, 1)').run();
}

export const VERSION1_TABLES = ['datasets', 'imports', 'import_problems', 'notes', 'sentences', 'pairs', 'gold_spans', 'gold_sentences'] as const;

/** Every row of the given tables, in a stable order. */
export function tableRows(db: Store, tables: readonly string[]): Record<string, unknown[]> {
  return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()]));
}
