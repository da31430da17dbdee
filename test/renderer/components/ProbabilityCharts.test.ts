import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ProbabilityScore } from '../../../src/shared/contract';
import { ProbabilityCharts } from '../../../src/renderer/src/components/ProbabilityCharts';

/**
 * scikit-learn's documentation example (y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8]) as the
 * core reports it: AUROC 0.75, AP 0.8333, the ROC and PR points of its docs.
 */
const SCORE: ProbabilityScore = {
  probabilityPairs: 4,
  probabilityMissing: 1,
  auroc: 0.75,
  averagePrecision: 0.8333333333333333,
  aurocCi: [0.25, 1],
  averagePrecisionCi: [0.5, 1],
  roc: [
    { fpr: 0, tpr: 0, threshold: null },
    { fpr: 0, tpr: 0.5, threshold: 0.8 },
    { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
    { fpr: 0.5, tpr: 1, threshold: 0.35 },
    { fpr: 1, tpr: 1, threshold: 0.1 },
  ],
  pr: [
    { recall: 0, precision: 1, threshold: null },
    { recall: 0.5, precision: 1, threshold: 0.8 },
    { recall: 0.5, precision: 0.5, threshold: 0.4 },
    { recall: 1, precision: 2 / 3, threshold: 0.35 },
    { recall: 1, precision: 0.5, threshold: 0.1 },
  ],
  sweep: {
    points: [
      { threshold: 0.8, tp: 1, fp: 0, fn: 1, tn: 2, precision: 1, recall: 0.5, f1: 2 / 3 },
      { threshold: 0.4, tp: 1, fp: 1, fn: 1, tn: 1, precision: 0.5, recall: 0.5, f1: 0.5 },
      { threshold: 0.35, tp: 2, fp: 1, fn: 0, tn: 1, precision: 2 / 3, recall: 1, f1: 0.8 },
      { threshold: 0.1, tp: 2, fp: 2, fn: 0, tn: 0, precision: 0.5, recall: 1, f1: 2 / 3 },
    ],
    best: { threshold: 0.35, tp: 2, fp: 1, fn: 0, tn: 1, precision: 2 / 3, recall: 1, f1: 0.8, tunedOnTestSet: true },
  },
  // (0.1² + 0.4² + 0.65² + 0.2²) / 4; each pair alone in its bin, so ECE = mean |y - p|.
  brier: 0.158125,
  ece: 0.3375,
  calibration: Array.from({ length: 10 }, (_, b) => {
    const members = [0.1, 0.4, 0.35, 0.8].map((p, i) => ({ p, gold: i >= 2 })).filter(({ p }) => Math.min(9, Math.floor(p * 10 + 1e-9)) === b);
    return {
      lo: b / 10,
      hi: (b + 1) / 10,
      count: members.length,
      meanProbability: members.length ? members.reduce((s, m) => s + m.p, 0) / members.length : null,
      fractionPositive: members.length ? members.filter((m) => m.gold).length / members.length : null,
    };
  }),
};

const render = (score: ProbabilityScore) => renderToStaticMarkup(createElement(ProbabilityCharts, { score, level: 0.95 }));

describe('ProbabilityCharts', () => {
  it('shows AUROC and AP with their intervals, the three charts and the sweep with its tuned-on-test-set warning', () => {
    const html = render(SCORE);
    expect(html).toContain('Over the 4 pairs with a probability of the True label (1 without one are left out)');
    expect(html).toMatch(/AUROC<\/div><div class="card-value">0\.750<\/div><div class="card-ci">95% CI 0\.250 – 1\.000/);
    expect(html).toMatch(/Average precision<\/div><div class="card-value">0\.833</);
    for (const chart of ['ROC curve', 'Precision–recall curve', 'Reliability diagram']) expect(html).toContain(`<figcaption>${chart}</figcaption>`);
    // ROC path on the 200-unit plot at (42, 10): (0,0) -> (0,0.5) -> (0.5,0.5) -> (0.5,1) -> (1,1).
    expect(html).toContain('d="M42 210L42 110L142 110L142 10L242 10"');
    // Four probabilities in four bins -> four circles.
    expect(html.match(/<circle /g)).toHaveLength(4);
    // The slider starts on the F1-best threshold.
    expect(html).toContain('call a pair True at probability ≥ <strong>0.350</strong>');
    expect(html).toMatch(/Best F1 80\.0% at threshold 0\.350.*Tuned on the test set/);
  });

  it('explains the absence of probabilities instead of drawing empty charts', () => {
    const none: ProbabilityScore = { ...SCORE, probabilityPairs: 0, auroc: null, averagePrecision: null, aurocCi: null, averagePrecisionCi: null, roc: null, pr: null, sweep: null, brier: null, ece: null, calibration: null };
    const html = render(none);
    expect(html).toContain('This run has no label probabilities');
    expect(html).not.toContain('<svg');
  });
});
