import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  assertAlignedPairs,
  breakdown,
  computeMetrics,
  evidenceMatchType,
  type Metrics,
  type ScoredPair,
} from '../../../src/core/scoring/metrics';
import { createRng } from '../../../src/core/scoring/random';

function pair(overrides: Partial<ScoredPair> & { key: string }): ScoredPair {
  return {
    code: 'I10',
    gold: false,
    goldSentences: [],
    status: 'ok',
    predicted: false,
    predictedSentences: [],
    ...overrides,
  };
}

// Eight pairs covering every outcome, status and match type; expected values worked out by hand.
const HAND_PAIRS: ScoredPair[] = [
  pair({ key: 'p1', gold: true, goldSentences: [1, 2], predicted: true, predictedSentences: [2, 3, 9] }),
  pair({ key: 'p2', gold: true, goldSentences: [5], predicted: false }),
  pair({ key: 'p3', gold: false, predicted: true, predictedSentences: [7] }),
  pair({ key: 'p4', gold: false, predicted: false }),
  // A missing prediction is scored False with no evidence, whatever its fields say.
  pair({ key: 'p5', gold: true, goldSentences: [4], status: 'missing', predicted: true, predictedSentences: [4] }),
  pair({ key: 'p6', gold: true, goldSentences: [10, 11], predicted: true, predictedSentences: [10, 11, 11] }),
  pair({ key: 'p7', gold: false, status: 'invalid', predicted: true, predictedSentences: [1] }),
  pair({ key: 'p8', gold: true, goldSentences: [20], predicted: true, predictedSentences: [21] }),
];

