import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { createRun, savePrediction, type RunSettings } from '../../../src/core/engine/runs';
import type { AggregatedPrediction } from '../../../src/core/engine/votes';
import { buildLeaderboard, CompareError, compareTwoRuns } from '../../../src/core/scoring/compare';
import { openStore, type Db } from '../../../src/core/store/database';
import { tempDir } from '../../helpers/mimic-files';

const DEMO = path.resolve('resources/demo');
let dir: string;
let db: Db;
let datasetId: number;
/** The demo's active pairs in file order with gold label and gold sentences. */
let pairs: { id: number; taskId: string; code: string; gold: boolean; goldSentences: number[] }[];

const settings: RunSettings = {
  backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null,
};

function prediction(label: boolean | null, evidence: number[] = []): AggregatedPrediction {
  return {
    status: label === null ? 'invalid' : 'ok', label, rawLabel: label === null ? null : label ? 'True' : 'False', evidence, rationale: 'r', rawOutput: '{}',
    error: label === null ? 'not JSON' : null, promptTokens: 0, reusedTokens: 0, generatedTokens: 0, ms: 1, windows: 1,
  };
}

/** A run over the given pairs; `answer` returns a prediction, or undefined to leave the pair missing. */
function runWith(name: string, planned: typeof pairs, answer: (pair: (typeof pairs)[number], index: number) => AggregatedPrediction | undefined, targetDatasetId = datasetId) {
  const run = createRun(db, { name, datasetId: targetDatasetId, backend: 'external', settings, manifest: {}, pairIds: planned.map((p) => p.id) });
  planned.forEach((pair, i) => {
    const p = answer(pair, i);
    if (p) savePrediction(db, run.id, pair.id, p, []);
  });
  return run;
}

