import type { Migration } from './types';

/**
 * The build pipeline (issue 15) and the dual-annotation workspace.
 *
 * A build makes an ordinary dataset (its pairs live in `pairs`, so runs, scoring and the viewer work
 * on it unchanged) and records beside it where each pair came from. The triage votes are not copied
 * here: they are the prediction samples of the build's triage and re-judge runs, which are ordinary
 * resumable runs. Annotations never touch `pairs`: the adjudicated labels leave the app through the
 * dataset-raw export and come back as a new dataset through the ordinary import.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'build-annotation',
  up(db) {
    db.exec(`
      CREATE TABLE builds (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        dataset_id INTEGER NOT NULL UNIQUE REFERENCES datasets(id),
        -- The stage the build is in; a stage is done when the next one is recorded.
        stage TEXT NOT NULL CHECK (stage IN ('triage', 'rejudge', 'finished')),
        -- Everything that decides the set (seed, sizes, models): a resumed build must match it.
        settings_json TEXT NOT NULL,
        -- Inputs with their sha256, counts of skipped rows, models: the set's reproducibility record.
        manifest_json TEXT NOT NULL,
        triage_run_id INTEGER REFERENCES runs(id),
        rejudge_run_id INTEGER REFERENCES runs(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE pair_provenance (
        pair_id INTEGER PRIMARY KEY REFERENCES pairs(id) ON DELETE CASCADE,
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('assigned', 'prevalence', 'similar')),
        -- Hops in the ICD-10 hierarchy to the nearest assigned code of the admission (0 for assigned codes).
        hops INTEGER NOT NULL,
        nearest_code TEXT,
        -- Highest cosine similarity of the description to an assigned code's (null for assigned codes).
        similarity REAL,
        -- Admissions of the input that have this code.
        prevalence INTEGER NOT NULL,
        -- MIMIC's seq_num of an assigned code (priority order), null for negatives.
        seq_num INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX pair_provenance_build ON pair_provenance(build_id);

      CREATE TABLE annotators (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );

      -- Which two annotators see each pair, and whether they may see each other and the triage.
      CREATE TABLE annotation_setups (
        dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id),
        blind INTEGER NOT NULL CHECK (blind IN (0, 1)),
        show_triage INTEGER NOT NULL CHECK (show_triage IN (0, 1)),
        created_at TEXT NOT NULL
      );

      CREATE TABLE annotation_assignments (
        pair_id INTEGER NOT NULL REFERENCES pairs(id),
        annotator_id INTEGER NOT NULL REFERENCES annotators(id),
        slot INTEGER NOT NULL CHECK (slot IN (1, 2)),
        PRIMARY KEY (pair_id, slot),
        UNIQUE (pair_id, annotator_id)
      ) WITHOUT ROWID;
      CREATE INDEX annotation_assignments_annotator ON annotation_assignments(annotator_id);

      -- One row per annotator and pair, saved as the annotator works (draft) and submitted once.
      CREATE TABLE annotations (
        pair_id INTEGER NOT NULL REFERENCES pairs(id),
        annotator_id INTEGER NOT NULL REFERENCES annotators(id),
        label INTEGER CHECK (label IN (0, 1)),
        -- [[start, end], ...] in code points of the note, sorted and merged.
        spans_json TEXT NOT NULL DEFAULT '[]',
        rationale TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
        updated_at TEXT NOT NULL,
        submitted_at TEXT,
        PRIMARY KEY (pair_id, annotator_id),
        CHECK (status = 'draft' OR label IS NOT NULL)
      ) WITHOUT ROWID;

      CREATE TABLE adjudications (
        pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('resolved', 'unresolvable')),
        label INTEGER CHECK (label IN (0, 1)),
        spans_json TEXT NOT NULL DEFAULT '[]',
        rationale TEXT NOT NULL DEFAULT '',
        adjudicator TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        CHECK ((outcome = 'resolved') = (label IS NOT NULL))
      );
    `);
  },
};
