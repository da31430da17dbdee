import { useId, useState, type ReactNode } from 'react';
import type { ProbabilityScore } from '../../../shared/contract';
import { diagonalPath, horizontalPath, plotX, plotY, PLOT_TICKS, prStepPath, reliabilityPoints, rocPath, type PlotBox } from '../../../shared/probability-plot';
import { percent } from '../lib/format';

/**
 * The Metrics view's label-probability panel: AUROC and average precision with their intervals,
 * Brier and ECE, ROC / precision–recall / reliability charts and the threshold sweep. Geometry
 * comes from src/shared/probability-plot, the same the HTML report draws with.
 */

/** Okabe–Ito, as the rest of the Metrics view. */
const COLORS = { curve: '#0072B2', precision: '#0072B2', recall: '#E69F00', f1: '#009E73', reference: '#6b7280', grid: '#e5e7eb', marker: '#D55E00' };
const BOX: PlotBox = { left: 42, top: 10, size: 200 };
const SIZE = { width: BOX.left + BOX.size + 12, height: BOX.top + BOX.size + 40 };

const num = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : value.toFixed(3));
const range = (ci: readonly [number, number] | null) => (ci ? `${num(ci[0])} – ${num(ci[1])}` : 'n/a');

export function ProbabilityCharts({ score, level }: { score: ProbabilityScore; level: number }) {
  if (score.probabilityPairs === 0) {
    return (
      <div className="panel" data-testid="probability-charts">
        <h2>Label probability</h2>
        <p className="muted">
          This run has no label probabilities, so there is no AUROC, average precision or calibration. GGUF and baseline runs record the probability of the True label for every
          answer; imported predictions need a <code>probability</code> column.
        </p>
      </div>
    );
  }
  const positives = score.sweep?.points[0] ? score.sweep.points[0].tp + score.sweep.points[0].fn : null;
  const pct = Math.round(level * 100);
  return (
    <div className="panel" data-testid="probability-charts">
      <h2>Label probability</h2>
      <p className="muted small">
        Over the {score.probabilityPairs} pairs with a probability of the True label
        {score.probabilityMissing > 0 ? ` (${score.probabilityMissing} without one are left out)` : ''}. AUROC and average precision follow scikit-learn&apos;s definitions; intervals are{' '}
        {pct}% percentile bootstrap.
      </p>
      <div className="cards">
        <StatCard label="AUROC" value={num(score.auroc)} note={`${pct}% CI ${range(score.aurocCi)}`} />
        <StatCard label="Average precision" value={num(score.averagePrecision)} note={`${pct}% CI ${range(score.averagePrecisionCi)}`} />
        <StatCard label="Brier score" value={num(score.brier)} note="mean squared error of the probability; lower is better" />
        <StatCard label="ECE" value={num(score.ece)} note="expected calibration error, 10 equal-width bins" />
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(230px, 1fr))', gap: 16 }}>
        <figure style={{ margin: 0 }}>
          <figcaption>ROC curve</figcaption>
          {score.roc ? <RocChart points={score.roc} /> : <p className="muted small">Needs both True and False gold pairs.</p>}
        </figure>
        <figure style={{ margin: 0 }}>
          <figcaption>Precision–recall curve</figcaption>
          {score.pr ? <PrChart points={score.pr} prevalence={positives === null ? null : positives / score.probabilityPairs} /> : <p className="muted small">Needs at least one True gold pair.</p>}
        </figure>
        <figure style={{ margin: 0 }}>
          <figcaption>Reliability diagram</figcaption>
          {score.calibration && <ReliabilityChart bins={score.calibration} />}
        </figure>
      </div>
      {score.sweep && score.sweep.points.length > 0 && <Sweep sweep={score.sweep} />}
    </div>
  );
}

function StatCard({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="card" data-metric={label}>
      <div className="card-label">{label}</div>
      <div className="card-value">{value}</div>
      <div className="card-ci">{note}</div>
    </div>
  );
}