beforeEach(async () => {
  dir = tempDir();
  db = openStore(path.join(dir, 'compare.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
  datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
  pairs = (db.prepare('SELECT id, task_id AS taskId, code, gold FROM pairs WHERE dataset_id = ? ORDER BY source_row, id').all(datasetId) as { id: number; taskId: string; code: string; gold: number }[]).map((p) => ({
    ...p,
    gold: p.gold === 1,
    goldSentences: (db.prepare('SELECT sentence_id AS id FROM gold_sentences WHERE pair_id = ? ORDER BY sentence_id').all(p.id) as { id: number }[]).map((s) => s.id),
  }));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('compareTwoRuns', () => {
  it('computes McNemar, paired differences and disagreements on the common pairs, in the plan order of A', () => {
    const first20 = pairs.slice(0, 20);
    // Indexes (into first20) with gold False, where a missing or invalid answer (scored False) is still right.
    const negatives = first20.map((p, i) => (p.gold ? -1 : i)).filter((i) => i >= 5);
    expect(negatives.length).toBeGreaterThanOrEqual(2);
    const [missingAt, invalidAt] = negatives as [number, number];

    // A: every pair, planned in reverse file order; right everywhere but first20[0]; cites the gold sentences.
    runWith('A', [...pairs].reverse(), (pair) => prediction(pair === first20[0] ? !pair.gold : pair.gold, pair.goldSentences));
    // B: the first 20 only; right on first20[0], wrong on first20[1..4], no evidence, one missing and one invalid (gold False).
    runWith('B', first20, (pair, i) => {
      if (i === missingAt) return undefined;
      if (i === invalidAt) return prediction(null);
      return prediction(i >= 1 && i <= 4 ? !pair.gold : pair.gold);
    });

    const result = compareTwoRuns(db, 'A', 'B', { resamples: 500, seed: 3 });
    expect(result).toMatchObject({ runA: 'A', runB: 'B', dataset: 'demo', n: 20, onlyA: pairs.length - 20, onlyB: 0, b: 4, c: 1, bothWrong: 0, bothCorrect: 15 });
    // Exact two-sided McNemar: 2 * P(X <= 1), X ~ Bin(5, 1/2) = 2 * (1 + 5) / 32.
    expect(result.mcnemarP).toBeCloseTo(0.375, 12);

    // A's F1 by hand: only first20[0] is wrong.
    const positives = first20.filter((p) => p.gold).length;
    const aWrongIsPositive = first20[0]!.gold;
    const aTp = aWrongIsPositive ? positives - 1 : positives;
    const aFp = aWrongIsPositive ? 0 : 1;
    const aFn = aWrongIsPositive ? 1 : 0;
    expect(result.metricsA).toMatchObject({ n: 20, tp: aTp, fp: aFp, fn: aFn });
    expect(result.f1Diff.a).toBeCloseTo((2 * aTp) / (2 * aTp + aFp + aFn), 12);
    expect(result.f1Diff.diff).toBeCloseTo(result.metricsA.f1! - result.metricsB.f1!, 12);
    expect(result.f1Diff.ci[0]).toBeLessThanOrEqual(result.f1Diff.diff);
    expect(result.f1Diff.ci[1]).toBeGreaterThanOrEqual(result.f1Diff.diff);
    expect(result.metricsB).toMatchObject({ missing: 1, invalid: 1 });

    // A cites exactly the gold sentences, B cites none: evidence recall 1 vs 0 on every resample.
    const withEvidence = first20.filter((p) => p.goldSentences.length > 0).length;
    expect(withEvidence).toBeGreaterThan(0);
    expect(result.evidenceRecallDiff).toEqual({ a: 1, b: 0, diff: 1, ci: [1, 1] });

    // Disagreements: the 5 pairs whose scored labels differ, in A's (reversed) plan order.
    const expected = [0, 1, 2, 3, 4].reverse().map((i) => {
      const pair = first20[i]!;
      return {
        pairId: pair.id,
        taskId: pair.taskId,
        code: pair.code,
        gold: pair.gold,
        a: { status: 'ok', label: i === 0 ? !pair.gold : pair.gold, evidence: pair.goldSentences },
        b: { status: 'ok', label: i === 0 ? pair.gold : !pair.gold, evidence: [] },
      };
    });
    expect(result.disagreements).toMatchObject(expected);
    expect(result.disagreements).toHaveLength(result.b + result.c);
  });

  it('shows missing and invalid answers as null when they change the scored label', () => {
    const positive = pairs.filter((p) => p.gold).slice(0, 2);
    runWith('A', positive, (pair) => prediction(true, pair.goldSentences));
    runWith('B', positive, (_pair, i) => (i === 0 ? undefined : prediction(null)));
    const result = compareTwoRuns(db, 'A', 'B', { resamples: 50 });
    expect(result).toMatchObject({ b: 2, c: 0, mcnemarP: 0.5 });
    expect(result.disagreements.map((d) => d.b)).toEqual([
      { status: 'missing', label: null, evidence: null },
      { status: 'invalid', label: null, evidence: null },
    ]);
  });

  it('is deterministic for a seed', () => {
    runWith('A', pairs, (pair) => prediction(pair.gold, pair.goldSentences.slice(0, 1)));
    runWith('B', pairs, (pair, i) => prediction(i % 3 === 0 ? !pair.gold : pair.gold));
    const first = compareTwoRuns(db, 'A', 'B', { resamples: 300, seed: 9 });
    expect(compareTwoRuns(db, 'A', 'B', { resamples: 300, seed: 9 })).toEqual(first);
    expect(first.bootstrap).toEqual({ resamples: 300, seed: 9, level: 0.95 });
  });

  it('refuses the same run twice, runs of different datasets, and plans with no pair in common', async () => {
    runWith('A', pairs.slice(0, 10), (pair) => prediction(pair.gold));
    runWith('B', pairs.slice(10, 20), (pair) => prediction(pair.gold));
    expect(() => compareTwoRuns(db, 'A', 'A')).toThrow(CompareError);
    expect(() => compareTwoRuns(db, 'A', 'B')).toThrow(/share no planned pairs/);
    await importDataset(db, { dataset: 'copy', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
    const copyId = (db.prepare("SELECT id FROM datasets WHERE name = 'copy'").get() as { id: number }).id;
    const copyPairs = (db.prepare('SELECT id FROM pairs WHERE dataset_id = ? ORDER BY source_row').all(copyId) as { id: number }[]).map((p) => ({ ...pairs[0]!, id: p.id }));
    runWith('C', copyPairs.slice(0, 10), () => prediction(true), copyId);
    expect(() => compareTwoRuns(db, 'A', 'C')).toThrow(/different datasets/);
    expect(() => compareTwoRuns(db, 'A', 'nope')).toThrow(/no run named "nope"/);
  });
});

describe('buildLeaderboard', () => {
  it('ranks runs by F1 on the pairs all plan, with McNemar against the best', () => {
    runWith('always-false', pairs, () => prediction(false));
    runWith('perfect', pairs, (pair) => prediction(pair.gold, pair.goldSentences));
    runWith('some-wrong', pairs.slice(0, 40), (pair, i) => prediction(i < 6 ? !pair.gold : pair.gold));
    const board = buildLeaderboard(db, ['always-false', 'perfect', 'some-wrong'], { resamples: 200, seed: 2 });
    expect(board.n).toBe(40);
    expect(board.best).toBe('perfect');
    expect(board.leaderboard.map((r) => [r.rank, r.run])).toEqual([[1, 'perfect'], [2, 'some-wrong'], [3, 'always-false']]);
    const [best, second, third] = board.leaderboard as [typeof board.leaderboard[number], typeof board.leaderboard[number], typeof board.leaderboard[number]];
    expect(best).toMatchObject({ f1: 1, f1Ci: [1, 1], evidenceRecall: 1, vsBest: null });
    // perfect is right everywhere, so b counts the other run's errors and c is 0.
    expect(second.vsBest).toMatchObject({ b: 6, c: 0 });
    expect(second.vsBest!.mcnemarP).toBeCloseTo(2 / 64, 12);
    const positives40 = pairs.slice(0, 40).filter((p) => p.gold).length;
    expect(third).toMatchObject({ f1: 0, tp: 0, fn: positives40, vsBest: { b: positives40, c: 0 } });
    expect(second.f1Ci[0]).toBeLessThanOrEqual(second.f1!);
    expect(second.f1Ci[1]).toBeGreaterThanOrEqual(second.f1!);
  });

  it('breaks F1 ties by evidence recall, then by the order given', () => {
    runWith('no-evidence', pairs, (pair) => prediction(pair.gold));
    runWith('with-evidence', pairs, (pair) => prediction(pair.gold, pair.goldSentences));
    runWith('no-evidence-2', pairs, (pair) => prediction(pair.gold));
    const board = buildLeaderboard(db, ['no-evidence', 'with-evidence', 'no-evidence-2'], { resamples: 20 });
    expect(board.leaderboard.map((r) => r.run)).toEqual(['with-evidence', 'no-evidence', 'no-evidence-2']);
  });
});
