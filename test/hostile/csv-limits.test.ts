import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvLimitError, CsvParser, DEFAULT_CSV_LIMITS } from '../../src/core/data/csv';
import { readCsvTable } from '../../src/core/data/csv-table';
import { importDataset } from '../../src/core/data/import';
import { InputFileError, streamInputFile } from '../../src/core/data/input-file';
import { importPredictions } from '../../src/core/data/predictions-import';
import { openStore } from '../../src/core/store/database';
import { cliEnv, medbench } from '../crash/medbench-process';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';

/**
 * Unbounded CSV input (issue 16 §2) and misleading messages for special files (§8). A 10 MB gzip that expands to
 * one 10 GB field took 10 GB of memory; now a field, a row, its field count and (for annotation and prediction
 * files) the row count are capped and the file is refused naming the row.
 */
let dir: string;
let env: NodeJS.ProcessEnv;
const NOTE = 'Brief Hospital Course:\nThe patient has atrial fibrillation.\n';

beforeAll(() => {
  dir = tempDir('medbench-csv-limits-');
  env = cliEnv(path.join(dir, 'home'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A gzip whose one field expands past the 64 MiB limit; compressed it is a few hundred KB. */
function fieldBomb(name: string, quoted: boolean): string {
  const q = quoted ? '"' : '';
  const content = Buffer.concat([
    Buffer.from(`task_id,code,desc,gold,reasoning_summary,evidence_spans\n1_10,I10,${q}`),
    Buffer.alloc(DEFAULT_CSV_LIMITS.maxFieldBytes + (4 << 20), 0x61),
    Buffer.from(`${q},True,x,[]\n`),
  ]);
  const file = path.join(dir, name);
  fs.writeFileSync(file, zlib.gzipSync(content, { level: 1 }));
  return file;
}

describe('field and row limits', () => {
  it.each([
    ['quoted', true],
    ['unquoted', false],
  ])('a gzip bomb of one %s field is refused at the limit, naming the row', async (_kind, quoted) => {
    const file = fieldBomb(`bomb-${String(quoted)}.csv.gz`, quoted);
    let rows = 0;
    const error = await readCsvTable(file, ['task_id'], () => rows++).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as Error).message).toMatch(/row 1: field 3 is longer than 64 MiB/);
    expect((error as Error).message).toContain(file);
    expect(rows).toBe(0);
  }, 30_000);

  it('a row of a million commas is refused by its field count', () => {
    const parser = new CsvParser(() => {});
    const row = Buffer.from(`a,b\n${','.repeat(1_000_000)}\n`);
    expect(() => parser.push(row)).toThrow(/row has more than 10000 fields/);
  });

  it('a row of many fields below the field limit is refused at the row limit', () => {
    const parser = new CsvParser(() => {}, { limits: { maxFieldBytes: 100, maxRecordBytes: 1000 } });
    const row = Buffer.from(`${Array.from({ length: 20 }, () => 'x'.repeat(90)).join(',')}\n`);
    expect(() => parser.push(row)).toThrow(CsvLimitError);
    expect(() => new CsvParser(() => {}, { limits: { maxFieldBytes: 100, maxRecordBytes: 1000 } }).push(row)).toThrow(/row is longer than 1000 bytes/);
  });

  it('rows at the limits are still read', () => {
    const records: string[][] = [];
    const parser = new CsvParser((record) => records.push(record.texts()), { limits: { maxFieldBytes: 4, maxRecordBytes: 8, maxFields: 2 } });
    parser.push(Buffer.from('abcd,efgh\n"ab""c",d\n'));
    parser.end();
    expect(records).toEqual([
      ['abcd', 'efgh'],
      ['ab"c', 'd'],
    ]);
  });

  it('import refuses a field bomb with exit 1, one line naming the file and the row, and leaves no database', async () => {
    const file = fieldBomb('ann-bomb.csv.gz', true);
    const notes = writeFile(dir, 'notes.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]));
    const db = path.join(dir, 'bomb.db');
    const result = await medbench(['import', '--annotations', file, '--notes', notes, '--db', db], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/row 1: field 3 is longer than 64 MiB/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(db)).toBe(false);
  }, 60_000);

  it('predictions import refuses a gzip bomb of rows past the row limit (lowered for the test), storing nothing', async () => {
    const db = openStore(path.join(dir, 'rows.db'));
    const previous = process.env.MEDBENCH_CSV_MAX_ROWS;
    process.env.MEDBENCH_CSV_MAX_ROWS = '1000';
    try {
      const notes = writeFile(dir, 'notes-rows.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]));
      const annotations = writeFile(dir, 'ann-rows.csv', annotationsCsv([{ taskId: '1_10', code: 'I48.91', desc: 'Atrial fibrillation', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') }]));
      await importDataset(db, { annotations, notes, format: 'raw' });
      const rows = writeFile(dir, 'rows.csv.gz', 'task_id,code,prediction,evidence\n' + '1_10,I48.91,True,[]\n'.repeat(5000), true);
      const error = await importPredictions(db, { file: rows, name: 'bomb' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputFileError);
      expect((error as Error).message).toContain(rows);
      expect((error as Error).message).toMatch(/row 1001: the file has more than 1000 data rows/);
      expect(db.prepare("SELECT count(*) FROM runs WHERE name = 'bomb'").pluck().get()).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.MEDBENCH_CSV_MAX_ROWS;
      else process.env.MEDBENCH_CSV_MAX_ROWS = previous;
      db.close();
    }
  });
});

describe('special files get a true message', () => {
  it('/dev/zero is not a regular file (it was called empty)', async () => {
    const error = await streamInputFile('/dev/zero', () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as Error).message).toMatch(/\/dev\/zero: not a regular file \(a character device\)/);
  });

  it('a FIFO is not a regular file, and reading it does not block', async () => {
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const error = await streamInputFile(fifo, () => {}).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/pipe\.csv: not a regular file \(a named pipe\)/);
  });
});
