/** A temporary database holding the demo dataset, and runs with chosen answers: for scoring, compare and API tests. */
import fs from 'node:fs';
import path from 'node:path';
import { importDataset } from '../../src/core/data/import';
import { createRun, savePrediction, type RunRecord, type RunSettings } from '../../src/core/engine/runs';
import type { AggregatedPrediction } from '../../src/core/engine/votes';
import { openStore, type Db } from '../../src/core/store/database';
import { tempDir } from './mimic-files';

export interface FixturePair {
  id: number;
  taskId: string;
  code: string;
  gold: boolean;
  goldSentences: number[];
}

export const FIXTURE_SETTINGS: RunSettings = {
  backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null,
};

export function answer(label: boolean | null, evidence: number[] = [], rawOutput?: string): AggregatedPrediction {
  const rawLabel = label === null ? null : label ? 'True' : 'False';
  return {
    status: label === null ? 'invalid' : 'ok', label, rawLabel, evidence, rationale: 'r',
    rawOutput: rawOutput ?? JSON.stringify({ label: rawLabel, evidence: evidence.map((id) => `S${id}`), rationale: 'r' }),
    error: label === null ? 'not JSON' : null, promptTokens: 0, reusedTokens: 0, generatedTokens: 0, ms: 1, windows: 1,
  };
}

export interface RunsFixture {
  dir: string;
  dbPath: string;
  db: Db;
  datasetId: number;
  pairs: FixturePair[];
  /** A run over `planned`; `respond` gives an answer, or undefined to leave the pair missing. */
  runWith(name: string, planned: readonly FixturePair[], respond: (pair: FixturePair, index: number) => AggregatedPrediction | undefined, options?: { backend?: RunRecord['backend']; settings?: Partial<RunSettings>; manifest?: Record<string, unknown> }): RunRecord;
  close(): void;
}

export async function createRunsFixture(): Promise<RunsFixture> {
  const demo = path.resolve('resources/demo');
  const dir = tempDir();
  const dbPath = path.join(dir, 'fixture.db');
  const db = openStore(dbPath);
  await importDataset(db, { dataset: 'demo', annotations: path.join(demo, 'dataset_raw.csv'), notes: path.join(demo, 'discharge.csv.gz'), format: 'raw' });
  const datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
  const pairs = (db.prepare('SELECT id, task_id AS taskId, code, gold FROM pairs WHERE dataset_id = ? ORDER BY source_row, id').all(datasetId) as { id: number; taskId: string; code: string; gold: number }[]).map((p) => ({
    ...p,
    gold: p.gold === 1,
    goldSentences: (db.prepare('SELECT sentence_id AS id FROM gold_sentences WHERE pair_id = ? ORDER BY sentence_id').all(p.id) as { id: number }[]).map((s) => s.id),
  }));
  return {
    dir,
    dbPath,
    db,
    datasetId,
    pairs,
    runWith(name, planned, respond, options = {}) {
      const backend = options.backend ?? 'external';
      const run = createRun(db, { name, datasetId, backend, settings: { ...FIXTURE_SETTINGS, ...options.settings }, manifest: options.manifest ?? {}, pairIds: planned.map((p) => p.id) });
      planned.forEach((pair, i) => {
        const p = respond(pair, i);
        if (p) savePrediction(db, run.id, pair.id, p, []);
      });
      // A finished run when every pair has an answer, as the runner would leave it.
      const done = (db.prepare('SELECT count(*) AS n FROM predictions WHERE run_id = ?').get(run.id) as { n: number }).n;
      db.prepare('UPDATE runs SET status = ? WHERE id = ?').run(done === planned.length ? 'finished' : 'stopped', run.id);
      return run;
    },
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
