import { CsvLimitError, CsvParser, CsvSyntaxError, type CsvRecord } from './csv';
import { InputFileError, streamInputFile, type ReadProgress, type StreamResult } from './input-file';

/** One data row with its columns looked up by name. */
export class CsvRow {
  constructor(
    private readonly record: CsvRecord,
    private readonly columns: ReadonlyMap<string, number>,
  ) {}

  /** 1-based data row number: the first row after the header is row 1. */
  get row(): number {
    return this.record.index;
  }

  /** 1-based physical line where the row starts (0 when lines are not tracked). */
  get line(): number {
    return this.record.line;
  }

  get fieldCount(): number {
    return this.record.length;
  }

  has(column: string): boolean {
    return this.columns.has(column.toLowerCase());
  }

  /** The column's text; '' when the column is absent or the row is short. */
  get(column: string): string {
    const index = this.columns.get(column.toLowerCase());
    return index === undefined || index >= this.record.length ? '' : this.record.text(index);
  }
}

export interface CsvTableOptions {
  trackLines?: boolean;
  hash?: boolean;
  onProgress?: (progress: ReadProgress) => void;
  /** Renames file columns to the names the reader expects: { task_id: 'id' } reads task_id from column "id". */
  columnMap?: Readonly<Record<string, string>>;
  /** Refuse the file past this many data rows (annotation and prediction files: MAX_PAIR_ROWS). */
  maxRows?: number;
}

/**
 * Annotation and prediction files hold one row per note-concept pair (823 in MedicalBench); past two million rows
 * a file is a mistake or a gzip bomb of rows, and keeping its rows would take gigabytes.
 */
export const MAX_PAIR_ROWS = 2_000_000;

export interface CsvTableResult extends StreamResult {
  columns: string[];
  rows: number;
}

/**
 * Streams a CSV file with a header row, checks the required columns, and hands each non-blank
 * data row to `onRow`. Column names match case-insensitively after trimming, so a header written
 * by a spreadsheet ("Task_ID ") still works.
 */
export async function readCsvTable(
  file: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
  options: CsvTableOptions = {},
): Promise<CsvTableResult> {
  let columns: Map<string, number> | null = null;
  let header: string[] = [];
  let rows = 0;
  const parser = new CsvParser(
    (record) => {
      if (columns === null) {
        header = headerNames(file, record);
        columns = mapColumns(file, header, required, options.columnMap ?? {});
        return;
      }
      if (record.isBlank()) return;
      rows++;
      onRow(new CsvRow(record, columns));
    },
    { trackLines: options.trackLines, limits: { maxRecords: options.maxRows === undefined ? undefined : options.maxRows + 1 } },
  );
  let result: StreamResult;
  try {
    result = await streamInputFile(file, (chunk) => parser.push(chunk), { hash: options.hash, onProgress: options.onProgress });
    parser.end();
  } catch (error) {
    if (error instanceof CsvLimitError) {
      const where = error.recordIndex === 0 ? 'the header row' : `row ${error.recordIndex}`;
      throw new InputFileError(file, `${where}: ${error.message}; nothing was imported`);
    }
    if (error instanceof CsvSyntaxError) {
      const where = error.recordIndex === 0 ? 'header row' : `row ${error.recordIndex}`;
      throw new InputFileError(file, `not valid CSV at ${where}: ${error.message}`);
    }
    throw error;
  }
  if (columns === null) throw new InputFileError(file, 'the file has no header row');
  return { ...result, columns: header, rows };
}

function headerNames(file: string, record: CsvRecord): string[] {
  try {
    return record.texts().map((name) => name.trim());
  } catch {
    throw new InputFileError(file, 'the header row is not UTF-8 text: this is not a CSV file (or not UTF-8 encoded)');
  }
}

function mapColumns(
  file: string,
  header: readonly string[],
  required: readonly string[],
  columnMap: Readonly<Record<string, string>>,
): Map<string, number> {
  const byLowerName = new Map<string, number>();
  header.forEach((name, index) => {
    if (!byLowerName.has(name.toLowerCase())) byLowerName.set(name.toLowerCase(), index);
  });
  const columns = new Map<string, number>();
  for (const [lowerName, index] of byLowerName) columns.set(lowerName, index);
  for (const [expected, actual] of Object.entries(columnMap)) {
    const index = byLowerName.get(actual.toLowerCase());
    if (index === undefined) throw new InputFileError(file, `--map ${expected}=${actual}: there is no column "${actual}" (columns: ${listColumns(header)})`);
    columns.set(expected.toLowerCase(), index);
  }
  const missing = required.filter((name) => !columns.has(name.toLowerCase()));
  if (missing.length > 0) {
    const plural = missing.length > 1 ? 's' : '';
    throw new InputFileError(file, `missing required column${plural} ${missing.join(', ')} (found: ${listColumns(header)})`);
  }
  return columns;
}

function listColumns(header: readonly string[]): string {
  const shown = header.slice(0, 12).map((name) => JSON.stringify(name.length > 40 ? `${name.slice(0, 37)}...` : name));
  return shown.join(', ') + (header.length > 12 ? `, ... (${header.length} columns)` : '');
}
