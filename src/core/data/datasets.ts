import { UserError } from '../errors';
import type { Db } from '../store/database';
import type { ImportProblem } from './problems';

export interface DatasetSummary {
  name: string;
  pairs: number;
  positives: number;
  negatives: number;
  notes: number;
  createdAt: string;
  updatedAt: string;
  lastImport: { finishedAt: string; format: string; annotationsPath: string; notesPath: string | null; problems: number } | null;
}

export class DatasetNotFoundError extends UserError {}

export function listDatasets(db: Db): DatasetSummary[] {
  const rows = db
    .prepare(
      `SELECT d.id, d.name, d.created_at AS createdAt, d.updated_at AS updatedAt,
         (SELECT count(*) FROM pairs p WHERE p.dataset_id = d.id AND p.removed_at IS NULL) AS pairs,
         (SELECT count(*) FROM pairs p WHERE p.dataset_id = d.id AND p.removed_at IS NULL AND p.gold = 1) AS positives,
         (SELECT count(DISTINCT coalesce(p.admission_note_id, -p.note_id)) FROM pairs p WHERE p.dataset_id = d.id AND p.removed_at IS NULL) AS notes
       FROM datasets d ORDER BY d.name`,
    )
    .all() as (Omit<DatasetSummary, 'negatives' | 'lastImport'> & { id: number })[];
  const lastImport = db.prepare(
    `SELECT i.finished_at AS finishedAt, i.format, i.annotations_path AS annotationsPath, i.notes_path AS notesPath,
       (SELECT count(*) FROM import_problems ip WHERE ip.import_id = i.id) AS problems
     FROM imports i WHERE i.dataset_id = ? ORDER BY i.id DESC LIMIT 1`,
  );
  return rows.map(({ id, ...row }) => ({
    ...row,
    negatives: row.pairs - row.positives,
    lastImport: (lastImport.get(id) as DatasetSummary['lastImport'] | undefined) ?? null,
  }));
}

/**
 * The dataset a command works on: the named one, or the only one there is. With several and no
 * name, the user must choose; guessing would score the wrong benchmark.
 */
export function resolveDataset(db: Db, name?: string): { id: number; name: string } {
  if (name) {
    const row = db.prepare('SELECT id, name FROM datasets WHERE name = ?').get(name) as { id: number; name: string } | undefined;
    if (!row) throw new DatasetNotFoundError(`no dataset named "${name}" in this database (${knownNames(db)})`);
    return row;
  }
  const rows = db.prepare('SELECT id, name FROM datasets ORDER BY name').all() as { id: number; name: string }[];
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) throw new DatasetNotFoundError('no dataset in this database yet: run `medbench import` first');
  throw new DatasetNotFoundError(`this database holds several datasets; choose one with --dataset (${knownNames(db)})`);
}

function knownNames(db: Db): string {
  const names = (db.prepare('SELECT name FROM datasets ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  return names.length === 0 ? 'it has none' : `it has: ${names.join(', ')}`;
}

export function lastImportProblems(db: Db, datasetId: number): ImportProblem[] {
  return db
    .prepare(
      `SELECT kind, row, line, task_id AS taskId, code, detail FROM import_problems
       WHERE import_id = (SELECT max(id) FROM imports WHERE dataset_id = ?) ORDER BY seq`,
    )
    .all(datasetId) as ImportProblem[];
}
