import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** Test files in MedicalBench's and MIMIC-IV-Note's shapes, written with RFC 4180 quoting. */

export function csvCell(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvText(rows: readonly (readonly (string | number | boolean | null)[])[], lineEnd = '\n'): string {
  return rows.map((row) => row.map(csvCell).join(',')).join(lineEnd) + lineEnd;
}

export interface TestNote {
  subjectId: string;
  hadmId: string;
  text: string;
  noteSeq?: number;
  noteType?: string;
}

export const NOTE_HEADER = ['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text'];
export const ANNOTATION_HEADER = ['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans'];

export function notesCsv(notes: readonly TestNote[]): string {
  return csvText([
    NOTE_HEADER,
    ...notes.map((n) => [`${n.subjectId}-DS-${n.noteSeq ?? 1}`, n.subjectId, n.hadmId, n.noteType ?? 'DS', n.noteSeq ?? 1, '2180-01-01 00:00:00', '2180-01-02 10:00:00', n.text]),
  ]);
}

export interface TestPair {
  taskId: string;
  code: string;
  desc: string;
  gold: string | boolean;
  reasoning?: string;
  spans: string;
}

export function annotationsCsv(pairs: readonly TestPair[], lineEnd = '\n'): string {
  return csvText(
    [ANNOTATION_HEADER, ...pairs.map((p) => [p.taskId, p.code, p.desc, typeof p.gold === 'boolean' ? (p.gold ? 'True' : 'False') : p.gold, p.reasoning ?? 'because', p.spans])],
    lineEnd,
  );
}

export function tempDir(prefix = 'medbench-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, content: string | Buffer, gzip = false): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, gzip ? zlib.gzipSync(content) : content);
  return file;
}

/** `[(start, end)]` of the first occurrence of each quote, in code points (Python offsets). */
export function spansOf(text: string, ...quotes: string[]): string {
  const spans = quotes.map((quote) => {
    const at = text.indexOf(quote);
    if (at < 0) throw new Error(`quote not in text: ${quote}`);
    const start = Array.from(text.slice(0, at)).length;
    return `(${start}, ${start + Array.from(quote).length})`;
  });
  return `[${spans.join(', ')}]`;
}
