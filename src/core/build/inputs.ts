import path from 'node:path';
import { readCsvTable, type CsvRow } from '../data/csv-table';
import { InputFileError, type ReadProgress } from '../data/input-file';
import { scanNotes, type NoteRecord } from '../data/notes-file';
import { codeKind } from '../scoring/icd';
import { stripDot } from './icd-hierarchy';

/**
 * The build's inputs, read with the import's streaming CSV reader (plain or gzip by content, any
 * size): MIMIC-IV hosp tables plus MIMIC-IV-Note discharge notes, or an institution's two plain
 * CSVs. Every problem is a whole-input error naming the file, the data row (1 = first row after
 * the header) and the column: the build writes nothing until all inputs are read.
 */
export type BuildInputs =
  | { kind: 'mimic'; diagnoses: string; procedures: string; icdDiagnoses: string; icdProcedures: string; notes: string }
  | { kind: 'plain'; codes: string; notes: string; codeTable?: string; icdDiagnoses?: string; icdProcedures?: string };

export type CodeSystem = 'CM' | 'PCS';

export interface AssignedCode {
  /** Without the dot, as MIMIC stores it. */
  code: string;
  system: CodeSystem;
  /** MIMIC's seq_num (coding priority); the row order for plain CSVs. */
  seqNum: number;
}

export interface InputAdmission {
  admissionId: string;
  /** MIMIC's subject_id; null for plain CSVs without one. */
  subjectId: string | null;
  codes: AssignedCode[];
}

export interface InputFileRecord {
  role: string;
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
}

export interface CodeTables {
  /** ICD-10 admissions with their assigned codes (ICD-9 rows dropped). */
  admissions: Map<string, InputAdmission>;
  /** `${system}:${code}` → description. */
  descriptions: Map<string, string>;
  icd9Skipped: number;
  files: InputFileRecord[];
}

export type InputProgress = { file: string; rows: number } & ReadProgress;

const key = (system: CodeSystem, code: string) => `${system}:${code}`;

function fail(file: string, row: CsvRow, column: string, problem: string): never {
  throw new InputFileError(file, `row ${row.row}${row.line ? ` (line ${row.line})` : ''}, column ${column}: ${problem}`);
}

function requireValue(file: string, row: CsvRow, column: string): string {
  const value = row.get(column).trim();
  if (value === '') fail(file, row, column, 'is empty');
  return value;
}

/** An ICD-10 code of the given system (dots allowed), or a clear error naming the cell. */
function readCode(file: string, row: CsvRow, column: string, system: CodeSystem): string {
  const code = stripDot(requireValue(file, row, column));
  const kind = codeKind(code);
  if (kind !== system) fail(file, row, column, `"${row.get(column).trim()}" is not an ICD-10-${system} code${kind !== 'unknown' ? ` (it has the shape of ICD-10-${kind})` : ''}`);
  return code;
}

function readVersion(file: string, row: CsvRow): 9 | 10 {
  const value = requireValue(file, row, 'icd_version');
  if (value !== '9' && value !== '10') fail(file, row, 'icd_version', `"${value}" is neither 9 nor 10`);
  return value === '9' ? 9 : 10;
}

async function table(
  files: InputFileRecord[],
  role: string,
  file: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
  onProgress?: (progress: InputProgress) => void,
): Promise<void> {
  let rows = 0;
  const result = await readCsvTable(
    file,
    required,
    (row) => {
      rows++;
      onRow(row);
    },
    { hash: true, trackLines: true, onProgress: onProgress && ((progress) => onProgress({ ...progress, file: path.basename(file), rows })) },
  );
  files.push({ role, path: path.resolve(file), sha256: result.sha256!, bytes: result.fileBytes, rows: result.rows });
}

