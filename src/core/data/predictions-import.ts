import path from 'node:path';
import { recordAudit } from '../audit';
import type { SampleResult } from '../engine/backend';
import { createRun, findRun, RunError, savePrediction, type RunRecord, type RunSettings } from '../engine/runs';
import type { AggregatedPrediction } from '../engine/votes';
import type { Db } from '../store/database';
import { sentencesOverlapping, type NoteSentence } from '../text/note-sentences';
import { APP_VERSION } from '../version';
import { CsvParser, CsvSyntaxError } from './csv';
import { MAX_PAIR_ROWS, readCsvTable, type CsvRow } from './csv-table';
import { resolveDataset } from './datasets';
import { EvidenceParseError, NoteTextLocator, parseEvidenceCell, type EvidenceCell, type EvidenceForm, type QuoteMatch } from './evidence-locate';
import { InputFileError, streamInputFile } from './input-file';

/**
 * Imports another system's predictions (a CSV in the interchange format the README documents) as a
 * run with backend 'external', so it is scored and compared like any run made here.
 */

export const PREDICTION_COLUMNS = ['task_id', 'code', 'prediction', 'evidence'] as const;
/** probability: of the positive label, a number from 0 to 1 (empty cell: none); it gives the run AUROC, AP and calibration. */
export const OPTIONAL_PREDICTION_COLUMNS = ['rationale', 'probability'] as const;
/** The names `--map` may rename. */
export const MAPPABLE_PREDICTION_COLUMNS: readonly string[] = [...PREDICTION_COLUMNS, ...OPTIONAL_PREDICTION_COLUMNS];

/** evidence-not-found is a warning: the row is imported with the evidence that was found. Every other kind skips the row. */
export type PredictionProblemKind = 'unknown-pair' | 'duplicate-row' | 'bad-row' | 'evidence-not-found';

export interface PredictionProblem {
  kind: PredictionProblemKind;
  /** 1-based data row: the first row after the header is row 1. */
  row: number;
  line: number | null;
  taskId: string | null;
  code: string | null;
  detail: string;
}

export interface ImportPredictionsOptions {
  file: string;
  /** The new run's name; an existing name is refused. */
  name: string;
  dataset?: string;
  /** { expected: actual }: read column `expected` (task_id, code, prediction, evidence, rationale) from the file's column `actual`. */
  columnMap?: Readonly<Record<string, string>>;
  /** Plan every active pair of the dataset (pairs without a row then count as missing), not just the pairs the file predicts. */
  allPairs?: boolean;
}

export interface PredictionsImportReport {
  name: string;
  dataset: string;
  file: string;
  sha256: string;
  bytes: number;
  format: string;
  /** Data rows read. */
  rows: number;
  /** Pairs in the run's plan: what `medbench score` counts. */
  n: number;
  /** Predictions stored. */
  imported: number;
  problems: PredictionProblem[];
  /** Quoted evidence texts that were not found in their note. */
  evidenceNotFound: number;
  /** Imported rows by the form of their evidence cell. */
  evidenceForms: Record<EvidenceForm, number>;
  /** Located quotes by how they matched. */
  evidenceMatches: Record<QuoteMatch, number>;
  /** Located quotes that occur more than once in their note; each maps to the sentences of every occurrence. */
  evidenceAmbiguous: number;
  allPairs: boolean;
  /** Imported rows with a probability of the positive label (the population of AUROC, AP and calibration). */
  withProbability: number;
}

interface DatasetPair {
  id: number;
  taskId: string;
  code: string;
  noteId: number;
}

interface ParsedPrediction {
  pair: DatasetPair;
  label: boolean;
  rawLabel: string;
  evidence: number[];
  form: EvidenceForm;
  rationale: string;
  rawOutput: string;
  probability: number | null;
}

interface NoteContext {
  locator: NoteTextLocator;
  sentences: NoteSentence[];
  length: number;
}

const LABELS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/**
 * Reads the whole file first, then writes the run, its plan and every prediction in one
 * transaction: a file-level problem (InputFileError) or a crash leaves the database as it was.
 */
