/**
 * Curves over the probability of the positive label: ROC and precision–recall with their areas, a
 * threshold sweep, and calibration.
 *
 * Definitions (scikit-learn's, so figures compare with papers that used it):
 *   - Thresholds are the distinct probabilities, high to low; at threshold t a pair is predicted
 *     True when p >= t. Tied probabilities enter together (scikit-learn's `_binary_clf_curve`).
 *   - AUROC = `roc_auc_score`: the trapezoid under (FPR, TPR) over the distinct thresholds, from
 *     (0, 0). A tie between a positive and a negative counts one half. Undefined (null) unless both
 *     classes are present; scikit-learn raises there.
 *   - Average precision = `average_precision_score`: Σ (R_k − R_{k−1}) · P_k over the distinct
 *     thresholds (step-wise, no interpolation). Null when there is no positive: scikit-learn warns
 *     and returns 0.0 there by setting recall to 1 everywhere, which is a convention, not a score.
 *   - ROC points follow `roc_curve(drop_intermediate=True)`: collinear points dropped, (0, 0)
 *     first with threshold null (scikit-learn's +inf). PR points are `precision_recall_curve`'s,
 *     ordered by descending threshold, starting at (recall 0, precision 1, threshold null).
 *   - Brier score = `brier_score_loss`: mean (p − y)².
 *   - Reliability bins: 10 equal-width bins with `calibration_curve(strategy='uniform')`'s edges
 *     (k · 0.1, as NumPy's linspace computes them; a probability on an inner edge goes to the bin
 *     above it, 1.0 to the last bin). ECE = Σ_b (n_b / n) · |mean(y)_b − mean(p)_b|.
 *
 * Pairs without a probability (no prediction, or a prediction that carries none) are left out of
 * every figure here and counted in `probabilityMissing`: imputing 0 or 0.5 would invent a score.
 * Figures are therefore over `probabilityPairs` pairs; reports say so when some are missing.
 *
 * Bootstrap: the same percentile method, type-7 quantile, seed, resample count and RNG as the label
 * intervals (bootstrap.ts), resampling the pairs that have a probability. A replicate in which a
 * metric is undefined (one class only) is left out of that interval, as evidence recall is.
 */

import { quantileType7, type BootstrapOptions, type Interval } from './bootstrap';
import { createRng } from './random';

export interface ProbabilityPair {
  gold: boolean;
  /** Probability of the positive label, in [0, 1]. */
  probability: number;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** null for the (0, 0) start (scikit-learn: +inf). */
  threshold: number | null;
}

export interface PrPoint {
  recall: number;
  precision: number;
  /** null for the (recall 0, precision 1) start that scikit-learn appends. */
  threshold: number | null;
}

export interface SweepPoint {
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  /** null when no pair is positive. */
  recall: number | null;
  /** 2TP / (2TP + FP + FN). */
  f1: number;
}

export interface ThresholdSweep {
  /** One point per distinct probability, high to low. */
  points: SweepPoint[];
  /** The threshold with the highest F1 (the highest such threshold on ties). Chosen on the pairs it is scored on: optimistic. */
  best: (SweepPoint & { tunedOnTestSet: true }) | null;
}

export interface CalibrationBin {
  /** Lower and upper edge; the bin holds lo <= p < hi (the last also p = 1). */
  lo: number;
  hi: number;
  count: number;
  /** null when the bin is empty. */
  meanProbability: number | null;
  fractionPositive: number | null;
}

export interface ProbabilityScore {
  /** Pairs with a probability: the population of every figure below. */
  probabilityPairs: number;
  /** Pairs scored for labels that have no probability (left out of the figures below). */
  probabilityMissing: number;
  auroc: number | null;
  averagePrecision: number | null;
  aurocCi: Interval | null;
  averagePrecisionCi: Interval | null;
  roc: RocPoint[] | null;
  pr: PrPoint[] | null;
  sweep: ThresholdSweep | null;
  brier: number | null;
  ece: number | null;
  calibration: CalibrationBin[] | null;
}

/** Pairs sorted by descending probability, grouped by distinct probability. */
interface Groups {
  /** Distinct probabilities, descending. */
  thresholds: Float64Array;
  /** Positives and negatives at each distinct probability. */
  positives: Float64Array;
  negatives: Float64Array;
}