function Frame({ label, xLabel, yLabel, children }: { label: string; xLabel: string; yLabel: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <svg viewBox={`0 0 ${SIZE.width} ${SIZE.height}`} width="100%" style={{ maxWidth: SIZE.width * 1.4 }} role="img" aria-labelledby={titleId} fontSize={10}>
      <title id={titleId}>{label}</title>
      {PLOT_TICKS.map((tick) => (
        <g key={tick}>
          <line x1={plotX(BOX, 0)} x2={plotX(BOX, 1)} y1={plotY(BOX, tick)} y2={plotY(BOX, tick)} stroke={COLORS.grid} />
          <line x1={plotX(BOX, tick)} x2={plotX(BOX, tick)} y1={plotY(BOX, 0)} y2={plotY(BOX, 1)} stroke={COLORS.grid} />
          <text x={BOX.left - 5} y={plotY(BOX, tick) + 3} textAnchor="end" fill="#4b5563">
            {tick}
          </text>
          <text x={plotX(BOX, tick)} y={BOX.top + BOX.size + 13} textAnchor="middle" fill="#4b5563">
            {tick}
          </text>
        </g>
      ))}
      <text x={BOX.left + BOX.size / 2} y={BOX.top + BOX.size + 30} textAnchor="middle" fill="#1f2937">
        {xLabel}
      </text>
      <text x={10} y={BOX.top + BOX.size / 2} textAnchor="middle" fill="#1f2937" transform={`rotate(-90 10 ${BOX.top + BOX.size / 2})`}>
        {yLabel}
      </text>
      {children}
    </svg>
  );
}

function RocChart({ points }: { points: NonNullable<ProbabilityScore['roc']> }) {
  return (
    <Frame label="ROC curve: true positive rate against false positive rate; the dashed diagonal is chance" xLabel="false positive rate" yLabel="true positive rate">
      <path d={diagonalPath(BOX)} stroke={COLORS.reference} strokeDasharray="4 3" fill="none" />
      <path d={rocPath(points, BOX)} stroke={COLORS.curve} strokeWidth={2} fill="none" />
    </Frame>
  );
}

function PrChart({ points, prevalence }: { points: NonNullable<ProbabilityScore['pr']>; prevalence: number | null }) {
  return (
    <Frame label="Precision against recall as average precision measures it; the dashed line is the share of True pairs" xLabel="recall" yLabel="precision">
      {prevalence !== null && <path d={horizontalPath(BOX, prevalence)} stroke={COLORS.reference} strokeDasharray="4 3" fill="none" />}
      <path d={prStepPath(points, BOX)} stroke={COLORS.curve} strokeWidth={2} fill="none" />
    </Frame>
  );
}

