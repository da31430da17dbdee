/**
 * Percentile bootstrap confidence intervals for MedicalBench metrics.
 *
 * Each replicate resamples the pairs with replacement (same size as the input)
 * and recomputes micro precision/recall/F1 and macro evidence recall with the
 * same conventions as computeMetrics (0/0 -> 0). Evidence recall is averaged over
 * the evidence pairs that happen to be drawn; a replicate that draws none has no
 * evidence recall and is left out of that interval only.
 *
 * Interval: [Q((1 - level) / 2), Q((1 + level) / 2)] where Q is the type-7
 * sample quantile (Hyndman & Fan; the default of R and NumPy) of the replicates.
 *
 * Speed: per-pair outcomes are precomputed into typed arrays and each replicate
 * reuses one index buffer, so the inner loop allocates nothing.
 */

import { createRng, type Rng } from './random';
import { assertAlignedPairs, harmonicF1, labelOutcome, pairEvidenceScore, safeRatio, type ScoredPair } from './metrics';

export type Interval = [lo: number, hi: number];

export interface BootstrapOptions {
  /** Number of bootstrap replicates; default 10000. */
  resamples?: number;
  /** PRNG seed (safe integer); default 1. */
  seed?: number;
  /** Two-sided confidence level in (0, 1); default 0.95. */
  level?: number;
}

export interface BootstrapCi {
  precision: Interval;
  recall: Interval;
  f1: Interval;
  /** null when no pair has gold evidence (or, with tiny inputs, no replicate drew one). */
  evidenceRecall: Interval | null;
  resamples: number;
  seed: number;
  level: number;
}

export interface DiffEstimate {
  /** Point estimate for run A on all pairs. */
  a: number;
  /** Point estimate for run B on all pairs. */
  b: number;
  /** a - b. */
  diff: number;
  /** Percentile interval of (A - B) over paired replicates. */
  ci: Interval;
}

export interface PairedBootstrapDiff {
  precision: DiffEstimate;
  recall: DiffEstimate;
  f1: DiffEstimate;
  /** null when no pair has gold evidence. */
  evidenceRecall: DiffEstimate | null;
  resamples: number;
  seed: number;
  level: number;
}

/**
 * Type-7 quantile of an ascending-sorted sample: with h = (m - 1) * p, linear
 * interpolation between the order statistics at floor(h) and floor(h) + 1.
 */
