/**
 * Exact McNemar test for comparing the labels of two runs on the same pairs.
 */

import { assertAlignedPairs, effectivePrediction, type ScoredPair } from './metrics';

/**
 * Two-sided exact McNemar p-value from the discordant counts b and c:
 * p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2); p = 1 when b + c = 0.
 *
 * The binomial terms are built in log space with the ratio
 * C(n, i + 1) / C(n, i) = (n - i) / (i + 1) and summed relative to the largest
 * included term (the last one, since min(b, c) <= n / 2), so n in the thousands
 * neither overflows nor underflows before the final exp.
 */
export function mcnemarExact(b: number, c: number): number {
  if (!Number.isSafeInteger(b) || !Number.isSafeInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`discordant counts must be non-negative integers, got b=${b}, c=${c}`);
  }
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);

  const logTerms = new Float64Array(k + 1);
  logTerms[0] = -n * Math.LN2;
  for (let i = 0; i < k; i++) {
    logTerms[i + 1] = (logTerms[i] as number) + Math.log((n - i) / (i + 1));
  }
  const logLargest = logTerms[k] as number;
  let scaledSum = 0;
  for (let i = 0; i <= k; i++) scaledSum += Math.exp((logTerms[i] as number) - logLargest);
  const logTail = logLargest + Math.log(scaledSum);
  return Math.min(1, 2 * Math.exp(logTail));
}

export interface PairedLabelComparison {
  /** Number of aligned pairs. */
  n: number;
  /** Pairs where both runs label correctly. */
  bothCorrect: number;
  /** A correct, B wrong. */
  b: number;
  /** A wrong, B correct. */
  c: number;
  /** Pairs where both runs label wrongly. */
  bothWrong: number;
  /** Exact McNemar p-value of b vs c. */
  p: number;
  /** Keys whose effective predicted labels differ (exactly the b + c discordant pairs). */
  disagreements: string[];
}

/**
 * Compares the labels of two runs on the same pairs (aligned by index, same
 * key and gold at each index; throws otherwise). Missing/invalid predictions
 * count as False, as in computeMetrics.
 */
export function pairedLabelComparison(
  pairsA: readonly ScoredPair[],
  pairsB: readonly ScoredPair[],
): PairedLabelComparison {
  assertAlignedPairs(pairsA, pairsB);
  let bothCorrect = 0;
  let b = 0;
  let c = 0;
  let bothWrong = 0;
  const disagreements: string[] = [];
  pairsA.forEach((pairA, i) => {
    const pairB = pairsB[i] as ScoredPair;
    const aCorrect = effectivePrediction(pairA) === pairA.gold;
    const bCorrect = effectivePrediction(pairB) === pairB.gold;
    if (aCorrect && bCorrect) bothCorrect++;
    else if (aCorrect) b++;
    else if (bCorrect) c++;
    else bothWrong++;
    if (aCorrect !== bCorrect) disagreements.push(pairA.key);
  });
  return { n: pairsA.length, bothCorrect, b, c, bothWrong, p: mcnemarExact(b, c), disagreements };
}
