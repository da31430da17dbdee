/**
 * The benchmark submission: a run's predictions as one CSV (task_id, code, prediction, evidence,
 * rationale) inside a ZIP, the shape the seed's run_sample.py produces for upload. Evidence is the
 * JSON list of the cited sentences' note text, as in the seed's processed `evidence` column, so the
 * file holds note-derived text and is meant only for the benchmark's own credentialed channel.
 */
import { getRun, type RunRecord } from '../engine/runs';
import type { Db } from '../store/database';
import { CodePointIndex } from '../../shared/code-points';
import { recordAudit, statFile } from '../audit';
import { sha256Hex } from '../data/input-file';
import { zipSync, strToU8 } from 'fflate';
import { writeFileAtomic } from './output-file';
import { csvCell } from './csv-cell';

export const SUBMISSION_ENTRY = 'predictions.csv';
export const SUBMISSION_COLUMNS = ['task_id', 'code', 'prediction', 'evidence', 'rationale'] as const;

/** Printed by every submission export (and repeated in the README). */
export const SUBMISSION_WARNING =
  'warning: this file contains note-derived text (evidence sentences and rationales); it is meant only for the benchmark\'s own credentialed channel under the PhysioNet DUA. Do not share it anywhere else.';

export interface SubmissionRow {
  taskId: string;
  code: string;
  prediction: boolean;
  evidence: string[];
  rationale: string;
}

export interface SubmissionExport {
  run: string;
  dataset: string;
  out: string;
  entry: string;
  bytes: number;
  rows: number;
  /** Rows with a valid prediction; the rest are written as False with no evidence. */
  predicted: number;
  missing: number;
  invalid: number;
}

/**
 * Sentence text by (note, sentence id), one note cached at a time: plans are note-grouped, so
 * each note's text is read about once.
 */
export class NoteSentenceTexts {
  private noteId = -1;
  private index: CodePointIndex | null = null;
  private spans = new Map<number, { start: number; end: number }>();
  private readonly noteText;
  private readonly noteSentences;

  constructor(db: Db) {
    this.noteText = db.prepare('SELECT text FROM notes WHERE id = ?');
    this.noteSentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ?');
  }

  /** Texts of the given sentence ids in the given order; ids the note does not have are skipped. */
  texts(noteId: number, sentenceIds: readonly number[]): string[] {
    if (sentenceIds.length === 0) return [];
    if (noteId !== this.noteId) {
      const row = this.noteText.get(noteId) as { text: string } | undefined;
      this.index = row ? new CodePointIndex(row.text) : null;
      this.spans = new Map((this.noteSentences.all(noteId) as { id: number; start: number; end: number }[]).map((s) => [s.id, s]));
      this.noteId = noteId;
    }
    const index = this.index;
    if (!index) return [];
    return sentenceIds.flatMap((id) => {
      const span = this.spans.get(id);
      return span ? [index.slice(span.start, span.end)] : [];
    });
  }
}

/** The run's planned pairs in plan order, with pairs lacking a valid prediction as False and no evidence. */
export function submissionRows(db: Db, run: RunRecord): SubmissionRow[] {
  const rows = db
    .prepare(
      `SELECT p.task_id AS taskId, p.code, p.note_id AS noteId, pr.status, pr.label, pr.evidence_json AS evidenceJson, pr.rationale
       FROM run_pairs rp JOIN pairs p ON p.id = rp.pair_id
       LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id
       WHERE rp.run_id = ? ORDER BY rp.position`,
    )
    .all(run.id) as { taskId: string; code: string; noteId: number; status: 'ok' | 'invalid' | null; label: number | null; evidenceJson: string | null; rationale: string | null }[];
  const sentences = new NoteSentenceTexts(db);
  return rows.map((row) => {
    const ok = row.status === 'ok';
    const ids = ok && row.evidenceJson ? (JSON.parse(row.evidenceJson) as number[]) : [];
    return {
      taskId: row.taskId,
      code: row.code,
      prediction: ok && row.label === 1,
      evidence: sentences.texts(row.noteId, ids),
      rationale: ok ? (row.rationale ?? '') : '',
    };
  });
}

/**
 * RFC 4180 CSV with a header; prediction is Python's True/False, evidence a JSON list of strings. Cells that a
 * spreadsheet would run as a formula (a rationale starting with "=") are neutralised by csvCell.
 */
export function submissionCsv(rows: readonly SubmissionRow[]): string {
  const lines = [SUBMISSION_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push([row.taskId, row.code, row.prediction ? 'True' : 'False', JSON.stringify(row.evidence), row.rationale].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the submission ZIP atomically and says what went into it. */
export function exportSubmission(db: Db, runName: string, outPath: string): SubmissionExport {
  const run = getRun(db, runName);
  const rows = submissionRows(db, run);
  // fflate (a small, well-kept ZIP library) writes the one deflated entry; `unzip -p` reads it.
  const archive = Buffer.from(zipSync({ [SUBMISSION_ENTRY]: [strToU8(submissionCsv(rows)), { level: 6, mtime: new Date() }] }));
  writeFileAtomic(outPath, archive);
  recordAudit(db, { kind: 'export', subject: run.name, outputs: [statFile('submission', outPath, sha256Hex(archive))], facts: { format: 'submission', rows: rows.length } });
  const counts = db
    .prepare(
      `SELECT count(pr.id) AS done, coalesce(sum(pr.status = 'invalid'), 0) AS invalid FROM run_pairs rp
       LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id WHERE rp.run_id = ?`,
    )
    .get(run.id) as { done: number; invalid: number };
  return {
    run: run.name,
    dataset: run.dataset,
    out: outPath,
    entry: SUBMISSION_ENTRY,
    bytes: archive.length,
    rows: rows.length,
    predicted: counts.done - counts.invalid,
    missing: rows.length - counts.done,
    invalid: counts.invalid,
  };
}
