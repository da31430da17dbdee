import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { InputFileError } from '../../../src/core/data/input-file';
import { listPairs } from '../../../src/core/data/pairs';
import { importPredictions, type ImportPredictionsOptions } from '../../../src/core/data/predictions-import';
import { getRun, RunError } from '../../../src/core/engine/runs';
import { scoreRun } from '../../../src/core/scoring/score-run';
import { openStore, type Db } from '../../../src/core/store/database';
import { noteSentences, sentencesOverlapping } from '../../../src/core/text/note-sentences';
import { annotationsCsv, csvText, notesCsv, spansOf, tempDir, writeFile } from '../../helpers/mimic-files';

/** Two synthetic notes, hard-wrapped with " \n" like MIMIC prose. */
const NOTE_A = [
  'Chief Complaint: ',
  'Extreme fatigue and increased thirst. ',
  ' ',
  'History of Present Illness: ',
  "Mr. ___ is a 54 year old man with poorly controlled type 2 diabetes ",
  'mellitus who reports polyuria. He says he is "always thirsty" and can\'t sleep. ',
  'He denies chest pain.',
  ' ',
  'Discharge Diagnosis: ',
  'Diabetic hyperglycemia',
  '',
].join('\n');
const NOTE_B = 'Brief Hospital Course: \nThe patient has atrial fibrillation. \nShe was started on apixaban.\n';

const PREDICTION_HEADER = ['task_id', 'code', 'prediction', 'evidence', 'rationale'];

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = tempDir('medbench-predictions-');
  db = openStore(path.join(dir, 'test.db'));
  const annotations = writeFile(dir, 'dataset_raw.csv', annotationsCsv([
    { taskId: '1_10', code: 'E11.65', desc: 'Type 2 diabetes mellitus with hyperglycemia', gold: true, spans: spansOf(NOTE_A, 'type 2 diabetes \nmellitus', 'Diabetic hyperglycemia') },
    { taskId: '1_10', code: 'R53.83', desc: 'Other fatigue', gold: true, spans: spansOf(NOTE_A, 'Extreme fatigue') },
    { taskId: '1_10', code: 'R63.1', desc: 'Polydipsia', gold: true, spans: spansOf(NOTE_A, 'increased thirst', '"always thirsty"') },
    { taskId: '1_10', code: 'I10', desc: 'Essential (primary) hypertension', gold: false, spans: '[]' },
    { taskId: '1_10', code: 'R07.9', desc: 'Chest pain, unspecified', gold: false, spans: '[]' },
    { taskId: '2_20', code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, spans: spansOf(NOTE_B, 'atrial fibrillation') },
    { taskId: '2_20', code: 'Z79.01', desc: 'Long term (current) use of anticoagulants', gold: true, spans: spansOf(NOTE_B, 'apixaban') },
  ]));
  const notes = writeFile(dir, 'discharge.csv', notesCsv([
    { subjectId: '1', hadmId: '10', text: NOTE_A },
    { subjectId: '2', hadmId: '20', text: NOTE_B },
  ]));
  await importDataset(db, { dataset: 'test', annotations, notes, format: 'raw' });
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function predictionsFile(rows: readonly (readonly (string | number | null)[])[], header: readonly string[] = PREDICTION_HEADER, name = 'predictions.csv'): string {
  return writeFile(dir, name, csvText([header, ...rows]));
}

function runImport(file: string, options: Partial<ImportPredictionsOptions> = {}) {
  return importPredictions(db, { file, name: 'ext', ...options });
}

/** Sentence ids a quote of the note overlaps, computed independently of the importer. */
function sentencesOf(note: string, ...quotes: string[]): number[] {
  const spans = quotes.map((quote) => {
    const start = note.indexOf(quote);
    if (start < 0) throw new Error(`not in note: ${quote}`);
    return { start, end: start + quote.length };
  });
  return sentencesOverlapping(noteSentences(note), spans);
}

interface StoredPrediction {
  taskId: string;
  code: string;
  status: string;
  label: number;
  rawLabel: string;
  evidence: number[];
  rationale: string;
  rawOutput: Record<string, string>;
  tokens: number;
  ms: number;
  samples: number;
}

