/**
 * Paired comparison of runs on the pairs their plans share: exact McNemar on the labels, paired
 * bootstrap of metric differences, and a leaderboard for three or more runs. Runs are aligned by
 * pair id (not by task/code text), in the plan order of the first run, so a run limited to the
 * first N pairs is compared with another on exactly those N.
 */
import { getRun, type RunRecord } from '../engine/runs';
import { UserError } from '../errors';
import type { Db } from '../store/database';
import { bootstrapCi, pairedBootstrapDiff, type BootstrapOptions, type DiffEstimate, type Interval } from './bootstrap';
import { pairedLabelComparison } from './mcnemar';
import { computeMetrics, effectivePrediction, type Metrics, type ScoredPair } from './metrics';
import { scoredPairsOfRun } from './score-run';

/** Runs that cannot be compared (same run twice, different datasets, no shared pairs). */
export class CompareError extends UserError {
  override name = 'CompareError';
}

/** One planned pair of a run: its identity and the scored prediction. */
export interface RunPair {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  scored: ScoredPair;
}

/** A run's answer on one pair as shown in disagreements: label and evidence are null when missing or invalid. */
export interface PredictionView {
  status: ScoredPair['status'];
  label: boolean | null;
  evidence: number[] | null;
}

export interface Disagreement {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  gold: boolean;
  a: PredictionView;
  b: PredictionView;
}

export interface BootstrapSettings {
  resamples: number;
  seed: number;
  level: number;
}

/** `medbench compare A B --json`. Names are runA/runB because "b" and "c" are McNemar's discordant counts. */
export interface TwoRunComparison {
  runA: string;
  runB: string;
  dataset: string;
  /** Pairs planned by both runs: every statistic below is over these. */
  n: number;
  /** Planned by one run only, left out. */
  onlyA: number;
  onlyB: number;
  mcnemarP: number;
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  bothCorrect: number;
  bothWrong: number;
  f1Diff: DiffEstimate;
  precisionDiff: DiffEstimate;
  recallDiff: DiffEstimate;
  /** null when no common pair has gold evidence. */
  evidenceRecallDiff: DiffEstimate | null;
  metricsA: Metrics;
  metricsB: Metrics;
  bootstrap: BootstrapSettings;
  /** Pairs whose scored labels differ (missing and invalid count as False, as in the metrics): exactly b + c of them. */
  disagreements: Disagreement[];
}

export interface LeaderboardEntry extends Metrics {
  rank: number;
  run: string;
  precisionCi: Interval;
  recallCi: Interval;
  f1Ci: Interval;
  evidenceRecallCi: Interval | null;
  /** McNemar against the best run (null for the best run itself); b = best right and this run wrong. */
  vsBest: { b: number; c: number; mcnemarP: number } | null;
}

export interface Leaderboard {
  runs: string[];
  dataset: string;
  /** Pairs planned by every run. */
  n: number;
  best: string;
  leaderboard: LeaderboardEntry[];
  bootstrap: BootstrapSettings;
}

/** A run's planned pairs in plan order with their identity (scoredPairsOfRun gives the same order). */
export function runPairsOf(db: Db, run: RunRecord): RunPair[] {
  const scored = scoredPairsOfRun(db, run.id);
  const identities = db
    .prepare(
      `SELECT rp.pair_id AS pairId, p.task_id AS taskId, p.code, p.desc FROM run_pairs rp
       JOIN pairs p ON p.id = rp.pair_id WHERE rp.run_id = ? ORDER BY rp.position`,
    )
    .all(run.id) as Omit<RunPair, 'scored'>[];
  return identities.map((identity, i) => ({ ...identity, scored: scored[i] as ScoredPair }));
}

function loadRuns(db: Db, names: readonly string[]): RunRecord[] {
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new CompareError(`run "${duplicate}" is named twice; compare different runs`);
  const runs = names.map((name) => getRun(db, name));
  const other = runs.find((run) => run.datasetId !== runs[0]!.datasetId);
  if (other) {
    throw new CompareError(`runs "${runs[0]!.name}" (dataset ${runs[0]!.dataset}) and "${other.name}" (dataset ${other.dataset}) are on different datasets; compare runs of one dataset`);
  }
  return runs;
}

/** Each run's pairs restricted to the pairs every run planned, all in the first run's plan order. */
function commonPairs(db: Db, runs: readonly RunRecord[]): { aligned: RunPair[][]; planned: number[] } {
  const perRun = runs.map((run) => runPairsOf(db, run));
  const byId = perRun.map((pairs) => new Map(pairs.map((pair) => [pair.pairId, pair])));
  const sharedIds = perRun[0]!.map((pair) => pair.pairId).filter((id) => byId.every((map) => map.has(id)));
  if (sharedIds.length === 0) {
    throw new CompareError(`runs ${runs.map((run) => `"${run.name}"`).join(', ')} share no planned pairs`);
  }
  return {
    aligned: byId.map((map) => sharedIds.map((id) => map.get(id)!)),
    planned: perRun.map((pairs) => pairs.length),
  };
}

