import { useMemo, useState, type ReactNode } from 'react';
import type { CallResponse, PairOutcome } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge, StatusBadge, Warnings } from '../components';
import { href, navigate, useCall } from '../hooks';
import { interval, isCorrect, pValue, percent, points } from '../lib/format';

type Many = CallResponse<'compareMany'>;
type Outcome = 'correct' | 'wrong' | PairOutcome;
const OUTCOME_CHOICES: { value: Outcome | ''; label: string }[] = [
  { value: '', label: 'any' },
  { value: 'correct', label: 'right' },
  { value: 'wrong', label: 'wrong' },
  { value: 'tp', label: 'TP' },
  { value: 'fp', label: 'FP' },
  { value: 'fn', label: 'FN' },
  { value: 'tn', label: 'TN' },
  { value: 'invalid', label: 'invalid' },
  { value: 'missing', label: 'not yet' },
];

/** The Compare state in the URL: runs in column order, per-run outcome filters, the open discordant cell. */
interface CompareState {
  runs: string[];
  /** run -> outcome */
  filters: Record<string, Outcome>;
  /** "A>B": pairs A got right and B wrong. */
  cell: string | null;
}

function readState(query: URLSearchParams): CompareState {
  const runs = (query.get('runs') ?? '').split(',').filter(Boolean);
  const filters: Record<string, Outcome> = {};
  for (const part of (query.get('f') ?? '').split(',').filter(Boolean)) {
    const at = part.lastIndexOf(':');
    if (at > 0) filters[part.slice(0, at)] = part.slice(at + 1) as Outcome;
  }
  return { runs, filters, cell: query.get('cell') };
}

function stateQuery(state: CompareState): Record<string, string | undefined> {
  const f = Object.entries(state.filters)
    .filter(([run, outcome]) => outcome && state.runs.includes(run))
    .map(([run, outcome]) => `${run}:${outcome}`)
    .join(',');
  return { runs: state.runs.join(','), f: f || undefined, cell: state.cell ?? undefined };
}

export function CompareView({ query }: { query: URLSearchParams }) {
  const runs = useCall('listRuns', {});
  const tab = query.get('view') === 'prompts' ? 'prompts' : 'runs';
  if (runs.error) return <ErrorBox error={runs.error} />;
  if (!runs.data) return <Loading what="runs" />;
  const all = runs.data.runs;
  const tabs = (
    <nav className="tabs" aria-label="Compare views">
      <a href={href('compare', { runs: query.get('runs') })} aria-current={tab === 'runs' ? 'page' : undefined}>
        Runs side by side
      </a>
      <a href={href('compare', { view: 'prompts' })} aria-current={tab === 'prompts' ? 'page' : undefined}>
        Prompt experiments
      </a>
    </nav>
  );
  if (all.length < 2) {
    return (
      <section>
        <h1>Compare</h1>
        <Empty title="Two runs are needed">
          {all.length === 0 ? 'There is no run yet.' : `There is one run (${all[0]!.name}).`} Start another on the <a href={href('runs')}>Runs</a> page: a model, or the
          baseline with a limit, on the same dataset.
        </Empty>
      </section>
    );
  }
  if (tab === 'prompts') {
    return (
      <section>
        <header className="view-header">
          <h1>Compare</h1>
          {tabs}
        </header>
        <PromptExperiments />
      </section>
    );
  }
  const state = readState(query);
  const names = all.map((r) => r.name);
  let chosen = state.runs.filter((r) => names.includes(r));
  const unknown = state.runs.filter((r) => !names.includes(r));
  if (chosen.length === 0) {
    // Nothing chosen yet: the two newest runs of the newest run's dataset.
    const newest = all[all.length - 1]!;
    chosen = all.filter((r) => r.dataset === newest.dataset).slice(-2).map((r) => r.name);
  }
  const current: CompareState = { ...state, runs: chosen };
  const go = (changes: Partial<CompareState>) => navigate('compare', stateQuery({ ...current, ...changes }));
  const dataset = all.find((r) => r.name === chosen[0])?.dataset;
  return (
    <section>
      <header className="view-header">
        <h1>Compare</h1>
        {tabs}
      </header>
      <div className="panel run-picker" role="group" aria-label="Runs to compare">
        <span className="muted small">Columns, in order:</span>
        {chosen.map((run, i) => (
          <span key={run} className="chip" data-run={run}>
            {i > 0 && (
              <button className="chip-move" aria-label={`Move ${run} left`} onClick={() => go({ runs: move(chosen, i, i - 1) })}>
                ←
              </button>
            )}
            {run}
            {i < chosen.length - 1 && (
              <button className="chip-move" aria-label={`Move ${run} right`} onClick={() => go({ runs: move(chosen, i, i + 1) })}>
                →
              </button>
            )}
            {chosen.length > 2 && (
              <button className="chip-move" aria-label={`Remove ${run}`} onClick={() => go({ runs: chosen.filter((r) => r !== run), cell: null })}>
                ×
              </button>
            )}
          </span>
        ))}
        {chosen.length === 2 && (
          <button onClick={() => go({ runs: [chosen[1]!, chosen[0]!] })} title="swap the two runs">
            ⇄ Swap
          </button>
        )}
        <label className="inline-field">
          Add a run
          <select name="add-run" value="" onChange={(e) => e.target.value && go({ runs: [...chosen, e.target.value] })}>
            <option value="">choose…</option>
            {all
              .filter((r) => !chosen.includes(r.name) && (!dataset || r.dataset === dataset))
              .map((r) => (
                <option key={r.name}>{r.name}</option>
              ))}
          </select>
        </label>
      </div>
      {unknown.length > 0 && (
        <p className="error-box" role="alert">
          No run named {unknown.map((u) => `“${u}”`).join(', ')}: left out of the comparison.
        </p>
      )}
      {chosen.length < 2 ? (
        <Empty title="Choose at least two runs">Add runs of the same dataset above.</Empty>
      ) : (
        <Comparison state={current} go={go} />
      )}
    </section>
  );
}

