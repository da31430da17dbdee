import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDatasets, resolveDataset } from '../../../src/core/data/datasets';
import { importDataset, type ImportOptions } from '../../../src/core/data/import';
import { InputFileError } from '../../../src/core/data/input-file';
import { listPairs } from '../../../src/core/data/pairs';
import { openStore, type Db } from '../../../src/core/store/database';
import { annotationsCsv, csvText, notesCsv, spansOf, tempDir, writeFile, type TestNote, type TestPair } from '../../helpers/mimic-files';

const ANEMIA_NOTE = [
  'Name:  ___                 Unit No:   ___',
  ' ',
  'Admission Date:  ___              Discharge Date:   ___',
  ' ',
  'Brief Hospital Course: ',
  'Ms. ___ is a ___ year-old woman with h/o CKD who presented with ',
  'fatigue. Hgb on admission was 7.1, down from 10.2. She was ',
  'transfused 2 units pRBC with appropriate response. ',
  ' ',
  'Pertinent Results:',
  '___ 10:25PM BLOOD WBC-5.0 RBC-2.91* Hgb-7.1* Hct-22.6*',
  ' ',
  'Discharge Diagnosis:',
  'Anemia of chronic kidney disease',
  '',
].join(' \n');

const HTN_NOTE = 'Chief Complaint:\nheadache\n \nPast Medical History:\n- HTN, on lisinopril\n- T2DM "well controlled"\n \nTemp 38.5°C 😀 then fever resolved.\n';

const NOTES: TestNote[] = [
  { subjectId: '100', hadmId: '1000', text: ANEMIA_NOTE },
  { subjectId: '200', hadmId: '2000', text: HTN_NOTE },
  { subjectId: '300', hadmId: '3000', text: 'Unreferenced distractor note.' },
];

const PAIRS: TestPair[] = [
  { taskId: '100_1000', code: 'D63.1', desc: 'Anemia in chronic kidney disease', gold: true, spans: spansOf(ANEMIA_NOTE, 'Hgb on admission was 7.1', 'transfused 2 units pRBC') },
  { taskId: '100_1000', code: '30233N1', desc: 'Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach', gold: true, spans: spansOf(ANEMIA_NOTE, 'transfused 2 units pRBC') },
  { taskId: '100_1000', code: 'E66.9', desc: 'Obesity, unspecified', gold: 'false', spans: '[]' },
  { taskId: '200_2000', code: 'I10', desc: 'Essential (primary) hypertension', gold: 'TRUE', spans: spansOf(HTN_NOTE, 'HTN, on lisinopril') },
  { taskId: '200_2000', code: 'R50.9', desc: 'Fever, unspecified', gold: true, spans: spansOf(HTN_NOTE, 'fever resolved') },
];

let dir: string;
let db: Db;

