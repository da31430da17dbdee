import { describe, expect, it } from 'vitest';
import { diagonalPath, horizontalPath, plotX, plotY, prStepPath, reliabilityPoints, rocPath } from '../../src/shared/probability-plot';

const box = { left: 10, top: 5, size: 100 };

describe('probability plot geometry', () => {
  it('maps [0, 1] onto the square, y growing upwards, and clamps', () => {
    expect([plotX(box, 0), plotX(box, 1), plotX(box, 1.5)]).toEqual([10, 110, 110]);
    expect([plotY(box, 0), plotY(box, 1), plotY(box, -1)]).toEqual([105, 5, 105]);
    expect(diagonalPath(box)).toBe('M10 105L110 5');
    expect(horizontalPath(box, 0.25)).toBe('M10 80H110');
  });

  it('draws ROC as a polyline and PR as the staircase whose area is the average precision', () => {
    expect(rocPath([{ fpr: 0, tpr: 0 }, { fpr: 0.5, tpr: 1 }], box)).toBe('M10 105L60 5');
    // AP = 0.5 * 1 + 0.5 * 0.5: the staircase rises to 1 over recall 0..0.5, then to 0.5 over 0.5..1.
    expect(prStepPath([{ recall: 0, precision: 1 }, { recall: 0.5, precision: 1 }, { recall: 1, precision: 0.5 }], box)).toBe('M10 5V5H60V55H110');
    expect(prStepPath([], box)).toBe('');
  });

  it('places one reliability point per non-empty bin', () => {
    const points = reliabilityPoints([{ count: 0, meanProbability: null, fractionPositive: null }, { count: 3, meanProbability: 0.2, fractionPositive: 0.5 }], box);
    expect(points).toEqual([{ x: 30, y: 55, count: 3, meanProbability: 0.2, fractionPositive: 0.5 }]);
  });
});
