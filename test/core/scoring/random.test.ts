import { describe, it, expect } from 'vitest';
import { createRng } from '../../../src/core/scoring/random';

describe('createRng', () => {
  // Reference outputs from an independent Python implementation of the same
  // seeding (golden-ratio increment + murmur3 finaliser) and xoshiro128**.
  it.each([
    [1, [2442144158, 3238099751, 3819917871, 2104621829, 2021136066]],
    [0, [3809008728, 1133695204, 53579671, 2891528803, 139681546]],
    [-1, [4015709042, 3165395162, 1017639106, 3720433490, 2806502315]],
    [2 ** 40 + 5, [538299823, 2287012550, 387385419, 1763795338, 2981855938]],
  ])('seed %d produces the reference stream', (seed, expected) => {
    const rng = createRng(seed);
    expect(Array.from({ length: 5 }, () => rng.nextUint32())).toEqual(expected);
  });

  it('is deterministic per seed and differs between nearby seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rng.nextFloat());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(5)).not.toEqual(draw(5 + 2 ** 32));
  });

  it('keeps floats in [0, 1) and integers in [0, max)', () => {
    const rng = createRng(3);
    for (let i = 0; i < 10000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      const k = rng.nextInt(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      const u = rng.nextUint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
    }
  });

  it('spreads nextInt evenly (chi-square well below the 0.999 critical value)', () => {
    const rng = createRng(11);
    const buckets = 10;
    const draws = 100000;
    const counts = new Array<number>(buckets).fill(0);
    for (let i = 0; i < draws; i++) counts[rng.nextInt(buckets)]++;
    const expected = draws / buckets;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.88); // df = 9, p = 0.001
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
    expect(() => createRng(2 ** 60)).toThrow(RangeError);
  });
});
