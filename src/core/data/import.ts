import path from 'node:path';
import { recordAudit, statFile, type AuditEventInput } from '../audit';
import type { Db } from '../store/database';
import { describeSqliteError } from '../store/errors';
import { CodePointIndex } from '../../shared/code-points';
import { noteSentences, sentencesOverlapping, SEGMENTER_VERSION, type NoteSentence } from '../text/note-sentences';
import { problemAt, readAnnotations, type AnnotationFormat, type AnnotationRow } from './annotations';
import { InputFileError, sha256Hex, type ReadProgress } from './input-file';
import { scanNotes, type NoteRecord } from './notes-file';
import type { ImportProblem } from './problems';
import type { Span } from './spans';

export const DEFAULT_DATASET = 'medicalbench';

export interface ImportOptions {
  /** Dataset name in the database; re-importing under the same name updates it. */
  dataset?: string;
  annotations: string;
  format: AnnotationFormat;
  /** MIMIC-IV-Note discharge.csv[.gz]; required for the raw format. */
  notes?: string;
  onProgress?: (progress: ImportProgress) => void;
}

export type ImportProgress =
  | { phase: 'annotations' }
  | ({ phase: 'notes'; scanned: number; kept: number } & ReadProgress)
  | { phase: 'storing'; pairs: number };

export interface ImportReport {
  dataset: string;
  /** new: first import; unchanged: identical content, nothing written; changed: pairs added/updated/retired. */
  outcome: 'new' | 'unchanged' | 'changed';
  pairs: number;
  positives: number;
  negatives: number;
  notes: number;
  problems: ImportProblem[];
  added: number;
  updated: number;
  removed: number;
  notesScanned: number;
  /** Admissions with several discharge notes, where the highest note_seq was used. */
  multipleNotes: number;
  annotationsSha256: string;
  seconds: number;
}

interface PreparedNote {
  record: NoteRecord;
  sha256: string;
  length: number;
  sentences: NoteSentence[];
}

interface PreparedPair {
  row: AnnotationRow;
  note: PreparedNote;
  spans: (Span & { text: string })[];
  goldSentences: number[];
}

/**
 * Joins MedicalBench annotations with the user's own notes and stores the valid pairs, their gold
 * evidence text and gold sentences in one transaction: a failure or a kill leaves the previous
 * state, an identical re-import writes nothing, and pairs dropped from a changed file are retired
 * rather than deleted so that predictions made on them survive.
 */
