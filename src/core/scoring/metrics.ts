/**
 * MedicalBench scoring: label metrics and sentence-level evidence metrics.
 *
 * Official definitions (MedicalBench PhysioNet page):
 *   - Precision = TP / (TP + FP), Recall = TP / (TP + FN), F1 = 2PR / (P + R),
 *     micro-averaged over all pairs.
 *   - Evidence recall = |pred ∩ gold| / |gold| per pair, macro-averaged over pairs
 *     with gold evidence; a pair with no predicted sentences scores 0.
 *
 * Conventions chosen here where the page is silent:
 *   - 0/0 ratios (precision, recall, F1, accuracy, specificity, MCC, balanced
 *     accuracy) are null: undefined, shown as "n/a". Printing them as 0 read as
 *     "the model failed" where the truth was "there was nothing to measure"
 *     (a chapter without positives, a run that never says True). The bootstrap
 *     keeps 0 inside its replicates (bootstrap.ts), where a null cannot be averaged.
 *   - MCC is null when any row or column of the confusion matrix is empty (as
 *     its formula divides by zero; scikit-learn returns 0 there).
 *   - Evidence metrics are null when no pair has gold evidence (there is nothing
 *     to average, and 0 would misread as "retrieved nothing").
 *   - Evidence precision = |pred ∩ gold| / |pred| per pair, macro-averaged over the
 *     same pairs as evidence recall (pairs with gold evidence), 0 when pred is empty.
 *     Evidence F1 is the harmonic mean of the two macro averages (0 when both are 0).
 *   - Sentence ids are treated as sets (duplicates collapse).
 *   - 'missing' and 'invalid' pairs count as predicted False with no evidence.
 *     For 'ok' pairs the predicted sentences are scored whatever the label, because
 *     the official metric compares the returned sentence set with gold as-is.
 */

import { conceptGroupInfo, codeKind } from './icd';

export interface ScoredPair {
  /** Stable pair identity, e.g. `${taskId}|${code}`. */
  key: string;
  code: string;
  gold: boolean;
  /** Gold evidence sentence ids (may be empty). */
  goldSentences: readonly number[];
  /** missing = no prediction; invalid = unparseable; both count as predicted False with no evidence. */
  status: 'ok' | 'missing' | 'invalid';
  /** Ignored unless status === 'ok'. */
  predicted: boolean;
  predictedSentences: readonly number[];
}

export type EvidenceMatchType = 'exact' | 'partial' | 'proximate' | 'none';

export interface Metrics {
  n: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
  specificity: number | null;
  /** Matthews correlation coefficient. */
  mcc: number | null;
  /** (recall + specificity) / 2. */
  balancedAccuracy: number | null;
  evidenceRecall: number | null;
  evidencePrecision: number | null;
  evidenceF1: number | null;
  /** Pairs with non-empty gold evidence: the denominator of the evidence macro averages. */
  evidencePairs: number;
  missing: number;
  invalid: number;
  /** Counted over evidence pairs only; sums to evidencePairs. */
  matchTypes: Record<EvidenceMatchType, number>;
}

export type LabelOutcome = 'tp' | 'fp' | 'fn' | 'tn';

/** 0/0 -> 0 (see module comment). */
export function safeRatio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Harmonic mean of precision and recall; 0 when both are 0. */
export function harmonicF1(precision: number, recall: number): number {
  return safeRatio(2 * precision * recall, precision + recall);
}

