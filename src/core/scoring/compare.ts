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
import { computeMetrics, effectivePrediction, effectivePredictedSentences, labelOutcome, type Metrics, type ScoredPair } from './metrics';
import { scoredPairsOfRun } from './score-run';
import type { PairOutcome, RunWarning } from '../../shared/contract';
import { runState, runWarnings } from '../engine/run-lifecycle';
import { codeKind, conceptGroupInfo } from './icd';
import { degenerateWarning, fewerPairsWarning, REFERENCE_LABELS, baselinePairs, constantPairs, smallNWarning, type ReferenceKind } from './trust';

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
  /** Pairs each run planned: n below them means pairs were left out (see warnings). */
  plannedA: number;
  plannedB: number;
  /** Mean Jaccard of the cited sentences over common pairs where either run cited any; null when neither did. */
  evidenceJaccard: number | null;
  /** Degenerate runs, small n, fewer pairs than planned, interrupted or imported runs. */
  warnings: RunWarning[];
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
  /** null for a run; the kind for a reference row (never ranked: rank is null there). */
  reference: ReferenceKind | null;
  warnings: RunWarning[];
}

export interface ReferenceEntry extends Omit<LeaderboardEntry, 'rank'> {
  rank: null;
  reference: ReferenceKind;
}

export interface Leaderboard {
  runs: string[];
  dataset: string;
  /** Pairs planned by every run. */
  n: number;
  best: string;
  leaderboard: LeaderboardEntry[];
  bootstrap: BootstrapSettings;
  /** Always True, always False and the baseline on the same pairs, with McNemar against the best run. */
  references: ReferenceEntry[];
  /** Per run: pairs planned and pairs compared on. */
  coverage: { run: string; planned: number; comparedOn: number }[];
  warnings: RunWarning[];
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
    plannedA: planned[0]!,
    plannedB: planned[1]!,
    evidenceJaccard: evidenceJaccard(scoredA, scoredB).jaccard,
    warnings: comparisonWarnings(db, [runA, runB], [scoredA, scoredB], planned),
  };
}

/** Warnings for runs compared together: their state, degenerate answers, fewer pairs than planned, small n. */
export function comparisonWarnings(db: Db, runs: readonly RunRecord[], scored: readonly (readonly ScoredPair[])[], planned: readonly number[]): RunWarning[] {
  const n = scored[0]?.length ?? 0;
  const warnings: RunWarning[] = [];
  runs.forEach((run, i) => {
    warnings.push(...runWarnings(db, run));
    const degenerate = degenerateWarning(run.name, scored[i]!);
    if (degenerate) warnings.push(degenerate);
    const fewer = fewerPairsWarning(run.name, n, planned[i]!);
    if (fewer) warnings.push(fewer);
  });
  const small = smallNWarning(null, n);
  if (small) warnings.push(small);
  return warnings;
}

/** Mean per-pair Jaccard of the cited sentence sets, over pairs where either run cited something. */
export function evidenceJaccard(pairsA: readonly ScoredPair[], pairsB: readonly ScoredPair[]): { jaccard: number | null; pairs: number } {
  let sum = 0;
  let pairs = 0;
  pairsA.forEach((pairA, i) => {
    const a = new Set(effectivePredictedSentences(pairA));
    const b = new Set(effectivePredictedSentences(pairsB[i]!));
    if (a.size === 0 && b.size === 0) return;
    let shared = 0;
    for (const id of a) if (b.has(id)) shared++;
    sum += shared / (a.size + b.size - shared);
    pairs++;
  });
  return { jaccard: pairs === 0 ? null : sum / pairs, pairs };
}

/**
 * Ranks runs on the pairs all of them planned: by F1, then evidence recall, then the order
 * given. Every run is bootstrapped with the same seed, so all draw the same resamples.
 */
export function buildLeaderboard(db: Db, names: readonly string[], options: BootstrapOptions = {}): Leaderboard {
  if (names.length < 2) throw new CompareError('a leaderboard needs at least two runs');
  const runs = loadRuns(db, names);
  const { aligned, planned } = commonPairs(db, runs);
  const scored = aligned.map((pairs) => pairs.map((pair) => pair.scored));
  const rows = runs.map((run, i) => {
    const metrics = computeMetrics(scored[i]!);
    const ci = bootstrapCi(scored[i]!, options);
    return { index: i, run: run.name, metrics, ci };
  });
  rows.sort((x, y) => (y.metrics.f1 ?? -1) - (x.metrics.f1 ?? -1) || (y.metrics.evidenceRecall ?? -1) - (x.metrics.evidenceRecall ?? -1) || x.index - y.index);
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
      reference: null,
      warnings: [...runWarnings(db, runs[row.index]!), degenerateWarning(row.run, scored[row.index]!)].filter((w): w is RunWarning => w !== null),
    };
  });
  const pairIds = aligned[0]!.map((pair) => pair.pairId);
  const references = (['always-true', 'always-false', 'baseline'] as const).map((reference): ReferenceEntry => {
    const pairs = reference === 'baseline' ? baselinePairs(db, pairIds, scored[0]!) : constantPairs(scored[0]!, reference === 'always-true');
    const ci = bootstrapCi(pairs, options);
    const labels = pairedLabelComparison(bestPairs, pairs);
    return {
      rank: null,
      run: REFERENCE_LABELS[reference],
      reference,
      ...computeMetrics(pairs),
      precisionCi: ci.precision,
      recallCi: ci.recall,
      f1Ci: ci.f1,
      evidenceRecallCi: ci.evidenceRecall,
      vsBest: { b: labels.b, c: labels.c, mcnemarP: labels.p },
      warnings: [],
    };
  });
  return {
    runs: runs.map((run) => run.name),
    dataset: runs[0]!.dataset,
    n: aligned[0]!.length,
    best: rows[0]!.run,
    leaderboard,
    bootstrap: resolvedBootstrap(options),
    references,
    coverage: runs.map((run, i) => ({ run: run.name, planned: planned[i]!, comparedOn: aligned[0]!.length })),
    warnings: comparisonWarnings(db, runs, scored, planned),
  };
}

