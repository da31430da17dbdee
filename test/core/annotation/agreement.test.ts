import { describe, expect, it } from 'vitest';
import { cohenKappa, normaliseSpans, setJaccard, spanJaccard } from '../../../src/core/annotation/agreement';

// scikit-learn is not installed here, so these expected values are derived by hand from the formula
// its cohen_kappa_score documents (no weights): kappa = (p_o - p_e) / (1 - p_e), with p_e from each
// rater's label frequencies; each case shows the arithmetic.
const T = true;
const F = false;

describe("Cohen's kappa", () => {
  it('matches hand-derived values of the documented formula', () => {
    // p_o = 7/10; rater a says True 6/10, rater b 5/10: p_e = .6*.5 + .4*.5 = .5; kappa = (.7-.5)/(1-.5) = .4
    expect(cohenKappa([T, T, F, F, T, F, T, T, F, T], [T, F, F, F, T, T, T, T, F, F])).toBeCloseTo(0.4, 12);
    // p_o = .5, p_e = .5*.5 + .5*.5 = .5: kappa = 0
    expect(cohenKappa([T, T, F, F], [T, F, T, F])).toBe(0);
    // perfect agreement using both labels: p_o = 1, p_e = .5: kappa = 1
    expect(cohenKappa([T, F, T, F], [T, F, T, F])).toBe(1);
    // p_o = 3/4; p_e = .75*1 + .25*0 = .75: kappa = 0 although 3 of 4 agree
    expect(cohenKappa([T, T, T, F], [T, T, T, T])).toBe(0);
    // p_o = 0, p_e = .5: kappa = -1
    expect(cohenKappa([T, F], [F, T])).toBe(-1);
    // p_o = 4/6; a True 3/6, b True 1/6: p_e = .5*(1/6) + .5*(5/6) = .5; kappa = (2/3 - 1/2)/(1/2) = 1/3
    expect(cohenKappa([T, T, T, F, F, F], [T, F, F, F, F, F])).toBeCloseTo(1 / 3, 12);
  });

  it('is undefined (null, where scikit-learn gives nan) when both raters used one label throughout', () => {
    expect(cohenKappa([T, T, T], [T, T, T])).toBeNull();
    expect(cohenKappa([], [])).toBeNull();
    expect(() => cohenKappa([T], [T, F])).toThrow();
  });
});

describe('evidence overlap', () => {
  it('merges and sorts spans', () => {
    expect(normaliseSpans([{ start: 10, end: 20 }, { start: 0, end: 5 }, { start: 15, end: 25 }, { start: 25, end: 30 }, { start: 40, end: 40 }])).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 30 },
    ]);
  });

  it('is the character Jaccard of the covered code points', () => {
    // A covers 0-10 (10), B covers 5-15 (10): intersection 5, union 15.
    expect(spanJaccard([{ start: 0, end: 10 }], [{ start: 5, end: 15 }])).toBeCloseTo(1 / 3, 12);
    expect(spanJaccard([{ start: 0, end: 10 }], [{ start: 20, end: 30 }])).toBe(0);
    expect(spanJaccard([{ start: 0, end: 4 }, { start: 6, end: 10 }], [{ start: 0, end: 10 }])).toBeCloseTo(0.8, 12);
    expect(spanJaccard([], [])).toBeNull();
    expect(setJaccard([1, 2, 3], [2, 3, 4])).toBe(0.5);
    expect(setJaccard([], [])).toBeNull();
  });
});
