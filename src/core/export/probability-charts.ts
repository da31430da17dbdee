/**
 * Inline SVG for the label-probability figures of the HTML report: ROC, precision–recall and the
 * reliability diagram. Same rules as svg-charts.ts (plain strings, no external reference, colours
 * from the report's CSS classes); the geometry is shared with the UI (src/shared/probability-plot).
 */
import type { CalibrationBin, PrPoint, RocPoint } from '../scoring/curves';
import { diagonalPath, horizontalPath, plotX, plotY, PLOT_TICKS, prStepPath, reliabilityPoints, rocPath, type PlotBox } from '../../shared/probability-plot';
import { escapeXml } from './svg-charts';

const BOX: PlotBox = { left: 46, top: 14, size: 240 };
const WIDTH = BOX.left + BOX.size + 14;
const HEIGHT = BOX.top + BOX.size + 46;

function frame(title: string, xLabel: string, yLabel: string): string[] {
  const parts = [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>`,
  ];
  for (const tick of PLOT_TICKS) {
    parts.push(`<line class="grid" x1="${plotX(BOX, 0)}" x2="${plotX(BOX, 1)}" y1="${plotY(BOX, tick)}" y2="${plotY(BOX, tick)}"/>`);
    parts.push(`<line class="grid" x1="${plotX(BOX, tick)}" x2="${plotX(BOX, tick)}" y1="${plotY(BOX, 0)}" y2="${plotY(BOX, 1)}"/>`);
    parts.push(`<text class="axis" x="${BOX.left - 6}" y="${plotY(BOX, tick) + 4}" text-anchor="end">${tick}</text>`);
    parts.push(`<text class="axis" x="${plotX(BOX, tick)}" y="${BOX.top + BOX.size + 14}" text-anchor="middle">${tick}</text>`);
  }
  parts.push(`<text class="label" x="${BOX.left + BOX.size / 2}" y="${BOX.top + BOX.size + 30}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  parts.push(`<text class="label" x="12" y="${BOX.top + BOX.size / 2}" text-anchor="middle" transform="rotate(-90 12 ${BOX.top + BOX.size / 2})">${escapeXml(yLabel)}</text>`);
  return parts;
}

function caption(text: string): string {
  return `<text class="value" x="${BOX.left + BOX.size / 2}" y="${HEIGHT - 2}" text-anchor="middle">${escapeXml(text)}</text>`;
}

/** ROC curve with the chance diagonal. */
export function rocSvg(points: readonly RocPoint[], auroc: number | null, title: string): string {
  const parts = frame(title, 'false positive rate', 'true positive rate');
  parts.push(`<path class="reference-line" d="${diagonalPath(BOX)}"/>`);
  parts.push(`<path class="curve" d="${rocPath(points, BOX)}"/>`);
  parts.push(caption(`AUROC ${auroc === null ? 'n/a' : auroc.toFixed(3)}`));
  parts.push('</svg>');
  return parts.join('');
}

/** Precision–recall staircase with the chance level (share of positive pairs). */
export function prSvg(points: readonly PrPoint[], averagePrecision: number | null, prevalence: number | null, title: string): string {
  const parts = frame(title, 'recall', 'precision');
  if (prevalence !== null) parts.push(`<path class="reference-line" d="${horizontalPath(BOX, prevalence)}"/>`);
  parts.push(`<path class="curve" d="${prStepPath(points, BOX)}"/>`);
  parts.push(caption(`average precision ${averagePrecision === null ? 'n/a' : averagePrecision.toFixed(3)}`));
  parts.push('</svg>');
  return parts.join('');
}

/** Reliability diagram: each non-empty bin at (mean probability, fraction True), area by count, and the perfect-calibration diagonal. */
export function reliabilitySvg(bins: readonly CalibrationBin[], ece: number | null, title: string): string {
  const parts = frame(title, 'mean predicted probability', 'fraction True');
  parts.push(`<path class="reference-line" d="${diagonalPath(BOX)}"/>`);
  const points = reliabilityPoints(bins, BOX);
  const most = Math.max(1, ...points.map((p) => p.count));
  if (points.length > 1) parts.push(`<path class="curve" d="${points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join('')}"/>`);
  for (const p of points) {
    const r = Math.round((3 + 6 * Math.sqrt(p.count / most)) * 10) / 10;
    parts.push(`<circle class="series-0" cx="${p.x}" cy="${p.y}" r="${r}"><title>${escapeXml(`${p.count} pairs: mean probability ${p.meanProbability.toFixed(3)}, fraction True ${p.fractionPositive.toFixed(3)}`)}</title></circle>`);
  }
  parts.push(caption(`ECE ${ece === null ? 'n/a' : ece.toFixed(3)} (10 bins)`));
  parts.push('</svg>');
  return parts.join('');
}
