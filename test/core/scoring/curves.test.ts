/**
 * Where the expected values come from (scikit-learn itself was NOT run: it could not be installed
 * offline on the machine that wrote this test):
 *   1. scikit-learn's documentation examples, whose printed outputs are part of its docs
 *      (`roc_curve`, `precision_recall_curve`, `average_precision_score` on y = [0, 0, 1, 1],
 *      scores = [0.1, 0.4, 0.35, 0.8]).
 *   2. Small tie cases worked by hand (the arithmetic is in the comments).
 *   3. `REFERENCE`: computed once by `fixtures/curves-reference.py`, a NumPy transcription of
 *      scikit-learn's `_binary_clf_curve`, `roc_curve`, `auc`, `precision_recall_curve`,
 *      `average_precision_score`, `brier_score_loss` and `calibration_curve`'s binning, and stored.
 *   4. Random cases with many ties against two independent implementations written here: the same
 *      NumPy-style algorithm (sort, cumsum at distinct-value ends, trapezoid / step sum) and the
 *      Mann–Whitney pair count (a positive above a negative scores 1, a tie 1/2).
 */
import { describe, expect, it } from 'vitest';
import { quantileType7 } from '../../../src/core/scoring/bootstrap';
import {
  auroc,
  averagePrecision,
  bootstrapCurveCi,
  brierScore,
  calibrationBins,
  expectedCalibrationError,
  prCurve,
  rocCurve,
  scoreProbabilities,
  thresholdSweep,
  type ProbabilityPair,
} from '../../../src/core/scoring/curves';
import { createRng } from '../../../src/core/scoring/random';

const pairsOf = (gold: number[], probability: number[]): ProbabilityPair[] => gold.map((g, i) => ({ gold: g === 1, probability: probability[i]! }));

// Output of fixtures/curves-reference.py (see point 3 above).
const REFERENCE = {
  gold: [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0],
  prob: [0.9, 0.9, 0.8, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.5, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.0, 1.0],
  auroc: 0.5729166666666667,
  averagePrecision: 0.4408707611832612,
  rocFpr: [0.0, 0.08333333333333333, 0.16666666666666666, 0.16666666666666666, 0.3333333333333333, 0.3333333333333333, 0.5, 0.5833333333333334, 0.8333333333333334, 1.0],
  rocTpr: [0.0, 0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.625, 1.0, 1.0],
  rocThresholds: [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1, 0.0],
  // scikit-learn's order: increasing threshold, then the (precision 1, recall 0) end.
  prPrecision: [0.4, 0.42105263157894735, 0.4444444444444444, 0.4375, 0.42857142857142855, 0.4166666666666667, 0.45454545454545453, 0.5, 0.42857142857142855, 0.5, 0.3333333333333333, 0.0, 1.0],
  prRecall: [1.0, 1.0, 1.0, 0.875, 0.75, 0.625, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0, 0.0],
  prThresholds: [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
  brier: 0.30412500000000003,
  binCounts: [2, 2, 4, 0, 1, 4, 3, 0, 1, 3],
  ece: 0.27249999999999996,
};

/** Independent transcription of scikit-learn's algorithm (point 4). */
function referenceClfCurve(pairs: readonly ProbabilityPair[]): { fps: number[]; tps: number[]; thresholds: number[] } {
  const sorted = [...pairs].sort((a, b) => b.probability - a.probability);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  sorted.forEach((pair, i) => {
    if (pair.gold) tp++;
    const last = i === sorted.length - 1 || sorted[i + 1]!.probability !== pair.probability;
    if (last) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(pair.probability);
    }
  });
  return { fps, tps, thresholds };
}

function referenceAuroc(pairs: readonly ProbabilityPair[]): number {
  const { fps, tps } = referenceClfCurve(pairs);
  const fpr = [0, ...fps.map((f) => f / fps[fps.length - 1]!)];
  const tpr = [0, ...tps.map((t) => t / tps[tps.length - 1]!)];
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return area;
}

function referenceAp(pairs: readonly ProbabilityPair[]): number {
  const { fps, tps } = referenceClfCurve(pairs);
  const total = tps[tps.length - 1]!;
  let previousRecall = 0;
  let ap = 0;
  tps.forEach((tp, i) => {
    const recall = tp / total;
    ap += (recall - previousRecall) * (tp / (tp + fps[i]!));
    previousRecall = recall;
  });
  return ap;
}

