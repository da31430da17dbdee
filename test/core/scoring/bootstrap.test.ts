import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bootstrapCi, pairedBootstrapDiff, quantileType7 } from '../../../src/core/scoring/bootstrap';
import { computeMetrics, type ScoredPair } from '../../../src/core/scoring/metrics';
import { createRng } from '../../../src/core/scoring/random';

/**
 * A synthetic run shaped like MedicalBench: ~41% positives, ~90% of positives
 * with gold evidence, a model that is right ~75% of the time and finds some evidence.
 */
function syntheticRun(size: number, seed: number, skill = 0.75): ScoredPair[] {
  const rng = createRng(seed);
  const pairs: ScoredPair[] = [];
  for (let i = 0; i < size; i++) {
    const gold = rng.nextFloat() < 0.41;
    const goldSentences = gold && rng.nextFloat() < 0.9 ? [rng.nextInt(40), rng.nextInt(40)] : [];
    const predicted = rng.nextFloat() < skill ? gold : !gold;
    const predictedSentences = predicted
      ? goldSentences.filter(() => rng.nextFloat() < 0.6).concat(rng.nextFloat() < 0.4 ? [rng.nextInt(40)] : [])
      : [];
    const status = rng.nextFloat() < 0.02 ? 'missing' : 'ok';
    pairs.push({ key: `task${i}|C${i}`, code: 'I10', gold, goldSentences, status, predicted, predictedSentences });
  }
  return pairs;
}

/** An independent pair of the same run with different model predictions (same keys and gold). */
function rescoreWithSkill(pairs: ScoredPair[], seed: number, skill: number): ScoredPair[] {
  const rng = createRng(seed);
  return pairs.map((pair) => {
    const predicted = rng.nextFloat() < skill ? pair.gold : !pair.gold;
    return {
      ...pair,
      status: 'ok',
      predicted,
      predictedSentences: predicted ? pair.goldSentences.filter(() => rng.nextFloat() < skill) : [],
    };
  });
}

const width = ([lo, hi]: [number, number]) => hi - lo;

