import type { Db } from '../store/database';
import { getRun } from '../engine/runs';
import { bootstrapCi, type BootstrapOptions, type Interval } from './bootstrap';
import { breakdown, computeMetrics, type BreakdownDimension, type Metrics, type ScoredPair } from './metrics';
import type { RunWarning } from '../../shared/contract';
import { plannedPairIds, referenceRows, scoreWarnings, withSmallN, type ReferenceRow } from './trust';
import { runState, runWarnings } from '../engine/run-lifecycle';
import type { ProbabilityScore } from './curves';
import { scoreRunProbabilities } from './score-probabilities';

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

/** With ProbabilityScore: AUROC, average precision, sweep and calibration over the pairs that have a probability (curves.ts). */
export interface RunScore extends Metrics, ProbabilityScore {
  name: string;
  dataset: string;
  status: string;
  precisionCi: Interval;
  recallCi: Interval;
  f1Ci: Interval;
  evidenceRecallCi: Interval | null;
  bootstrap: { resamples: number; seed: number; level: number };
  breakdown?: { by: BreakdownDimension; groups: { group: string; metrics: Metrics; smallN: boolean }[] };
  /** Degenerate run, small n, interrupted, imported: see trust.ts. */
  warnings: RunWarning[];
  /** Always True, always False and the baseline on the same pairs. */
  references: ReferenceRow[];
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
    status: runState(db, run).status,
    ...metrics,
    precisionCi: ci.precision,
    recallCi: ci.recall,
    f1Ci: ci.f1,
    evidenceRecallCi: ci.evidenceRecall,
    bootstrap: { resamples: ci.resamples, seed: ci.seed, level: ci.level },
    ...(options.by ? { breakdown: { by: options.by, groups: withSmallN(breakdown(pairs, options.by)) } } : {}),
    warnings: [...runWarnings(db, run), ...scoreWarnings(run.name, pairs)],
    references: referenceRows(db, plannedPairIds(db, run.id), pairs),
    ...scoreRunProbabilities(db, run.id, options),
  };
}