function validate(pairs: readonly ProbabilityPair[]): void {
  pairs.forEach((pair, i) => {
    if (!(Number.isFinite(pair.probability) && pair.probability >= 0 && pair.probability <= 1)) {
      throw new RangeError(`pair ${i + 1}: probability must be a number from 0 to 1, got ${pair.probability}`);
    }
  });
}

function groupByThreshold(pairs: readonly ProbabilityPair[]): Groups {
  const order = pairs.map((_, i) => i).sort((a, b) => pairs[b]!.probability - pairs[a]!.probability);
  const thresholds: number[] = [];
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const i of order) {
    const { probability, gold } = pairs[i]!;
    if (thresholds.length === 0 || thresholds[thresholds.length - 1] !== probability) {
      thresholds.push(probability);
      positives.push(0);
      negatives.push(0);
    }
    const last = thresholds.length - 1;
    if (gold) positives[last]! += 1;
    else negatives[last]! += 1;
  }
  return { thresholds: Float64Array.from(thresholds), positives: Float64Array.from(positives), negatives: Float64Array.from(negatives) };
}

/**
 * Area under ROC from per-threshold counts (which may be bootstrap multiplicities): each negative
 * at a threshold is outranked by every positive above it and ties with half of those beside it.
 * NaN when a class is absent.
 */
function aurocOfCounts(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  let tpAbove = 0;
  let area = 0;
  let total = 0;
  for (let g = 0; g < positives.length; g++) {
    const a = positives[g] as number;
    const b = negatives[g] as number;
    area += b * (tpAbove + a / 2);
    tpAbove += a;
    total += b;
  }
  return tpAbove === 0 || total === 0 ? Number.NaN : area / (tpAbove * total);
}