describe('computeMetrics', () => {
  it('matches hand-computed values on a mixed set', () => {
    const m = computeMetrics(HAND_PAIRS);
    // tp: p1 p6 p8; fp: p3; fn: p2 p5; tn: p4 p7
    expect([m.n, m.tp, m.fp, m.fn, m.tn]).toEqual([8, 3, 1, 2, 2]);
    expect(m.precision).toBeCloseTo(3 / 4, 12);
    expect(m.recall).toBeCloseTo(3 / 5, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(5 / 8, 12);
    expect(m.specificity).toBeCloseTo(2 / 3, 12);
    // Evidence pairs p1 p2 p5 p6 p8; recalls 1/2, 0, 0, 1, 0; precisions 1/3, 0, 0, 1, 0.
    expect(m.evidencePairs).toBe(5);
    expect(m.evidenceRecall).toBeCloseTo(3 / 10, 12);
    expect(m.evidencePrecision).toBeCloseTo(4 / 15, 12);
    expect(m.evidenceF1).toBeCloseTo(24 / 85, 12);
    expect(m.matchTypes).toEqual({ exact: 1, partial: 1, proximate: 1, none: 2 });
    expect(m.missing).toBe(1);
    expect(m.invalid).toBe(1);
  });

  it('scores perfect predictions as 1 everywhere', () => {
    const pairs = [
      pair({ key: 'a', gold: true, goldSentences: [3, 4], predicted: true, predictedSentences: [4, 3] }),
      pair({ key: 'b', gold: true, goldSentences: [0], predicted: true, predictedSentences: [0] }),
      pair({ key: 'c', gold: false, predicted: false }),
    ];
    const m = computeMetrics(pairs);
    expect([m.precision, m.recall, m.f1, m.accuracy, m.specificity]).toEqual([1, 1, 1, 1, 1]);
    expect([m.evidenceRecall, m.evidencePrecision, m.evidenceF1]).toEqual([1, 1, 1]);
    expect(m.matchTypes).toEqual({ exact: 2, partial: 0, proximate: 0, none: 0 });
  });

  it('scores all-True predictions without evidence: recall 1, evidence 0', () => {
    const pairs = [
      pair({ key: 'a', gold: true, goldSentences: [1], predicted: true }),
      pair({ key: 'b', gold: true, goldSentences: [2, 3], predicted: true }),
      pair({ key: 'c', gold: false, predicted: true }),
      pair({ key: 'd', gold: false, predicted: true }),
      pair({ key: 'e', gold: false, predicted: true }),
    ];
    const m = computeMetrics(pairs);
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([2, 3, 0, 0]);
    expect(m.precision).toBeCloseTo(2 / 5, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(4 / 7, 12);
    expect(m.specificity).toBe(0);
    expect([m.evidenceRecall, m.evidencePrecision, m.evidenceF1]).toEqual([0, 0, 0]);
    expect(m.matchTypes).toEqual({ exact: 0, partial: 0, proximate: 0, none: 2 });
  });

  it('scores all-missing predictions as all False', () => {
    const pairs = [
      pair({ key: 'a', gold: true, goldSentences: [1], status: 'missing', predicted: true, predictedSentences: [1] }),
      pair({ key: 'b', gold: false, status: 'missing' }),
      pair({ key: 'c', gold: false, status: 'missing', predicted: true }),
    ];
    const m = computeMetrics(pairs);
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([0, 0, 1, 2]);
    // Nothing predicted True: precision is 0/0, undefined (null), while recall and F1 are a real 0.
    expect([m.precision, m.recall, m.f1]).toEqual([null, 0, 0]);
    expect(m.mcc).toBeNull();
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.specificity).toBe(1);
    expect(m.evidenceRecall).toBe(0);
    expect(m.missing).toBe(3);
    expect(m.matchTypes.none).toBe(1);
  });

  it('uses null for 0/0 ratios and null evidence for an empty set', () => {
    const m = computeMetrics([]);
    expect([m.n, m.precision, m.recall, m.f1, m.accuracy, m.specificity, m.mcc, m.balancedAccuracy]).toEqual([0, null, null, null, null, null, null, null]);
    expect([m.evidenceRecall, m.evidencePrecision, m.evidenceF1]).toEqual([null, null, null]);
    expect(m.evidencePairs).toBe(0);
  });

  it('gives null evidence metrics when no pair has gold evidence', () => {
    const m = computeMetrics([
      pair({ key: 'a', gold: true, predicted: true, predictedSentences: [1, 2] }),
      pair({ key: 'b', gold: false, predicted: true }),
    ]);
    expect(m.evidenceRecall).toBeNull();
    expect(m.evidenceF1).toBeNull();
    expect(m.matchTypes).toEqual({ exact: 0, partial: 0, proximate: 0, none: 0 });
    expect(m.precision).toBeCloseTo(1 / 2, 12);
  });

  it('scores sentences of an ok pair even when it predicts False', () => {
    const m = computeMetrics([pair({ key: 'a', gold: true, goldSentences: [1, 2], predicted: false, predictedSentences: [2] })]);
    expect(m.fn).toBe(1);
    expect(m.evidenceRecall).toBeCloseTo(1 / 2, 12);
    expect(m.evidencePrecision).toBe(1);
  });

  it('agrees with a naive reimplementation on a noisy random set', () => {
    const rng = createRng(2024);
    const pairs: ScoredPair[] = [];
    for (let i = 0; i < 600; i++) {
      const gold = rng.nextFloat() < 0.4;
      const goldSentences = gold && rng.nextFloat() < 0.9 ? randomIds(rng, 1 + rng.nextInt(4)) : [];
      const roll = rng.nextFloat();
      const status = roll < 0.05 ? 'missing' : roll < 0.08 ? 'invalid' : 'ok';
      const predicted = rng.nextFloat() < (gold ? 0.7 : 0.25);
      const predictedSentences = rng.nextFloat() < 0.3 ? [] : randomIds(rng, rng.nextInt(5));
      pairs.push({ key: `t${i}|X`, code: 'I10', gold, goldSentences, status, predicted, predictedSentences });
    }
    const expected = naiveMetrics(pairs);
    const actual = computeMetrics(pairs);
    for (const name of Object.keys(expected) as (keyof typeof expected)[]) {
      const value = actual[name];
      if (value === null) throw new Error(`${name} unexpectedly null`);
      expect(value, name).toBeCloseTo(expected[name], 12);
    }
    // Enough of each case to make the comparison meaningful.
    expect(actual.missing).toBeGreaterThan(10);
    expect(actual.invalid).toBeGreaterThan(5);
    expect(actual.evidencePairs).toBeGreaterThan(150);
    expect(actual.matchTypes.exact + actual.matchTypes.partial + actual.matchTypes.proximate).toBeGreaterThan(20);
  });
});

function randomIds(rng: ReturnType<typeof createRng>, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextInt(12));
}