describe('quantileType7', () => {
  it.each([
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 1, 4],
    [[1, 3, 7, 15, 31], 0.9, 24.6], // h = 3.6: 15 + 0.6 * 16
    [[1, 3, 7, 15, 31], 0.025, 1.2], // h = 0.1: 1 + 0.1 * 2
    [[10], 0.3, 10],
  ])('Q(%j, %d) = %d', (sorted, p, expected) => {
    expect(quantileType7(sorted, p)).toBeCloseTo(expected, 12);
  });

  it('rejects an empty sample and probabilities outside [0, 1]', () => {
    expect(() => quantileType7([], 0.5)).toThrow(RangeError);
    expect(() => quantileType7([1], 1.1)).toThrow(RangeError);
    expect(() => quantileType7([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('bootstrapCi', () => {
  const run = syntheticRun(823, 42);

  it('matches a naive resample-and-recompute implementation', () => {
    const resamples = 300;
    const seed = 9;
    const rng = createRng(seed);
    const replicates = { precision: [] as number[], recall: [] as number[], f1: [] as number[], evidenceRecall: [] as number[] };
    for (let r = 0; r < resamples; r++) {
      const sample = run.map(() => run[rng.nextInt(run.length)] as ScoredPair);
      const m = computeMetrics(sample);
      replicates.precision.push(m.precision ?? 0);
      replicates.recall.push(m.recall ?? 0);
      replicates.f1.push(m.f1 ?? 0);
      if (m.evidenceRecall !== null) replicates.evidenceRecall.push(m.evidenceRecall);
    }
    const interval = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      // Type-7 positions for a 90% interval, written out independently.
      const at = (p: number) => {
        const h = (sorted.length - 1) * p;
        const i = Math.floor(h);
        return (sorted[i] as number) + (h - i) * ((sorted[Math.min(i + 1, sorted.length - 1)] as number) - (sorted[i] as number));
      };
      return [at(0.05), at(0.95)];
    };
    const ci = bootstrapCi(run, { resamples, seed, level: 0.9 });
    for (const metric of ['precision', 'recall', 'f1', 'evidenceRecall'] as const) {
      const [lo, hi] = interval(replicates[metric]);
      const actual = ci[metric];
      if (!actual) throw new Error(`${metric} interval missing`);
      expect(actual[0], metric).toBeCloseTo(lo as number, 12);
      expect(actual[1], metric).toBeCloseTo(hi as number, 12);
    }
    expect(ci).toMatchObject({ resamples, seed, level: 0.9 });
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = bootstrapCi(run, { resamples: 500, seed: 3 });
    expect(bootstrapCi(run, { resamples: 500, seed: 3 })).toEqual(a);
    expect(bootstrapCi(run, { resamples: 500, seed: 4 }).f1).not.toEqual(a.f1);
  });

  it('uses 10000 resamples, seed 1 and level 0.95 by default', () => {
    const ci = bootstrapCi(run.slice(0, 50));
    expect([ci.resamples, ci.seed, ci.level]).toEqual([10000, 1, 0.95]);
  });

  it('brackets the point estimates on a realistic set', () => {
    const point = computeMetrics(run);
    const ci = bootstrapCi(run, { resamples: 2000 });
    const checks: [string, number, [number, number]][] = [
      ['precision', point.precision!, ci.precision],
      ['recall', point.recall!, ci.recall],
      ['f1', point.f1!, ci.f1],
      ['evidenceRecall', point.evidenceRecall as number, ci.evidenceRecall as [number, number]],
    ];
    for (const [name, estimate, [lo, hi]] of checks) {
      expect(lo, name).toBeLessThan(estimate);
      expect(hi, name).toBeGreaterThan(estimate);
      expect(width([lo, hi]), name).toBeLessThan(0.2);
    }
  });

  it('has a recall interval close to the binomial normal-approximation width', () => {
    const point = computeMetrics(run);
    const positives = point.tp + point.fn;
    const expectedWidth = 2 * 1.96 * Math.sqrt((point.recall! * (1 - point.recall!)) / positives);
    const ci = bootstrapCi(run, { resamples: 4000 });
    expect(width(ci.recall) / expectedWidth).toBeGreaterThan(0.85);
    expect(width(ci.recall) / expectedWidth).toBeLessThan(1.15);
  });

  it('narrows as the number of pairs grows', () => {
    const small = bootstrapCi(syntheticRun(150, 5), { resamples: 2000 });
    const large = bootstrapCi(syntheticRun(2400, 6), { resamples: 2000 });
    // Width scales like 1/sqrt(n): 16x the pairs should give about a quarter of the width.
    expect(width(large.f1)).toBeLessThan(width(small.f1) / 2.5);
    expect(width(large.evidenceRecall as [number, number])).toBeLessThan(width(small.evidenceRecall as [number, number]) / 2.5);
  });

  it('collapses to a point for perfect predictions', () => {
    const perfect = run.map((pair) => ({
      ...pair,
      status: 'ok' as const,
      predicted: pair.gold,
      predictedSentences: pair.goldSentences,
    }));
    const ci = bootstrapCi(perfect, { resamples: 200 });
    expect([ci.precision, ci.recall, ci.f1, ci.evidenceRecall]).toEqual([[1, 1], [1, 1], [1, 1], [1, 1]]);
  });

  it('gives null evidence intervals without gold evidence and zero intervals without pairs', () => {
    const noEvidence = run.map((pair) => ({ ...pair, goldSentences: [] }));
    expect(bootstrapCi(noEvidence, { resamples: 100 }).evidenceRecall).toBeNull();
    expect(bootstrapCi([], { resamples: 100 })).toEqual({
      precision: [0, 0],
      recall: [0, 0],
      f1: [0, 0],
      evidenceRecall: null,
      resamples: 100,
      seed: 1,
      level: 0.95,
    });
  });

  it('leaves out replicates that draw no evidence pair', () => {
    // One evidence pair among three: about 30% of replicates draw none, yet the interval exists.
    const pairs: ScoredPair[] = [
      { key: 'a', code: 'I10', gold: true, goldSentences: [1, 2], status: 'ok', predicted: true, predictedSentences: [1] },
      { key: 'b', code: 'I10', gold: false, goldSentences: [], status: 'ok', predicted: false, predictedSentences: [] },
      { key: 'c', code: 'I10', gold: false, goldSentences: [], status: 'ok', predicted: true, predictedSentences: [] },
    ];
    expect(bootstrapCi(pairs, { resamples: 500 }).evidenceRecall).toEqual([0.5, 0.5]);
  });

  it('rejects invalid options', () => {
    expect(() => bootstrapCi(run, { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCi(run, { resamples: 10.5 })).toThrow(RangeError);
    expect(() => bootstrapCi(run, { level: 1 })).toThrow(RangeError);
    expect(() => bootstrapCi(run, { level: 0 })).toThrow(RangeError);
    expect(() => bootstrapCi(run, { seed: 0.5 })).toThrow(RangeError);
  });

  it('runs 10000 resamples of 823 pairs quickly', () => {
    const started = performance.now();
    bootstrapCi(run, { resamples: 10000, seed: 1 });
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('keeps lo <= hi within [0, 1] for arbitrary runs', () => {
    const arbitraryPair = fc.record({
      key: fc.string(),
      code: fc.constant('I10'),
      gold: fc.boolean(),
      goldSentences: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      status: fc.constantFrom('ok' as const, 'missing' as const),
      predicted: fc.boolean(),
      predictedSentences: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryPair, { minLength: 1, maxLength: 30 }), fc.integer(), (pairs, seed) => {
        const ci = bootstrapCi(pairs, { resamples: 50, seed });
        for (const interval of [ci.precision, ci.recall, ci.f1, ci.evidenceRecall]) {
          if (interval === null) continue;
          expect(interval[0]).toBeLessThanOrEqual(interval[1]);
          expect(interval[0] >= 0 && interval[1] <= 1).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('pairedBootstrapDiff', () => {
  const runA = syntheticRun(823, 42);
  const strong = rescoreWithSkill(runA, 100, 0.9);
  const weak = rescoreWithSkill(runA, 200, 0.6);

  it('reports the point estimates of both runs and their difference', () => {
    const result = pairedBootstrapDiff(strong, weak, { resamples: 1000 });
    const a = computeMetrics(strong);
    const b = computeMetrics(weak);
    expect(result.f1.a).toBeCloseTo(a.f1!, 12);
    expect(result.f1.b).toBeCloseTo(b.f1!, 12);
    expect(result.f1.diff).toBeCloseTo(a.f1! - b.f1!, 12);
    expect(result.precision.diff).toBeCloseTo(a.precision! - b.precision!, 12);
    expect(result.recall.diff).toBeCloseTo(a.recall! - b.recall!, 12);
    expect(result.evidenceRecall?.diff).toBeCloseTo((a.evidenceRecall as number) - (b.evidenceRecall as number), 12);
  });

  it('finds a clearly better run significantly better', () => {
    const result = pairedBootstrapDiff(strong, weak, { resamples: 2000 });
    expect(result.f1.ci[0]).toBeGreaterThan(0);
    expect(result.f1.ci[0]).toBeLessThan(result.f1.diff);
    expect(result.f1.ci[1]).toBeGreaterThan(result.f1.diff);
    expect(result.evidenceRecall?.ci[0]).toBeGreaterThan(0);
  });

  it('gives a zero-width interval at 0 for identical runs', () => {
    const result = pairedBootstrapDiff(strong, strong, { resamples: 300 });
    expect(result.f1).toMatchObject({ diff: 0, ci: [0, 0] });
    expect(result.evidenceRecall).toMatchObject({ diff: 0, ci: [0, 0] });
  });

  it('is antisymmetric in the order of the runs', () => {
    const forward = pairedBootstrapDiff(strong, weak, { resamples: 999, seed: 5 });
    const backward = pairedBootstrapDiff(weak, strong, { resamples: 999, seed: 5 });
    expect(backward.f1.diff).toBeCloseTo(-forward.f1.diff, 12);
    expect(backward.f1.ci[0]).toBeCloseTo(-forward.f1.ci[1], 12);
    expect(backward.f1.ci[1]).toBeCloseTo(-forward.f1.ci[0], 12);
  });

  it('is narrower than the unpaired intervals suggest for correlated runs', () => {
    // B differs from A on only a few pairs, so the paired difference is tight.
    const nearlyA = strong.map((pair, i) => (i % 100 === 0 ? { ...pair, predicted: !pair.predicted } : pair));
    const paired = pairedBootstrapDiff(strong, nearlyA, { resamples: 2000 });
    const single = bootstrapCi(strong, { resamples: 2000 });
    expect(width(paired.f1.ci)).toBeLessThan(width(single.f1) / 2);
  });

  it('refuses misaligned runs and returns null evidence without gold evidence', () => {
    expect(() => pairedBootstrapDiff(strong, weak.slice(1))).toThrow();
    expect(() => pairedBootstrapDiff(strong, [...weak].reverse())).toThrow();
    const noEvidenceA = strong.map((pair) => ({ ...pair, goldSentences: [] }));
    const noEvidenceB = weak.map((pair) => ({ ...pair, goldSentences: [] }));
    expect(pairedBootstrapDiff(noEvidenceA, noEvidenceB, { resamples: 100 }).evidenceRecall).toBeNull();
  });
});
