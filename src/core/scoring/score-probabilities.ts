import type { Db } from '../store/database';
import type { BootstrapOptions } from './bootstrap';
import { scoreProbabilities, type ProbabilityPair, type ProbabilityScore } from './curves';

/**
 * The run's planned pairs that have a probability of the positive label (gold and probability), and
 * how many planned pairs have none (no prediction yet, or a prediction that carries no probability:
 * the baseline before migration 0006, an import without the column). See curves.ts for why those
 * are left out rather than imputed.
 */
export function probabilityPairsOfRun(db: Db, runId: number): { pairs: ProbabilityPair[]; missing: number } {
  const rows = db
    .prepare(
      `SELECT p.gold, pr.probability
       FROM run_pairs rp
       JOIN pairs p ON p.id = rp.pair_id
       LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id
       WHERE rp.run_id = ? ORDER BY rp.position`,
    )
    .all(runId) as { gold: number; probability: number | null }[];
  const pairs: ProbabilityPair[] = [];
  for (const row of rows) if (row.probability !== null) pairs.push({ gold: row.gold === 1, probability: row.probability });
  return { pairs, missing: rows.length - pairs.length };
}

/** Every probability figure of a run (all null when it has no probabilities), with the label intervals' bootstrap settings. */
export function scoreRunProbabilities(db: Db, runId: number, options: BootstrapOptions = {}): ProbabilityScore {
  const { pairs, missing } = probabilityPairsOfRun(db, runId);
  return scoreProbabilities(pairs, missing, options);
}