/** Straightforward restatement of the definitions, sharing no code with the implementation. */
function naiveMetrics(pairs: ScoredPair[]) {
  const label = (p: ScoredPair) => (p.status === 'ok' ? p.predicted : false);
  const tp = pairs.filter((p) => p.gold && label(p)).length;
  const fp = pairs.filter((p) => !p.gold && label(p)).length;
  const fn = pairs.filter((p) => p.gold && !label(p)).length;
  const tn = pairs.filter((p) => !p.gold && !label(p)).length;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const withGold = pairs.filter((p) => p.goldSentences.length > 0);
  const recalls = withGold.map((p) => {
    const gold = [...new Set(p.goldSentences)];
    const pred = p.status === 'ok' ? [...new Set(p.predictedSentences)] : [];
    return gold.filter((g) => pred.includes(g)).length / gold.length;
  });
  const precisions = withGold.map((p) => {
    const gold = [...new Set(p.goldSentences)];
    const pred = p.status === 'ok' ? [...new Set(p.predictedSentences)] : [];
    return pred.length === 0 ? 0 : pred.filter((s) => gold.includes(s)).length / pred.length;
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const evidenceRecall = mean(recalls);
  const evidencePrecision = mean(precisions);
  return {
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1,
    accuracy: (tp + tn) / pairs.length,
    specificity: tn / (tn + fp),
    evidenceRecall,
    evidencePrecision,
    evidenceF1: (2 * evidenceRecall * evidencePrecision) / (evidenceRecall + evidencePrecision),
    evidencePairs: withGold.length,
  };
}

describe('evidenceMatchType', () => {
  it.each([
    { gold: [1, 2], pred: [2, 1], expected: 'exact' },
    { gold: [1, 2], pred: [1, 1, 2], expected: 'exact' },
    { gold: [1, 2], pred: [1], expected: 'partial' },
    { gold: [1], pred: [1, 2], expected: 'partial' },
    { gold: [1, 5], pred: [5, 9], expected: 'partial' },
    { gold: [5], pred: [4], expected: 'proximate' },
    { gold: [5], pred: [6], expected: 'proximate' },
    { gold: [5, 9], pred: [0, 10], expected: 'proximate' },
    { gold: [5], pred: [7], expected: 'none' },
    { gold: [5], pred: [3, 7], expected: 'none' },
    { gold: [5], pred: [], expected: 'none' },
    { gold: [0], pred: [-1], expected: 'proximate' },
  ] as const)('gold $gold vs pred $pred is $expected', ({ gold, pred, expected }) => {
    expect(evidenceMatchType(gold, pred)).toBe(expected);
  });

  it('is null when there is no gold evidence', () => {
    expect(evidenceMatchType([], [])).toBeNull();
    expect(evidenceMatchType([], [3])).toBeNull();
  });
});

describe('breakdown', () => {
  const pairs: ScoredPair[] = [
    pair({ key: '1|0210093', code: '0210093', gold: true, predicted: true }),
    pair({ key: '1|I10', code: 'I10', gold: true, goldSentences: [2], predicted: false }),
    pair({ key: '2|I2510', code: 'I2510', gold: false, predicted: true }),
    pair({ key: '2|E119', code: 'E119', gold: true, goldSentences: [1], predicted: true, predictedSentences: [1] }),
    pair({ key: '3|D649', code: 'D649', gold: false, predicted: false }),
    pair({ key: '3|C3490', code: 'C3490', gold: true, predicted: true }),
    pair({ key: '3|??', code: '??', gold: false, predicted: true }),
  ];

  function subsetMetrics(predicate: (p: ScoredPair) => boolean): Metrics {
    return computeMetrics(pairs.filter(predicate));
  }

  it('groups by code kind in CM, PCS, unknown order', () => {
    const groups = breakdown(pairs, 'kind');
    expect(groups.map((g) => g.group)).toEqual(['CM', 'PCS', 'unknown']);
    expect(groups[0]?.metrics).toEqual(subsetMetrics((p) => !['0210093', '??'].includes(p.code)));
    expect(groups[1]?.metrics.n).toBe(1);
    expect(groups[2]?.metrics.fp).toBe(1);
  });

  it('groups by chapter in chapter order, splitting neoplasms from blood diseases', () => {
    const groups = breakdown(pairs, 'chapter');
    expect(groups.map((g) => g.group)).toEqual([
      'CM II (C00-D49) Neoplasms',
      'CM III (D50-D89) Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism',
      'CM IV (E00-E89) Endocrine, nutritional and metabolic diseases',
      'CM IX (I00-I99) Diseases of the circulatory system',
      'PCS 0 Medical and Surgical',
      'Unknown code',
    ]);
    const circulatory = groups[3]?.metrics;
    expect(circulatory).toEqual(subsetMetrics((p) => p.code.startsWith('I')));
    expect([circulatory?.tp, circulatory?.fp, circulatory?.fn]).toEqual([0, 1, 1]);
  });

  it('groups by gold label, positives first', () => {
    const groups = breakdown(pairs, 'gold');
    expect(groups.map((g) => g.group)).toEqual(['gold True', 'gold False']);
    expect(groups[0]?.metrics).toEqual(subsetMetrics((p) => p.gold));
    // No gold positives among the gold-False pairs: recall is undefined, not 0.
    expect(groups[1]?.metrics.recall).toBeNull();
  });

  it('returns no groups for no pairs', () => {
    expect(breakdown([], 'chapter')).toEqual([]);
  });
});

describe('assertAlignedPairs', () => {
  const a = [pair({ key: 'x', gold: true, goldSentences: [1, 2] }), pair({ key: 'y' })];
  it('accepts the same pairs with different predictions', () => {
    const b = [pair({ key: 'x', gold: true, goldSentences: [2, 1], predicted: true }), pair({ key: 'y', status: 'missing' })];
    expect(() => assertAlignedPairs(a, b)).not.toThrow();
  });
  it('rejects different lengths, order, gold labels or gold evidence', () => {
    expect(() => assertAlignedPairs(a, a.slice(0, 1))).toThrow(/equal lengths/);
    expect(() => assertAlignedPairs(a, [...a].reverse())).toThrow(/aligned/);
    expect(() => assertAlignedPairs(a, [pair({ key: 'x', gold: false, goldSentences: [1, 2] }), a[1] as ScoredPair])).toThrow(/gold/);
    expect(() => assertAlignedPairs(a, [pair({ key: 'x', gold: true, goldSentences: [1] }), a[1] as ScoredPair])).toThrow(/gold/);
  });
});

const arbitraryPair = fc.record({
  key: fc.string(),
  code: fc.constantFrom('I10', 'E119', '0210093', 'T797XXA', 'junk'),
  gold: fc.boolean(),
  goldSentences: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 4 }),
  status: fc.constantFrom('ok' as const, 'missing' as const, 'invalid' as const),
  predicted: fc.boolean(),
  predictedSentences: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 4 }),
});

