import { readCsvTable } from './csv-table';
import { InputFileError, type ReadProgress } from './input-file';

export interface NoteRecord {
  noteId: string | null;
  subjectId: string;
  hadmId: string;
  noteType: string | null;
  noteSeq: number | null;
  charttime: string | null;
  storetime: string | null;
  text: string;
}

export interface NotesScan {
  /** The chosen discharge note per wanted hadm_id. */
  notes: Map<string, NoteRecord>;
  /** Rows read from the file. */
  scanned: number;
  /** hadm_ids for which several discharge notes existed (the highest note_seq was kept). */
  multipleNotes: string[];
  fileBytes: number;
  contentBytes: number;
  gzip: boolean;
}

export const NOTES_COLUMNS = ['subject_id', 'hadm_id', 'text'] as const;

/**
 * Streams MIMIC-IV-Note's discharge.csv[.gz] once, keeping only the notes of the wanted
 * admissions: the 3 GB file is never held in memory, and a note's text is decoded only when kept.
 * When an admission has several discharge notes, the one with the highest note_seq wins.
 */
export async function scanNotes(
  file: string,
  wantedHadmIds: ReadonlySet<string>,
  onProgress?: (progress: ReadProgress & { scanned: number; kept: number }) => void,
): Promise<NotesScan> {
  const notes = new Map<string, NoteRecord>();
  const multiple = new Set<string>();
  let scanned = 0;
  const result = await readCsvTable(
    file,
    NOTES_COLUMNS,
    (row) => {
      scanned++;
      const hadmId = row.get('hadm_id').trim();
      if (!wantedHadmIds.has(hadmId)) return;
      const noteType = row.has('note_type') ? row.get('note_type').trim() : null;
      // discharge.csv holds only DS notes; another note type under the same admission is not a discharge summary.
      if (noteType !== null && noteType !== '' && noteType.toUpperCase() !== 'DS') return;
      const noteSeqText = row.has('note_seq') ? row.get('note_seq').trim() : '';
      const noteSeq = noteSeqText === '' ? null : Number(noteSeqText);
      const previous = notes.get(hadmId);
      if (previous) {
        multiple.add(hadmId);
        if ((previous.noteSeq ?? -Infinity) >= (noteSeq ?? -Infinity)) return;
      }
      let text: string;
      try {
        text = row.get('text');
      } catch (error) {
        throw new InputFileError(file, `row ${row.row} (hadm_id ${hadmId}): ${(error as Error).message}`);
      }
      notes.set(hadmId, {
        noteId: optional(row.has('note_id') ? row.get('note_id') : ''),
        subjectId: row.get('subject_id').trim(),
        hadmId,
        noteType,
        noteSeq: Number.isFinite(noteSeq) ? noteSeq : null,
        charttime: optional(row.has('charttime') ? row.get('charttime') : ''),
        storetime: optional(row.has('storetime') ? row.get('storetime') : ''),
        text,
      });
    },
    { onProgress: onProgress && ((progress) => onProgress({ ...progress, scanned, kept: notes.size })) },
  );
  return {
    notes,
    scanned,
    multipleNotes: [...multiple],
    fileBytes: result.fileBytes,
    contentBytes: result.contentBytes,
    gzip: result.gzip,
  };
}

function optional(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