/** Step-wise average precision from per-threshold counts; NaN without positives. */
function averagePrecisionOfCounts(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  let totalPositives = 0;
  for (let g = 0; g < positives.length; g++) totalPositives += positives[g] as number;
  if (totalPositives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let sum = 0;
  for (let g = 0; g < positives.length; g++) {
    const a = positives[g] as number;
    tp += a;
    fp += negatives[g] as number;
    if (a > 0) sum += (a / totalPositives) * (tp / (tp + fp));
  }
  return sum;
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** AUROC as scikit-learn's `roc_auc_score`; null unless both classes are present. */
export function auroc(pairs: readonly ProbabilityPair[]): number | null {
  validate(pairs);
  const groups = groupByThreshold(pairs);
  return orNull(aurocOfCounts(groups.positives, groups.negatives));
}

/** Average precision as scikit-learn's `average_precision_score`; null without positives. */
export function averagePrecision(pairs: readonly ProbabilityPair[]): number | null {
  validate(pairs);
  const groups = groupByThreshold(pairs);
  return orNull(averagePrecisionOfCounts(groups.positives, groups.negatives));
}

/** Cumulative TP and FP at each distinct threshold (scikit-learn's `_binary_clf_curve`). */
function cumulative(groups: Groups): { tps: number[]; fps: number[] } {
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < groups.thresholds.length; g++) {
    tp += groups.positives[g]!;
    fp += groups.negatives[g]!;
    tps.push(tp);
    fps.push(fp);
  }
  return { tps, fps };
}

/** ROC points as `roc_curve(drop_intermediate=True)`; null unless both classes are present. */
export function rocCurve(pairs: readonly ProbabilityPair[]): RocPoint[] | null {
  validate(pairs);
  const groups = groupByThreshold(pairs);
  const { tps, fps } = cumulative(groups);
  const n = tps.length;
  if (n === 0 || tps[n - 1] === 0 || fps[n - 1] === 0) return null;
  const positives = tps[n - 1]!;
  const negatives = fps[n - 1]!;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  for (let i = 0; i < n; i++) {
    // Keep the ends and every corner: a point whose second difference is 0 in both coordinates lies on a straight segment.
    const corner = i === 0 || i === n - 1 || fps[i - 1]! - 2 * fps[i]! + fps[i + 1]! !== 0 || tps[i - 1]! - 2 * tps[i]! + tps[i + 1]! !== 0;
    if (corner) points.push({ fpr: fps[i]! / negatives, tpr: tps[i]! / positives, threshold: groups.thresholds[i]! });
  }
  return points;
}

/** PR points as `precision_recall_curve`, by descending threshold; null without positives. */
export function prCurve(pairs: readonly ProbabilityPair[]): PrPoint[] | null {
  validate(pairs);
  const groups = groupByThreshold(pairs);
  const { tps, fps } = cumulative(groups);
  const n = tps.length;
  if (n === 0 || tps[n - 1] === 0) return null;
  const positives = tps[n - 1]!;
  const points: PrPoint[] = [{ recall: 0, precision: 1, threshold: null }];
  for (let i = 0; i < n; i++) points.push({ recall: tps[i]! / positives, precision: tps[i]! / (tps[i]! + fps[i]!), threshold: groups.thresholds[i]! });
  return points;
}

/** Precision, recall and F1 at every distinct threshold, and the F1-best one (tuned on these very pairs). */
export function thresholdSweep(pairs: readonly ProbabilityPair[]): ThresholdSweep {
  validate(pairs);
  const groups = groupByThreshold(pairs);
  const { tps, fps } = cumulative(groups);
  const n = tps.length;
  const positives = n === 0 ? 0 : tps[n - 1]!;
  const negatives = n === 0 ? 0 : fps[n - 1]!;
  const points: SweepPoint[] = [];
  let best: SweepPoint | null = null;
  for (let i = 0; i < n; i++) {
    const tp = tps[i]!;
    const fp = fps[i]!;
    const fn = positives - tp;
    const point: SweepPoint = {
      threshold: groups.thresholds[i]!,
      tp,
      fp,
      fn,
      tn: negatives - fp,
      precision: tp / (tp + fp),
      recall: positives === 0 ? null : tp / positives,
      f1: (2 * tp) / (2 * tp + fp + fn),
    };
    points.push(point);
    if (best === null || point.f1 > best.f1) best = point;
  }
  return { points, best: best === null ? null : { ...best, tunedOnTestSet: true } };
}

/** Mean squared difference between probability and outcome (`brier_score_loss`); null with no pairs. */
export function brierScore(pairs: readonly ProbabilityPair[]): number | null {
  validate(pairs);
  if (pairs.length === 0) return null;
  let sum = 0;
  for (const pair of pairs) sum += (pair.probability - (pair.gold ? 1 : 0)) ** 2;
  return sum / pairs.length;
}

export const CALIBRATION_BINS = 10;

/** The bin edges as NumPy's `linspace(0, 1, 11)` gives them (0.30000000000000004, not 0.3). */
const BIN_EDGES = Array.from({ length: CALIBRATION_BINS + 1 }, (_, k) => k * (1 / CALIBRATION_BINS));

/** Index of a probability's bin: the number of inner edges at or below it (`np.searchsorted(edges[1:-1], p, 'right')`). */
function binOf(probability: number): number {
  let bin = 0;
  while (bin < CALIBRATION_BINS - 1 && BIN_EDGES[bin + 1]! <= probability) bin++;
  return bin;
}

/** Reliability diagram bins (all 10, empty ones with null means). */
export function calibrationBins(pairs: readonly ProbabilityPair[]): CalibrationBin[] {
  validate(pairs);
  const count = new Array<number>(CALIBRATION_BINS).fill(0);
  const probabilitySum = new Array<number>(CALIBRATION_BINS).fill(0);
  const positiveSum = new Array<number>(CALIBRATION_BINS).fill(0);
  for (const pair of pairs) {
    const bin = binOf(pair.probability);
    count[bin]! += 1;
    probabilitySum[bin]! += pair.probability;
    if (pair.gold) positiveSum[bin]! += 1;
  }
  return count.map((n, b) => ({
    lo: BIN_EDGES[b]!,
    hi: BIN_EDGES[b + 1]!,
    count: n,
    meanProbability: n === 0 ? null : probabilitySum[b]! / n,
    fractionPositive: n === 0 ? null : positiveSum[b]! / n,
  }));
}

/** Expected calibration error over the reliability bins; null with no pairs. */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number | null {
  const total = bins.reduce((n, bin) => n + bin.count, 0);
  if (total === 0) return null;
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    ece += (bin.count / total) * Math.abs(bin.fractionPositive! - bin.meanProbability!);
  }
  return ece;
}

export interface CurveIntervals {
  auroc: Interval | null;
  averagePrecision: Interval | null;
  resamples: number;
  seed: number;
  level: number;
}

