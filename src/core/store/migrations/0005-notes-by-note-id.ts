import type { Migration } from './types';

/**
 * Notes keyed by their own note_id. Until now a note was one row per distinct text (`notes`, unique
 * by text_sha256), so admissions whose discharge notes share a text shared one row and lost their
 * own note_id, subject_id and hadm_id (and the import counted texts, not notes). The text stays
 * stored once, with its sentences, in `notes`; each admission's note gets a row of its own in
 * `admission_notes` (MIMIC's note_id and metadata, and the text it has), and every pair points at
 * its admission's row. Nothing is rebuilt or deleted: one new table and one new column.
 *
 * Rows written before this migration keep what was stored: each `notes` row's metadata becomes an
 * admission note; a pair whose task names another admission than that metadata (the case that lost
 * data) gets an admission note with the subject_id and hadm_id of its task_id and no note_id, which
 * the next import of the notes file fills in.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'notes-by-note-id',
  up(db) {
    db.exec(`
      CREATE TABLE admission_notes (
        id INTEGER PRIMARY KEY,
        -- MIMIC-IV-Note's note_id; NULL when the input has none (the processed CSV), where hadm_id and the text identify it.
        note_id TEXT UNIQUE,
        subject_id TEXT,
        hadm_id TEXT,
        note_type TEXT,
        note_seq INTEGER,
        charttime TEXT,
        storetime TEXT,
        -- The text, stored once in notes with its sentences, whichever admissions share it.
        text_id INTEGER NOT NULL REFERENCES notes(id)
      );
      CREATE UNIQUE INDEX admission_notes_without_id ON admission_notes(hadm_id, text_id) WHERE note_id IS NULL;
      CREATE INDEX admission_notes_hadm ON admission_notes(hadm_id);
      CREATE INDEX admission_notes_text ON admission_notes(text_id);

      ALTER TABLE pairs ADD COLUMN admission_note_id INTEGER REFERENCES admission_notes(id);

      INSERT INTO admission_notes (note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text_id)
        SELECT note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, id FROM notes;

      -- task_id is subject_id_hadm_id.
      INSERT OR IGNORE INTO admission_notes (note_id, subject_id, hadm_id, text_id)
        SELECT DISTINCT NULL, substr(p.task_id, 1, instr(p.task_id, '_') - 1), substr(p.task_id, instr(p.task_id, '_') + 1), p.note_id
        FROM pairs p JOIN notes n ON n.id = p.note_id
        WHERE instr(p.task_id, '_') > 0 AND n.hadm_id IS NOT substr(p.task_id, instr(p.task_id, '_') + 1);

      UPDATE pairs SET admission_note_id = (
        SELECT a.id FROM admission_notes a
        WHERE a.text_id = pairs.note_id
          AND (instr(pairs.task_id, '_') = 0 OR a.hadm_id IS substr(pairs.task_id, instr(pairs.task_id, '_') + 1))
        ORDER BY a.note_id IS NULL, a.id LIMIT 1
      );
    `);
  },
};