export interface MatrixRow {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  gold: boolean;
  kind: 'CM' | 'PCS' | 'unknown';
  chapter: string;
  /** outcomes[i] is runs[i]'s outcome. */
  outcomes: PairOutcome[];
}

export interface ManyRunComparison {
  dataset: string;
  n: number;
  runs: { run: string; backend: string; status: ReturnType<typeof runState>['status']; planned: number; comparedOn: number }[];
  best: string;
  /** Ranked runs first, then the reference rows (rank null). */
  leaderboard: (LeaderboardEntry | ReferenceEntry)[];
  bootstrap: BootstrapSettings;
  warnings: RunWarning[];
  matrix: MatrixRow[];
  discordant: { a: string; b: string; aRightBWrong: number[]; bRightAWrong: number[]; mcnemarP: number }[];
  evidenceAgreement: { a: string; b: string; jaccard: number | null; pairs: number }[];
}

export type OutcomeFilter = 'correct' | 'wrong' | PairOutcome;

function pairOutcome(pair: ScoredPair): PairOutcome {
  return pair.status === 'ok' ? labelOutcome(pair) : pair.status;
}

function matchesOutcome(outcome: PairOutcome, wanted: OutcomeFilter): boolean {
  if (wanted === 'correct') return outcome === 'tp' || outcome === 'tn';
  if (wanted === 'wrong') return outcome === 'fp' || outcome === 'fn';
  return outcome === wanted;
}

/**
 * Any number of runs on the pairs all of them planned: the leaderboard (with reference rows), one
 * matrix row per pair with every run's outcome (filterable), the discordant pairs of every two runs
 * and how far their cited evidence agrees.
 */
export function compareManyRuns(db: Db, names: readonly string[], options: BootstrapOptions & { filter?: readonly { run: string; outcome: OutcomeFilter }[] } = {}): ManyRunComparison {
  const board = buildLeaderboard(db, names, options);
  const runs = loadRuns(db, names);
  const { aligned, planned } = commonPairs(db, runs);
  const scored = aligned.map((pairs) => pairs.map((pair) => pair.scored));
  const filters = (options.filter ?? []).map((f) => {
    const index = runs.findIndex((run) => run.name === f.run);
    if (index < 0) throw new CompareError(`the filter names run "${f.run}", which is not among the compared runs (${runs.map((run) => run.name).join(', ')})`);
    return { index, outcome: f.outcome };
  });
  const matrix: MatrixRow[] = [];
  aligned[0]!.forEach((pair, p) => {
    const outcomes = scored.map((pairs) => pairOutcome(pairs[p]!));
    if (!filters.every((f) => matchesOutcome(outcomes[f.index]!, f.outcome))) return;
    matrix.push({ pairId: pair.pairId, taskId: pair.taskId, code: pair.code, desc: pair.desc, gold: pair.scored.gold, kind: codeKind(pair.code), chapter: conceptGroupInfo(pair.code).label, outcomes });
  });
  const discordant: ManyRunComparison['discordant'] = [];
  const evidenceAgreement: ManyRunComparison['evidenceAgreement'] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const aRight: number[] = [];
      const bRight: number[] = [];
      aligned[i]!.forEach((pair, p) => {
        const a = effectivePrediction(pair.scored) === pair.scored.gold;
        const b = effectivePrediction(aligned[j]![p]!.scored) === pair.scored.gold;
        if (a && !b) aRight.push(pair.pairId);
        else if (b && !a) bRight.push(pair.pairId);
      });
      discordant.push({ a: runs[i]!.name, b: runs[j]!.name, aRightBWrong: aRight, bRightAWrong: bRight, mcnemarP: pairedLabelComparison(scored[i]!, scored[j]!).p });
      evidenceAgreement.push({ a: runs[i]!.name, b: runs[j]!.name, ...evidenceJaccard(scored[i]!, scored[j]!) });
    }
  }
  return {
    dataset: board.dataset,
    n: board.n,
    runs: runs.map((run, i) => ({ run: run.name, backend: run.backend, status: runState(db, run).status, planned: planned[i]!, comparedOn: board.n })),
    best: board.best,
    leaderboard: [...board.leaderboard, ...board.references],
    bootstrap: board.bootstrap,
    warnings: board.warnings,
    matrix,
    discordant,
    evidenceAgreement,
  };
}
