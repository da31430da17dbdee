import type { CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge } from '../components';
import { href, navigate, useCall } from '../hooks';
import { interval, pValue, percent, points } from '../lib/format';

type Comparison = CallResponse<'compareRuns'>;

export function CompareView({ query }: { query: URLSearchParams }) {
  const runs = useCall('listRuns', {});
  if (runs.error) return <ErrorBox error={runs.error} />;
  if (!runs.data) return <Loading what="runs" />;
  const names = runs.data.runs.map((r) => r.name);
  if (names.length < 2) {
    return (
      <section>
        <h1>Compare</h1>
        <Empty title="Two runs are needed">
          {names.length === 0 ? 'There is no run yet.' : `There is one run (${names[0]}).`} Start another on the <a href={href('runs')}>Runs</a> page: a model, or the
          baseline with a limit, on the same dataset.
        </Empty>
      </section>
    );
  }
  const a = names.includes(query.get('a') ?? '') ? query.get('a')! : names[0]!;
  const b = names.includes(query.get('b') ?? '') && query.get('b') !== a ? query.get('b')! : names.find((n) => n !== a)!;
  const picker = (label: string, value: string, other: string, key: 'a' | 'b') => (
    <label className="inline-field">
      {label}
      <select name={`run-${key}`} value={value} onChange={(e) => navigate('compare', { a, b, [key]: e.target.value })}>
        {names
          .filter((n) => n !== other)
          .map((n) => (
            <option key={n}>{n}</option>
          ))}
      </select>
    </label>
  );
  return (
    <section>
      <header className="view-header">
        <h1>Compare</h1>
        {picker('Run A', a, b, 'a')}
        {picker('Run B', b, a, 'b')}
      </header>
      <Comparison a={a} b={b} />
    </section>
  );
}

function Comparison({ a, b }: { a: string; b: string }) {
  const comparison = useCall('compareRuns', { a, b });
  if (comparison.error) return <ErrorBox error={comparison.error} hint="Runs can be compared when they are on the same dataset and share planned pairs." />;
  if (!comparison.data) return <Loading what="the comparison (paired bootstrap)" />;
  const c = comparison.data;
  return (
    <div data-testid="comparison">
      <p className="muted">
        Over the {c.n} pairs both runs planned
        {c.onlyA + c.onlyB > 0 ? ` (left out: ${c.onlyA} planned by ${c.a} only, ${c.onlyB} by ${c.b} only)` : ''}. Deltas are A − B with 95% paired bootstrap intervals.
      </p>
      <div className="metrics-grid">
        <div className="panel">
          <h2>Metrics</h2>
          <table className="data-table compact">
            <thead>
              <tr>
                <th>Metric</th>
                <th className="num">{c.a}</th>
                <th className="num">{c.b}</th>
                <th className="num">Δ (A − B)</th>
                <th className="num">95% CI of Δ</th>
              </tr>
            </thead>
            <tbody>
              <DeltaRow label="Precision" estimate={c.diff.precision} />
              <DeltaRow label="Recall" estimate={c.diff.recall} />
              <DeltaRow label="F1" estimate={c.diff.f1} />
              {c.diff.evidenceRecall ? (
                <DeltaRow label="Evidence recall" estimate={c.diff.evidenceRecall} />
              ) : (
                <tr>
                  <td>Evidence recall</td>
                  <td colSpan={4} className="muted">
                    no common pair has gold evidence
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="panel">
          <h2>Labels: exact McNemar test</h2>
          <table className="confusion" aria-label="Paired correctness">
            <thead>
              <tr>
                <th />
                <th>{c.b} correct</th>
                <th>{c.b} wrong</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th>{c.a} correct</th>
                <td className="cm-cell">{c.mcnemar.bothCorrect}</td>
                <td className="cm-cell cm-discordant">{c.mcnemar.onlyACorrect}</td>
              </tr>
              <tr>
                <th>{c.a} wrong</th>
                <td className="cm-cell cm-discordant">{c.mcnemar.onlyBCorrect}</td>
                <td className="cm-cell">{c.mcnemar.bothWrong}</td>
              </tr>
            </tbody>
          </table>
          <p>
            McNemar p = <strong data-testid="mcnemar-p">{pValue(c.mcnemar.p)}</strong>{' '}
            <span className="muted">
              ({c.mcnemar.onlyACorrect + c.mcnemar.onlyBCorrect} discordant pairs; {c.mcnemar.p < 0.05 ? 'the runs differ at the 5% level' : 'no evidence of a difference at the 5% level'})
            </span>
          </p>
        </div>
      </div>
      <Disagreements comparison={c} />
    </div>
  );
}

function DeltaRow({ label, estimate }: { label: string; estimate: { a: number; b: number; diff: number; ci: [number, number] } }) {
  return (
    <tr>
      <td>{label}</td>
      <td className="num">{percent(estimate.a)}</td>
      <td className="num">{percent(estimate.b)}</td>
      <td className={`num ${estimate.diff > 0 ? 'delta-up' : estimate.diff < 0 ? 'delta-down' : ''}`}>{points(estimate.diff)}</td>
      <td className="num">{interval(estimate.ci)}</td>
    </tr>
  );
}

function Disagreements({ comparison: c }: { comparison: Comparison }) {
  return (
    <div className="panel">
      <h2>Pairs the runs label differently ({c.disagreements.length})</h2>
      {c.disagreements.length === 0 ? (
        <p className="muted">The two runs give every common pair the same label.</p>
      ) : (
        <table className="data-table compact" aria-label="Disagreements">
          <thead>
            <tr>
              <th>Task</th>
              <th>Code</th>
              <th>Description</th>
              <th>Gold</th>
              <th>{c.a}</th>
              <th>{c.b}</th>
            </tr>
          </thead>
          <tbody>
            {c.disagreements.map((d) => (
              <tr key={d.pairId}>
                <td>
                  <a href={href(`pair/${d.pairId}`, { run: c.a })}>{d.taskId}</a>
                </td>
                <td className="mono">{d.code}</td>
                <td>{d.desc}</td>
                <td>
                  <GoldBadge gold={d.gold} />
                </td>
                <td>
                  <OutcomeBadge outcome={d.outcomeA} />
                </td>
                <td>
                  <OutcomeBadge outcome={d.outcomeB} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