beforeEach(() => {
  dir = tempDir();
  db = openStore(path.join(dir, 'test.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function files(pairs: readonly TestPair[] = PAIRS, notes: readonly TestNote[] = NOTES, gzip = true) {
  return {
    annotations: writeFile(dir, 'dataset_raw.csv', annotationsCsv(pairs)),
    notes: writeFile(dir, gzip ? 'discharge.csv.gz' : 'discharge.csv', notesCsv(notes), gzip),
  };
}

const run = (options: Omit<ImportOptions, 'format'> & { format?: ImportOptions['format'] }) => importDataset(db, { format: 'raw', ...options });

function tableCounts(): Record<string, number> {
  const tables = ['datasets', 'imports', 'import_problems', 'notes', 'sentences', 'pairs', 'gold_spans', 'gold_sentences'];
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

describe('importDataset', () => {
  it('joins annotations with their notes and stores exact evidence and gold sentences', async () => {
    const report = await run(files());
    expect(report).toMatchObject({ outcome: 'new', pairs: 5, positives: 4, negatives: 1, notes: 2, problems: [], notesScanned: 3, added: 5 });
    const pairs = listPairs(db, resolveDataset(db).id);
    expect(pairs.map((p) => p.code)).toEqual(['D63.1', '30233N1', 'E66.9', 'I10', 'R50.9']);
    expect(pairs[0]!.evidence.map((e) => e.text)).toEqual(['Hgb on admission was 7.1', 'transfused 2 units pRBC']);
    expect(pairs[2]).toMatchObject({ gold: false, evidence: [], goldSentences: [] });
    expect(pairs[3]!.gold).toBe(true);
    // Every gold sentence overlaps a gold span, and every span is covered by a gold sentence.
    const noteId = (db.prepare("SELECT id FROM notes WHERE hadm_id = '1000'").get() as { id: number }).id;
    const sentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ?').all(noteId) as { id: number; start: number; end: number }[];
    for (const span of pairs[0]!.evidence) {
      const covering = sentences.filter((s) => s.start < span.end && span.start < s.end).map((s) => s.id);
      expect(covering.length).toBeGreaterThan(0);
      for (const id of covering) expect(pairs[0]!.goldSentences).toContain(id);
    }
  });

  it('uses Python code point offsets after astral characters', async () => {
    await run(files());
    const fever = listPairs(db, resolveDataset(db).id).find((p) => p.code === 'R50.9')!;
    expect(fever.evidence[0]!.text).toBe('fever resolved');
    expect(fever.evidence[0]!.start).toBe(Array.from(HTN_NOTE.slice(0, HTN_NOTE.indexOf('fever resolved'))).length);
  });

  it('reads plain CSV notes as well as gzip, by content', async () => {
    const f = files(PAIRS, NOTES, false);
    expect((await run(f)).pairs).toBe(5);
    // gzip content under a name without .gz is still read as gzip
    const disguised = writeFile(dir, 'notes.csv', fs.readFileSync(files().notes));
    expect((await run({ annotations: f.annotations, notes: disguised, dataset: 'other' })).pairs).toBe(5);
  });

  it('accepts CRLF, a BOM, quoted newlines, extra columns and gold in any case', async () => {
    const rows = [
      ['', 'task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans', 'extra'],
      ['0', '100_1000', 'D63.1', 'Anemia in CKD', 'tRuE', 'Low Hgb,\n"transfused"', spansOf(ANEMIA_NOTE, 'Hgb on admission'), 'x'],
      ['1', '200_2000', 'I10', 'Hypertension', 'FALSE', '', '[ ]', 'y'],
    ];
    const annotations = writeFile(dir, 'excel.csv', `\uFEFF${csvText(rows, '\r\n')}`);
    const report = await run({ annotations, notes: files().notes });
    expect(report.problems).toEqual([]);
    const pairs = listPairs(db, resolveDataset(db).id);
    expect(pairs.map((p) => [p.code, p.gold, p.reasoningSummary])).toEqual([
      ['D63.1', true, 'Low Hgb,\n"transfused"'],
      ['I10', false, ''],
    ]);
  });

  it('reports rows that cannot become pairs, with kind, row, task id, code and detail', async () => {
    const bad: TestPair[] = [
      ...PAIRS,
      { taskId: '999_9999', code: 'I10', desc: 'Hypertension', gold: true, spans: '[]' },
      { taskId: '200_2000', code: 'I10', desc: 'dup', gold: true, spans: '[]' },
      { taskId: '200_2000', code: 'E11.9', desc: 'T2DM', gold: 'maybe', spans: '[]' },
      { taskId: '200_2000', code: 'E10.9', desc: 'T1DM', gold: false, spans: '[(5, 900000)]' },
      { taskId: '200_2000', code: 'E78.5', desc: 'HLD', gold: false, spans: '[(20, 10)]' },
      { taskId: '200_2000', code: 'E87.1', desc: 'Hypo-osmolality', gold: false, spans: '[(-3, 10)]' },
      { taskId: '200_2000', code: 'N17.9', desc: 'AKI', gold: true, spans: '[(1, 2), oops]' },
      { taskId: 'not-a-task', code: 'N18.9', desc: 'CKD', gold: true, spans: '[]' },
      { taskId: '300_2000', code: 'I10', desc: 'wrong subject', gold: true, spans: '[]' },
      { taskId: '200_2000', code: '', desc: 'no code', gold: true, spans: '[]' },
    ];
    const report = await run(files(bad));
    expect(report.pairs).toBe(5);
    expect(report.problems.map((p) => [p.kind, p.row, p.taskId, p.code])).toEqual([
      ['missing-note', 6, '999_9999', 'I10'],
      ['duplicate-pair', 7, '200_2000', 'I10'],
      ['bad-row', 8, '200_2000', 'E11.9'],
      ['span-out-of-range', 9, '200_2000', 'E10.9'],
      ['span-out-of-range', 10, '200_2000', 'E78.5'],
      ['span-out-of-range', 11, '200_2000', 'E87.1'],
      ['bad-row', 12, '200_2000', 'N17.9'],
      ['bad-row', 13, 'not-a-task', 'N18.9'],
      ['missing-note', 14, '300_2000', 'I10'],
      ['bad-row', 15, '200_2000', null],
    ]);
    const detail = Object.fromEntries(report.problems.map((p) => [p.row, p.detail]));
    expect(detail[6]).toMatch(/no discharge note for hadm_id 9999/);
    expect(detail[7]).toMatch(/row 4/);
    expect(detail[8]).toMatch(/gold "maybe"/);
    expect(detail[9]).toMatch(/past the end of the note/);
    expect(detail[10]).toMatch(/ends before it starts/);
    expect(detail[11]).toMatch(/negative/);
    expect(detail[14]).toMatch(/belongs to subject_id 200/);
    expect(report.problems[0]!.line).toBe(7);
    // Problems of the import are kept for the UI.
    expect((db.prepare('SELECT count(*) AS n FROM import_problems').get() as { n: number }).n).toBe(10);
  });

  it('uses the discharge note with the highest note_seq when an admission has several', async () => {
    const older = 'Brief Hospital Course: \nOlder version of the summary with anemia mentioned.';
    const newer = 'Brief Hospital Course: \nAddendum: the patient has anemia, Hgb 7.9.';
    const notes: TestNote[] = [
      { subjectId: '100', hadmId: '1000', text: newer, noteSeq: 21 },
      { subjectId: '100', hadmId: '1000', text: older, noteSeq: 20 },
      { subjectId: '100', hadmId: '1000', text: 'Radiology report', noteSeq: 99, noteType: 'RR' },
    ];
    const pairs: TestPair[] = [{ taskId: '100_1000', code: 'D64.9', desc: 'Anemia, unspecified', gold: true, spans: spansOf(newer, 'anemia, Hgb 7.9') }];
    const report = await run(files(pairs, notes));
    expect(report).toMatchObject({ pairs: 1, multipleNotes: 1, problems: [] });
    expect(listPairs(db, resolveDataset(db).id)[0]!.evidence[0]!.text).toBe('anemia, Hgb 7.9');
  });

  it('is idempotent: the same files again write nothing', async () => {
    const f = files();
    await run(f);
    const before = tableCounts();
    const again = await run(f);
    expect(again).toMatchObject({ outcome: 'unchanged', pairs: 5, added: 0, updated: 0, removed: 0 });
    expect(tableCounts()).toEqual(before);
  });

  it('reports a changed file and updates pairs in place, retiring dropped ones', async () => {
    await run(files());
    const idsBefore = db.prepare('SELECT id, code FROM pairs ORDER BY id').all();
    const changed = PAIRS.filter((p) => p.code !== 'E66.9').map((p) => (p.code === 'I10' ? { ...p, gold: false, spans: '[]' } : p));
    changed.push({ taskId: '200_2000', code: 'E11.9', desc: 'Type 2 diabetes mellitus without complications', gold: true, spans: spansOf(HTN_NOTE, 'T2DM') });
    const report = await run(files(changed));
    expect(report).toMatchObject({ outcome: 'changed', pairs: 5, added: 1, updated: 1, removed: 1 });
    const pairs = listPairs(db, resolveDataset(db).id);
    expect(pairs.map((p) => p.code)).toEqual(['D63.1', '30233N1', 'I10', 'R50.9', 'E11.9']);
    expect(pairs.find((p) => p.code === 'I10')).toMatchObject({ gold: false, evidence: [] });
    // Ids are stable, so predictions attached to them survive.
    const idsAfter = db.prepare('SELECT id, code FROM pairs ORDER BY id').all();
    expect(idsAfter.slice(0, idsBefore.length)).toEqual(idsBefore);
    expect(listDatasets(db)[0]).toMatchObject({ name: 'medicalbench', pairs: 5, positives: 4 });
  });

  it('imports the processed CSV of the seed (annotations plus note text)', async () => {
    const rows = [
      ['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans', 'text', 'evidence'],
      ...PAIRS.map((p) => [p.taskId, p.code, p.desc, String(p.gold), 'r', p.spans, p.taskId === '100_1000' ? ANEMIA_NOTE : HTN_NOTE, '[]']),
    ];
    const processed = writeFile(dir, 'processed.csv', csvText(rows));
    const report = await importDataset(db, { annotations: processed, format: 'processed' });
    expect(report).toMatchObject({ pairs: 5, notes: 2, problems: [] });
    // The same notes by text: a raw import afterwards shares them.
    await run({ ...files(), dataset: 'raw' });
    expect((db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n).toBe(2);
  });

  describe('whole-file problems name the file and leave the database exactly as it was', () => {
    async function expectRejected(options: Partial<ImportOptions>, message: RegExp) {
      const f = files();
      await run(f);
      const before = tableCounts();
      const attempt = run({ ...f, dataset: 'second', ...options });
      await expect(attempt).rejects.toThrow(InputFileError);
      await expect(attempt).rejects.toThrow(message);
      expect(tableCounts()).toEqual(before);
    }

    it('no such file', () => expectRejected({ notes: path.join(dir, 'missing.csv.gz') }, /missing\.csv\.gz: no such file/));
    it('empty file', () => expectRejected({ annotations: writeFile(dir, 'empty.csv', '') }, /empty\.csv: the file is empty/));
    it('named .gz but not gzip', () => expectRejected({ notes: writeFile(dir, 'plain.csv.gz', notesCsv(NOTES)) }, /plain\.csv\.gz: the name ends in \.gz but the content is not gzip/));
    it('gzip that ends early', async () => {
      const full = fs.readFileSync(files().notes);
      const truncated = writeFile(dir, 'cut.csv.gz', full.subarray(0, Math.floor(full.length * 0.6)));
      await expectRejected({ notes: truncated }, /cut\.csv\.gz: the gzip stream ends early/);
    });
    it('missing required column', () =>
      expectRejected({ annotations: writeFile(dir, 'cols.csv', 'task_id,code,desc\n1_2,I10,x\n') }, /cols\.csv: missing required columns gold, reasoning_summary, evidence_spans/));
    it('not a CSV file', () => expectRejected({ annotations: writeFile(dir, 'binary.csv', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x0a, 0x01])) }, /binary\.csv: .*not a CSV file|binary\.csv: missing required/));
    it('unbalanced quote in the notes file', () => expectRejected({ notes: writeFile(dir, 'broken.csv', `${notesCsv(NOTES)}"1,2,"unterminated\n`) }, /broken\.csv: not valid CSV/));
    it('a folder instead of a file', () => expectRejected({ notes: dir }, /is a folder/));
    it('notes file missing for the raw format', () => expectRejected({ notes: undefined }, /--notes/));
  });
});