function storedPredictions(runName = 'ext'): Map<string, StoredPrediction> {
  const rows = db
    .prepare(
      `SELECT p.task_id AS taskId, p.code, pr.status, pr.label, pr.raw_label AS rawLabel, pr.evidence_json AS evidence, pr.rationale, pr.raw_output AS rawOutput,
         pr.prompt_tokens + pr.reused_tokens + pr.generated_tokens AS tokens, pr.ms,
         (SELECT count(*) FROM prediction_samples s WHERE s.prediction_id = pr.id) AS samples
       FROM predictions pr JOIN pairs p ON p.id = pr.pair_id JOIN runs r ON r.id = pr.run_id WHERE r.name = ?`,
    )
    .all(runName) as (Omit<StoredPrediction, 'evidence' | 'rawOutput'> & { evidence: string; rawOutput: string })[];
  return new Map(rows.map((row) => [`${row.taskId}|${row.code}`, { ...row, evidence: JSON.parse(row.evidence), rawOutput: JSON.parse(row.rawOutput) }]));
}

function tableCounts(): Record<string, number> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return Object.fromEntries(tables.map((name) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

describe('importPredictions: evidence forms', () => {
  it('maps every evidence form to the sentences of the pair’s note', async () => {
    const file = predictionsFile([
      ['1_10', 'E11.65', 'True', '["type 2 diabetes mellitus", "Diabetic hyperglycemia"]', 'wrap found ignoring whitespace'],
      ['1_10', 'R53.83', 'true', "['EXTREME FATIGUE']", 'case-insensitive fallback'],
      ['1_10', 'R63.1', 'TRUE', String.raw`['increased thirst', 'he is "always thirsty" and can\'t sleep']`, 'Python repr with escapes'],
      ['1_10', 'I10', 'False', '[]', ''],
      ['1_10', 'R07.9', 'no', '', ''],
      ['2_20', 'I48.91', '1', `[(${NOTE_B.indexOf('atrial')}, ${NOTE_B.indexOf('atrial') + 19})]`, 'span'],
      ['2_20', 'Z79.01', 'yes', 'S3', 'sentence id'],
    ]);
    const report = await runImport(file);
    expect(report).toMatchObject({
      name: 'ext', dataset: 'test', rows: 7, n: 7, imported: 7, problems: [], evidenceNotFound: 0,
      evidenceForms: { text: 3, spans: 1, ids: 1, empty: 2 },
      evidenceMatches: { exact: 3, whitespace: 1, case: 1 },
    });
    const stored = storedPredictions();
    expect(stored.get('1_10|E11.65')!.evidence).toEqual(sentencesOf(NOTE_A, 'type 2 diabetes \nmellitus', 'Diabetic hyperglycemia'));
    expect(stored.get('1_10|R53.83')!.evidence).toEqual(sentencesOf(NOTE_A, 'Extreme fatigue'));
    expect(stored.get('1_10|R63.1')!.evidence).toEqual(sentencesOf(NOTE_A, 'increased thirst', 'he is "always thirsty" and can\'t sleep'));
    expect(stored.get('1_10|I10')!).toMatchObject({ label: 0, evidence: [] });
    expect(stored.get('1_10|R07.9')!).toMatchObject({ label: 0, rawLabel: 'no', evidence: [] });
    expect(stored.get('2_20|I48.91')!).toMatchObject({ label: 1, evidence: sentencesOf(NOTE_B, 'atrial fibrillation') });
    expect(stored.get('2_20|Z79.01')!).toMatchObject({ label: 1, evidence: [3] });
    // The importer's answers equal the gold sentences the dataset import derived from the same text.
    const gold = new Map(listPairs(db, getRun(db, 'ext').datasetId).map((pair) => [`${pair.taskId}|${pair.code}`, pair.goldSentences]));
    for (const key of ['1_10|E11.65', '1_10|R53.83', '2_20|I48.91', '2_20|Z79.01']) expect(stored.get(key)!.evidence).toEqual(gold.get(key));
  });

  it.each([
    ['[3, 7]', [3, 7]],
    ['["S3","S7"]', [3, 7]],
    ['S3;S7', [3, 7]],
    ['3,7', [3, 7]],
    ['[7, 3, 3]', [3, 7]],
  ])('stores sentence ids written as %s', async (cell, ids) => {
    await runImport(predictionsFile([['1_10', 'E11.65', 'True', cell, '']]));
    expect(storedPredictions().get('1_10|E11.65')!.evidence).toEqual(ids);
  });

  it('reports quoted text that is not in the note and keeps the row with the text that was found', async () => {
    const file = predictionsFile([
      ['1_10', 'E11.65', 'True', "['Diabetic hyperglycemia', 'HbA1c of 11.2', 'insulin drip']", ''],
      ['1_10', 'R53.83', 'True', "['Extreme fatigue']", ''],
    ]);
    const report = await runImport(file);
    expect(report.imported).toBe(2);
    expect(report.evidenceNotFound).toBe(2);
    expect(report.problems).toEqual([
      { kind: 'evidence-not-found', row: 1, line: 2, taskId: '1_10', code: 'E11.65', detail: '2 of 3 quoted text(s) not in the note: "HbA1c of 11.2", "insulin drip"' },
    ]);
    expect(storedPredictions().get('1_10|E11.65')!.evidence).toEqual(sentencesOf(NOTE_A, 'Diabetic hyperglycemia'));
  });
});

describe('importPredictions: the stored run', () => {
  it('stores an external run: plan in dataset order, one ok sample per prediction, the CSV row as raw output, and a manifest', async () => {
    const file = writeFile(dir, 'bom.csv', `\uFEFF${csvText([PREDICTION_HEADER, ['2_20', 'I48.91', 'True', '[]', 'rhythm strip'], ['1_10', 'R53.83', 'False', '[]', '']])}`);
    const report = await runImport(file);
    expect(report.format).toBe('csv, UTF-8 with BOM');
    const run = getRun(db, 'ext');
    expect(run).toMatchObject({ backend: 'external', status: 'finished', planned: 2, done: 2, invalid: 0, promptTokens: 0, generatedTokens: 0 });
    expect(run.settings).toMatchObject({ backend: 'external', modelId: null, votes: 1 });
    expect(run.finishedAt).not.toBeNull();
    const plan = db.prepare('SELECT p.task_id AS taskId, p.code FROM run_pairs rp JOIN pairs p ON p.id = rp.pair_id WHERE rp.run_id = ? ORDER BY rp.position').all(run.id);
    expect(plan).toEqual([{ taskId: '1_10', code: 'R53.83' }, { taskId: '2_20', code: 'I48.91' }]);
    const stored = storedPredictions().get('2_20|I48.91')!;
    expect(stored).toMatchObject({ status: 'ok', label: 1, rawLabel: 'True', rationale: 'rhythm strip', tokens: 0, ms: 0, samples: 1 });
    expect(stored.rawOutput).toEqual({ task_id: '2_20', code: 'I48.91', prediction: 'True', evidence: '[]', rationale: 'rhythm strip' });
    expect(run.manifest).toMatchObject({
      appVersion: expect.any(String),
      dataset: 'test',
      pairs: 2,
      importedAt: run.finishedAt,
      source: { path: file, sha256: report.sha256, sizeBytes: fs.statSync(file).size, rows: 2, format: 'csv, UTF-8 with BOM', columnMap: {} },
      imported: 2,
    });
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = db.prepare("SELECT subject, inputs_json AS inputs FROM audit_events WHERE kind = 'predictions-import'").all() as { subject: string; inputs: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.subject).toBe('ext');
    expect(JSON.parse(audit[0]!.inputs)[0]).toMatchObject({ role: 'predictions', path: file, sha256: report.sha256 });
  });

  it('with allPairs plans every pair; the ones without a row count as missing when scored', async () => {
    const report = await runImport(predictionsFile([['2_20', 'I48.91', 'True', '[]', '']]), { allPairs: true });
    expect(report).toMatchObject({ n: 7, imported: 1, allPairs: true });
    const score = scoreRun(db, 'ext', { resamples: 50 });
    expect(score).toMatchObject({ n: 7, missing: 6, tp: 1, fn: 4 });
  });

  it('reads differently named columns with columnMap, and without a rationale column', async () => {
    const file = predictionsFile([['1_10', 'R53.83', 'True', 'S2']], ['id', 'icd', 'pred', 'ev']);
    const report = await runImport(file, { columnMap: { task_id: 'id', code: 'icd', prediction: 'pred', evidence: 'ev' } });
    expect(report.imported).toBe(1);
    const stored = storedPredictions().get('1_10|R53.83')!;
    expect(stored).toMatchObject({ label: 1, evidence: [2], rationale: '' });
    expect(stored.rawOutput).toEqual({ id: '1_10', icd: 'R53.83', pred: 'True', ev: 'S2' });
    expect(getRun(db, 'ext').manifest.source).toMatchObject({ columnMap: { task_id: 'id', code: 'icd', prediction: 'pred', evidence: 'ev' } });
  });

  it('matches a code written without its dot or in lower case', async () => {
    const report = await runImport(predictionsFile([['1_10', 'e1165', 'True', '[]', ''], ['2_20', 'Z7901', 'True', '[]', '']]));
    expect(report.problems).toEqual([]);
    expect([...storedPredictions().keys()].sort()).toEqual(['1_10|E11.65', '2_20|Z79.01']);
  });
});

describe('importPredictions: problems', () => {
  it('reports every kind of bad row with row, line, task id, code and detail, and imports the rest', async () => {
    const file = predictionsFile([
      ['1_10', 'E11.65', 'True', "['Diabetic hyperglycemia']", 'multi-line\nrationale'],
      ['9_90', 'E11.65', 'True', '[]', ''],
      ['1_10', 'N18.6', 'True', '[]', ''],
      ['1_10', 'E11.65', 'False', '[]', ''],
      ['1_10', 'R53.83', 'maybe', '[]', ''],
      ['1_10', 'R63.1', 'True', 'thirst', ''],
      ['1_10', 'I10', 'False', '[(0, 99999)]', ''],
      ['1_10', 'R07.9', 'False', '[99]', ''],
      ['2_20', 'I48.91', 'True', "['palpitations']", ''],
      ['', 'Z79.01', 'True', '[]', ''],
    ]);
    const report = await runImport(file);
    expect(report.imported).toBe(2);
    expect(report.problems).toEqual([
      { kind: 'unknown-pair', row: 2, line: 4, taskId: '9_90', code: 'E11.65', detail: 'dataset "test" has no pair with task_id 9_90 and code E11.65' },
      { kind: 'unknown-pair', row: 3, line: 5, taskId: '1_10', code: 'N18.6', detail: expect.stringContaining('no pair') },
      { kind: 'duplicate-row', row: 4, line: 6, taskId: '1_10', code: 'E11.65', detail: 'same task and code as row 1; the first one is kept' },
      { kind: 'bad-row', row: 5, line: 7, taskId: '1_10', code: 'R53.83', detail: 'prediction "maybe" is not True/False, 1/0 or yes/no' },
      { kind: 'bad-row', row: 6, line: 8, taskId: '1_10', code: 'R63.1', detail: expect.stringMatching(/^evidence: "thirst" is not a list/) },
      { kind: 'bad-row', row: 7, line: 9, taskId: '1_10', code: 'I10', detail: expect.stringMatching(/^evidence: span \(0, 99999\) ends past the end of the note \(\d+ characters\)$/) },
      { kind: 'bad-row', row: 8, line: 10, taskId: '1_10', code: 'R07.9', detail: expect.stringMatching(/^evidence: sentence id\(s\) 99 not in the note \(it has sentences 1-\d+\)$/) },
      { kind: 'evidence-not-found', row: 9, line: 11, taskId: '2_20', code: 'I48.91', detail: '1 of 1 quoted text(s) not in the note: "palpitations"' },
      { kind: 'bad-row', row: 10, line: 12, taskId: null, code: 'Z79.01', detail: 'task_id is empty' },
    ]);
    expect(report.evidenceNotFound).toBe(1);
    const stored = storedPredictions();
    expect([...stored.keys()].sort()).toEqual(['1_10|E11.65', '2_20|I48.91']);
    expect(stored.get('1_10|E11.65')!.label).toBe(1);
    expect(stored.get('2_20|I48.91')!.evidence).toEqual([]);
  });

  it('reports a field that is not UTF-8 as a bad row', async () => {
    const file = writeFile(dir, 'latin1.csv', Buffer.concat([
      Buffer.from('task_id,code,prediction,evidence,rationale\n1_10,R53.83,True,[],ok\n1_10,E11.65,True,[],caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]));
    const report = await runImport(file);
    expect(report.imported).toBe(1);
    expect(report.problems).toEqual([{ kind: 'bad-row', row: 2, line: 3, taskId: '1_10', code: 'E11.65', detail: expect.stringMatching(/not valid UTF-8/) }]);
  });

  describe('whole-file problems change nothing in the database', () => {
    const cases: [string, () => string, RegExp][] = [
      ['a missing file', () => path.join(dir, 'absent.csv'), /no such file/],
      ['an empty file', () => writeFile(dir, 'empty.csv', ''), /empty/],
      ['a missing column', () => predictionsFile([['1_10', 'I10', 'True']], ['task_id', 'code', 'prediction']), /missing required column evidence/],
      ['a file that is not CSV', () => writeFile(dir, 'notes.bin', Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x01])), /not UTF-8|not a CSV|missing required/],
      ['broken CSV quoting', () => writeFile(dir, 'broken.csv', 'task_id,code,prediction,evidence\n1_10,I10,True,"[]\n'), /not valid CSV/],
      ['a --map naming no column', () => predictionsFile([['1_10', 'I10', 'True', '[]', '']]), /--map prediction=pred: there is no column "pred"/],
      ['no importable row', () => predictionsFile([['9_90', 'I10', 'True', '[]', ''], ['1_10', 'I10', 'perhaps', '[]', '']]), /no row could be imported \(2 data row\(s\)\): 1 unknown-pair, 1 bad-row/],
    ];
    it.each(cases)('%s', async (label, makeFile, message) => {
      const before = tableCounts();
      const options = label.startsWith('a --map') ? { columnMap: { prediction: 'pred' } } : {};
      const attempt = runImport(makeFile(), options);
      await expect(attempt).rejects.toThrow(InputFileError);
      await expect(runImport(makeFile(), options)).rejects.toThrow(message);
      expect(tableCounts()).toEqual(before);
    });
  });

  it('refuses a run name that exists, before reading the file', async () => {
    await runImport(predictionsFile([['1_10', 'I10', 'False', '[]', '']]));
    const before = tableCounts();
    await expect(runImport(path.join(dir, 'absent.csv'))).rejects.toThrow(RunError);
    await expect(runImport(path.join(dir, 'absent.csv'))).rejects.toThrow('a run named "ext" already exists; choose another --name');
    expect(tableCounts()).toEqual(before);
  });

  it('a failure while writing rolls back the run and every prediction', async () => {
    const before = tableCounts();
    // A write that fails after some predictions are in: the whole import must vanish.
    db.exec(`CREATE TEMP TRIGGER fail_third BEFORE INSERT ON predictions WHEN (SELECT count(*) FROM predictions) >= 2
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const file = predictionsFile([
      ['1_10', 'E11.65', 'True', '[]', ''],
      ['1_10', 'R53.83', 'True', '[]', ''],
      ['1_10', 'R63.1', 'True', '[]', ''],
    ]);
    await expect(runImport(file)).rejects.toThrow('disk full');
    expect(tableCounts()).toEqual(before);
  });
});

describe('importPredictions on the demo dataset', () => {
  const DEMO = path.resolve('resources/demo');
  let demoDb: Db;
  let datasetId: number;

  beforeEach(async () => {
    demoDb = openStore(path.join(dir, 'demo.db'));
    await importDataset(demoDb, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
    datasetId = (demoDb.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
  });
  afterEach(() => demoDb.close());

  /** Python's repr of a list of str, the way the seed's processed CSV stores evidence. */
  const pythonRepr = (texts: readonly string[]) =>
    `[${texts.map((text) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`).join(', ')}]`;

  it('a perfect prediction set (labels = gold, evidence = gold text) scores precision, recall, F1 and evidence recall 1', async () => {
    const pairs = listPairs(demoDb, datasetId);
    const file = predictionsFile(pairs.map((pair) => [pair.taskId, pair.code, pair.gold ? 'True' : 'False', pythonRepr(pair.evidence.map((e) => e.text)), pair.reasoningSummary]), PREDICTION_HEADER, 'perfect.csv');
    const report = await importPredictions(demoDb, { file, name: 'perfect' });
    expect(report).toMatchObject({ n: pairs.length, imported: pairs.length, problems: [], evidenceNotFound: 0 });
    // The demo repeats some diagnoses (history and discharge diagnosis): those quotes map to every place.
    expect(report.evidenceAmbiguous).toBeGreaterThan(0);
    const score = scoreRun(demoDb, 'perfect', { resamples: 100 });
    expect(score).toMatchObject({ n: pairs.length, precision: 1, recall: 1, f1: 1, evidenceRecall: 1, missing: 0, invalid: 0 });
  });

  it('an all-True file without evidence scores recall 1 and evidence recall 0', async () => {
    const pairs = listPairs(demoDb, datasetId);
    const file = predictionsFile(pairs.map((pair) => [pair.taskId, pair.code, 'True', '', '']), PREDICTION_HEADER, 'all-true.csv');
    await importPredictions(demoDb, { file, name: 'all-true' });
    const score = scoreRun(demoDb, 'all-true', { resamples: 100 });
    expect(score.recall).toBe(1);
    expect(score.evidenceRecall).toBe(0);
    expect(score.precision).toBeCloseTo(pairs.filter((pair) => pair.gold).length / pairs.length, 10);
  });
});
