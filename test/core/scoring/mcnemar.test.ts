import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mcnemarExact, pairedLabelComparison } from '../../../src/core/scoring/mcnemar';
import type { ScoredPair } from '../../../src/core/scoring/metrics';

/** Exact two-sided p-value with BigInt binomial coefficients (valid while 2^n fits a double, n <= 1023). */
function exactWithBigInt(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let coefficient = 1n;
  let tail = 0n;
  for (let i = 0; i <= k; i++) {
    tail += coefficient;
    coefficient = (coefficient * BigInt(n - i)) / BigInt(i + 1);
  }
  return Math.min(1, (2 * Number(tail)) / 2 ** n);
}

/** Standard normal upper tail via the Abramowitz-Stegun 7.1.26 erfc approximation (error < 1.5e-7). */
function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return (poly * Math.exp(-x * x)) / 2;
}

describe('mcnemarExact', () => {
  it.each([
    [1, 5, 0.21875],
    [5, 1, 0.21875],
    [0, 10, 0.001953125],
    [10, 0, 0.001953125],
    [10, 10, 1],
    [0, 0, 1],
    [0, 1, 1],
    [2, 8, 0.109375], // 2 * (1 + 10 + 45) / 1024
    [3, 12, 0.03515625], // 2 * (1 + 15 + 105 + 455) / 32768
  ])('b=%i c=%i gives %d', (b, c, expected) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(expected, 14);
  });

  it('matches exact BigInt arithmetic for all b, c up to 40', () => {
    for (let b = 0; b <= 40; b++) {
      for (let c = 0; c <= 40; c++) {
        const expected = exactWithBigInt(b, c);
        expect(Math.abs(mcnemarExact(b, c) - expected)).toBeLessThanOrEqual(1e-12 * Math.max(expected, 1e-300));
      }
    }
  });

  it('matches exact arithmetic for counts in the hundreds', () => {
    for (const [b, c] of [[200, 260], [430, 500], [100, 400], [511, 512]] as const) {
      const expected = exactWithBigInt(b, c);
      expect(mcnemarExact(b, c) / expected).toBeCloseTo(1, 10);
    }
  });

  it('agrees with the continuity-corrected normal approximation for large counts', () => {
    for (const [b, c] of [[1500, 1600], [2000, 2150], [4000, 4200]] as const) {
      const z = (Math.abs(b - c) - 1) / Math.sqrt(b + c);
      const approx = 2 * normalUpperTail(z);
      const exact = mcnemarExact(b, c);
      expect(exact / approx).toBeGreaterThan(0.95);
      expect(exact / approx).toBeLessThan(1.05);
    }
  });

  it('stays finite where 2^-n underflows', () => {
    expect(mcnemarExact(0, 3000)).toBe(0);
    const tiny = mcnemarExact(900, 2100);
    expect(Number.isFinite(tiny) && tiny >= 0 && tiny < 1e-50).toBe(true);
    expect(mcnemarExact(5000, 5000)).toBe(1);
    const moderate = mcnemarExact(2480, 2600);
    expect(moderate > 0.05 && moderate < 0.15).toBe(true);
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1, Number.NaN)).toThrow(RangeError);
  });

  it('is symmetric, within [0, 1], and falls as the imbalance grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (b, c) => {
        const p = mcnemarExact(b, c);
        expect(p >= 0 && p <= 1).toBe(true);
        expect(mcnemarExact(c, b)).toBe(p);
        if (b <= c) expect(mcnemarExact(b, c + 1)).toBeLessThanOrEqual(p);
      }),
    );
  });
});

function labelPair(key: string, gold: boolean, predicted: boolean, status: ScoredPair['status'] = 'ok'): ScoredPair {
  return { key, code: 'I10', gold, goldSentences: [], status, predicted, predictedSentences: [] };
}

describe('pairedLabelComparison', () => {
  it('counts concordant and discordant pairs and lists disagreements', () => {
    const runA = [
      labelPair('k1', true, true), // A right, B right
      labelPair('k2', true, true), // A right, B wrong
      labelPair('k3', false, false), // A right, B wrong
      labelPair('k4', false, true), // A wrong, B right
      labelPair('k5', true, false), // both wrong
      labelPair('k6', true, true), // A right, B missing -> False -> wrong
      labelPair('k7', false, true, 'invalid'), // A invalid -> False -> right; B right
    ];
    const runB = [
      labelPair('k1', true, true),
      labelPair('k2', true, false),
      labelPair('k3', false, true),
      labelPair('k4', false, false),
      labelPair('k5', true, false),
      labelPair('k6', true, true, 'missing'),
      labelPair('k7', false, false),
    ];
    const result = pairedLabelComparison(runA, runB);
    expect(result).toEqual({
      n: 7,
      bothCorrect: 2,
      b: 3,
      c: 1,
      bothWrong: 1,
      p: 0.625, // 2 * (1 + 4) / 16
      disagreements: ['k2', 'k3', 'k4', 'k6'],
    });
  });

  it('reports p = 1 and no disagreements for identical runs', () => {
    const run = [labelPair('a', true, false), labelPair('b', false, false)];
    expect(pairedLabelComparison(run, run)).toMatchObject({ b: 0, c: 0, p: 1, disagreements: [] });
  });

  it('refuses runs that are not aligned by key', () => {
    const runA = [labelPair('a', true, true), labelPair('b', false, false)];
    expect(() => pairedLabelComparison(runA, [...runA].reverse())).toThrow();
  });
});
