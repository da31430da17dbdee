import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../../../src/core/store/database';
import { migrations } from '../../../../src/core/store/migrations';
import { tempDir } from '../../../helpers/mimic-files';

// Migrations 0004-0006 land from other work; the test starts from whichever version precedes 7.
const previous = Math.max(...migrations.map((m) => m.version).filter((v) => v < 7));

describe('migration 0007 (build pipeline and annotation)', () => {
  it('keeps every row of the previous version and adds provenance and annotation tables', () => {
    const file = path.join(tempDir(), 'm7.db');
    const old = openStore(file, { targetVersion: previous });
    expect(schemaVersion(old)).toBe(previous);
    old.exec(`
      INSERT INTO datasets (id, name, created_at, updated_at) VALUES (1, 'built', 't', 't');
      INSERT INTO notes (id, text_sha256, subject_id, hadm_id, note_type, text, length, segmenter_version) VALUES (1, 'abc', '9', '30', 'DS', 'Pneumonia.', 10, 1);
      INSERT INTO sentences (note_id, sentence_id, span_start, span_end) VALUES (1, 1, 0, 10);
      INSERT INTO pairs (id, dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, 1, '9_30', 'J189', 'Pneumonia', 1, '', 1, 1);
      INSERT INTO pairs (id, dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (2, 1, '9_30', 'N390', 'UTI', 0, '', 1, 2);
      INSERT INTO gold_spans (pair_id, seq, span_start, span_end, text) VALUES (1, 0, 0, 9, 'Pneumonia');
    `);
    old.close();

    const db = openStore(file, { targetVersion: 7 });
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT id, code, gold FROM pairs ORDER BY id').all()).toEqual([
      { id: 1, code: 'J189', gold: 1 },
      { id: 2, code: 'N390', gold: 0 },
    ]);
    expect(db.prepare('SELECT text FROM gold_spans').get()).toEqual({ text: 'Pneumonia' });

    db.prepare("INSERT INTO builds (id, name, dataset_id, stage, settings_json, manifest_json, created_at, updated_at) VALUES (1, 'built', 1, 'triage', '{}', '{}', 't', 't')").run();
    db.prepare("INSERT INTO pair_provenance (pair_id, build_id, kind, hops, prevalence, seq_num) VALUES (1, 1, 'assigned', 0, 3, 1)").run();
    db.prepare("INSERT INTO pair_provenance (pair_id, build_id, kind, hops, nearest_code, prevalence) VALUES (2, 1, 'prevalence', 5, 'J189', 7)").run();
    expect(() => db.prepare("INSERT INTO pair_provenance (pair_id, build_id, kind, hops, prevalence) VALUES (3, 1, 'other', 0, 0)").run()).toThrow();
    db.prepare("INSERT INTO annotators (id, name, created_at) VALUES (1, 'ana', 't'), (2, 'ben', 't')").run();
    db.prepare('INSERT INTO annotation_assignments (pair_id, annotator_id, slot) VALUES (1, 1, 1), (1, 2, 2)').run();
    // A submitted annotation needs a label; a draft may have none.
    expect(() => db.prepare("INSERT INTO annotations (pair_id, annotator_id, status, updated_at) VALUES (1, 1, 'submitted', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO annotations (pair_id, annotator_id, status, updated_at) VALUES (1, 1, 'draft', 't')").run();
    expect(() => db.prepare("INSERT INTO adjudications (pair_id, outcome, label, adjudicator, decided_at) VALUES (1, 'unresolvable', 1, 'x', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO adjudications (pair_id, outcome, adjudicator, decided_at) VALUES (1, 'unresolvable', 'x', 't')").run();
    // Deleting a build takes its provenance with it, never the pairs.
    db.prepare('DELETE FROM builds').run();
    expect(db.prepare('SELECT count(*) AS n FROM pair_provenance').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM pairs').get()).toEqual({ n: 2 });
    db.close();
  });
});