export async function importPredictions(db: Db, options: ImportPredictionsOptions): Promise<PredictionsImportReport> {
  const file = path.resolve(options.file);
  if (findRun(db, options.name)) throw new RunError(`a run named "${options.name}" already exists; choose another --name`);
  const dataset = resolveDataset(db, options.dataset);
  const pairs = activePairs(db, dataset.id);
  const lookup = new PairLookup(pairs);
  const notes = new NoteCache(db);
  const peeked = await peekHeader(file);
  const rawColumns = peeked?.columns ?? [...PREDICTION_COLUMNS, ...OPTIONAL_PREDICTION_COLUMNS];

  const predictions: ParsedPrediction[] = [];
  const problems: PredictionProblem[] = [];
  const firstRowOfPair = new Map<number, number>();
  const evidenceMatches: Record<QuoteMatch, number> = { exact: 0, whitespace: 0, case: 0 };
  let evidenceNotFound = 0;
  let evidenceAmbiguous = 0;

  const table = await readCsvTable(
    file,
    PREDICTION_COLUMNS,
    (csvRow) => {
      let taskId = '';
      let code = '';
      const report = (kind: PredictionProblemKind, detail: string) => {
        problems.push({ kind, row: csvRow.row, line: csvRow.line || null, taskId: taskId || null, code: code || null, detail });
      };
      try {
        taskId = csvRow.get('task_id').trim();
        code = csvRow.get('code').trim();
        if (taskId === '' || code === '') return report('bad-row', taskId === '' ? 'task_id is empty' : 'code is empty');
        const pair = lookup.find(taskId, code);
        if (!pair) return report('unknown-pair', `dataset "${dataset.name}" has no pair with task_id ${taskId} and code ${code}`);
        const firstRow = firstRowOfPair.get(pair.id);
        if (firstRow !== undefined) return report('duplicate-row', `same task and code as row ${firstRow}; the first one is kept`);
        firstRowOfPair.set(pair.id, csvRow.row);

        const rawLabel = csvRow.get('prediction').trim();
        const label = LABELS[rawLabel.toLowerCase()];
        if (label === undefined) return report('bad-row', `prediction ${JSON.stringify(rawLabel)} is not True/False, 1/0 or yes/no`);
        const probability = parseProbability(csvRow.get('probability'));
        if (probability === undefined) return report('bad-row', `probability ${JSON.stringify(csvRow.get('probability').trim())} is not a number from 0 to 1`);
        let cell: EvidenceCell;
        try {
          cell = parseEvidenceCell(csvRow.get('evidence'));
        } catch (error) {
          if (error instanceof EvidenceParseError) return report('bad-row', `evidence: ${error.message}`);
          throw error;
        }
        const note = notes.get(pair.noteId);
        const resolved = resolveEvidence(cell, note);
        if ('problem' in resolved) return report('bad-row', `evidence: ${resolved.problem}`);
        for (const match of resolved.matches) evidenceMatches[match]++;
        evidenceAmbiguous += resolved.ambiguous;
        if (resolved.notFound.length > 0) {
          evidenceNotFound += resolved.notFound.length;
          report('evidence-not-found', `${resolved.notFound.length} of ${resolved.quotes} quoted text(s) not in the note: ${resolved.notFound.map(quotePreview).join(', ')}`);
        }
        predictions.push({
          pair,
          label,
          rawLabel,
          evidence: resolved.ids,
          form: cell.form,
          rationale: csvRow.get('rationale').trim(),
          rawOutput: JSON.stringify(rowObject(csvRow, rawColumns)),
          probability,
        });
      } catch (error) {
        // A field that is not UTF-8 spoils the row, not the file.
        if (error instanceof CsvSyntaxError) return report('bad-row', error.message);
        throw error;
      }
    },
    { trackLines: true, hash: true, columnMap: options.columnMap, maxRows: MAX_PAIR_ROWS },
  );

  if (predictions.length === 0) {
    throw new InputFileError(file, `no row could be imported (${table.rows} data row(s)): ${summarizeProblems(problems)}`);
  }
  const predicted = new Set(predictions.map((p) => p.pair.id));
  const planIds = pairs.filter((pair) => options.allPairs || predicted.has(pair.id)).map((pair) => pair.id);
  const evidenceForms: Record<EvidenceForm, number> = { text: 0, spans: 0, ids: 0, empty: 0 };
  for (const prediction of predictions) evidenceForms[prediction.form]++;
  const format = `csv${table.gzip ? ' (gzip)' : ''}${peeked?.bom ? ', UTF-8 with BOM' : ', UTF-8'}`;
  const importedAt = new Date().toISOString();

  const manifest = {
    appVersion: APP_VERSION,
    dataset: dataset.name,
    datasetFingerprint: datasetFingerprint(db, dataset.id),
    pairs: planIds.length,
    importedAt,
    source: {
      path: file,
      sha256: table.sha256!,
      sizeBytes: table.fileBytes,
      rows: table.rows,
      format,
      columns: table.columns,
      columnMap: { ...(options.columnMap ?? {}) },
    },
    allPairs: options.allPairs ?? false,
    imported: predictions.length,
    problems: problems.length,
    evidenceForms,
    evidenceMatches,
    evidenceAmbiguous,
    evidenceNotFound,
    withProbability: predictions.filter((p) => p.probability !== null).length,
  };

  db.transaction(() => {
    const run = createRun(db, { name: options.name, datasetId: dataset.id, backend: 'external', settings: EXTERNAL_SETTINGS, manifest, pairIds: planIds });
    for (const prediction of predictions) storePrediction(db, run, prediction);
    db.prepare("UPDATE runs SET status = 'finished', started_at = ?, finished_at = ? WHERE id = ?").run(importedAt, importedAt, run.id);
    recordAudit(db, {
      kind: 'predictions-import',
      subject: options.name,
      inputs: [{ role: 'predictions', path: file, sha256: table.sha256!, bytes: table.fileBytes }],
      facts: { dataset: dataset.name, rows: table.rows, imported: predictions.length, planned: planIds.length, problems: problems.length, evidenceNotFound },
    });
  }).immediate();

  return {
    name: options.name,
    dataset: dataset.name,
    file,
    sha256: table.sha256!,
    bytes: table.fileBytes,
    format,
    rows: table.rows,
    n: planIds.length,
    imported: predictions.length,
    problems,
    evidenceNotFound,
    evidenceForms,
    evidenceMatches,
    evidenceAmbiguous,
    allPairs: options.allPairs ?? false,
    withProbability: manifest.withProbability,
  };
}