function move<T>(items: T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

function matches(outcome: PairOutcome, wanted: Outcome): boolean {
  if (wanted === 'correct') return isCorrect(outcome);
  if (wanted === 'wrong') return outcome === 'fp' || outcome === 'fn';
  return outcome === wanted;
}

function Comparison({ state, go }: { state: CompareState; go: (changes: Partial<CompareState>) => void }) {
  const many = useCall('compareMany', { runs: state.runs });
  if (many.error) return <ErrorBox error={many.error} hint="Runs can be compared when they are on the same dataset and share planned pairs." />;
  // While another set of runs loads, the previous comparison's numbers must not show under the new runs' names.
  if (!many.data || many.loading) return <Loading what="the comparison (bootstrap and McNemar tests)" />;
  return <ComparisonBody data={many.data} state={state} go={go} />;
}

function ComparisonBody({ data: c, state, go }: { data: Many; state: CompareState; go: (changes: Partial<CompareState>) => void }) {
  const order = c.runs.map((r) => r.run);
  const cellPairs = useMemo(() => {
    if (!state.cell) return null;
    const [a, b] = state.cell.split('>');
    const entry = pairEntry(c.discordant, a, b);
    if (!entry) return null;
    return new Set(entry.a === a ? entry.aRightBWrong : entry.bRightAWrong);
  }, [c, state.cell]);
  const rows = c.matrix.filter(
    (row) => (!cellPairs || cellPairs.has(row.pairId)) && Object.entries(state.filters).every(([run, wanted]) => !wanted || order.indexOf(run) < 0 || matches(row.outcomes[order.indexOf(run)]!, wanted)),
  );
  const fewer = c.runs.filter((r) => r.planned > c.n);
  return (
    <div data-testid="comparison">
      <p className="muted">
        {c.dataset}: over the <strong>{c.n}</strong> pairs every chosen run planned. Intervals: {Math.round(c.bootstrap.level * 100)}% percentile bootstrap, {c.bootstrap.resamples.toLocaleString()}{' '}
        resamples; p-values: exact McNemar test against the best run ({c.best}).
      </p>
      {fewer.length > 0 && (
        <p className="warnings" data-testid="fewer-pairs">
          Compared on fewer pairs than planned: {fewer.map((r) => `${r.run} planned ${r.planned}`).join(', ')}; only the {c.n} pairs common to all are counted.
        </p>
      )}
      <Warnings warnings={c.warnings.filter((w) => w.kind !== 'fewer-pairs' || fewer.length === 0)} />
      <Leaderboard data={c} />
      {state.runs.length === 2 && <PairedDeltas a={state.runs[0]!} b={state.runs[1]!} />}
      <div className="metrics-grid">
        <div className="panel">
          <h2>Right where the other is wrong</h2>
          <p className="muted small">Row run right, column run wrong (the discordant pairs of McNemar&apos;s test). Click a count to list those pairs.</p>
          <RunGrid
            order={order}
            label="Discordant pairs"
            testId="discordant"
            cell={(a, b) => {
              const entry = pairEntry(c.discordant, a, b);
              if (!entry) return null;
              const ids = entry.a === a ? entry.aRightBWrong : entry.bRightAWrong;
              const key = `${a}>${b}`;
              return (
                <button
                  className={`grid-count${state.cell === key ? ' active' : ''}`}
                  aria-pressed={state.cell === key}
                  data-cell={key}
                  title={`${a} right, ${b} wrong (McNemar p = ${pValue(entry.mcnemarP)})`}
                  onClick={() => go({ cell: state.cell === key ? null : key })}
                >
                  {ids.length}
                </button>
              );
            }}
          />
        </div>
        <div className="panel">
          <h2>Evidence agreement</h2>
          <p className="muted small">Mean Jaccard overlap of the sentences two runs cite, over pairs where either cites any.</p>
          <RunGrid
            order={order}
            label="Evidence agreement"
            testId="jaccard"
            cell={(a, b) => {
              const entry = pairEntry(c.evidenceAgreement, a, b);
              if (!entry) return null;
              return (
                <span title={`over ${entry.pairs} pairs`}>
                  {entry.jaccard === null ? 'n/a' : entry.jaccard.toFixed(2)}
                  <span className="muted small"> ({entry.pairs})</span>
                </span>
              );
            }}
          />
        </div>
      </div>
      <OutcomeMatrix data={c} rows={rows} state={state} go={go} />
    </div>
  );
}

function Leaderboard({ data: c }: { data: Many }) {
  return (
    <div className="panel">
      <h2>Leaderboard</h2>
      <div className="table-scroll" role="region" aria-label="Leaderboard, scrollable" tabIndex={0}>
        <table className="data-table compact" aria-label="Leaderboard" data-testid="leaderboard">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Run</th>
              <th className="num">F1 (95% CI)</th>
              <th className="num">Precision</th>
              <th className="num">Recall</th>
              <th className="num">Specificity</th>
              <th className="num">Bal. acc.</th>
              <th className="num">MCC</th>
              <th className="num">Evidence recall</th>
              <th className="num">vs best: McNemar</th>
            </tr>
          </thead>
          <tbody>
            {c.leaderboard.map((e) => (
              <tr key={`${e.reference ?? 'run'}:${e.run}`} className={e.reference ? 'reference-row' : undefined} data-run={e.reference ? undefined : e.run} data-reference={e.reference ?? undefined}>
                <td className="num">{e.rank ?? ''}</td>
                <td>
                  {e.reference ? e.run : <strong>{e.run}</strong>}
                  <Warnings warnings={e.warnings.filter((w) => w.kind === 'degenerate' || w.kind === 'small-n')} compact />
                </td>
                <td className="num">
                  {percent(e.f1)} <span className="muted small">{interval(e.f1Ci)}</span>
                </td>
                <td className="num">{percent(e.precision)}</td>
                <td className="num">{percent(e.recall)}</td>
                <td className="num">{percent(e.specificity)}</td>
                <td className="num">{percent(e.balancedAccuracy)}</td>
                <td className="num">{e.mcc === null ? 'n/a' : e.mcc.toFixed(3)}</td>
                <td className="num">
                  {percent(e.evidenceRecall)} {e.evidenceRecallCi && <span className="muted small">{interval(e.evidenceRecallCi)}</span>}
                </td>
                <td className="num">
                  {e.reference ? '' : e.vsBest === null ? <span className="muted">best</span> : `p = ${pValue(e.vsBest.mcnemarP)} (${e.vsBest.b} / ${e.vsBest.c})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">Reference rows (always True, always False, the lexical baseline) are scored on the same pairs and never ranked. McNemar (b / c): pairs the best run got right and this one wrong / the reverse.</p>
    </div>
  );
}

/** Two runs: the paired-bootstrap deltas with their intervals. */
function PairedDeltas({ a, b }: { a: string; b: string }) {
  const comparison = useCall('compareRuns', { a, b });
  if (comparison.error) return <ErrorBox error={comparison.error} />;
  if (!comparison.data || comparison.loading) return <Loading what="the paired bootstrap" />;
  const d = comparison.data;
  return (
    <div className="panel">
      <h2>
        {a} − {b}
      </h2>
      <table className="data-table compact" aria-label="Differences">
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">{a}</th>
            <th className="num">{b}</th>
            <th className="num">Δ (A − B)</th>
            <th className="num">95% CI of Δ</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['Precision', d.diff.precision],
              ['Recall', d.diff.recall],
              ['F1', d.diff.f1],
              ['Evidence recall', d.diff.evidenceRecall],
            ] as const
          ).map(([label, estimate]) =>
            estimate ? (
              <tr key={label}>
                <td>{label}</td>
                <td className="num">{percent(estimate.a)}</td>
                <td className="num">{percent(estimate.b)}</td>
                <td className={`num ${estimate.diff > 0 ? 'delta-up' : estimate.diff < 0 ? 'delta-down' : ''}`}>{points(estimate.diff)}</td>
                <td className="num">{interval(estimate.ci)}</td>
              </tr>
            ) : (
              <tr key={label}>
                <td>{label}</td>
                <td colSpan={4} className="muted">
                  n/a: no common pair has gold evidence
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <p className="muted small">
        McNemar p = <strong data-testid="mcnemar-p">{pValue(d.mcnemar.p)}</strong> ({d.mcnemar.onlyACorrect} pairs only {a} got right, {d.mcnemar.onlyBCorrect} only {b})
        {d.evidenceJaccard !== undefined && d.evidenceJaccard !== null ? ` · evidence Jaccard ${d.evidenceJaccard.toFixed(2)}` : ''}.
      </p>
    </div>
  );
}

function RunGrid({ order, label, testId, cell }: { order: string[]; label: string; testId: string; cell: (a: string, b: string) => ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={`${label}, scrollable`} tabIndex={0}>
      <table className="run-grid" aria-label={label} data-testid={testId}>
        <thead>
          <tr>
            <th />
            {order.map((run) => (
              <th key={run} scope="col">
                {run}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {order.map((a) => (
            <tr key={a}>
              <th scope="row">{a}</th>
              {order.map((b) => (
                <td key={b} className="num">
                  {a === b ? <span className="muted">–</span> : cell(a, b)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OutcomeMatrix({ data: c, rows, state, go }: { data: Many; rows: Many['matrix']; state: CompareState; go: (changes: Partial<CompareState>) => void }) {
  const order = c.runs.map((r) => r.run);
  const [limit, setLimit] = useState(200);
  const ids = rows.map((r) => r.pairId);
  const context = { ...stateQuery(state), from: 'compare', ids: ids.length <= 400 ? ids.join(',') : ids.slice(0, 400).join(',') };
  const [cellA, cellB] = state.cell ? state.cell.split('>') : [null, null];
  return (
    <div className="panel">
      <h2>
        Pairs × runs ({rows.length} of {c.matrix.length})
      </h2>
      <div className="matrix-filters" role="group" aria-label="Filter by outcome per run">
        {state.cell && (
          <span className="chip">
            {cellA} right, {cellB} wrong
            <button className="chip-move" aria-label="Clear this filter" onClick={() => go({ cell: null })}>
              ×
            </button>
          </span>
        )}
        {order.length === 2 && (
          <>
            <button onClick={() => go({ cell: `${order[0]}>${order[1]}` })} aria-pressed={state.cell === `${order[0]}>${order[1]}`}>
              {order[0]} right, {order[1]} wrong
            </button>
            <button onClick={() => go({ cell: `${order[1]}>${order[0]}` })} aria-pressed={state.cell === `${order[1]}>${order[0]}`}>
              {order[1]} right, {order[0]} wrong
            </button>
          </>
        )}
      </div>
      <div className="table-scroll matrix-scroll" role="region" aria-label="Pairs and outcomes, scrollable" tabIndex={0}>
        <table className="data-table compact outcome-matrix" aria-label="Outcome matrix" data-testid="outcome-matrix">
          <thead>
            <tr>
              <th>Task</th>
              <th>Code</th>
              <th>Description</th>
              <th>Gold</th>
              {order.map((run) => (
                <th key={run}>
                  <label className="column-filter">
                    {run}
                    <select
                      name={`filter-${run}`}
                      value={state.filters[run] ?? ''}
                      onChange={(e) => go({ filters: { ...state.filters, [run]: e.target.value as Outcome } })}
                      aria-label={`Outcome of ${run}`}
                    >
                      {OUTCOME_CHOICES.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  </label>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((row) => (
              <tr key={row.pairId} data-pair-id={row.pairId}>
                <td>
                  <a href={href(`pair/${row.pairId}`, { ...context, run: order[0] })}>{row.taskId}</a>
                </td>
                <td className="mono">{row.code}</td>
                <td>{row.desc}</td>
                <td>
                  <GoldBadge gold={row.gold} />
                </td>
                {row.outcomes.map((outcome, i) => (
                  <td key={order[i]}>
                    <a href={href(`pair/${row.pairId}`, { ...context, run: order[i] })} title={`open with ${order[i]}'s evidence`}>
                      <OutcomeBadge outcome={outcome} />
                    </a>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > limit && (
        <button onClick={() => setLimit(limit + 500)}>
          Show {Math.min(500, rows.length - limit)} more of {rows.length - limit}
        </button>
      )}
      {rows.length === 0 && <p className="muted">No pair matches these filters.</p>}
      <p className="muted small">
        Status: {c.runs.map((r) => `${r.run} `).join('· ')}
        {c.runs.map((r) => (
          <StatusBadge key={r.run} status={r.status} />
        ))}
      </p>
    </div>
  );
}

function PromptExperiments() {
  const experiments = useCall('promptExperiments', {});
  if (experiments.error) return <ErrorBox error={experiments.error} />;
  if (!experiments.data) return <Loading what="the prompt experiments" />;
  const groups = experiments.data.groups;
  if (groups.length === 0) {
    return (
      <Empty title="No prompt experiment yet">
        Runs that differ only in their prompt show here side by side. Start a run on the <a href={href('runs')}>Runs</a> page with the same model and settings and another prompt preset (or an edited
        prompt).
      </Empty>
    );
  }
  return (
    <div data-testid="prompt-experiments">
      {groups.map((g, i) => (
        <div className="panel" key={i}>
          <h2>
            {g.dataset}: {Object.entries(g.settings)
              .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
              .join(' · ')}
          </h2>
          <table className="data-table compact" aria-label={`Prompt experiment ${i + 1}`}>
            <thead>
              <tr>
                <th>Run</th>
                <th>Prompt</th>
                <th className="num">Pairs</th>
                <th className="num">F1</th>
                <th className="num">Precision</th>
                <th className="num">Recall</th>
                <th className="num">Bal. acc.</th>
                <th className="num">Evidence recall</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {g.runs.map((r) => (
                <tr key={r.run}>
                  <td>
                    <a href={href('metrics', { run: r.run })}>{r.run}</a>
                    <Warnings warnings={r.warnings} compact />
                  </td>
                  <td>
                    {r.prompt}
                    {r.promptHash && <span className="muted small mono"> {r.promptHash.slice(0, 8)}</span>}
                  </td>
                  <td className="num">
                    {r.n}/{r.planned}
                  </td>
                  <td className="num">{percent(r.metrics.f1)}</td>
                  <td className="num">{percent(r.metrics.precision)}</td>
                  <td className="num">{percent(r.metrics.recall)}</td>
                  <td className="num">{percent(r.metrics.balancedAccuracy)}</td>
                  <td className="num">{percent(r.metrics.evidenceRecall)}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <a href={href('compare', { runs: g.runs.map((r) => r.run).join(',') })}>Compare these runs pair by pair</a>
        </div>
      ))}
    </div>
  );
}

/** The entry of an unordered pair of runs (the core lists each pair once, in either order). */
function pairEntry<T extends { a: string; b: string }>(entries: readonly T[], a: string, b: string): T | undefined {
  return entries.find((d) => (d.a === a && d.b === b) || (d.a === b && d.b === a));
}
