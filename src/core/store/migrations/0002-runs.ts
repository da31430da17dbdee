import type { Migration } from './types';

/**
 * Registered models, runs with their frozen plan, and predictions. A prediction is one row per
 * (run, pair) under a UNIQUE key, committed on its own the moment it exists; its vote samples are
 * kept beside it. Resume runs the plan minus the pairs that already have a prediction.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'runs',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        architecture TEXT,
        parameter_count INTEGER,
        quantization TEXT,
        trained_context INTEGER,
        has_chat_template INTEGER NOT NULL CHECK (has_chat_template IN (0, 1)),
        metadata_json TEXT NOT NULL,
        copied INTEGER NOT NULL DEFAULT 0 CHECK (copied IN (0, 1)),
        added_at TEXT NOT NULL
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        backend TEXT NOT NULL CHECK (backend IN ('baseline', 'gguf', 'external')),
        model_id INTEGER REFERENCES models(id),
        status TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
        options_json TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- Wall-clock seconds spent running, summed over sessions (a resumed run adds to it).
        active_seconds REAL NOT NULL DEFAULT 0,
        -- The pid and start time of the process writing the run, so a second writer can be refused
        -- while the first is alive, and a crashed run recognised as resumable.
        owner_pid INTEGER,
        owner_heartbeat TEXT
      );

      -- The plan is frozen when the run is created, so --resume does exactly the remaining pairs
      -- even if the dataset is re-imported meanwhile.
      CREATE TABLE run_pairs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        pair_id INTEGER NOT NULL REFERENCES pairs(id),
        PRIMARY KEY (run_id, position),
        UNIQUE (run_id, pair_id)
      ) WITHOUT ROWID;

      CREATE TABLE predictions (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pair_id INTEGER NOT NULL REFERENCES pairs(id),
        status TEXT NOT NULL CHECK (status IN ('ok', 'invalid')),
        label INTEGER CHECK (label IN (0, 1)),
        raw_label TEXT,
        evidence_json TEXT NOT NULL,
        rationale TEXT NOT NULL,
        raw_output TEXT NOT NULL,
        error TEXT,
        prompt_tokens INTEGER NOT NULL,
        reused_tokens INTEGER NOT NULL,
        generated_tokens INTEGER NOT NULL,
        ms REAL NOT NULL,
        windows INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, pair_id)
      );

      CREATE TABLE prediction_samples (
        prediction_id INTEGER NOT NULL REFERENCES predictions(id) ON DELETE CASCADE,
        sample_index INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'invalid')),
        label INTEGER CHECK (label IN (0, 1)),
        raw_label TEXT,
        evidence_json TEXT NOT NULL,
        rationale TEXT NOT NULL,
        raw_output TEXT NOT NULL,
        error TEXT,
        prompt_tokens INTEGER NOT NULL,
        reused_tokens INTEGER NOT NULL,
        generated_tokens INTEGER NOT NULL,
        ms REAL NOT NULL,
        PRIMARY KEY (prediction_id, sample_index)
      ) WITHOUT ROWID;
    `);
  },
};
