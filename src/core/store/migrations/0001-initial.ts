import type { Migration } from './types';

/**
 * Datasets, notes with their sentences, and note–concept pairs with gold evidence.
 * Offsets are Python code point offsets, as MedicalBench writes them.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- One row per import that changed something; an identical re-import writes nothing.
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        finished_at TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('raw', 'processed')),
        annotations_path TEXT NOT NULL,
        annotations_sha256 TEXT NOT NULL,
        annotations_bytes INTEGER NOT NULL,
        notes_path TEXT,
        notes_bytes INTEGER,
        content_sha256 TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('new', 'changed')),
        pairs INTEGER NOT NULL,
        added INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        removed INTEGER NOT NULL
      );

      CREATE TABLE import_problems (
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        row INTEGER,
        line INTEGER,
        task_id TEXT,
        code TEXT,
        detail TEXT NOT NULL,
        PRIMARY KEY (import_id, seq)
      );

      -- A note is identified by its text, so the raw and processed imports share it.
      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        text_sha256 TEXT NOT NULL UNIQUE,
        note_id TEXT,
        subject_id TEXT,
        hadm_id TEXT,
        note_type TEXT,
        note_seq INTEGER,
        charttime TEXT,
        storetime TEXT,
        text TEXT NOT NULL,
        length INTEGER NOT NULL,
        segmenter_version INTEGER NOT NULL
      );
      CREATE INDEX notes_hadm ON notes(hadm_id);

      CREATE TABLE sentences (
        note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        sentence_id INTEGER NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        PRIMARY KEY (note_id, sentence_id)
      ) WITHOUT ROWID;

      CREATE TABLE pairs (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        task_id TEXT NOT NULL,
        code TEXT NOT NULL,
        desc TEXT NOT NULL,
        gold INTEGER NOT NULL CHECK (gold IN (0, 1)),
        reasoning_summary TEXT NOT NULL,
        note_id INTEGER NOT NULL REFERENCES notes(id),
        -- Position in the annotations file: the stable order behind --limit.
        source_row INTEGER NOT NULL,
        -- Pairs dropped by a later import are retired, not deleted, so predictions keep their pair.
        removed_at TEXT,
        UNIQUE (dataset_id, task_id, code)
      );
      CREATE INDEX pairs_note ON pairs(note_id);

      CREATE TABLE gold_spans (
        pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (pair_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE gold_sentences (
        pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
        sentence_id INTEGER NOT NULL,
        PRIMARY KEY (pair_id, sentence_id)
      ) WITHOUT ROWID;
    `);
  },
};