/** Reads the code assignments and the descriptions of every code they can draw negatives from. */
export async function readCodeTables(inputs: BuildInputs, onProgress?: (progress: InputProgress) => void): Promise<CodeTables> {
  const admissions = new Map<string, InputAdmission>();
  const descriptions = new Map<string, string>();
  const files: InputFileRecord[] = [];
  let icd9Skipped = 0;
  const admissionOf = (admissionId: string, subjectId: string | null): InputAdmission => {
    let admission = admissions.get(admissionId);
    if (!admission) {
      admission = { admissionId, subjectId, codes: [] };
      admissions.set(admissionId, admission);
    }
    return admission;
  };
  const addCode = (admission: InputAdmission, code: AssignedCode) => {
    // A code listed twice for one admission (MIMIC has a few) is one candidate.
    if (!admission.codes.some((c) => c.code === code.code && c.system === code.system)) admission.codes.push(code);
  };
  const dictionary = async (role: string, file: string, system: CodeSystem) =>
    table(files, role, file, ['icd_code', 'icd_version', 'long_title'], (row) => {
      if (readVersion(file, row) === 9) return;
      descriptions.set(key(system, readCode(file, row, 'icd_code', system)), requireValue(file, row, 'long_title'));
    }, onProgress);

  if (inputs.kind === 'mimic') {
    for (const [role, file, system] of [['diagnoses', inputs.diagnoses, 'CM'], ['procedures', inputs.procedures, 'PCS']] as const) {
      await table(files, role, file, ['subject_id', 'hadm_id', 'seq_num', 'icd_code', 'icd_version'], (row) => {
        const subjectId = requireValue(file, row, 'subject_id');
        const hadmId = requireValue(file, row, 'hadm_id');
        if (readVersion(file, row) === 9) {
          icd9Skipped++;
          return;
        }
        const seqText = requireValue(file, row, 'seq_num');
        const seqNum = Number(seqText);
        if (!Number.isInteger(seqNum) || seqNum < 0) fail(file, row, 'seq_num', `"${seqText}" is not a whole number`);
        const admission = admissionOf(hadmId, subjectId);
        if (admission.subjectId !== subjectId) fail(file, row, 'subject_id', `hadm_id ${hadmId} appeared earlier with subject_id ${admission.subjectId}`);
        addCode(admission, { code: readCode(file, row, 'icd_code', system), system, seqNum });
      }, onProgress);
    }
    await dictionary('icd-diagnoses', inputs.icdDiagnoses, 'CM');
    await dictionary('icd-procedures', inputs.icdProcedures, 'PCS');
  } else {
    let order = 0;
    const given = new Map<string, string>();
    await table(files, 'codes', inputs.codes, ['admission_id', 'code', 'system'], (row) => {
      const admissionId = requireValue(inputs.codes, row, 'admission_id');
      const systemText = requireValue(inputs.codes, row, 'system').toUpperCase();
      if (systemText !== 'CM' && systemText !== 'PCS') fail(inputs.codes, row, 'system', `"${row.get('system').trim()}" is neither CM nor PCS`);
      const system = systemText as CodeSystem;
      const code = readCode(inputs.codes, row, 'code', system);
      const subjectId = row.has('subject_id') && row.get('subject_id').trim() !== '' ? row.get('subject_id').trim() : null;
      addCode(admissionOf(admissionId, subjectId), { code, system, seqNum: ++order });
      const description = row.has('description') ? row.get('description').trim() : '';
      if (description !== '') given.set(key(system, code), description);
    }, onProgress);
    if (inputs.icdDiagnoses) await dictionary('icd-diagnoses', inputs.icdDiagnoses, 'CM');
    if (inputs.icdProcedures) await dictionary('icd-procedures', inputs.icdProcedures, 'PCS');
    if (inputs.codeTable) {
      const file = inputs.codeTable;
      await table(files, 'code-table', file, ['code', 'system', 'description'], (row) => {
        const systemText = requireValue(file, row, 'system').toUpperCase();
        if (systemText !== 'CM' && systemText !== 'PCS') fail(file, row, 'system', `"${row.get('system').trim()}" is neither CM nor PCS`);
        const system = systemText as CodeSystem;
        descriptions.set(key(system, readCode(file, row, 'code', system)), requireValue(file, row, 'description'));
      }, onProgress);
    }
    // The codes file's own descriptions win: they are what the institution calls its codes.
    for (const [k, description] of given) descriptions.set(k, description);
  }

  // Every assigned code needs a description: it is the concept shown to models and annotators.
  for (const admission of admissions.values()) {
    for (const code of admission.codes) {
      if (!descriptions.has(key(code.system, code.code))) {
        const source = inputs.kind === 'mimic' ? (code.system === 'CM' ? inputs.icdDiagnoses : inputs.icdProcedures) : 'the code table';
        throw new InputFileError(
          inputs.kind === 'mimic' ? (code.system === 'CM' ? inputs.diagnoses : inputs.procedures) : inputs.codes,
          `admission ${admission.admissionId}: code ${code.code} (ICD-10-${code.system}) has no description in ${source}${inputs.kind === 'plain' ? ' (give a description column, --code-table or --icd-diagnoses/--icd-procedures)' : ''}`,
        );
      }
    }
  }
  return { admissions, descriptions, icd9Skipped, files };
}

