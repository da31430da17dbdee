import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDatasets } from '../../../src/core/data/datasets';
import { importDataset } from '../../../src/core/data/import';
import { openStore, type Db } from '../../../src/core/store/database';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../../helpers/mimic-files';

/** Admissions whose discharge notes have the same text: each keeps its own note (migration 0005). */
const SHARED = 'Discharge Diagnoses:\nHypertension.\nNo diabetes.\n';
const OTHER = 'Discharge Diagnoses:\nAnemia, iron deficiency.\n';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('medbench-notes-');
  db = openStore(path.join(dir, 'store.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function importShared() {
  const notes = writeFile(
    dir,
    'discharge.csv',
    notesCsv([
      { subjectId: '10', hadmId: '100', text: SHARED },
      { subjectId: '11', hadmId: '110', text: SHARED },
      { subjectId: '12', hadmId: '120', text: SHARED },
      { subjectId: '13', hadmId: '130', text: OTHER },
    ]),
  );
  const annotations = writeFile(
    dir,
    'dataset_raw.csv',
    annotationsCsv(
      ['10_100', '11_110', '12_120'].flatMap((taskId) => [
        { taskId, code: 'I10', desc: 'Essential hypertension', gold: true, spans: spansOf(SHARED, 'Hypertension') },
        { taskId, code: 'E11.9', desc: 'Type 2 diabetes', gold: false, spans: '[]' },
      ]).concat([{ taskId: '13_130', code: 'D50.9', desc: 'Iron deficiency anemia', gold: true, spans: spansOf(OTHER, 'Anemia, iron deficiency') }]),
    ),
  );
  return importDataset(db, { dataset: 'shared', annotations, notes, format: 'raw' });
}

describe('notes keyed by their own note_id', () => {
  it('counts notes, not texts: four admissions, two distinct texts', async () => {
    const report = await importShared();
    expect(report.pairs).toBe(7);
    expect(report.notes).toBe(4);
    expect(listDatasets(db).find((d) => d.name === 'shared')?.notes).toBe(4);
  });

  it('stores each text once and keeps every admission its own note_id, subject_id and hadm_id', async () => {
    await importShared();
    expect(db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 2 });
    const perPair = db
      .prepare(
        `SELECT p.task_id AS taskId, a.note_id AS noteId, a.subject_id AS subjectId, a.hadm_id AS hadmId, n.text
         FROM pairs p JOIN admission_notes a ON a.id = p.admission_note_id JOIN notes n ON n.id = a.text_id
         WHERE p.code IN ('I10', 'D50.9') ORDER BY p.task_id`,
      )
      .all();
    expect(perPair).toEqual([
      { taskId: '10_100', noteId: '10-DS-1', subjectId: '10', hadmId: '100', text: SHARED },
      { taskId: '11_110', noteId: '11-DS-1', subjectId: '11', hadmId: '110', text: SHARED },
      { taskId: '12_120', noteId: '12-DS-1', subjectId: '12', hadmId: '120', text: SHARED },
      { taskId: '13_130', noteId: '13-DS-1', subjectId: '13', hadmId: '130', text: OTHER },
    ]);
    // The pair's text row and its admission note's text row agree.
    expect(db.prepare('SELECT count(*) AS n FROM pairs p JOIN admission_notes a ON a.id = p.admission_note_id WHERE a.text_id <> p.note_id').get()).toEqual({ n: 0 });
  });

  it('an identical re-import changes nothing', async () => {
    await importShared();
    const again = await importShared();
    expect(again.outcome).toBe('unchanged');
    expect(again.notes).toBe(4);
    expect(db.prepare('SELECT count(*) AS n FROM admission_notes').get()).toEqual({ n: 4 });
  });
});