function percentile(values: Float64Array, level: number): Interval | null {
  values.sort(); // numeric for typed arrays; NaN sorts last
  let defined = values.length;
  while (defined > 0 && Number.isNaN(values[defined - 1])) defined--;
  if (defined === 0) return null;
  const sample = values.subarray(0, defined);
  const tail = (1 - level) / 2;
  return [quantileType7(sample, tail), quantileType7(sample, 1 - tail)];
}

/**
 * Percentile bootstrap intervals of AUROC and average precision. Each replicate draws n pairs with
 * replacement; a pair drawn k times weighs k, which is exactly scikit-learn's answer on the
 * resampled list (duplicates are ties). Pairs are sorted once, so a replicate costs O(n).
 */
export function bootstrapCurveCi(pairs: readonly ProbabilityPair[], options: BootstrapOptions = {}): CurveIntervals {
  const { resamples = 10000, seed = 1, level = 0.95 } = options;
  if (!Number.isSafeInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  validate(pairs);
  const n = pairs.length;
  if (n === 0) return { auroc: null, averagePrecision: null, resamples, seed, level };
  const groups = groupByThreshold(pairs);
  const groupCount = groups.thresholds.length;
  // Pair i of the draw is position i in descending-probability order: its group and class.
  const groupOf = new Uint32Array(n);
  const isPositive = new Uint8Array(n);
  let position = 0;
  for (let g = 0; g < groupCount; g++) {
    for (let k = 0; k < groups.positives[g]!; k++) { groupOf[position] = g; isPositive[position++] = 1; }
    for (let k = 0; k < groups.negatives[g]!; k++) { groupOf[position] = g; isPositive[position++] = 0; }
  }
  const rng = createRng(seed);
  const positives = new Uint32Array(groupCount);
  const negatives = new Uint32Array(groupCount);
  const aurocs = new Float64Array(resamples);
  const aps = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    positives.fill(0);
    negatives.fill(0);
    let totalPositives = 0;
    for (let i = 0; i < n; i++) {
      const j = rng.nextInt(n);
      const g = groupOf[j] as number;
      if (isPositive[j] === 1) {
        positives[g] = (positives[g] as number) + 1;
        totalPositives++;
      } else negatives[g] = (negatives[g] as number) + 1;
    }
    // aurocOfCounts and averagePrecisionOfCounts in one pass (the hot loop of `score`).
    let tp = 0;
    let fp = 0;
    let area = 0;
    let ap = 0;
    for (let g = 0; g < groupCount; g++) {
      const a = positives[g] as number;
      const b = negatives[g] as number;
      area += b * (tp + a / 2);
      tp += a;
      fp += b;
      if (a > 0) ap += (a / totalPositives) * (tp / (tp + fp));
    }
    aurocs[r] = tp === 0 || fp === 0 ? Number.NaN : area / (tp * fp);
    aps[r] = totalPositives === 0 ? Number.NaN : ap;
  }
  return { auroc: percentile(aurocs, level), averagePrecision: percentile(aps, level), resamples, seed, level };
}

/**
 * Every probability figure of a run. `pairs` are the pairs that have a probability; `missing` the
 * scored pairs that have none.
 */
export function scoreProbabilities(pairs: readonly ProbabilityPair[], missing: number, options: BootstrapOptions = {}): ProbabilityScore {
  validate(pairs);
  if (pairs.length === 0) {
    return {
      probabilityPairs: 0, probabilityMissing: missing, auroc: null, averagePrecision: null, aurocCi: null, averagePrecisionCi: null,
      roc: null, pr: null, sweep: null, brier: null, ece: null, calibration: null,
    };
  }
  const point = { auroc: auroc(pairs), averagePrecision: averagePrecision(pairs) };
  const ci = bootstrapCurveCi(pairs, options);
  const calibration = calibrationBins(pairs);
  return {
    probabilityPairs: pairs.length,
    probabilityMissing: missing,
    auroc: point.auroc,
    averagePrecision: point.averagePrecision,
    // An interval only where the point estimate exists.
    aurocCi: point.auroc === null ? null : ci.auroc,
    averagePrecisionCi: point.averagePrecision === null ? null : ci.averagePrecision,
    roc: rocCurve(pairs),
    pr: prCurve(pairs),
    sweep: thresholdSweep(pairs),
    brier: brierScore(pairs),
    ece: expectedCalibrationError(calibration),
    calibration,
  };
}
