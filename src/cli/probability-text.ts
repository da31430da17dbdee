import type { ProbabilityScore } from '../core/scoring/curves';
import { formatTable } from './output';

const num = (value: number | null, digits = 3) => (value === null ? 'n/a' : value.toFixed(digits));
const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const ci = (interval: [number, number] | null) => (interval ? `[${num(interval[0])}, ${num(interval[1])}]` : '');

/** `medbench score`'s text for the label-probability figures (curves.ts); one line when the run has none. */
export function probabilityLines(score: ProbabilityScore, level: number): string[] {
  if (score.probabilityPairs === 0) {
    return ['', 'No label probabilities in this run, so no AUROC, average precision or calibration (GGUF and baseline runs record them; imported predictions need a probability column).'];
  }
  const lines = [
    '',
    `Label probability over ${score.probabilityPairs} pairs${score.probabilityMissing > 0 ? ` (${score.probabilityMissing} without a probability are left out)` : ''}:`,
    formatTable(
      ['metric', 'value', `${Math.round(level * 100)}% CI`],
      [
        ['AUROC', num(score.auroc), ci(score.aurocCi)],
        ['average precision', num(score.averagePrecision), ci(score.averagePrecisionCi)],
        ['Brier score', num(score.brier), ''],
        ['ECE (10 bins)', num(score.ece), ''],
      ],
    ),
  ];
  if (score.auroc === null) lines.push('AUROC needs both True and False gold pairs among them.');
  const best = score.sweep?.best;
  if (best) {
    lines.push(
      `F1-best threshold ${num(best.threshold)}: precision ${pct(best.precision)}, recall ${pct(best.recall)}, F1 ${pct(best.f1)} ` +
        '(tuned on these same pairs, so optimistic; fix a threshold on other data before quoting it)',
    );
  }
  if (score.calibration) {
    lines.push(
      '',
      'Reliability (10 equal-width bins):',
      formatTable(
        ['probability', 'pairs', 'mean probability', 'fraction True'],
        score.calibration.map((bin) => [`${bin.lo.toFixed(1)}-${bin.hi.toFixed(1)}`, bin.count, num(bin.meanProbability), num(bin.fractionPositive)]),
      ),
    );
  }
  return lines;
}
