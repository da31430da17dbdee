/**
 * The "Label probability" section of the Markdown and HTML reports: AUROC and average precision
 * with their intervals, Brier and ECE, the F1-best threshold (tuned on the test set, and said so),
 * the reliability table, and in HTML the ROC, PR and reliability charts. The JSON report carries
 * the same numbers in `score` (curves.ts).
 */
import type { RunScore } from '../scoring/score-run';
import { prSvg, reliabilitySvg, rocSvg } from './probability-charts';

const num = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));
const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const ci = (interval: readonly [number, number] | null) => (interval ? `[${num(interval[0])}, ${num(interval[1])}]` : '');

export const NO_PROBABILITIES =
  'This run has no label probabilities, so there is no AUROC, average precision or calibration (GGUF and baseline runs record them; imported predictions need a probability column).';

/** The population sentence: how many pairs the figures cover and how many were left out. */
export function probabilityScope(score: RunScore): string {
  const left = score.probabilityMissing > 0 ? ` ${score.probabilityMissing} pair(s) without a probability are left out.` : '';
  return `Over the ${score.probabilityPairs} pairs with a probability of the positive label (scikit-learn's definitions; ${score.bootstrap.resamples} bootstrap resamples, seed ${score.bootstrap.seed}).${left}`;
}

export function probabilityMetricRows(score: RunScore): [string, string, string][] {
  return [
    ['AUROC', num(score.auroc), ci(score.aurocCi)],
    ['average precision', num(score.averagePrecision), ci(score.averagePrecisionCi)],
    ['Brier score', num(score.brier), ''],
    ['ECE (10 equal-width bins)', num(score.ece), ''],
  ];
}

export function bestThresholdSentence(score: RunScore): string | null {
  const best = score.sweep?.best;
  if (!best) return null;
  return `F1-best threshold ${num(best.threshold)}: precision ${pct(best.precision)}, recall ${pct(best.recall)}, F1 ${pct(best.f1)}. Tuned on these same pairs (the test set), so optimistic.`;
}

export function calibrationRows(score: RunScore): [string, number, string, string][] {
  return (score.calibration ?? []).map((bin) => [`${bin.lo.toFixed(1)}–${bin.hi.toFixed(1)}`, bin.count, num(bin.meanProbability), num(bin.fractionPositive)]);
}

export const CALIBRATION_HEADERS = ['probability', 'pairs', 'mean probability', 'fraction True'];

type Table = (headers: readonly string[], rows: readonly (readonly (string | number)[])[]) => string;

export function probabilityMarkdown(score: RunScore, level: number, mdTable: Table): string[] {
  if (score.probabilityPairs === 0) return ['', '## Label probability', '', NO_PROBABILITIES];
  const out = ['', '## Label probability', '', probabilityScope(score), '', mdTable(['metric', 'value', `${level}% CI`], probabilityMetricRows(score))];
  const best = bestThresholdSentence(score);
  if (best) out.push('', best);
  out.push('', mdTable(CALIBRATION_HEADERS, calibrationRows(score)));
  return out;
}

/** HTML section; `table` and `esc` are the report's own (so cells are escaped and styled alike). */
export function probabilitySectionHtml(score: RunScore, level: number, table: Table, esc: (text: string) => string): string {
  if (score.probabilityPairs === 0) return `<h2>Label probability</h2>\n<p class="note">${esc(NO_PROBABILITIES)}</p>`;
  const prevalence = score.sweep && score.sweep.points.length > 0 ? score.sweep.points[0]!.tp + score.sweep.points[0]!.fn : null;
  const charts = [
    score.roc ? rocSvg(score.roc, score.auroc, 'ROC curve') : '',
    score.pr ? prSvg(score.pr, score.averagePrecision, prevalence === null ? null : prevalence / score.probabilityPairs, 'Precision–recall curve') : '',
    score.calibration ? reliabilitySvg(score.calibration, score.ece, 'Reliability diagram') : '',
  ].join('');
  const best = bestThresholdSentence(score);
  return [
    '<h2>Label probability</h2>',
    `<p class="note">${esc(probabilityScope(score))}</p>`,
    table(['metric', 'value', `${level}% CI`], probabilityMetricRows(score)),
    best ? `<p>${esc(best)}</p>` : '',
    `<div class="charts">${charts}</div>`,
    `<h3>Reliability</h3>`,
    table(CALIBRATION_HEADERS, calibrationRows(score)),
  ].join('\n');
}
