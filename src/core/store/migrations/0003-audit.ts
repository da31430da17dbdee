import type { Migration } from './types';

/**
 * The audit trail: one row per import, run session, export, report, backup and predictions import,
 * with the time, the files read and written (path, sha256, size) and counts. It never holds note
 * text. Triggers make it append-only, so a row, once written, is what happened.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'audit',
  up(db) {
    db.exec(`
      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        -- Not a CHECK list: a new kind of event must not need a table rebuild.
        kind TEXT NOT NULL,
        -- What the event is about: a dataset or run name.
        subject TEXT,
        app_version TEXT NOT NULL,
        pid INTEGER NOT NULL,
        -- [{"role","path","sha256","bytes"}]
        inputs_json TEXT NOT NULL,
        outputs_json TEXT NOT NULL,
        -- Counts and short facts: {"pairs": 405, "outcome": "new", ...}
        facts_json TEXT NOT NULL
      );
      CREATE INDEX audit_events_kind ON audit_events(kind, id);

      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `);
  },
};
