import { MAX_PAIR_ROWS, readCsvTable, type CsvRow } from './csv-table';
import type { ImportProblem } from './problems';
import { parseSpanList, SpanParseError, type Span } from './spans';
import { isIcd10Shaped } from './icd-code';

export type AnnotationFormat = 'raw' | 'processed';

/** A row of dataset_raw.csv (or of the processed CSV) that parsed; spans are not yet checked against the note. */
export interface AnnotationRow {
  row: number;
  line: number;
  taskId: string;
  subjectId: string;
  hadmId: string;
  code: string;
  desc: string;
  gold: boolean;
  reasoningSummary: string;
  spans: Span[];
  /** The note text, present only in the processed format. */
  text?: string;
}

export interface AnnotationFile {
  rows: AnnotationRow[];
  problems: ImportProblem[];
  sha256: string;
  bytes: number;
}

export const RAW_COLUMNS = ['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans'] as const;
export const PROCESSED_COLUMNS = [...RAW_COLUMNS, 'text'] as const;

const TASK_ID = /^(\d+)_(\d+)$/;

/**
 * Reads the annotation file. Rows that cannot be used become `bad-row` or `duplicate-pair`
 * problems (the first of two rows for the same task and code wins); file-level problems throw
 * InputFileError.
 */
export async function readAnnotations(file: string, format: AnnotationFormat): Promise<AnnotationFile> {
  const rows: AnnotationRow[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  const required = format === 'raw' ? RAW_COLUMNS : PROCESSED_COLUMNS;
  const result = await readCsvTable(
    file,
    required,
    (csvRow) => {
      const parsed = parseAnnotationRow(csvRow, format);
      if ('problem' in parsed) {
        problems.push(parsed.problem);
        return;
      }
      const key = `${parsed.taskId}\u0000${parsed.code}`;
      const firstRow = seen.get(key);
      if (firstRow !== undefined) {
        problems.push(problemAt(csvRow, 'duplicate-pair', parsed.taskId, parsed.code, `same task and code as row ${firstRow}; the first one is kept`));
        return;
      }
      seen.set(key, parsed.row);
      rows.push(parsed);
    },
    { trackLines: true, hash: true, maxRows: MAX_PAIR_ROWS },
  );
  return { rows, problems, sha256: result.sha256!, bytes: result.fileBytes };
}

function parseAnnotationRow(csvRow: CsvRow, format: AnnotationFormat): AnnotationRow | { problem: ImportProblem } {
  let taskId = '';
  let code = '';
  try {
    taskId = csvRow.get('task_id').trim();
    code = csvRow.get('code').trim();
    const bad = (detail: string) => ({ problem: problemAt(csvRow, 'bad-row', taskId || null, code || null, detail) });
    if (csvRow.fieldCount < RAW_COLUMNS.length) return bad(`the row has ${csvRow.fieldCount} fields; the header has more (a broken line?)`);
    const task = TASK_ID.exec(taskId);
    if (!task) return bad(`task_id ${JSON.stringify(taskId)} is not subject_id_hadm_id`);
    if (code === '') return bad('code is empty');
    if (!isIcd10Shaped(code)) {
      const shown = JSON.stringify(code.length > 40 ? `${code.slice(0, 37)}...` : code);
      return { problem: problemAt(csvRow, 'bad-code', taskId || null, null, `code ${shown} is not an ICD-10-CM or ICD-10-PCS code`) };
    }
    const desc = csvRow.get('desc').trim();
    if (desc === '') return bad('desc is empty');
    const goldText = csvRow.get('gold').trim().toLowerCase();
    if (goldText !== 'true' && goldText !== 'false') return bad(`gold ${JSON.stringify(csvRow.get('gold'))} is not True or False`);
    let spans: Span[];
    try {
      spans = parseSpanList(csvRow.get('evidence_spans'));
    } catch (error) {
      if (error instanceof SpanParseError) return bad(`evidence_spans: ${error.message}`);
      throw error;
    }
    const row: AnnotationRow = {
      row: csvRow.row,
      line: csvRow.line,
      taskId,
      subjectId: task[1]!,
      hadmId: task[2]!,
      code,
      desc,
      gold: goldText === 'true',
      reasoningSummary: csvRow.get('reasoning_summary').trim(),
      spans,
    };
    if (format === 'processed') {
      const text = csvRow.get('text');
      if (text === '') return bad('text is empty (the processed file should hold the note)');
      row.text = text;
    }
    return row;
  } catch (error) {
    // A field that is not UTF-8 spoils the row, not the file.
    return { problem: problemAt(csvRow, 'bad-row', taskId || null, code || null, (error as Error).message) };
  }
}

export function problemAt(
  csvRow: { row: number; line: number },
  kind: ImportProblem['kind'],
  taskId: string | null,
  code: string | null,
  detail: string,
): ImportProblem {
  return { kind, row: csvRow.row, line: csvRow.line || null, taskId, code, detail };
}