function ReliabilityChart({ bins }: { bins: NonNullable<ProbabilityScore['calibration']> }) {
  const points = reliabilityPoints(bins, BOX);
  const most = Math.max(1, ...points.map((p) => p.count));
  return (
    <>
      <Frame label="Reliability diagram: fraction of True pairs against mean predicted probability per bin; the dashed diagonal is perfect calibration" xLabel="mean predicted probability" yLabel="fraction True">
        <path d={diagonalPath(BOX)} stroke={COLORS.reference} strokeDasharray="4 3" fill="none" />
        {points.length > 1 && <path d={points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join('')} stroke={COLORS.curve} strokeWidth={1.5} fill="none" />}
        {points.map((p) => (
          <circle key={`${p.x}-${p.y}`} cx={p.x} cy={p.y} r={3 + 5 * Math.sqrt(p.count / most)} fill={COLORS.curve}>
            <title>{`${p.count} pairs: mean probability ${num(p.meanProbability)}, fraction True ${num(p.fractionPositive)}`}</title>
          </circle>
        ))}
      </Frame>
      <details>
        <summary>Bins</summary>
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Probability</th>
              <th className="num">Pairs</th>
              <th className="num">Mean probability</th>
              <th className="num">Fraction True</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((bin) => (
              <tr key={bin.lo}>
                <td>
                  {bin.lo.toFixed(1)}–{bin.hi.toFixed(1)}
                </td>
                <td className="num">{bin.count}</td>
                <td className="num">{num(bin.meanProbability)}</td>
                <td className="num">{num(bin.fractionPositive)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

/** A legend sample of a chart line (drawn, not text, so the label beside it keeps the text colour's contrast). */
function Swatch({ color, dash }: { color: string; dash?: string }) {
  return (
    <svg width={18} height={8} aria-hidden="true" style={{ verticalAlign: 'middle' }}>
      <line x1={0} x2={18} y1={4} y2={4} stroke={color} strokeWidth={2} strokeDasharray={dash} />
    </svg>
  );
}

/** Precision, recall and F1 against the threshold, with a slider to read any threshold and the F1-best one marked as tuned on the test set. */
function Sweep({ sweep }: { sweep: NonNullable<ProbabilityScore['sweep']> }) {
  // Points run from the highest threshold down; the chart's x axis runs up.
  const points = sweep.points;
  const bestIndex = sweep.best ? points.findIndex((p) => p.threshold === sweep.best!.threshold) : 0;
  const [index, setIndex] = useState(Math.max(0, bestIndex));
  const sliderId = useId();
  const chosen = points[Math.min(index, points.length - 1)]!;
  const line = (value: (p: (typeof points)[number]) => number | null) =>
    points
      .filter((p) => value(p) !== null)
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${plotX(BOX, p.threshold)} ${plotY(BOX, value(p)!)}`)
      .join('');
  return (
    <div style={{ marginTop: 12 }}>
      <h3>Threshold sweep</h3>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(230px, 1fr))', gap: 16, alignItems: 'start' }}>
        <Frame label="Precision, recall and F1 when a pair is called True at probability at or above each threshold" xLabel="threshold" yLabel="metric">
          <path d={line((p) => p.precision)} stroke={COLORS.precision} strokeWidth={2} fill="none" />
          <path d={line((p) => p.recall)} stroke={COLORS.recall} strokeWidth={2} fill="none" strokeDasharray="6 3" />
          <path d={line((p) => p.f1)} stroke={COLORS.f1} strokeWidth={2} fill="none" strokeDasharray="2 2" />
          <line x1={plotX(BOX, chosen.threshold)} x2={plotX(BOX, chosen.threshold)} y1={plotY(BOX, 0)} y2={plotY(BOX, 1)} stroke={COLORS.marker} />
        </Frame>
        <div>
          <p className="small">
            <Swatch color={COLORS.precision} /> precision · <Swatch color={COLORS.recall} dash="6 3" /> recall · <Swatch color={COLORS.f1} dash="2 2" /> F1 ·{' '}
            <Swatch color={COLORS.marker} /> chosen threshold
          </p>
          <label htmlFor={sliderId} className="small">
            Threshold: call a pair True at probability ≥ <strong>{num(chosen.threshold)}</strong>
          </label>
          <input
            id={sliderId}
            type="range"
            min={0}
            max={points.length - 1}
            step={1}
            // Left is the lowest threshold, as on the chart.
            value={points.length - 1 - index}
            onChange={(e) => setIndex(points.length - 1 - Number(e.target.value))}
            style={{ width: '100%' }}
          />
          <table className="data-table compact" aria-label="Metrics at the chosen threshold">
            <tbody>
              <tr>
                <th>Precision</th>
                <td className="num">{percent(chosen.precision)}</td>
                <th>Recall</th>
                <td className="num">{percent(chosen.recall)}</td>
                <th>F1</th>
                <td className="num">{percent(chosen.f1)}</td>
              </tr>
              <tr>
                <th>TP</th>
                <td className="num">{chosen.tp}</td>
                <th>FP</th>
                <td className="num">{chosen.fp}</td>
                <th>FN / TN</th>
                <td className="num">
                  {chosen.fn} / {chosen.tn}
                </td>
              </tr>
            </tbody>
          </table>
          {sweep.best && (
            <p className="small" data-testid="best-threshold">
              Best F1 {percent(sweep.best.f1)} at threshold {num(sweep.best.threshold)} (precision {percent(sweep.best.precision)}, recall {percent(sweep.best.recall)}).{' '}
              <strong>Tuned on the test set</strong>: chosen on these same pairs, so it overstates what that threshold would score on new data.{' '}
              <button type="button" onClick={() => setIndex(bestIndex)} disabled={index === bestIndex}>
                Show it
              </button>
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