export function descriptionKey(system: CodeSystem, code: string): string {
  return key(system, code);
}

/**
 * First pass over the notes: which admissions have a discharge note, without decoding any text
 * (the build samples among these before reading the notes it needs).
 */
export async function admissionsWithNotes(inputs: BuildInputs, onProgress?: (progress: InputProgress) => void): Promise<{ admissions: Set<string>; file: InputFileRecord }> {
  const admissions = new Set<string>();
  const files: InputFileRecord[] = [];
  const column = inputs.kind === 'mimic' ? 'hadm_id' : 'admission_id';
  const required = inputs.kind === 'mimic' ? ['subject_id', 'hadm_id', 'text'] : ['note_id', 'admission_id', 'text'];
  await table(files, 'notes', inputs.notes, required, (row) => {
    const noteType = row.has('note_type') ? row.get('note_type').trim().toUpperCase() : '';
    if (noteType !== '' && noteType !== 'DS') return;
    const id = row.get(column).trim();
    if (id !== '') admissions.add(id);
  }, onProgress);
  return { admissions, file: files[0]! };
}

/** Second pass: the notes of the sampled admissions (MIMIC: the DS note with the highest note_seq; plain: the last row). */
export async function readNotes(inputs: BuildInputs, wanted: ReadonlySet<string>, subjects: ReadonlyMap<string, string | null>): Promise<Map<string, NoteRecord>> {
  if (inputs.kind === 'mimic') {
    const scan = await scanNotes(inputs.notes, wanted);
    for (const [hadmId, note] of scan.notes) {
      const subject = subjects.get(hadmId);
      if (subject && subject !== note.subjectId) {
        throw new InputFileError(inputs.notes, `the note of hadm_id ${hadmId} belongs to subject_id ${note.subjectId}, but the hosp tables give subject_id ${subject}`);
      }
    }
    return scan.notes;
  }
  const notes = new Map<string, NoteRecord>();
  await readCsvTable(inputs.notes, ['note_id', 'admission_id', 'text'], (row) => {
    const admissionId = row.get('admission_id').trim();
    if (!wanted.has(admissionId)) return;
    const text = row.get('text');
    if (text.trim() === '') fail(inputs.notes, row, 'text', 'is empty');
    const subjectId = (row.has('subject_id') ? row.get('subject_id').trim() : '') || subjects.get(admissionId) || admissionId;
    notes.set(admissionId, { noteId: row.get('note_id').trim() || null, subjectId, hadmId: admissionId, noteType: 'DS', noteSeq: null, charttime: null, storetime: null, text });
  });
  return notes;
}
