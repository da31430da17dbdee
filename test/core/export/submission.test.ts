import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { createRun, savePrediction, type RunSettings } from '../../../src/core/engine/runs';
import type { AggregatedPrediction } from '../../../src/core/engine/votes';
import { exportSubmission, SUBMISSION_ENTRY, submissionCsv } from '../../../src/core/export/submission';
import { readZip } from '../../helpers/zip';
import { openStore, type Db } from '../../../src/core/store/database';
import { CodePointIndex } from '../../../src/shared/code-points';
import { tempDir } from '../../helpers/mimic-files';

const DEMO = path.resolve('resources/demo');
let dir: string;
let db: Db;

const settings: RunSettings = {
  backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null,
};

function prediction(label: boolean | null, evidence: number[], rationale: string): AggregatedPrediction {
  return {
    status: label === null ? 'invalid' : 'ok', label, rawLabel: null, evidence, rationale, rawOutput: 'raw', error: null,
    promptTokens: 0, reusedTokens: 0, generatedTokens: 0, ms: 1, windows: 1,
  };
}

function sentenceText(noteId: number, sentenceId: number): string {
  const note = db.prepare('SELECT text FROM notes WHERE id = ?').get(noteId) as { text: string };
  const span = db.prepare('SELECT span_start AS start, span_end AS end FROM sentences WHERE note_id = ? AND sentence_id = ?').get(noteId, sentenceId) as { start: number; end: number };
  return new CodePointIndex(note.text).slice(span.start, span.end);
}

/** Minimal RFC 4180 reader for the round trip (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  return rows;
}

let pairs: { id: number; taskId: string; code: string; noteId: number }[];
beforeEach(async () => {
  dir = tempDir('medbench-submission-');
  db = openStore(path.join(dir, 'sub.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
  pairs = db.prepare('SELECT id, task_id AS taskId, code, note_id AS noteId FROM pairs ORDER BY source_row, id LIMIT 4').all() as typeof pairs;
  const datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
  const run = createRun(db, { name: 'r1', datasetId, backend: 'external', settings, manifest: {}, pairIds: pairs.map((p) => p.id) });
  savePrediction(db, run.id, pairs[0]!.id, prediction(true, [3, 1], 'Says "ulcer", with a comma\nand a line break.'), []);
  savePrediction(db, run.id, pairs[1]!.id, prediction(false, [], 'Not documented.'), []);
  savePrediction(db, run.id, pairs[2]!.id, prediction(null, [], ''), []);
  // pairs[3] has no prediction.
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exportSubmission', () => {
  it('writes a ZIP with one CSV row per planned pair, evidence as the cited sentences\' text', () => {
    const out = path.join(dir, 'r1.zip');
    const result = exportSubmission(db, 'r1', out);
    expect(result).toMatchObject({ run: 'r1', dataset: 'demo', out, entry: SUBMISSION_ENTRY, rows: 4, predicted: 2, missing: 1, invalid: 1 });
    const archive = fs.readFileSync(out);
    expect(result.bytes).toBe(archive.length);
    const entries = readZip(archive);
    expect(entries.map((e) => e.name)).toEqual([SUBMISSION_ENTRY]);
    const rows = parseCsv(entries[0]!.data.toString('utf8'));
    expect(rows[0]).toEqual(['task_id', 'code', 'prediction', 'evidence', 'rationale']);
    const [first, second, invalid, missing] = rows.slice(1) as [string[], string[], string[], string[]];
    expect(rows).toHaveLength(5);
    expect(first.slice(0, 3)).toEqual([pairs[0]!.taskId, pairs[0]!.code, 'True']);
    expect(JSON.parse(first[3]!)).toEqual([sentenceText(pairs[0]!.noteId, 3), sentenceText(pairs[0]!.noteId, 1)]);
    expect(first[4]).toBe('Says "ulcer", with a comma\nand a line break.');
    expect(second.slice(2)).toEqual(['False', '[]', 'Not documented.']);
    expect(invalid.slice(2)).toEqual(['False', '[]', '']);
    expect(missing).toEqual([pairs[3]!.taskId, pairs[3]!.code, 'False', '[]', '']);
  });

  it.skipIf(spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status !== 0)('is readable with unzip -p', () => {
    const out = path.join(dir, 'r1.zip');
    exportSubmission(db, 'r1', out);
    const extracted = spawnSync('unzip', ['-p', out, SUBMISSION_ENTRY], { encoding: 'utf8' });
    expect(extracted.status).toBe(0);
    expect(extracted.stdout).toBe(readZip(fs.readFileSync(out))[0]!.data.toString('utf8'));
    expect(extracted.stdout.startsWith('task_id,code,prediction,evidence,rationale\n')).toBe(true);
  });

  it('quotes fields the way Python\'s csv module reads them', () => {
    const csv = submissionCsv([{ taskId: '1_2', code: 'I10', prediction: true, evidence: ['a "b", c', 'd\ne'], rationale: 'x' }]);
    expect(csv).toBe('task_id,code,prediction,evidence,rationale\n1_2,I10,True,"[""a \\""b\\"", c"",""d\\ne""]",x\n');
    expect(JSON.parse(parseCsv(csv)[1]![3]!)).toEqual(['a "b", c', 'd\ne']);
  });

  it('fails on an unknown run without writing anything', () => {
    expect(() => exportSubmission(db, 'nope', path.join(dir, 'x.zip'))).toThrow(/no run named "nope"/);
    expect(fs.existsSync(path.join(dir, 'x.zip'))).toBe(false);
  });
});
