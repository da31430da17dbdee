/**
 * Geometry of the probability charts (ROC, precision–recall, reliability), shared by the HTML
 * report's inline SVG (core) and the Metrics view (renderer) so both draw the same curves. Pure
 * arithmetic on a square plot whose axes run from 0 to 1; no DOM, no imports.
 */

export interface PlotBox {
  /** Left and top edge of the square plot area, and its side, in SVG user units. */
  left: number;
  top: number;
  size: number;
}

export const PLOT_TICKS = [0, 0.25, 0.5, 0.75, 1] as const;

const round = (value: number) => Math.round(value * 10) / 10;
const clamp = (value: number) => Math.min(1, Math.max(0, value));

export const plotX = (box: PlotBox, value: number): number => round(box.left + box.size * clamp(value));
export const plotY = (box: PlotBox, value: number): number => round(box.top + box.size * (1 - clamp(value)));

/** The ROC polyline through (FPR, TPR), which starts at (0, 0). */
export function rocPath(points: readonly { fpr: number; tpr: number }[], box: PlotBox): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${plotX(box, p.fpr)} ${plotY(box, p.tpr)}`).join('');
}

/**
 * The precision–recall curve as average precision measures it: points ordered by rising recall,
 * each step going up or down to the next point's precision at the old recall, then across. The
 * area under this staircase is the average precision (scikit-learn draws it the same way).
 */
export function prStepPath(points: readonly { recall: number; precision: number }[], box: PlotBox): string {
  if (points.length === 0) return '';
  const parts = [`M${plotX(box, points[0]!.recall)} ${plotY(box, points[0]!.precision)}`];
  for (let i = 1; i < points.length; i++) {
    parts.push(`V${plotY(box, points[i]!.precision)}H${plotX(box, points[i]!.recall)}`);
  }
  return parts.join('');
}

/** The chance line of ROC and the perfect-calibration line of a reliability diagram. */
export function diagonalPath(box: PlotBox): string {
  return `M${plotX(box, 0)} ${plotY(box, 0)}L${plotX(box, 1)} ${plotY(box, 1)}`;
}

/** A horizontal line at y (the PR chance level: the share of positive pairs). */
export function horizontalPath(box: PlotBox, y: number): string {
  return `M${plotX(box, 0)} ${plotY(box, y)}H${plotX(box, 1)}`;
}

/** The reliability diagram's points: one per non-empty bin at (mean probability, fraction True), with its count. */
export function reliabilityPoints(
  bins: readonly { count: number; meanProbability: number | null; fractionPositive: number | null }[],
  box: PlotBox,
): { x: number; y: number; count: number; meanProbability: number; fractionPositive: number }[] {
  const out: { x: number; y: number; count: number; meanProbability: number; fractionPositive: number }[] = [];
  for (const bin of bins) {
    if (bin.count === 0 || bin.meanProbability === null || bin.fractionPositive === null) continue;
    out.push({ x: plotX(box, bin.meanProbability), y: plotY(box, bin.fractionPositive), count: bin.count, meanProbability: bin.meanProbability, fractionPositive: bin.fractionPositive });
  }
  return out;
}
