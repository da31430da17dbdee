import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge } from '../components';
import { href, navigate, useCall } from '../hooks';

const ROW_HEIGHT = 34;
type Outcome = NonNullable<CallRequest<'listPairs'>['outcome']>;

export function PairsView({ query }: { query: URLSearchParams }) {
  const datasets = useCall('listDatasets', {});
  if (datasets.error) return <ErrorBox error={datasets.error} />;
  if (!datasets.data) return <Loading what="datasets" />;
  if (datasets.data.datasets.length === 0) {
    return (
      <section>
        <h1>Pairs</h1>
        <Empty title="No pairs yet">
          Import a dataset first on the <a href={href('datasets')}>Datasets</a> page.
        </Empty>
      </section>
    );
  }
  const names = datasets.data.datasets.map((d) => d.name);
  const dataset = names.includes(query.get('dataset') ?? '') ? query.get('dataset')! : names[0]!;
  return <PairsBrowser datasets={names} dataset={dataset} query={query} />;
}

function PairsBrowser({ datasets, dataset, query }: { datasets: string[]; dataset: string; query: URLSearchParams }) {
  const runs = useCall('listRuns', {});
  const runNames = (runs.data?.runs ?? []).filter((r) => r.dataset === dataset).map((r) => r.name);
  const run = query.get('run') && runNames.includes(query.get('run')!) ? query.get('run')! : undefined;
  const [search, setSearch] = useState(query.get('search') ?? '');
  const [debounced, setDebounced] = useState(search);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search), 150);
    return () => clearTimeout(timer);
  }, [search]);

  const filters = {
    gold: query.get('gold') ?? '',
    kind: query.get('kind') ?? '',
    chapter: query.get('chapter') ?? '',
    outcome: run ? (query.get('outcome') ?? '') : '',
  };
  const request: CallRequest<'listPairs'> = {
    dataset,
    ...(filters.gold ? { gold: filters.gold === 'true' } : {}),
    ...(filters.kind ? { kind: filters.kind as 'CM' | 'PCS' } : {}),
    ...(filters.chapter ? { chapter: filters.chapter } : {}),
    ...(debounced.trim() ? { search: debounced.trim() } : {}),
    ...(run ? { run } : {}),
    ...(run && filters.outcome ? { outcome: filters.outcome as Outcome } : {}),
  };
  const pairs = useCall('listPairs', runs.data ? request : null);
  const current = { dataset, run, search: debounced || undefined, ...filters };
  const update = (changes: Record<string, string | undefined>) => navigate('pairs', { ...current, ...changes });

  return (
    <section className="pairs-view">
      <header className="view-header">
        <h1>Pairs</h1>
        {pairs.data && (
          <span className="muted" role="status">
            {pairs.data.pairs.length} of {pairs.data.total} pairs
          </span>
        )}
      </header>
      <div className="filters" role="search">
        <label>
          Dataset
          <select value={dataset} onChange={(e) => navigate('pairs', { dataset: e.target.value })}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Gold
          <select name="gold" value={filters.gold} onChange={(e) => update({ gold: e.target.value })}>
            <option value="">any</option>
            <option value="true">True</option>
            <option value="false">False</option>
          </select>
        </label>
        <label>
          Code
          <select name="kind" value={filters.kind} onChange={(e) => update({ kind: e.target.value })}>
            <option value="">CM and PCS</option>
            <option value="CM">ICD-10-CM</option>
            <option value="PCS">ICD-10-PCS</option>
          </select>
        </label>
        <label>
          Chapter
          <select name="chapter" value={filters.chapter} onChange={(e) => update({ chapter: e.target.value })} className="wide-select">
            <option value="">any</option>
            {(pairs.data?.chapters ?? (filters.chapter ? [filters.chapter] : [])).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Run
          <select name="run" value={run ?? ''} onChange={(e) => update({ run: e.target.value || undefined, outcome: undefined })}>
            <option value="">none</option>
            {runNames.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" value={filters.outcome} disabled={!run} onChange={(e) => update({ outcome: e.target.value })} title={run ? undefined : 'choose a run first'}>
            <option value="">any</option>
            <option value="correct">correct (TP or TN)</option>
            <option value="wrong">wrong (FP or FN)</option>
            <option value="tp">TP</option>
            <option value="fp">FP (predicted True, gold False)</option>
            <option value="fn">FN (predicted False, gold True)</option>
            <option value="tn">TN</option>
            <option value="invalid">invalid answer</option>
            <option value="missing">not predicted yet</option>
          </select>
        </label>
        <label className="grow">
          Search
          <input type="search" name="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="task id, code or description" />
        </label>
      </div>
      {pairs.error && <ErrorBox error={pairs.error} />}
      {!pairs.data && !pairs.error && <Loading what="pairs" />}
      {pairs.data && pairs.data.pairs.length === 0 && (
        <Empty title="No pair matches these filters">
          <button className="link" onClick={() => navigate('pairs', { dataset, run })}>
            Clear the filters
          </button>{' '}
          to see all {pairs.data.total} pairs.
        </Empty>
      )}
      {pairs.data && pairs.data.pairs.length > 0 && <PairsTable rows={pairs.data.pairs} run={run} backQuery={current} />}
      <p className="muted hint">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens the pair.
      </p>
    </section>
  );
}

type Row = CallResponse<'listPairs'>['pairs'][number];

export function PairsTable({ rows, run, backQuery }: { rows: Row[]; run: string | undefined; backQuery: Record<string, string | undefined> }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState(0);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const selectedIndex = Math.min(selected, rows.length - 1);
  const open = (row: Row) => navigate(`pair/${row.pairId}`, { ...backQuery, ...(run ? { run } : {}) });
  const columns = useMemo(() => (run ? 'pairs-grid with-run' : 'pairs-grid'), [run]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    let next = selectedIndex;
    if (event.key === 'j' || event.key === 'ArrowDown') next = Math.min(rows.length - 1, selectedIndex + 1);
    else if (event.key === 'k' || event.key === 'ArrowUp') next = Math.max(0, selectedIndex - 1);
    else if (event.key === 'Enter') {
      open(rows[selectedIndex]!);
      return;
    } else return;
    event.preventDefault();
    setSelected(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <div className={`pairs-table ${columns}`} role="grid" aria-rowcount={rows.length} aria-label="Pairs">
      <div className="pairs-row pairs-head" role="row">
        <span role="columnheader">Task</span>
        <span role="columnheader">Code</span>
        <span role="columnheader">Description</span>
        <span role="columnheader">Gold</span>
        <span role="columnheader">Chapter</span>
        <span role="columnheader" className="num">
          Gold sent.
        </span>
        {run && <span role="columnheader">{run}</span>}
      </div>
      <div className="pairs-scroll" ref={scrollRef} tabIndex={0} onKeyDown={onKeyDown} data-testid="pairs-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={row.pairId}
                role="row"
                aria-rowindex={item.index + 1}
                aria-selected={item.index === selectedIndex}
                className={`pairs-row${item.index === selectedIndex ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => setSelected(item.index)}
                onDoubleClick={() => open(row)}
                data-pair-id={row.pairId}
              >
                <span role="gridcell">
                  <a href={href(`pair/${row.pairId}`, { ...backQuery, ...(run ? { run } : {}) })}>{row.taskId}</a>
                </span>
                <span role="gridcell" className="mono">
                  {row.code}
                </span>
                <span role="gridcell" className="ellipsis" title={row.desc}>
                  {row.desc}
                </span>
                <span role="gridcell">
                  <GoldBadge gold={row.gold} />
                </span>
                <span role="gridcell" className="ellipsis muted" title={row.chapter}>
                  {row.chapter}
                </span>
                <span role="gridcell" className="num">
                  {row.goldSentences}
                </span>
                {run && (
                  <span role="gridcell">
                    <OutcomeBadge outcome={row.outcome} />
                  </span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
