import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { importPredictions } from '../../../src/core/data/predictions-import';
import { scoreRun } from '../../../src/core/scoring/score-run';
import { openStore, type Db } from '../../../src/core/store/database';
import { annotationsCsv, csvText, notesCsv, spansOf, tempDir, writeFile } from '../../helpers/mimic-files';

const NOTE = 'Brief Hospital Course: \nThe patient has atrial fibrillation. \nShe was started on apixaban. \nNo chest pain.\n';
const CODES = [
  { code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') },
  { code: 'Z79.01', desc: 'Long term (current) use of anticoagulants', gold: true, spans: spansOf(NOTE, 'apixaban') },
  { code: 'R07.9', desc: 'Chest pain, unspecified', gold: false, spans: '[]' },
  { code: 'I10', desc: 'Essential (primary) hypertension', gold: false, spans: '[]' },
  { code: 'E11.9', desc: 'Type 2 diabetes mellitus without complications', gold: false, spans: '[]' },
];

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = tempDir('medbench-probability-');
  db = openStore(path.join(dir, 'test.db'));
  const annotations = writeFile(dir, 'dataset_raw.csv', annotationsCsv(CODES.map((c) => ({ taskId: '2_20', ...c }))));
  const notes = writeFile(dir, 'discharge.csv', notesCsv([{ subjectId: '2', hadmId: '20', text: NOTE }]));
  await importDataset(db, { dataset: 'test', annotations, notes, format: 'raw' });
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const stored = (run: string) =>
  Object.fromEntries(
    (db.prepare('SELECT p.code, pr.probability FROM predictions pr JOIN pairs p ON p.id = pr.pair_id JOIN runs r ON r.id = pr.run_id WHERE r.name = ?').all(run) as { code: string; probability: number | null }[]).map(
      (row) => [row.code, row.probability],
    ),
  );

describe('importPredictions: probability column', () => {
  it('stores probabilities, keeps empty cells as none, and reports bad values as bad-row with their row', async () => {
    const file = writeFile(dir, 'p.csv', csvText([
      ['task_id', 'code', 'prediction', 'evidence', 'probability'],
      ['2_20', 'I48.91', 'True', 'S2', '0.9'],
      ['2_20', 'Z79.01', 'True', 'S3', '1'],
      ['2_20', 'R07.9', 'False', '', ' 2.5e-1 '],
      ['2_20', 'I10', 'False', '', ''],
      ['2_20', 'E11.9', 'False', '', '1.2'],
    ]));
    const report = await importPredictions(db, { file, name: 'ext' });
    expect(report.imported).toBe(4);
    expect(report.withProbability).toBe(3);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'bad-row', row: 5, code: 'E11.9', detail: 'probability "1.2" is not a number from 0 to 1' }),
    ]);
    expect(stored('ext')).toEqual({ 'I48.91': 0.9, 'Z79.01': 1, 'R07.9': 0.25, I10: null });
    const score = scoreRun(db, 'ext', { resamples: 200 });
    // Pairs with a probability: I48.91 (T, 0.9), Z79.01 (T, 1), R07.9 (F, 0.25): both positives above the negative.
    expect(score).toMatchObject({ probabilityPairs: 3, probabilityMissing: 1, auroc: 1, averagePrecision: 1 });
    expect(score.aurocCi).not.toBeNull();
  });

  it('refuses percentages, NaN, negative numbers and decimal commas, and reads a renamed column through --map', async () => {
    const bad = writeFile(dir, 'bad.csv', csvText([
      ['task_id', 'code', 'prediction', 'evidence', 'probability'],
      ['2_20', 'I48.91', 'True', '', '85%'],
      ['2_20', 'Z79.01', 'True', '', 'NaN'],
      ['2_20', 'R07.9', 'False', '', '-0.1'],
      ['2_20', 'I10', 'False', '', '0,3'],
      ['2_20', 'E11.9', 'False', '', '0.5'],
    ]));
    const report = await importPredictions(db, { file: bad, name: 'bad' });
    expect(report.problems.map((p) => [p.kind, p.row])).toEqual([['bad-row', 1], ['bad-row', 2], ['bad-row', 3], ['bad-row', 4]]);
    expect(report.problems[0]!.detail).toMatch(/probability "85%" is not a number from 0 to 1/);
    expect(stored('bad')).toEqual({ 'E11.9': 0.5 });

    const mapped = writeFile(dir, 'mapped.csv', csvText([
      ['task_id', 'code', 'prediction', 'evidence', 'score'],
      ['2_20', 'I48.91', 'True', '', '0.7'],
      ['2_20', 'I10', 'False', '', '0.8'],
    ]));
    await importPredictions(db, { file: mapped, name: 'mapped', columnMap: { probability: 'score' } });
    expect(stored('mapped')).toEqual({ 'I48.91': 0.7, I10: 0.8 });
    expect(scoreRun(db, 'mapped', { resamples: 100 }).auroc).toBe(0);
  });

  it('leaves every probability figure null for a file without the column', async () => {
    const file = writeFile(dir, 'plain.csv', csvText([
      ['task_id', 'code', 'prediction', 'evidence'],
      ['2_20', 'I48.91', 'True', ''],
      ['2_20', 'I10', 'False', ''],
    ]));
    await importPredictions(db, { file, name: 'plain' });
    const score = scoreRun(db, 'plain', { resamples: 100 });
    expect(score).toMatchObject({ probabilityPairs: 0, probabilityMissing: 2, auroc: null, averagePrecision: null, aurocCi: null, averagePrecisionCi: null, sweep: null, brier: null, ece: null, calibration: null });
  });
});