/**
 * RunSettings describe how a run is executed here; an imported run was executed elsewhere, so
 * the settings record the neutral values (one sample, no model, no compute options).
 */
const EXTERNAL_SETTINGS: RunSettings = {
  backend: 'external',
  modelId: null,
  strategy: 'naive',
  votes: 1,
  seed: 0,
  labels: 'binary',
  limit: null,
  gpu: 'none',
  gpuLayers: 0,
  contextSize: null,
  threads: null,
  batchSize: null,
  promptFile: null,
  temperature: null,
  maxTokens: null,
};

function storePrediction(db: Db, run: RunRecord, p: ParsedPrediction): void {
  const sample: SampleResult = {
    sampleIndex: 0,
    seed: 0,
    status: 'ok',
    rawLabel: p.rawLabel,
    label: p.label,
    evidence: p.evidence,
    rationale: p.rationale,
    rawOutput: p.rawOutput,
    error: null,
    promptTokens: 0,
    reusedTokens: 0,
    generatedTokens: 0,
    ms: 0,
    windows: 1,
    probability: p.probability,
  };
  const { sampleIndex: _index, seed: _seed, ...prediction } = sample;
  // Inside the caller's transaction savePrediction's own transaction is a savepoint, so the whole import stays one commit.
  savePrediction(db, run.id, p.pair.id, prediction satisfies AggregatedPrediction, [sample]);
}

type ResolvedEvidence = { ids: number[]; matches: QuoteMatch[]; notFound: string[]; quotes: number; ambiguous: number } | { problem: string };

/** Turns an evidence cell into sentence ids of the pair's note. */
function resolveEvidence(cell: EvidenceCell, note: NoteContext): ResolvedEvidence {
  switch (cell.form) {
    case 'empty':
      return { ids: [], matches: [], notFound: [], quotes: 0, ambiguous: 0 };
    case 'ids': {
      const known = new Set(note.sentences.map((s) => s.id));
      const unknown = [...new Set(cell.ids)].filter((id) => !known.has(id));
      if (unknown.length > 0) return { problem: `sentence id(s) ${unknown.join(', ')} not in the note (it has sentences 1-${note.sentences.length})` };
      return { ids: [...new Set(cell.ids)].sort((a, b) => a - b), matches: [], notFound: [], quotes: 0, ambiguous: 0 };
    }
    case 'spans': {
      for (const { start, end } of cell.spans) {
        const shown = `(${start}, ${end})`;
        if (start < 0 || end < 0) return { problem: `span ${shown} has a negative offset` };
        if (start >= end) return { problem: `span ${shown} is empty or ends before it starts` };
        if (end > note.length) return { problem: `span ${shown} ends past the end of the note (${note.length} characters)` };
      }
      return { ids: sentencesOverlapping(note.sentences, cell.spans), matches: [], notFound: [], quotes: 0, ambiguous: 0 };
    }
    case 'text': {
      const spans: { start: number; end: number }[] = [];
      const matches: QuoteMatch[] = [];
      const notFound: string[] = [];
      let ambiguous = 0;
      for (const quote of cell.quotes) {
        const places = note.locator.locate(quote);
        if (places.length === 0) {
          notFound.push(quote);
          continue;
        }
        spans.push(...places);
        matches.push(places[0]!.match);
        if (places.length > 1) ambiguous++;
      }
      return { ids: sentencesOverlapping(note.sentences, spans), matches, notFound, quotes: cell.quotes.length, ambiguous };
    }
  }
}