/** numerator / denominator, or null when the denominator is 0 (an undefined metric). */
export function ratioOrNull(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Matthews correlation; null when a marginal of the confusion matrix is 0. */
export function matthews(tp: number, fp: number, fn: number, tn: number): number | null {
  const product = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  if (product === 0) return null;
  return (tp * tn - fp * fn) / Math.sqrt(product);
}

/** The label metrics from confusion counts, null where undefined. */
export function labelMetrics(tp: number, fp: number, fn: number, tn: number): Pick<Metrics, 'precision' | 'recall' | 'f1' | 'accuracy' | 'specificity' | 'mcc' | 'balancedAccuracy'> {
  const recall = ratioOrNull(tp, tp + fn);
  const specificity = ratioOrNull(tn, tn + fp);
  return {
    precision: ratioOrNull(tp, tp + fp),
    recall,
    // 2TP / (2TP + FP + FN): defined whenever there is any positive, gold or predicted.
    f1: ratioOrNull(2 * tp, 2 * tp + fp + fn),
    accuracy: ratioOrNull(tp + tn, tp + fp + fn + tn),
    specificity,
    mcc: matthews(tp, fp, fn, tn),
    balancedAccuracy: recall === null || specificity === null ? null : (recall + specificity) / 2,
  };
}

/** The label a pair is scored with: missing/invalid predictions count as False. */
export function effectivePrediction(pair: ScoredPair): boolean {
  return pair.status === 'ok' && pair.predicted;
}

/** The sentence ids a pair is scored with: none for missing/invalid predictions. */
export function effectivePredictedSentences(pair: ScoredPair): readonly number[] {
  return pair.status === 'ok' ? pair.predictedSentences : [];
}

export function labelOutcome(pair: ScoredPair): LabelOutcome {
  const predicted = effectivePrediction(pair);
  if (pair.gold) return predicted ? 'tp' : 'fn';
  return predicted ? 'fp' : 'tn';
}

export interface PairEvidenceScore {
  recall: number;
  precision: number;
  matchType: EvidenceMatchType;
}

function countIntersection(gold: ReadonlySet<number>, predicted: ReadonlySet<number>): number {
  let shared = 0;
  for (const id of predicted) if (gold.has(id)) shared++;
  return shared;
}

/**
 * Per-pair evidence scores, or null when the pair has no gold evidence (it then
 * takes no part in the evidence averages).
 */
export function pairEvidenceScore(pair: ScoredPair): PairEvidenceScore | null {
  const gold = new Set(pair.goldSentences);
  if (gold.size === 0) return null;
  const predicted = new Set(effectivePredictedSentences(pair));
  const shared = countIntersection(gold, predicted);
  return {
    recall: shared / gold.size,
    precision: safeRatio(shared, predicted.size),
    matchType: matchTypeOfSets(gold, predicted, shared),
  };
}

function matchTypeOfSets(gold: ReadonlySet<number>, predicted: ReadonlySet<number>, shared: number): EvidenceMatchType {
  if (shared > 0) return shared === gold.size && shared === predicted.size ? 'exact' : 'partial';
  for (const id of predicted) {
    if (gold.has(id - 1) || gold.has(id + 1)) return 'proximate';
  }
  return 'none';
}

/**
 * Evidence match type in the style of Beckh et al. (2025): exact (same set),
 * partial (overlapping but different), proximate (disjoint, but a predicted
 * sentence is adjacent to a gold one, |p - g| = 1), none (anything else,
 * including no prediction). Returns null when gold is empty: the categories
 * only describe pairs that have gold evidence.
 */
export function evidenceMatchType(gold: readonly number[], pred: readonly number[]): EvidenceMatchType | null {
  const goldSet = new Set(gold);
  if (goldSet.size === 0) return null;
  const predSet = new Set(pred);
  return matchTypeOfSets(goldSet, predSet, countIntersection(goldSet, predSet));
}

export function computeMetrics(pairs: readonly ScoredPair[]): Metrics {
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const matchTypes: Record<EvidenceMatchType, number> = { exact: 0, partial: 0, proximate: 0, none: 0 };
  let missing = 0;
  let invalid = 0;
  let evidencePairs = 0;
  let evidenceRecallSum = 0;
  let evidencePrecisionSum = 0;

  for (const pair of pairs) {
    counts[labelOutcome(pair)]++;
    if (pair.status === 'missing') missing++;
    else if (pair.status === 'invalid') invalid++;
    const evidence = pairEvidenceScore(pair);
    if (evidence) {
      evidencePairs++;
      evidenceRecallSum += evidence.recall;
      evidencePrecisionSum += evidence.precision;
      matchTypes[evidence.matchType]++;
    }
  }

  const { tp, fp, fn, tn } = counts;
  const evidenceRecall = evidencePairs === 0 ? null : evidenceRecallSum / evidencePairs;
  const evidencePrecision = evidencePairs === 0 ? null : evidencePrecisionSum / evidencePairs;
  const evidenceF1 =
    evidenceRecall === null || evidencePrecision === null ? null : harmonicF1(evidencePrecision, evidenceRecall);

  return {
    n: pairs.length,
    tp,
    fp,
    fn,
    tn,
    ...labelMetrics(tp, fp, fn, tn),
    evidenceRecall,
    evidencePrecision,
    evidenceF1,
    evidencePairs,
    missing,
    invalid,
    matchTypes,
  };
}

export type BreakdownDimension = 'chapter' | 'kind' | 'gold';

export interface BreakdownGroup {
  group: string;
  metrics: Metrics;
}

const KIND_ORDER = { CM: 0, PCS: 1, unknown: 2 } as const;

function groupOf(pair: ScoredPair, by: BreakdownDimension): { label: string; order: number } {
  switch (by) {
    case 'chapter':
      return conceptGroupInfo(pair.code);
    case 'kind': {
      const kind = codeKind(pair.code);
      return { label: kind, order: KIND_ORDER[kind] };
    }
    case 'gold':
      return pair.gold ? { label: 'gold True', order: 0 } : { label: 'gold False', order: 1 };
  }
}

/**
 * Metrics per group, in a fixed order: CM chapters 1-22, PCS sections, unknown
 * (for 'chapter'); CM, PCS, unknown (for 'kind'); gold True, gold False (for
 * 'gold'). Groups with no pairs are omitted.
 */
export function breakdown(pairs: readonly ScoredPair[], by: BreakdownDimension): BreakdownGroup[] {
  const groups = new Map<string, { order: number; members: ScoredPair[] }>();
  for (const pair of pairs) {
    const { label, order } = groupOf(pair, by);
    let group = groups.get(label);
    if (!group) {
      group = { order, members: [] };
      groups.set(label, group);
    }
    group.members.push(pair);
  }
  return [...groups.entries()]
    .sort(([labelA, a], [labelB, b]) => a.order - b.order || labelA.localeCompare(labelB))
    .map(([group, { members }]) => ({ group, metrics: computeMetrics(members) }));
}

/**
 * Throws unless two prediction sets describe the same pairs in the same order
 * (same key, gold label and gold evidence at every index): paired statistics are meaningless otherwise.
 */
export function assertAlignedPairs(pairsA: readonly ScoredPair[], pairsB: readonly ScoredPair[]): void {
  if (pairsA.length !== pairsB.length) {
    throw new Error(`Paired comparison needs equal lengths, got ${pairsA.length} and ${pairsB.length}`);
  }
  for (let i = 0; i < pairsA.length; i++) {
    const a = pairsA[i] as ScoredPair;
    const b = pairsB[i] as ScoredPair;
    if (a.key !== b.key) {
      throw new Error(`Paired comparison needs aligned pairs: index ${i} has keys '${a.key}' and '${b.key}'`);
    }
    if (a.gold !== b.gold || !sameIdSet(a.goldSentences, b.goldSentences)) {
      throw new Error(`Paired comparison found different gold annotations for '${a.key}'`);
    }
  }
}

function sameIdSet(a: readonly number[], b: readonly number[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  if (setA.size !== setB.size) return false;
  for (const id of setA) if (!setB.has(id)) return false;
  return true;
}
