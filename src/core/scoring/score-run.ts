import type { Db } from '../store/database';
import { getRun } from '../engine/runs';
import { bootstrapCi, type BootstrapOptions, type Interval } from './bootstrap';
import { breakdown, computeMetrics, type BreakdownDimension, type Metrics, type ScoredPair } from './metrics';

/** The run's planned pairs with gold and prediction, in plan order: the input of every statistic. */
export function scoredPairsOfRun(db: Db, runId: number): ScoredPair[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.task_id AS taskId, p.code, p.gold, pr.status, pr.label, pr.evidence_json AS evidenceJson,
         (SELECT json_group_array(sentence_id) FROM (SELECT sentence_id FROM gold_sentences g WHERE g.pair_id = p.id ORDER BY sentence_id)) AS goldJson
       FROM run_pairs rp
       JOIN pairs p ON p.id = rp.pair_id
       LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id
       WHERE rp.run_id = ? ORDER BY rp.position`,
    )
    .all(runId) as { id: number; taskId: string; code: string; gold: number; status: 'ok' | 'invalid' | null; label: number | null; evidenceJson: string | null; goldJson: string }[];
  return rows.map((row) => ({
    key: `${row.taskId}|${row.code}`,
    code: row.code,
    gold: row.gold === 1,
    goldSentences: JSON.parse(row.goldJson) as number[],
    status: row.status ?? 'missing',
    predicted: row.label === 1,
    predictedSentences: row.evidenceJson ? (JSON.parse(row.evidenceJson) as number[]) : [],
  }));
}

export interface RunScore extends Metrics {
  name: string;
  dataset: string;
  status: string;
  precisionCi: Interval;
  recallCi: Interval;
  f1Ci: Interval;
  evidenceRecallCi: Interval | null;
  bootstrap: { resamples: number; seed: number; level: number };
  breakdown?: { by: BreakdownDimension; groups: { group: string; metrics: Metrics }[] };
}

/**
 * The official MedicalBench metrics over a run's planned pairs (pairs without a prediction count
 * as predicted False with no evidence), with percentile bootstrap intervals.
 */
export function scoreRun(db: Db, name: string, options: BootstrapOptions & { by?: BreakdownDimension } = {}): RunScore {
  const run = getRun(db, name);
  const pairs = scoredPairsOfRun(db, run.id);
  const metrics = computeMetrics(pairs);
  const ci = bootstrapCi(pairs, options);
  return {
    name: run.name,
    dataset: run.dataset,
    status: run.status,
    ...metrics,
    precisionCi: ci.precision,
    recallCi: ci.recall,
    f1Ci: ci.f1,
    evidenceRecallCi: ci.evidenceRecall,
    bootstrap: { resamples: ci.resamples, seed: ci.seed, level: ci.level },
    ...(options.by ? { breakdown: { by: options.by, groups: breakdown(pairs, options.by) } } : {}),
  };
}
