import fs from 'node:fs';
import path from 'node:path';
import { recordAudit, statFile } from '../audit';
import { resolveDataset } from '../data/datasets';
import { sha256Hex } from '../data/input-file';
import { csvCell } from '../export/csv-cell';
import { formatSpanList } from '../data/spans';
import { UserError } from '../errors';
import type { Db } from '../store/database';
import { finalLabels, type FinalStatus } from './workspace';

/**
 * `medbench export NAME --format dataset-raw`: the annotated set in MedicalBench's own
 * dataset_raw.csv format (task_id subject_hadm, code with its dot, desc, gold True/False,
 * reasoning_summary, evidence_spans as a Python list of (start, end) code-point tuples), so this
 * app's import - or the benchmark's mimic_data.py - reads it back with the user's notes. Note text
 * never goes into it. Only pairs with a verified label are written: both annotators agreed, or an
 * adjudicator decided; unresolvable, still disputed and unfinished pairs are left out and counted.
 *
 * Cells go through csvCell, the one formula neutraliser of every CSV MedBench writes: researchers
 * open dataset_raw.csv in spreadsheets, and a rationale starting with = + - @ would run as a formula
 * there. The interplay with the import: such a rationale comes back with a leading apostrophe
 * (the import keeps text as written); task ids, codes (with their dot), descriptions (ICD titles),
 * gold labels and the span list never start with those characters, so pairs, gold sentences and
 * evidence text round-trip exactly.
 */
export const DATASET_RAW_COLUMNS = ['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans'] as const;

export interface DatasetRawExport {
  dataset: string;
  out: string;
  bytes: number;
  rows: number;
  positives: number;
  negatives: number;
  excluded: Record<Exclude<FinalStatus, 'agreed' | 'adjudicated'>, number>;
}

export class ExportError extends UserError {}

export function exportDatasetRaw(db: Db, datasetName: string, out: string): DatasetRawExport {
  const dataset = resolveDataset(db, datasetName);
  const hasSetup = db.prepare('SELECT 1 FROM annotation_setups WHERE dataset_id = ?').get(dataset.id);
  if (!hasSetup) throw new ExportError(`dataset "${dataset.name}" has no annotation yet: set it up with medbench annotate setup ${dataset.name} --annotators A,B`);
  const final = finalLabels(db, dataset.name);
  const excluded = { unresolvable: 0, disagreement: 0, incomplete: 0 };
  const lines = [DATASET_RAW_COLUMNS.join(',')];
  let positives = 0;
  for (const pair of final) {
    if (pair.status !== 'agreed' && pair.status !== 'adjudicated') {
      excluded[pair.status]++;
      continue;
    }
    if (pair.gold) positives++;
    lines.push([pair.taskId, pair.code, pair.desc, pair.gold ? 'True' : 'False', pair.reasoning, formatSpanList(pair.spans)].map(csvCell).join(','));
  }
  const rows = lines.length - 1;
  if (rows === 0) throw new ExportError(`dataset "${dataset.name}" has no pair with a verified label yet (${excluded.incomplete} unfinished, ${excluded.disagreement} awaiting adjudication, ${excluded.unresolvable} unresolvable)`);
  const content = `${lines.join('\n')}\n`;
  const target = path.resolve(out);
  writeAtomic(target, content);
  recordAudit(db, { kind: 'export', subject: dataset.name, outputs: [statFile('dataset-raw', target, sha256Hex(content))], facts: { format: 'dataset-raw', rows, ...excluded } });
  return { dataset: dataset.name, out: target, bytes: Buffer.byteLength(content), rows, positives, negatives: rows - positives, excluded };
}

/** Written beside the target and renamed over it: a reader never sees half a file. */
function writeAtomic(target: string, content: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, content, { flag: 'w', mode: 0o644 });
    const fd = fs.openSync(temporary, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (error as Error).message;
    throw new ExportError(`cannot write ${target}: ${reason}`);
  }
}
