import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import type { ConceptResult, EngineNote, InferenceBackend } from '../../../src/core/engine/backend';
import { createBaselineBackend } from '../../../src/core/engine/backends/baseline/backend';
import { executeRun } from '../../../src/core/engine/runner';
import { claimRun, createRun, getRun, pendingNotes, RunError, savePredictions, type PredictionToSave, type RunSettings } from '../../../src/core/engine/runs';
import { aggregateSamples } from '../../../src/core/engine/votes';
import { scoreRun } from '../../../src/core/scoring/score-run';
import { openStore, type Db } from '../../../src/core/store/database';
import { tempDir } from '../../helpers/mimic-files';

const DEMO = path.resolve('resources/demo');
let dir: string;
let db: Db;
let datasetId: number;

const settings = (overrides: Partial<RunSettings> = {}): RunSettings => ({
  backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null, ...overrides,
});

beforeEach(async () => {
  dir = tempDir();
  db = openStore(path.join(dir, 'run.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
  datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const newRun = (name: string, overrides: Partial<RunSettings> = {}) => createRun(db, { name, datasetId, backend: 'baseline', settings: settings(overrides), manifest: { test: true } });
const predictionCount = (runId: number) => (db.prepare('SELECT count(*) AS n FROM predictions WHERE run_id = ?').get(runId) as { n: number }).n;

/** A backend that answers from a script and can fail or stop after a number of concepts. */
function scriptedBackend(options: { failAfter?: number; abortAfter?: { count: number; controller: AbortController }; invalidPairs?: Set<number> } = {}): InferenceBackend & { seen: number[] } {
  const seen: number[] = [];
  return {
    kind: 'gguf',
    parallelism: 2,
    seen,
    manifest: () => ({ scripted: true }),
    async *predictNote(note: EngineNote): AsyncGenerator<ConceptResult> {
      for (const concept of note.concepts) {
        if (options.failAfter !== undefined && seen.length >= options.failAfter) throw new Error('model crashed');
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(concept.pairId);
        const invalid = options.invalidPairs?.has(concept.pairId) ?? false;
        yield {
          pairId: concept.pairId,
          samples: [{
            sampleIndex: 0, seed: 1, status: invalid ? 'invalid' : 'ok', rawLabel: invalid ? null : 'True', label: invalid ? null : true,
            evidence: invalid ? [] : [note.sentences[0]!.id], rationale: 'scripted', rawOutput: invalid ? 'garbage' : '{}', error: invalid ? 'not JSON' : null,
            promptTokens: 100, reusedTokens: 50, generatedTokens: 10, ms: 1, windows: 1,
          }],
        };
        if (options.abortAfter && seen.length >= options.abortAfter.count) options.abortAfter.controller.abort();
      }
    },
    dispose: async () => {},
  };
}

describe('runs', () => {
  it('freezes a plan in file order, honouring --limit', () => {
    const all = newRun('all');
    const first10 = newRun('first10', { limit: 10 });
    expect(all.planned).toBeGreaterThanOrEqual(40);
    expect(first10.planned).toBe(10);
    const planOf = (id: number) => (db.prepare('SELECT pair_id FROM run_pairs WHERE run_id = ? ORDER BY position').all(id) as { pair_id: number }[]).map((r) => r.pair_id);
    expect(planOf(first10.id)).toEqual(planOf(all.id).slice(0, 10));
    expect(() => newRun('all')).toThrow(/already exists.*--resume all/);
  });

  it('groups pending pairs by note, with the note text and its sentences', () => {
    const run = newRun('grouped');
    const notes = pendingNotes(db, run.id);
    expect(notes.reduce((n, note) => n + note.pairs.length, 0)).toBe(run.planned);
    expect(new Set(notes.map((n) => n.noteKey)).size).toBe(notes.length);
    for (const note of notes) expect(note.sentences.length).toBeGreaterThan(10);
  });

  it('loads each note’s sentences in order, as stored', () => {
    const run = newRun('sentences');
    for (const note of pendingNotes(db, run.id)) {
      const stored = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id').all(note.noteKey);
      expect(note.sentences).toEqual(stored);
    }
  });

  it('commits a batch of predictions all or none, and keeps two databases apart', () => {
    const prediction = (pairId: number): PredictionToSave => {
      const samples = [{ sampleIndex: 0, seed: 1, status: 'ok' as const, rawLabel: 'True', label: true, evidence: [1], rationale: 'r', rawOutput: '{}', error: null, promptTokens: 1, reusedTokens: 0, generatedTokens: 1, ms: 1, windows: 1, probability: 0.9 }];
      return { pairId, prediction: aggregateSamples(samples), samples };
    };
    const run = newRun('batches');
    const [a, b, c] = pendingNotes(db, run.id).flatMap((note) => note.pairs.map((pair) => pair.pairId));
    // The second prediction of pair a breaks UNIQUE (run_id, pair_id): the whole batch rolls back.
    expect(() => savePredictions(db, run.id, [prediction(a!), prediction(b!), prediction(a!)])).toThrow(/UNIQUE/);
    expect(predictionCount(run.id)).toBe(0);
    savePredictions(db, run.id, [prediction(a!), prediction(b!)]);
    expect(predictionCount(run.id)).toBe(2);
    expect((db.prepare('SELECT count(*) AS n FROM prediction_samples s JOIN predictions p ON p.id = s.prediction_id WHERE p.run_id = ?').get(run.id) as { n: number }).n).toBe(2);

    const otherDir = tempDir();
    const other = openStore(path.join(otherDir, 'other.db'));
    try {
      // Statements prepared for one database never write into another: this one has no such run.
      expect(() => savePredictions(other, run.id, [prediction(c!)])).toThrow(/FOREIGN KEY/);
      expect(predictionCount(run.id)).toBe(2);
      savePredictions(db, run.id, [prediction(c!)]);
      expect(predictionCount(run.id)).toBe(3);
    } finally {
      other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('runs the baseline over every pair, one committed prediction each, and scores it', async () => {
    const run = newRun('baseline');
    const result = await executeRun(db, run, createBaselineBackend());
    expect(result).toMatchObject({ status: 'finished', remaining: 0, predicted: run.planned });
    const after = getRun(db, 'baseline');
    expect(after).toMatchObject({ status: 'finished', done: run.planned, invalid: 0 });
    expect(after.finishedAt).not.toBeNull();
    const score = scoreRun(db, 'baseline', { resamples: 500 });
    expect(score.n).toBe(run.planned);
    expect(score.missing).toBe(0);
    expect(score.tp + score.fp + score.fn + score.tn).toBe(run.planned);
    // The baseline is a real matcher: better than chance on the demo set, with some evidence found.
    expect(score.f1).toBeGreaterThan(0.5);
    expect(score.evidenceRecall).toBeGreaterThan(0.2);
    expect(score.f1Ci[0]).toBeLessThanOrEqual(score.f1!);
    expect(score.f1Ci[1]).toBeGreaterThanOrEqual(score.f1!);
  });

  it('a crash mid-run keeps every finished prediction, and resume completes exactly once per pair', async () => {
    const run = newRun('crashy');
    await expect(executeRun(db, run, scriptedBackend({ failAfter: 7 }))).rejects.toThrow('model crashed');
    const failed = getRun(db, 'crashy');
    expect(failed).toMatchObject({ status: 'failed', error: 'model crashed' });
    const kept = predictionCount(run.id);
    expect(kept).toBeGreaterThanOrEqual(7);
    const backend = scriptedBackend();
    const result = await executeRun(db, getRun(db, 'crashy'), backend);
    expect(result.status).toBe('finished');
    expect(backend.seen.length).toBe(run.planned - kept);
    expect(predictionCount(run.id)).toBe(run.planned);
    const duplicates = db.prepare('SELECT pair_id, count(*) AS n FROM predictions WHERE run_id = ? GROUP BY pair_id HAVING n > 1').all(run.id);
    expect(duplicates).toEqual([]);
    // Resuming a finished run does nothing.
    const again = scriptedBackend();
    expect(await executeRun(db, getRun(db, 'crashy'), again)).toMatchObject({ status: 'finished', predicted: 0 });
    expect(again.seen).toEqual([]);
  });

  it('stops cleanly on abort and reports what is left', async () => {
    const run = newRun('stopped');
    const controller = new AbortController();
    const result = await executeRun(db, run, scriptedBackend({ abortAfter: { count: 5, controller } }), { signal: controller.signal });
    expect(result.status).toBe('stopped');
    expect(result.remaining).toBe(run.planned - result.predicted);
    expect(getRun(db, 'stopped').status).toBe('stopped');
    expect(predictionCount(run.id)).toBe(result.predicted);
  });

  it('stores invalid outputs as invalid, and scoring counts them', async () => {
    const run = newRun('invalids', { limit: 6 });
    const planIds = (db.prepare('SELECT pair_id FROM run_pairs WHERE run_id = ? ORDER BY position').all(run.id) as { pair_id: number }[]).map((r) => r.pair_id);
    await executeRun(db, run, scriptedBackend({ invalidPairs: new Set(planIds.slice(0, 2)) }));
    expect(getRun(db, 'invalids')).toMatchObject({ done: 6, invalid: 2 });
    expect(scoreRun(db, 'invalids', { resamples: 100 })).toMatchObject({ n: 6, invalid: 2, missing: 0 });
  });

  it('refuses a second live writer of the same run', () => {
    const run = newRun('owned');
    // The test runner's parent process is alive and is not us.
    claimRun(db, run.id, process.ppid);
    expect(() => claimRun(db, run.id)).toThrow(RunError);
    expect(() => claimRun(db, run.id)).toThrow(/another medbench process/);
  });

  it('sums token counts and reports progress', async () => {
    const run = newRun('tokens', { limit: 4 });
    const seen: number[] = [];
    await executeRun(db, run, scriptedBackend(), { onProgress: (p) => seen.push(p.done) });
    expect(seen.at(-1)).toBe(4);
    expect(getRun(db, 'tokens')).toMatchObject({ promptTokens: 400, reusedTokens: 200, generatedTokens: 40 });
  });
});