function activePairs(db: Db, datasetId: number): DatasetPair[] {
  return db
    .prepare(`SELECT id, task_id AS taskId, code, note_id AS noteId FROM pairs WHERE dataset_id = ? AND removed_at IS NULL ORDER BY source_row, id`)
    .all(datasetId) as DatasetPair[];
}

function datasetFingerprint(db: Db, datasetId: number): string | null {
  const row = db.prepare('SELECT content_sha256 AS sha FROM imports WHERE dataset_id = ? ORDER BY id DESC LIMIT 1').get(datasetId) as { sha: string } | undefined;
  return row?.sha ?? null;
}

/**
 * Finds a pair by task id and code. Other systems often drop the dot of ICD codes (K264 for K26.4)
 * or change case, so a code that does not match exactly is tried in that normal form, when it
 * names only one pair of the task.
 */
class PairLookup {
  private readonly exact = new Map<string, DatasetPair>();
  private readonly normal = new Map<string, DatasetPair | null>();

  constructor(pairs: readonly DatasetPair[]) {
    for (const pair of pairs) {
      this.exact.set(`${pair.taskId}\u0000${pair.code}`, pair);
      const key = `${pair.taskId}\u0000${normalCode(pair.code)}`;
      this.normal.set(key, this.normal.has(key) ? null : pair);
    }
  }

  find(taskId: string, code: string): DatasetPair | null {
    return this.exact.get(`${taskId}\u0000${code}`) ?? this.normal.get(`${taskId}\u0000${normalCode(code)}`) ?? null;
  }
}

function normalCode(code: string): string {
  return code.replaceAll('.', '').toUpperCase();
}

/** Notes are loaded once, when the first row of one of their pairs arrives. */
class NoteCache {
  private readonly notes = new Map<number, NoteContext>();
  private readonly textOf;
  private readonly sentencesOf;

  constructor(db: Db) {
    this.textOf = db.prepare('SELECT text FROM notes WHERE id = ?');
    this.sentencesOf = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id');
  }

  get(noteId: number): NoteContext {
    let note = this.notes.get(noteId);
    if (!note) {
      const { text } = this.textOf.get(noteId) as { text: string };
      note = { locator: new NoteTextLocator(text), sentences: this.sentencesOf.all(noteId) as NoteSentence[], length: Array.from(text).length };
      this.notes.set(noteId, note);
    }
    return note;
  }
}

/**
 * The header row, read before the table so each row can be kept as {column: value} under the
 * file's own column names. Returns null when it cannot be read; readCsvTable then reports why.
 */
async function peekHeader(file: string): Promise<{ columns: string[]; bom: boolean } | null> {
  const headerRead = new Error('header read');
  let columns: string[] | null = null;
  let bom: boolean | null = null;
  const parser = new CsvParser((record) => {
    columns = record.texts().map((name) => name.trim());
    throw headerRead;
  });
  try {
    await streamInputFile(file, (chunk) => {
      bom ??= chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      parser.push(chunk);
    });
    parser.end();
  } catch (error) {
    if (error !== headerRead) return null;
  }
  return columns === null ? null : { columns, bom: bom ?? false };
}

function rowObject(csvRow: CsvRow, columns: readonly string[]): Record<string, string> {
  // No prototype, so a column named "constructor" or "__proto__" is just a column.
  const object = Object.create(null) as Record<string, string>;
  for (const column of columns) if (!Object.hasOwn(object, column)) object[column] = csvRow.get(column);
  return object;
}

/**
 * A probability cell: empty -> null (this row has none); a plain decimal number from 0 to 1 -> the
 * number; anything else (a percentage, "NaN", "0,7", 1.2) -> undefined, which the row reports.
 */
function parseProbability(cell: string): number | null | undefined {
  const text = cell.trim();
  if (text === '') return null;
  if (!/^[+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

function quotePreview(quote: string): string {
  return JSON.stringify(quote.length > 50 ? `${quote.slice(0, 47)}...` : quote);
}

function summarizeProblems(problems: readonly PredictionProblem[]): string {
  if (problems.length === 0) return 'the file has no data rows';
  const counts = new Map<string, number>();
  for (const problem of problems) counts.set(problem.kind, (counts.get(problem.kind) ?? 0) + 1);
  const first = problems[0]!;
  return `${[...counts].map(([kind, count]) => `${count} ${kind}`).join(', ')}; first, row ${first.row}: ${first.detail}`;
}