describe('computeMetrics properties', () => {
  it('keeps every rate in [0, 1] and the counts consistent', () => {
    fc.assert(
      fc.property(fc.array(arbitraryPair, { maxLength: 40 }), (pairs) => {
        const m = computeMetrics(pairs);
        const rates = [m.precision, m.recall, m.f1, m.accuracy, m.specificity, m.evidenceRecall, m.evidencePrecision, m.evidenceF1];
        for (const rate of rates) {
          if (rate !== null) expect(rate >= 0 && rate <= 1).toBe(true);
        }
        expect(m.tp + m.fp + m.fn + m.tn).toBe(m.n);
        const { exact, partial, proximate, none } = m.matchTypes;
        expect(exact + partial + proximate + none).toBe(m.evidencePairs);
        expect(m.evidenceRecall === null).toBe(m.evidencePairs === 0);
        // F1 lies between min(P, R) and max(P, R) as a harmonic mean.
        if ((m.f1 ?? 0) > 0) expect(m.f1).toBeLessThanOrEqual(Math.max(m.precision ?? 0, m.recall ?? 0) + 1e-12);
      }),
    );
  });

  it('does not depend on pair order', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryPair, { minLength: 1, maxLength: 30 }).chain((pairs) =>
          fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length })),
        ),
        ([pairs, shuffled]) => {
          const a = computeMetrics(pairs);
          const b = computeMetrics(shuffled);
          expect([b.tp, b.fp, b.fn, b.tn, b.matchTypes]).toEqual([a.tp, a.fp, a.fn, a.tn, a.matchTypes]);
          if (a.f1 === null) expect(b.f1).toBeNull();
          else expect(b.f1).toBeCloseTo(a.f1, 12);
          if (a.evidenceRecall !== null) expect(b.evidenceRecall).toBeCloseTo(a.evidenceRecall, 12);
        },
      ),
    );
  });
});
