import { describe, expect, it } from 'vitest';
import { probabilityLines } from '../../src/cli/probability-text';
import { scoreProbabilities } from '../../src/core/scoring/curves';

describe('probabilityLines', () => {
  it('says plainly when a run has no probabilities', () => {
    const lines = probabilityLines(scoreProbabilities([], 4), 0.95);
    expect(lines.join('\n')).toMatch(/No label probabilities in this run/);
  });

  it('names the pairs left out and explains a missing AUROC', () => {
    const score = scoreProbabilities([{ gold: true, probability: 0.9 }, { gold: true, probability: 0.4 }], 3, { resamples: 50 });
    const text = probabilityLines(score, 0.9).join('\n');
    expect(text).toMatch(/Label probability over 2 pairs \(3 without a probability are left out\):/);
    expect(text).toMatch(/AUROC\s+n\/a/);
    expect(text).toMatch(/AUROC needs both True and False gold pairs/);
    expect(text).toMatch(/90% CI/);
    expect(text).toMatch(/average precision\s+1\.000/);
  });
});