function predictionView(pair: ScoredPair): PredictionView {
  if (pair.status !== 'ok') return { status: pair.status, label: null, evidence: null };
  return { status: 'ok', label: pair.predicted, evidence: [...pair.predictedSentences] };
}

function resolvedBootstrap(options: BootstrapOptions): BootstrapSettings {
  return { resamples: options.resamples ?? 10000, seed: options.seed ?? 1, level: options.level ?? 0.95 };
}

export function compareTwoRuns(db: Db, nameA: string, nameB: string, options: BootstrapOptions = {}): TwoRunComparison {
  const [runA, runB] = loadRuns(db, [nameA, nameB]) as [RunRecord, RunRecord];
  const { aligned, planned } = commonPairs(db, [runA, runB]);
  const [pairsA, pairsB] = aligned as [RunPair[], RunPair[]];
  const scoredA = pairsA.map((pair) => pair.scored);
  const scoredB = pairsB.map((pair) => pair.scored);
  const labels = pairedLabelComparison(scoredA, scoredB);
  const diff = pairedBootstrapDiff(scoredA, scoredB, options);
  const disagreements: Disagreement[] = [];
  pairsA.forEach((pairA, i) => {
    const pairB = pairsB[i]!;
    if (effectivePrediction(pairA.scored) === effectivePrediction(pairB.scored)) return;
    disagreements.push({
      pairId: pairA.pairId,
      taskId: pairA.taskId,
      code: pairA.code,
      desc: pairA.desc,
      gold: pairA.scored.gold,
      a: predictionView(pairA.scored),
      b: predictionView(pairB.scored),
    });
  });
  return {
    runA: runA.name,
    runB: runB.name,
    dataset: runA.dataset,
    n: pairsA.length,
    onlyA: planned[0]! - pairsA.length,
    onlyB: planned[1]! - pairsA.length,
    mcnemarP: labels.p,
    b: labels.b,
    c: labels.c,
    bothCorrect: labels.bothCorrect,
    bothWrong: labels.bothWrong,
    f1Diff: diff.f1,
    precisionDiff: diff.precision,
    recallDiff: diff.recall,
    evidenceRecallDiff: diff.evidenceRecall,
    metricsA: computeMetrics(scoredA),
    metricsB: computeMetrics(scoredB),
    bootstrap: { resamples: diff.resamples, seed: diff.seed, level: diff.level },
    disagreements,
  };
}

/**
 * Ranks runs on the pairs all of them planned: by F1, then evidence recall, then the order
 * given. Every run is bootstrapped with the same seed, so all draw the same resamples.
 */
export function buildLeaderboard(db: Db, names: readonly string[], options: BootstrapOptions = {}): Leaderboard {
  if (names.length < 2) throw new CompareError('a leaderboard needs at least two runs');
  const runs = loadRuns(db, names);
  const { aligned } = commonPairs(db, runs);
  const scored = aligned.map((pairs) => pairs.map((pair) => pair.scored));
  const rows = runs.map((run, i) => {
    const metrics = computeMetrics(scored[i]!);
    const ci = bootstrapCi(scored[i]!, options);
    return { index: i, run: run.name, metrics, ci };
  });
  rows.sort((x, y) => y.metrics.f1 - x.metrics.f1 || (y.metrics.evidenceRecall ?? -1) - (x.metrics.evidenceRecall ?? -1) || x.index - y.index);
  const bestPairs = scored[rows[0]!.index]!;
  const leaderboard = rows.map((row, rank): LeaderboardEntry => {
    let vsBest: LeaderboardEntry['vsBest'] = null;
    if (rank > 0) {
      const labels = pairedLabelComparison(bestPairs, scored[row.index]!);
      vsBest = { b: labels.b, c: labels.c, mcnemarP: labels.p };
    }
    return {
      rank: rank + 1,
      run: row.run,
      ...row.metrics,
      precisionCi: row.ci.precision,
      recallCi: row.ci.recall,
      f1Ci: row.ci.f1,
      evidenceRecallCi: row.ci.evidenceRecall,
      vsBest,
    };
  });
  return {
    runs: runs.map((run) => run.name),
    dataset: runs[0]!.dataset,
    n: aligned[0]!.length,
    best: rows[0]!.run,
    leaderboard,
    bootstrap: resolvedBootstrap(options),
  };
}