function mannWhitney(pairs: readonly ProbabilityPair[]): number {
  const positives = pairs.filter((p) => p.gold);
  const negatives = pairs.filter((p) => !p.gold);
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p.probability > n.probability ? 1 : p.probability === n.probability ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function randomPairs(seed: number, n: number, levels: number): ProbabilityPair[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const gold = rng.nextFloat() < 0.4;
    // Few distinct levels -> many ties; a positive leans higher so the AUROC is not ~0.5 by chance.
    const level = Math.min(levels, rng.nextInt(levels + 1) + (gold ? rng.nextInt(2) : 0));
    return { gold, probability: level / levels };
  });
}

describe('AUROC and average precision (scikit-learn definitions)', () => {
  it('matches scikit-learn documentation examples', () => {
    const pairs = pairsOf([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(auroc(pairs)).toBe(0.75);
    // average_precision_score docs: 0.83...
    expect(averagePrecision(pairs)).toBeCloseTo(0.8333333333333333, 15);
    // roc_curve docs: fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1].
    expect(rocCurve(pairs)).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0, tpr: 0.5, threshold: 0.8 },
      { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
      { fpr: 0.5, tpr: 1, threshold: 0.35 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
    // precision_recall_curve docs: precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8] (reversed here).
    const pr = prCurve(pairs)!;
    expect(pr.map((p) => p.threshold)).toEqual([null, 0.8, 0.4, 0.35, 0.1]);
    expect(pr.map((p) => p.recall)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(pr.map((p) => p.precision)).toEqual([1, 1, 0.5, 2 / 3, 0.5]);
  });

  it('handles ties as scikit-learn does (hand-worked)', () => {
    // All four tied: one threshold, ROC (0,0)->(1,1) = 0.5; AP = recall 1 x precision 1/2.
    const allTied = pairsOf([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]);
    expect(auroc(allTied)).toBe(0.5);
    expect(averagePrecision(allTied)).toBe(0.5);
    // Groups 0.9:(1 pos, 1 neg), 0.5:(1, 1), 0.1:(0, 1); P = 2, N = 3.
    // AUROC = [1*(0 + 1/2) + 1*(1 + 1/2) + 1*(2 + 0)] / 6 = 4/6. AP = 1/2*(1/2) + 1/2*(2/4) = 0.5.
    const blocks = pairsOf([1, 0, 1, 0, 0], [0.9, 0.9, 0.5, 0.5, 0.1]);
    expect(auroc(blocks)).toBeCloseTo(4 / 6, 15);
    expect(averagePrecision(blocks)).toBeCloseTo(0.5, 15);
    // Order within a tie never matters (scikit-learn's documented step-wise AP is order-free for ties;
    // the naive "precision at each positive" would give 1/3 and 1 for these two).
    expect(averagePrecision(pairsOf([1, 0, 0], [0.5, 0.5, 0.5]))).toBeCloseTo(1 / 3, 15);
    expect(averagePrecision(pairsOf([0, 0, 1], [0.5, 0.5, 0.5]))).toBeCloseTo(1 / 3, 15);
    // Perfect and reversed rankings.
    expect(auroc(pairsOf([1, 1, 0], [0.9, 0.8, 0.1]))).toBe(1);
    expect(auroc(pairsOf([1, 1, 0], [0.1, 0.2, 0.9]))).toBe(0);
    expect(averagePrecision(pairsOf([1, 1, 0], [0.9, 0.8, 0.1]))).toBe(1);
  });

  it('is null where scikit-learn has no score', () => {
    expect(auroc(pairsOf([1, 1], [0.2, 0.9]))).toBeNull(); // scikit-learn raises: one class only
    expect(auroc(pairsOf([0, 0], [0.2, 0.9]))).toBeNull();
    expect(averagePrecision(pairsOf([0, 0], [0.2, 0.9]))).toBeNull(); // scikit-learn warns and returns 0
    expect(averagePrecision(pairsOf([1, 1], [0.2, 0.9]))).toBe(1);
    expect(rocCurve(pairsOf([1, 1], [0.2, 0.9]))).toBeNull();
    expect(prCurve(pairsOf([0], [0.2]))).toBeNull();
    expect(auroc([])).toBeNull();
    expect(() => auroc(pairsOf([1], [1.2]))).toThrow(/pair 1: probability must be a number from 0 to 1/);
  });

  it('matches the stored NumPy transcription of scikit-learn on a case with ties and bin edges', () => {
    const pairs = pairsOf(REFERENCE.gold, REFERENCE.prob);
    expect(auroc(pairs)).toBeCloseTo(REFERENCE.auroc, 14);
    expect(averagePrecision(pairs)).toBeCloseTo(REFERENCE.averagePrecision, 14);
    const roc = rocCurve(pairs)!;
    expect(roc.map((p) => p.threshold)).toEqual([null, ...REFERENCE.rocThresholds]);
    roc.forEach((p, i) => {
      expect(p.fpr).toBeCloseTo(REFERENCE.rocFpr[i]!, 14);
      expect(p.tpr).toBeCloseTo(REFERENCE.rocTpr[i]!, 14);
    });
    const pr = prCurve(pairs)!.reverse(); // into scikit-learn's order
    expect(pr.map((p) => p.threshold)).toEqual([...REFERENCE.prThresholds, null]);
    pr.forEach((p, i) => {
      expect(p.precision).toBeCloseTo(REFERENCE.prPrecision[i]!, 14);
      expect(p.recall).toBeCloseTo(REFERENCE.prRecall[i]!, 14);
    });
    expect(brierScore(pairs)).toBeCloseTo(REFERENCE.brier, 14);
    const bins = calibrationBins(pairs);
    expect(bins.map((b) => b.count)).toEqual(REFERENCE.binCounts);
    expect(expectedCalibrationError(bins)).toBeCloseTo(REFERENCE.ece, 14);
  });

  it('agrees with two independent implementations on random cases full of ties', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const pairs = randomPairs(seed, 5 + (seed % 7) * 9, 2 + (seed % 9));
      const hasBoth = pairs.some((p) => p.gold) && pairs.some((p) => !p.gold);
      if (!hasBoth) continue;
      const value = auroc(pairs)!;
      expect(value).toBeCloseTo(referenceAuroc(pairs), 12);
      expect(value).toBeCloseTo(mannWhitney(pairs), 12);
      expect(averagePrecision(pairs)).toBeCloseTo(referenceAp(pairs), 12);
    }
  });
});

describe('threshold sweep', () => {
  it('gives precision, recall and F1 at each distinct threshold and marks the F1-best as tuned on the test set', () => {
    const sweep = thresholdSweep(pairsOf([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]));
    expect(sweep.points.map((p) => [p.threshold, p.tp, p.fp, p.fn, p.tn])).toEqual([
      [0.8, 1, 0, 1, 2],
      [0.4, 1, 1, 1, 1],
      [0.35, 2, 1, 0, 1],
      [0.1, 2, 2, 0, 0],
    ]);
    // F1 = 2TP / (2TP + FP + FN): 2/3, 1/2, 4/5, 2/3.
    expect(sweep.points.map((p) => p.f1)).toEqual([2 / 3, 0.5, 0.8, 2 / 3]);
    expect(sweep.best).toMatchObject({ threshold: 0.35, f1: 0.8, precision: 2 / 3, recall: 1, tunedOnTestSet: true });
    // Equal F1 (2/3 at 0.9: TP 1, FN 1; 4/6 at 0.6: TP 2, FP 2): the highest threshold wins.
    expect(thresholdSweep(pairsOf([1, 0, 0, 1], [0.9, 0.8, 0.7, 0.6])).best?.threshold).toBe(0.9);
    expect(thresholdSweep(pairsOf([0, 0], [0.3, 0.3])).points[0]).toMatchObject({ recall: null, precision: 0, f1: 0 });
    expect(thresholdSweep([])).toEqual({ points: [], best: null });
  });
});

describe('calibration', () => {
  it('computes Brier, reliability bins and ECE (hand-worked)', () => {
    // (0.8-1)^2 + (0.8-0)^2 + (0.2-0)^2 + (1-1)^2 = 0.04 + 0.64 + 0.04 + 0 -> / 4 = 0.18.
    const pairs = pairsOf([1, 0, 0, 1], [0.8, 0.8, 0.2, 1]);
    expect(brierScore(pairs)).toBeCloseTo(0.18, 15);
    const bins = calibrationBins(pairs);
    expect(bins).toHaveLength(10);
    expect(bins[8]).toMatchObject({ count: 2, fractionPositive: 0.5 });
    expect(bins[8]!.meanProbability).toBeCloseTo(0.8, 15);
    expect(bins[2]).toMatchObject({ count: 1, meanProbability: 0.2, fractionPositive: 0 });
    expect(bins[9]).toMatchObject({ count: 1, meanProbability: 1, fractionPositive: 1 }); // 1.0 goes to the last bin
    expect(bins[0]).toMatchObject({ count: 0, meanProbability: null, fractionPositive: null });
    // ECE = 2/4*|0.5-0.8| + 1/4*|0-0.2| + 1/4*|1-1| = 0.15 + 0.05 = 0.2.
    expect(expectedCalibrationError(bins)).toBeCloseTo(0.2, 15);
    expect(brierScore([])).toBeNull();
    expect(expectedCalibrationError(calibrationBins([]))).toBeNull();
  });
});

describe('bootstrap intervals of AUROC and AP', () => {
  it('equal the naive bootstrap (resample the list, score it with the reference) drawn with the same RNG', () => {
    const pairs = randomPairs(7, 40, 5);
    const resamples = 300;
    const ci = bootstrapCurveCi(pairs, { resamples, seed: 3 });
    // The implementation indexes pairs in descending-probability order (ties: positives first); draw the same way.
    const ordered = [...pairs].sort((a, b) => b.probability - a.probability || Number(b.gold) - Number(a.gold));
    const rng = createRng(3);
    const aurocs: number[] = [];
    const aps: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const sample = Array.from({ length: ordered.length }, () => ordered[rng.nextInt(ordered.length)]!);
      if (sample.some((p) => p.gold) && sample.some((p) => !p.gold)) aurocs.push(referenceAuroc(sample));
      if (sample.some((p) => p.gold)) aps.push(referenceAp(sample));
    }
    aurocs.sort((a, b) => a - b);
    aps.sort((a, b) => a - b);
    expect(ci.auroc![0]).toBeCloseTo(quantileType7(aurocs, 0.025), 12);
    expect(ci.auroc![1]).toBeCloseTo(quantileType7(aurocs, 0.975), 12);
    expect(ci.averagePrecision![0]).toBeCloseTo(quantileType7(aps, 0.025), 12);
    expect(ci.averagePrecision![1]).toBeCloseTo(quantileType7(aps, 0.975), 12);
    expect(ci.auroc![0]).toBeLessThan(auroc(pairs)!);
    expect(ci.auroc![1]).toBeGreaterThan(auroc(pairs)!);
    // Deterministic for a seed, different for another.
    expect(bootstrapCurveCi(pairs, { resamples, seed: 3 })).toEqual(ci);
    expect(bootstrapCurveCi(pairs, { resamples, seed: 4 }).auroc).not.toEqual(ci.auroc);
  });
});

describe('scoreProbabilities', () => {
  it('reports every figure, with the pairs that have no probability counted apart', () => {
    const pairs = pairsOf(REFERENCE.gold, REFERENCE.prob);
    const score = scoreProbabilities(pairs, 3, { resamples: 200, seed: 1 });
    expect(score.probabilityPairs).toBe(20);
    expect(score.probabilityMissing).toBe(3);
    expect(score.auroc).toBeCloseTo(REFERENCE.auroc, 14);
    expect(score.averagePrecision).toBeCloseTo(REFERENCE.averagePrecision, 14);
    expect(score.aurocCi).toHaveLength(2);
    expect(score.averagePrecisionCi).toHaveLength(2);
    expect(score.sweep?.best?.tunedOnTestSet).toBe(true);
    expect(score.calibration).toHaveLength(10);
    expect(score.ece).toBeCloseTo(REFERENCE.ece, 14);
  });

  it('is all null when no pair has a probability, and has no AUROC interval with one class', () => {
    expect(scoreProbabilities([], 5)).toEqual({
      probabilityPairs: 0, probabilityMissing: 5, auroc: null, averagePrecision: null, aurocCi: null, averagePrecisionCi: null,
      roc: null, pr: null, sweep: null, brier: null, ece: null, calibration: null,
    });
    const oneClass = scoreProbabilities(pairsOf([1, 1, 1], [0.2, 0.5, 0.9]), 0, { resamples: 50 });
    expect(oneClass.auroc).toBeNull();
    expect(oneClass.aurocCi).toBeNull();
    expect(oneClass.averagePrecision).toBe(1);
    expect(oneClass.brier).not.toBeNull();
  });
});