export function quantileType7(sorted: ArrayLike<number>, p: number): number {
  const m = sorted.length;
  if (m === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  const h = (m - 1) * p;
  const lower = Math.floor(h);
  const lowerValue = sorted[lower] as number;
  if (lower >= m - 1) return lowerValue;
  return lowerValue + (h - lower) * ((sorted[lower + 1] as number) - lowerValue);
}

function resolveOptions(options: BootstrapOptions): Required<BootstrapOptions> {
  const { resamples = 10000, seed = 1, level = 0.95 } = options;
  if (!Number.isSafeInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return { resamples, seed, level };
}

/** Per-pair contributions, laid out for a tight resampling loop. */
interface PairColumns {
  isTp: Uint8Array;
  isFp: Uint8Array;
  isFn: Uint8Array;
  hasEvidence: Uint8Array;
  /** 0 for pairs without gold evidence, so it can be summed unconditionally. */
  evidenceRecall: Float64Array;
  evidencePairs: number;
}

function toColumns(pairs: readonly ScoredPair[]): PairColumns {
  const n = pairs.length;
  const columns: PairColumns = {
    isTp: new Uint8Array(n),
    isFp: new Uint8Array(n),
    isFn: new Uint8Array(n),
    hasEvidence: new Uint8Array(n),
    evidenceRecall: new Float64Array(n),
    evidencePairs: 0,
  };
  pairs.forEach((pair, i) => {
    const outcome = labelOutcome(pair);
    columns.isTp[i] = outcome === 'tp' ? 1 : 0;
    columns.isFp[i] = outcome === 'fp' ? 1 : 0;
    columns.isFn[i] = outcome === 'fn' ? 1 : 0;
    const evidence = pairEvidenceScore(pair);
    if (evidence) {
      columns.hasEvidence[i] = 1;
      columns.evidenceRecall[i] = evidence.recall;
      columns.evidencePairs++;
    }
  });
  return columns;
}

/** Replicate statistics, one slot per replicate; evidenceRecall is NaN when a replicate drew no evidence pair. */
interface ReplicateColumns {
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  evidenceRecall: Float64Array;
}

function allocateReplicates(resamples: number): ReplicateColumns {
  return {
    precision: new Float64Array(resamples),
    recall: new Float64Array(resamples),
    f1: new Float64Array(resamples),
    evidenceRecall: new Float64Array(resamples),
  };
}

function drawIndexes(rng: Rng, indexes: Uint32Array): void {
  const n = indexes.length;
  for (let i = 0; i < n; i++) indexes[i] = rng.nextInt(n);
}

/** Computes the statistics of one replicate (given by `indexes`) into slot `slot` of `out`. */
function scoreReplicate(columns: PairColumns, indexes: Uint32Array, out: ReplicateColumns, slot: number): void {
  const { isTp, isFp, isFn, hasEvidence, evidenceRecall } = columns;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let evidenceCount = 0;
  let evidenceSum = 0;
  for (let i = 0; i < indexes.length; i++) {
    const j = indexes[i] as number;
    tp += isTp[j] as number;
    fp += isFp[j] as number;
    fn += isFn[j] as number;
    evidenceCount += hasEvidence[j] as number;
    evidenceSum += evidenceRecall[j] as number;
  }
  const precision = safeRatio(tp, tp + fp);
  const recall = safeRatio(tp, tp + fn);
  out.precision[slot] = precision;
  out.recall[slot] = recall;
  out.f1[slot] = harmonicF1(precision, recall);
  out.evidenceRecall[slot] = evidenceCount === 0 ? Number.NaN : evidenceSum / evidenceCount;
}

function pointEstimates(columns: PairColumns): ReplicateColumns {
  const all = new Uint32Array(columns.isTp.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const out = allocateReplicates(1);
  scoreReplicate(columns, all, out, 0);
  return out;
}

/** Percentile interval over the defined (non-NaN) values; null when none is defined. Sorts in place. */
function percentileInterval(values: Float64Array, level: number): Interval | null {
  values.sort(); // typed-array sort is numeric and puts NaN last
  let defined = values.length;
  while (defined > 0 && Number.isNaN(values[defined - 1])) defined--;
  if (defined === 0) return null;
  const sample = values.subarray(0, defined);
  const tail = (1 - level) / 2;
  return [quantileType7(sample, tail), quantileType7(sample, 1 - tail)];
}

function requiredInterval(values: Float64Array, level: number): Interval {
  const interval = percentileInterval(values, level);
  if (!interval) throw new Error('label metrics are defined for every replicate'); // unreachable: never NaN
  return interval;
}

/**
 * Percentile bootstrap CIs of precision, recall, F1 and evidence recall.
 * Deterministic for a given seed. With no pairs every interval is [0, 0] (the
 * computeMetrics value) and evidenceRecall is null.
 */
export function bootstrapCi(pairs: readonly ScoredPair[], options: BootstrapOptions = {}): BootstrapCi {
  const { resamples, seed, level } = resolveOptions(options);
  if (pairs.length === 0) {
    return { precision: [0, 0], recall: [0, 0], f1: [0, 0], evidenceRecall: null, resamples, seed, level };
  }
  const columns = toColumns(pairs);
  const replicates = allocateReplicates(resamples);
  const rng = createRng(seed);
  const indexes = new Uint32Array(pairs.length);
  for (let r = 0; r < resamples; r++) {
    drawIndexes(rng, indexes);
    scoreReplicate(columns, indexes, replicates, r);
  }
  return {
    precision: requiredInterval(replicates.precision, level),
    recall: requiredInterval(replicates.recall, level),
    f1: requiredInterval(replicates.f1, level),
    evidenceRecall: columns.evidencePairs === 0 ? null : percentileInterval(replicates.evidenceRecall, level),
    resamples,
    seed,
    level,
  };
}

/**
 * Paired bootstrap of the difference between two runs on the same pairs
 * (`pairsA[i]` and `pairsB[i]` must share key and gold annotations; throws
 * otherwise). Each replicate draws one set of pair indexes and scores both runs
 * on it, so the interval reflects the correlation between the runs.
 */
export function pairedBootstrapDiff(
  pairsA: readonly ScoredPair[],
  pairsB: readonly ScoredPair[],
  options: BootstrapOptions = {},
): PairedBootstrapDiff {
  const { resamples, seed, level } = resolveOptions(options);
  assertAlignedPairs(pairsA, pairsB);
  if (pairsA.length === 0) {
    const zero: DiffEstimate = { a: 0, b: 0, diff: 0, ci: [0, 0] };
    return { precision: zero, recall: zero, f1: zero, evidenceRecall: null, resamples, seed, level };
  }
  const columnsA = toColumns(pairsA);
  const columnsB = toColumns(pairsB);
  const replicatesA = allocateReplicates(resamples);
  const replicatesB = allocateReplicates(resamples);
  const rng = createRng(seed);
  const indexes = new Uint32Array(pairsA.length);
  for (let r = 0; r < resamples; r++) {
    drawIndexes(rng, indexes);
    scoreReplicate(columnsA, indexes, replicatesA, r);
    scoreReplicate(columnsB, indexes, replicatesB, r);
  }
  const pointA = pointEstimates(columnsA);
  const pointB = pointEstimates(columnsB);

  const estimate = (metric: keyof ReplicateColumns): DiffEstimate | null => {
    const differences = new Float64Array(resamples);
    const a = replicatesA[metric];
    const b = replicatesB[metric];
    for (let r = 0; r < resamples; r++) differences[r] = (a[r] as number) - (b[r] as number);
    const ci = percentileInterval(differences, level);
    const pointAValue = pointA[metric][0] as number;
    const pointBValue = pointB[metric][0] as number;
    if (!ci || Number.isNaN(pointAValue)) return null;
    return { a: pointAValue, b: pointBValue, diff: pointAValue - pointBValue, ci };
  };
  const required = (metric: 'precision' | 'recall' | 'f1'): DiffEstimate => {
    const result = estimate(metric);
    if (!result) throw new Error(`${metric} is defined for every replicate`); // unreachable: never NaN
    return result;
  };

  return {
    precision: required('precision'),
    recall: required('recall'),
    f1: required('f1'),
    evidenceRecall: columnsA.evidencePairs === 0 ? null : estimate('evidenceRecall'),
    resamples,
    seed,
    level,
  };
}
