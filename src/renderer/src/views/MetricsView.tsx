import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, Loading, Warnings } from '../components';
import { href, navigate, useCall } from '../hooks';
import { interval, percent } from '../lib/format';
import { ProbabilityCharts } from '../components/ProbabilityCharts';

type Score = CallResponse<'scoreRun'>;

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const COLORS = { precision: '#0072B2', recall: '#E69F00', f1: '#009E73', evidence: '#CC79A7' };

export function MetricsView({ query }: { query: URLSearchParams }) {
  const runs = useCall('listRuns', {});
  if (runs.error) return <ErrorBox error={runs.error} />;
  if (!runs.data) return <Loading what="runs" />;
  const names = runs.data.runs.map((r) => r.name);
  if (names.length === 0) {
    return (
      <section>
        <h1>Metrics</h1>
        <Empty title="No run to score yet">
          Start one on the <a href={href('runs')}>Runs</a> page (the baseline takes seconds).
        </Empty>
      </section>
    );
  }
  const wanted = query.get('run');
  // A named run that does not exist is said so, never silently replaced by another run's numbers.
  const unknown = wanted !== null && !names.includes(wanted);
  const run = wanted !== null && !unknown ? wanted : names[names.length - 1]!;
  return (
    <section>
      <header className="view-header">
        <h1>Metrics</h1>
        <label className="inline-field">
          Run
          <select name="run" value={unknown ? '' : run} onChange={(e) => navigate('metrics', { run: e.target.value })}>
            {unknown && <option value="">choose a run</option>}
            {names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </header>
      {unknown ? (
        <Empty title={`No run named “${wanted}”`}>
          There is no run of that name in this database (it may have been renamed or deleted). Pick one above, or see all runs on the <a href={href('runs')}>Runs</a> page.
        </Empty>
      ) : (
        <RunMetrics run={run} />
      )}
    </section>
  );
}

function RunMetrics({ run }: { run: string }) {
  const score = useCall('scoreRun', { name: run });
  if (score.error) return <ErrorBox error={score.error} />;
  if (!score.data) return <Loading what={`the metrics of ${run} (bootstrap)`} />;
  const s = score.data;
  return (
    <div className="metrics" data-testid="metrics">
      <p className="muted">
        {s.dataset}: {s.n} pairs · {s.missing} not predicted yet · {s.invalid} invalid · status {s.status}. Intervals: {Math.round(s.bootstrap.level * 100)}% percentile bootstrap,{' '}
        {s.bootstrap.resamples.toLocaleString()} resamples of pairs. Missing and invalid answers count as False with no evidence, as in the official scoring.
      </p>
      <Warnings warnings={s.warnings} />
      <div className="cards">
        <MetricCard label="Precision" value={s.precision} ci={s.precisionCi} />
        <MetricCard label="Recall" value={s.recall} ci={s.recallCi} />
        <MetricCard label="F1" value={s.f1} ci={s.f1Ci} />
        <MetricCard label="Balanced accuracy" value={s.balancedAccuracy} note="(recall + specificity) / 2" />
        <div className="card" data-metric="MCC">
          <div className="card-label">MCC</div>
          <div className="card-value">{signed(s.mcc)}</div>
          <div className="muted small">Matthews correlation, −1 to +1 (0: no better than chance)</div>
        </div>
        <MetricCard label="Evidence recall" value={s.evidenceRecall} ci={s.evidenceRecallCi} note={`over ${s.evidencePairs} pairs with gold evidence`} />
      </div>
      <div className="panel">
        <h2>Against reference predictors on the same {s.n} pairs</h2>
        <ReferenceTable score={s} />
      </div>
      <div className="metrics-grid">
        <div className="panel">
          <h2>Confusion matrix</h2>
          <ConfusionMatrix score={s} run={run} />
          <p className="muted small">
            Accuracy {percent(s.accuracy)} · specificity {percent(s.specificity)} · balanced accuracy <span data-testid="balanced-accuracy">{percent(s.balancedAccuracy)}</span> · MCC{' '}
            <span data-testid="mcc">{signed(s.mcc)}</span>
          </p>
        </div>
        <div className="panel">
          <h2>Evidence match types</h2>
          <div className="chart-small">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={(['exact', 'partial', 'proximate', 'none'] as const).map((type) => ({ type, pairs: s.matchTypes[type] }))} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="type" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="pairs" name="pairs" fill={COLORS.evidence} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <p className="muted small">
            exact: same sentences as gold · partial: overlapping · proximate: next to a gold sentence · none: anything else (evidence precision {percent(s.evidencePrecision)})
          </p>
        </div>
      </div>
      <ProbabilityCharts score={s} level={s.bootstrap.level} />
      <div className="panel">
        <h2>By ICD-10 chapter</h2>
        <ChapterChart groups={s.byChapter} />
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Chapter / section</th>
              <th className="num">Pairs</th>
              <th className="num">TP</th>
              <th className="num">FP</th>
              <th className="num">FN</th>
              <th className="num">TN</th>
              <th className="num">P</th>
              <th className="num">R</th>
              <th className="num">F1</th>
              <th className="num">Evidence recall</th>
            </tr>
          </thead>
          <tbody>
            {[...s.byChapter, ...s.byKind.map((g) => ({ ...g, group: `All ${g.group}` }))].map((g) => (
              <tr key={g.group} data-small-n={g.smallN || undefined}>
                <td>
                  {g.group}
                  {g.smallN && (
                    <span className="muted small" title="fewer than 10 pairs: these percentages carry little weight">
                      {' '}
                      (few pairs)
                    </span>
                  )}
                </td>
                <td className="num">{g.metrics.n}</td>
                <td className="num">{g.metrics.tp}</td>
                <td className="num">{g.metrics.fp}</td>
                <td className="num">{g.metrics.fn}</td>
                <td className="num">{g.metrics.tn}</td>
                <td className="num">{percent(g.metrics.precision)}</td>
                <td className="num">{percent(g.metrics.recall)}</td>
                <td className="num">{percent(g.metrics.f1)}</td>
                <td className="num">{percent(g.metrics.evidenceRecall)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function MetricCard({ label, value, ci, note }: { label: string; value: number | null; ci?: [number, number] | null; note?: string }) {
  return (
    <div className="card" data-metric={label}>
      <div className="card-label">{label}</div>
      <div className="card-value">{percent(value)}</div>
      {ci !== undefined && <div className="card-ci">95% CI {interval(ci)}</div>}
      {note && <div className="muted small">{note}</div>}
    </div>
  );
}

function ConfusionMatrix({ score, run }: { score: Score; run: string }) {
  const cell = (count: number, outcome: string, label: string) => (
    <td className={`cm-cell cm-${outcome}`}>
      <a href={href('pairs', { dataset: score.dataset, run, outcome })} title={`show the ${label} pairs`}>
        <span className="cm-count">{count}</span>
        <span className="cm-label">{label}</span>
      </a>
    </td>
  );
  return (
    <table className="confusion" aria-label="Confusion matrix">
      <thead>
        <tr>
          <th />
          <th>Predicted True</th>
          <th>Predicted False</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th>Gold True</th>
          {cell(score.tp, 'tp', 'TP')}
          {cell(score.fn, 'fn', 'FN')}
        </tr>
        <tr>
          <th>Gold False</th>
          {cell(score.fp, 'fp', 'FP')}
          {cell(score.tn, 'tn', 'TN')}
        </tr>
      </tbody>
    </table>
  );
}

function ChapterChart({ groups }: { groups: Score['byChapter'] }) {
  const data = groups.map((g) => ({
    group: g.group.replace(/^(CM [IVXL]+|PCS \w) .*$/, '$1'),
    title: g.group,
    n: g.metrics.n,
    Precision: g.metrics.precision,
    Recall: g.metrics.recall,
    F1: g.metrics.f1,
  }));
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="group" interval={0} tick={{ fontSize: 11 }} />
          <YAxis domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip formatter={(value) => percent(Number(value))} labelFormatter={(_, payload) => `${payload?.[0]?.payload?.title ?? ''} (${payload?.[0]?.payload?.n ?? 0} pairs)`} />
          <Legend />
          <Bar dataKey="Precision" fill={COLORS.precision} isAnimationActive={false} />
          <Bar dataKey="Recall" fill={COLORS.recall} isAnimationActive={false} />
          <Bar dataKey="F1" fill={COLORS.f1} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** MCC in [-1, 1] with its sign; n/a when undefined. */
function signed(value: number | null): string {
  return value === null ? 'n/a' : `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(3)}`;
}

/** The run beside what always-True, always-False and the lexical baseline score on the same pairs. */
function ReferenceTable({ score: s }: { score: Score }) {
  const rows = [
    { key: `run:${s.name}`, kind: null, label: s.name, metrics: s as Score['references'][number]['metrics'] },
    ...s.references.map((r) => ({ key: `reference:${r.reference}`, kind: r.reference, label: r.label, metrics: r.metrics })),
  ];
  return (
    <table className="data-table compact" aria-label="Reference predictors" data-testid="references">
      <thead>
        <tr>
          <th>Predictor</th>
          <th className="num">Precision</th>
          <th className="num">Recall</th>
          <th className="num">F1</th>
          <th className="num">Specificity</th>
          <th className="num">Balanced acc.</th>
          <th className="num">MCC</th>
          <th className="num">Evidence recall</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className={r.kind ? 'reference-row' : undefined} data-reference={r.kind ?? undefined}>
            <td>{r.kind ? r.label : <strong>{r.label}</strong>}</td>
            <td className="num">{percent(r.metrics.precision)}</td>
            <td className="num">{percent(r.metrics.recall)}</td>
            <td className="num">{percent(r.metrics.f1)}</td>
            <td className="num">{percent(r.metrics.specificity)}</td>
            <td className="num">{percent(r.metrics.balancedAccuracy)}</td>
            <td className="num">{signed(r.metrics.mcc)}</td>
            <td className="num">{percent(r.metrics.evidenceRecall)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