export async function importDataset(db: Db, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const dataset = options.dataset ?? DEFAULT_DATASET;
  if (options.format === 'raw' && !options.notes) {
    throw new InputFileError(options.annotations, 'the notes file (MIMIC-IV-Note discharge.csv.gz) is needed with dataset_raw.csv: pass --notes');
  }
  options.onProgress?.({ phase: 'annotations' });
  const annotations = await readAnnotations(options.annotations, options.format);
  const problems = [...annotations.problems];

  const notesByHadm = new Map<string, PreparedNote>();
  let notesScanned = 0;
  let multipleNotes = 0;
  const notesFile = options.notes ? path.resolve(options.notes) : null;
  if (options.format === 'raw') {
    const scan = await scanNotes(
      options.notes!,
      new Set(annotations.rows.map((row) => row.hadmId)),
      options.onProgress && ((progress) => options.onProgress!({ phase: 'notes', ...progress })),
    );
    notesScanned = scan.scanned;
    multipleNotes = scan.multipleNotes.length;
    for (const [hadmId, record] of scan.notes) notesByHadm.set(hadmId, prepareNote(record));
  }

  const pairs: PreparedPair[] = [];
  for (const row of annotations.rows) {
    let note: PreparedNote | undefined;
    if (options.format === 'processed') {
      note = notesByHadm.get(row.hadmId);
      if (note && note.record.text !== row.text) {
        problems.push(problemAt(row, 'bad-row', row.taskId, row.code, 'text differs from an earlier row of the same task_id'));
        continue;
      }
      if (!note) {
        note = prepareNote({ noteId: null, subjectId: row.subjectId, hadmId: row.hadmId, noteType: 'DS', noteSeq: null, charttime: null, storetime: null, text: row.text! });
        notesByHadm.set(row.hadmId, note);
      }
    } else {
      note = notesByHadm.get(row.hadmId);
      if (!note) {
        problems.push(problemAt(row, 'missing-note', row.taskId, row.code, `no discharge note for hadm_id ${row.hadmId} in ${path.basename(options.notes!)}`));
        continue;
      }
      if (note.record.subjectId !== row.subjectId) {
        problems.push(
          problemAt(row, 'missing-note', row.taskId, row.code, `the note of hadm_id ${row.hadmId} belongs to subject_id ${note.record.subjectId}, not ${row.subjectId}`),
        );
        continue;
      }
    }
    const spanProblem = checkSpans(row.spans, note.length);
    if (spanProblem) {
      problems.push(problemAt(row, 'span-out-of-range', row.taskId, row.code, spanProblem));
      continue;
    }
    const index = new CodePointIndex(note.record.text);
    pairs.push({
      row,
      note,
      spans: row.spans.map((span) => ({ ...span, text: index.slice(span.start, span.end) })),
      goldSentences: sentencesOverlapping(note.sentences, row.spans),
    });
  }
  problems.sort((a, b) => a.row - b.row);

  const contentSha256 = fingerprint(pairs);
  const positives = pairs.filter((pair) => pair.row.gold).length;
  // Notes, not distinct texts: admissions whose notes share a text are still each their own note (migration 0005).
  const usedNotes = new Set(pairs.map((pair) => admissionNoteKey(pair.note.record)));
  const report: ImportReport = {
    dataset,
    outcome: 'unchanged',
    pairs: pairs.length,
    positives,
    negatives: pairs.length - positives,
    notes: usedNotes.size,
    problems,
    added: 0,
    updated: 0,
    removed: 0,
    notesScanned,
    multipleNotes,
    annotationsSha256: annotations.sha256,
    seconds: 0,
  };

  const previous = db
    .prepare(
      `SELECT i.content_sha256 AS sha FROM imports i JOIN datasets d ON d.id = i.dataset_id
       WHERE d.name = ? ORDER BY i.id DESC LIMIT 1`,
    )
    .get(dataset) as { sha: string } | undefined;
  try {
    if (previous?.sha !== contentSha256) {
      options.onProgress?.({ phase: 'storing', pairs: pairs.length });
      // The import and its audit entry commit together: no unaudited import, no audit of a rolled-back one.
      db.transaction(() => {
        const counts = storeImport(db, {
          dataset,
          pairs,
          problems,
          format: options.format,
          annotationsPath: path.resolve(options.annotations),
          annotationsSha256: annotations.sha256,
          annotationsBytes: annotations.bytes,
          notesPath: notesFile,
          contentSha256,
          isNew: previous === undefined,
        });
        Object.assign(report, counts, { outcome: previous === undefined ? 'new' : 'changed' });
        recordAudit(db, importAudit(options, notesFile, contentSha256, report));
      }).immediate();
    } else {
      recordAudit(db, importAudit(options, notesFile, contentSha256, report));
    }
  } catch (error) {
    // A locked, read-only or full database gets a message naming it instead of a raw SQLite code.
    throw describeSqliteError(error, db.name);
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Every successful import attempt, identical re-imports included, is audited with its inputs' hashes. */
function importAudit(options: ImportOptions, notesFile: string | null, contentSha256: string, report: ImportReport): AuditEventInput {
  return {
    kind: 'import',
    subject: report.dataset,
    // The notes file is not hashed: that would be a second pass over gigabytes. The hashes of the notes kept are in the notes table.
    inputs: [statFile('annotations', options.annotations, report.annotationsSha256), ...(notesFile ? [statFile('notes', notesFile)] : [])],
    facts: {
      format: options.format,
      outcome: report.outcome,
      contentSha256,
      pairs: report.pairs,
      notes: report.notes,
      problems: report.problems.length,
      added: report.added,
      updated: report.updated,
      removed: report.removed,
    },
  };
}

function prepareNote(record: NoteRecord): PreparedNote {
  const index = new CodePointIndex(record.text);
  return { record, sha256: sha256Hex(record.text), length: index.length, sentences: noteSentences(record.text, index) };
}

function checkSpans(spans: readonly Span[], length: number): string | null {
  for (const { start, end } of spans) {
    const shown = `(${start}, ${end})`;
    if (start < 0 || end < 0) return `span ${shown} has a negative offset`;
    if (start > end) return `span ${shown} ends before it starts`;
    if (start === end) return `span ${shown} is empty`;
    if (end > length) return `span ${shown} ends past the end of the note (${length} characters)`;
  }
  return null;
}

/** What the import would store; equal fingerprints mean a re-import has nothing to change. */
function fingerprint(pairs: readonly PreparedPair[]): string {
  const canonical = pairs.map((pair) => [
    pair.row.taskId,
    pair.row.code,
    pair.row.desc,
    pair.row.gold,
    pair.row.reasoningSummary,
    pair.row.row,
    pair.row.spans.map((span) => [span.start, span.end]),
    pair.note.sha256,
    pair.note.record.noteId,
    SEGMENTER_VERSION,
  ]);
  return sha256Hex(JSON.stringify(canonical));
}

interface StoreImportInput {
  dataset: string;
  pairs: readonly PreparedPair[];
  problems: readonly ImportProblem[];
  format: AnnotationFormat;
  annotationsPath: string;
  annotationsSha256: string;
  annotationsBytes: number;
  notesPath: string | null;
  contentSha256: string;
  isNew: boolean;
}

function storeImport(db: Db, input: StoreImportInput): { added: number; updated: number; removed: number } {
  const now = new Date().toISOString();
  const upsertDataset = db.prepare(
    `INSERT INTO datasets (name, created_at, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at RETURNING id`,
  );
  const findNote = db.prepare('SELECT id, segmenter_version AS version FROM notes WHERE text_sha256 = ?');
  const insertNote = db.prepare(
    `INSERT INTO notes (text_sha256, note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text, length, segmenter_version)
     VALUES (@sha256, @noteId, @subjectId, @hadmId, @noteType, @noteSeq, @charttime, @storetime, @text, @length, @version) RETURNING id`,
  );
  const setNoteVersion = db.prepare('UPDATE notes SET segmenter_version = ? WHERE id = ?');
  // Each admission's own note (note_id and metadata) over the shared text row.
  const upsertAdmissionNote = db.prepare(
    `INSERT INTO admission_notes (note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text_id)
     VALUES (@noteId, @subjectId, @hadmId, @noteType, @noteSeq, @charttime, @storetime, @textId)
     ON CONFLICT(note_id) DO UPDATE SET subject_id = excluded.subject_id, hadm_id = excluded.hadm_id, note_type = excluded.note_type,
       note_seq = excluded.note_seq, charttime = excluded.charttime, storetime = excluded.storetime, text_id = excluded.text_id
     RETURNING id`,
  );
  const findAdmissionNoteWithoutId = db.prepare('SELECT id FROM admission_notes WHERE note_id IS NULL AND hadm_id IS ? AND text_id = ?');
  const insertAdmissionNoteWithoutId = db.prepare(
    `INSERT INTO admission_notes (note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text_id)
     VALUES (NULL, @subjectId, @hadmId, @noteType, @noteSeq, @charttime, @storetime, @textId) RETURNING id`,
  );
  const linkAdmissionNote = db.prepare('UPDATE pairs SET admission_note_id = ? WHERE id = ? AND admission_note_id IS NOT ?');
  const admissionNoteIds = new Map<string, number>();
  const admissionNoteOf = (record: NoteRecord, textId: number): number => {
    const key = admissionNoteKey(record);
    const known = admissionNoteIds.get(key);
    if (known !== undefined) return known;
    const values = { subjectId: record.subjectId, hadmId: record.hadmId, noteType: record.noteType, noteSeq: record.noteSeq, charttime: record.charttime, storetime: record.storetime, textId };
    const id =
      record.noteId !== null
        ? (upsertAdmissionNote.get({ ...values, noteId: record.noteId }) as { id: number }).id
        : ((findAdmissionNoteWithoutId.get(record.hadmId, textId) as { id: number } | undefined)?.id ?? (insertAdmissionNoteWithoutId.get(values) as { id: number }).id);
    admissionNoteIds.set(key, id);
    return id;
  };
  const deleteSentences = db.prepare('DELETE FROM sentences WHERE note_id = ?');
  const insertSentence = db.prepare('INSERT INTO sentences (note_id, sentence_id, span_start, span_end) VALUES (?, ?, ?, ?)');
  const existingPairs = db.prepare(
    'SELECT id, task_id AS taskId, code, desc, gold, reasoning_summary AS reasoning, note_id AS noteId, source_row AS sourceRow, removed_at AS removedAt FROM pairs WHERE dataset_id = ?',
  );
  const spansOf = db.prepare('SELECT span_start AS start, span_end AS end FROM gold_spans WHERE pair_id = ? ORDER BY seq');
  const insertPair = db.prepare(
    `INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const updatePair = db.prepare(
    'UPDATE pairs SET desc = ?, gold = ?, reasoning_summary = ?, note_id = ?, source_row = ?, removed_at = NULL WHERE id = ?',
  );
  const moveRow = db.prepare('UPDATE pairs SET source_row = ? WHERE id = ?');
  const retirePair = db.prepare('UPDATE pairs SET removed_at = ? WHERE id = ?');
  const deleteSpans = db.prepare('DELETE FROM gold_spans WHERE pair_id = ?');
  const insertSpan = db.prepare('INSERT INTO gold_spans (pair_id, seq, span_start, span_end, text) VALUES (?, ?, ?, ?, ?)');
  const deleteGoldSentences = db.prepare('DELETE FROM gold_sentences WHERE pair_id = ?');
  const insertGoldSentence = db.prepare('INSERT INTO gold_sentences (pair_id, sentence_id) VALUES (?, ?)');
  const insertImport = db.prepare(
    `INSERT INTO imports (dataset_id, finished_at, format, annotations_path, annotations_sha256, annotations_bytes, notes_path, notes_bytes,
       content_sha256, outcome, pairs, added, updated, removed)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertProblem = db.prepare(
    'INSERT INTO import_problems (import_id, seq, kind, row, line, task_id, code, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  return db
    .transaction(() => {
      const { id: datasetId } = upsertDataset.get(input.dataset, now, now) as { id: number };
      const noteIds = new Map<string, number>();
      for (const pair of input.pairs) {
        const note = pair.note;
        if (noteIds.has(note.sha256)) continue;
        const found = findNote.get(note.sha256) as { id: number; version: number } | undefined;
        let noteId: number;
        if (found) {
          noteId = found.id;
          if (found.version === SEGMENTER_VERSION) {
            noteIds.set(note.sha256, noteId);
            continue;
          }
          deleteSentences.run(noteId);
          setNoteVersion.run(SEGMENTER_VERSION, noteId);
        } else {
          const r = note.record;
          noteId = (
            insertNote.get({
              sha256: note.sha256,
              noteId: r.noteId,
              subjectId: r.subjectId,
              hadmId: r.hadmId,
              noteType: r.noteType,
              noteSeq: r.noteSeq,
              charttime: r.charttime,
              storetime: r.storetime,
              text: r.text,
              length: note.length,
              version: SEGMENTER_VERSION,
            }) as { id: number }
          ).id;
        }
        for (const sentence of note.sentences) insertSentence.run(noteId, sentence.id, sentence.start, sentence.end);
        noteIds.set(note.sha256, noteId);
      }

      type StoredPair = { id: number; taskId: string; code: string; desc: string; gold: number; reasoning: string; noteId: number; sourceRow: number; removedAt: string | null };
      const stored = new Map<string, StoredPair>();
      for (const row of existingPairs.all(datasetId) as StoredPair[]) stored.set(`${row.taskId}\u0000${row.code}`, row);
      let added = 0;
      let updated = 0;
      let removed = 0;
      const writeEvidence = (pairId: number, pair: PreparedPair) => {
        pair.spans.forEach((span, seq) => insertSpan.run(pairId, seq, span.start, span.end, span.text));
        for (const sentenceId of pair.goldSentences) insertGoldSentence.run(pairId, sentenceId);
      };
      for (const pair of input.pairs) {
        const key = `${pair.row.taskId}\u0000${pair.row.code}`;
        const noteId = noteIds.get(pair.note.sha256)!;
        const admissionNoteId = admissionNoteOf(pair.note.record, noteId);
        const previous = stored.get(key);
        stored.delete(key);
        const gold = pair.row.gold ? 1 : 0;
        if (!previous) {
          const { id } = insertPair.get(datasetId, pair.row.taskId, pair.row.code, pair.row.desc, gold, pair.row.reasoningSummary, noteId, pair.row.row) as { id: number };
          linkAdmissionNote.run(admissionNoteId, id, admissionNoteId);
          writeEvidence(id, pair);
          added++;
          continue;
        }
        linkAdmissionNote.run(admissionNoteId, previous.id, admissionNoteId);
        const previousSpans = spansOf.all(previous.id) as Span[];
        const same =
          previous.desc === pair.row.desc &&
          previous.gold === gold &&
          previous.reasoning === pair.row.reasoningSummary &&
          previous.noteId === noteId &&
          previous.removedAt === null &&
          JSON.stringify(previousSpans) === JSON.stringify(pair.row.spans.map(({ start, end }) => ({ start, end })));
        if (same) {
          // A row that only moved in the file keeps its content; only the order changes.
          if (previous.sourceRow !== pair.row.row) moveRow.run(pair.row.row, previous.id);
          continue;
        }
        updatePair.run(pair.row.desc, gold, pair.row.reasoningSummary, noteId, pair.row.row, previous.id);
        deleteSpans.run(previous.id);
        deleteGoldSentences.run(previous.id);
        writeEvidence(previous.id, pair);
        updated++;
      }
      for (const leftover of stored.values()) {
        if (leftover.removedAt !== null) continue;
        retirePair.run(now, leftover.id);
        removed++;
      }
      const { id: importId } = insertImport.get(
        datasetId,
        now,
        input.format,
        input.annotationsPath,
        input.annotationsSha256,
        input.annotationsBytes,
        input.notesPath,
        input.contentSha256,
        input.isNew ? 'new' : 'changed',
        input.pairs.length,
        added,
        updated,
        removed,
      ) as { id: number };
      input.problems.forEach((p, seq) => insertProblem.run(importId, seq, p.kind, p.row, p.line, p.taskId, p.code, p.detail));
      return { added, updated, removed };
    })
    .immediate();
}

/** What identifies an admission's note: MIMIC's note_id, or (without one, the processed CSV) its admission. */
function admissionNoteKey(record: NoteRecord): string {
  return record.noteId !== null ? `note:${record.noteId}` : `hadm:${record.hadmId}`;
}
