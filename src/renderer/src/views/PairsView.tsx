import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge } from '../components';
import { href, navigate, replaceQuery, useCall } from '../hooks';
import { useKeys } from '../lib/keys';
import { pairsRequest, listQuery, type ListQuery } from '../lib/pairs-query';
import { neutraliseBidi } from '../../../shared/display-text';

const ROW_HEIGHT = 34;

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
  // A new filter (a link, the sidebar, Back) starts the list afresh from its URL; the list's own
  // replaceQuery writes (search, selection, scroll) fire no hashchange and keep it.
  const filterKey = [...query.entries()].filter(([key]) => key !== 'sel' && key !== 'top').map(([key, value]) => `${key}=${value}`).join('&');
  return <PairsBrowser key={filterKey} datasets={names} dataset={dataset} query={query} />;
}

function PairsBrowser({ datasets, dataset, query }: { datasets: string[]; dataset: string; query: URLSearchParams }) {
  const runs = useCall('listRuns', {});
  const runNames = (runs.data?.runs ?? []).filter((r) => r.dataset === dataset).map((r) => r.name);
  const wantedRun = query.get('run');
  const run = wantedRun && runNames.includes(wantedRun) ? wantedRun : undefined;
  const [search, setSearch] = useState(query.get('search') ?? '');
  const [debounced, setDebounced] = useState(search);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search), 150);
    return () => clearTimeout(timer);
  }, [search]);

  const filters: ListQuery = { ...listQuery(query), dataset, run, search: debounced.trim() || undefined };
  if (!run) {
    filters.outcome = undefined;
    filters.missed = undefined;
  }
  const request: CallRequest<'listPairs'> = pairsRequest(filters);
  const pairs = useCall('listPairs', runs.data ? request : null);
  const update = (changes: Partial<ListQuery>) => navigate('pairs', { ...filters, ...changes, sel: undefined, top: undefined });

  // Selection and scroll live in the URL too (replaced, not pushed), so Back from a pair restores them.
  const [selected, setSelected] = useState<number | null>(Number(query.get('sel')) || null);
  const [top, setTop] = useState<number>(Number(query.get('top')) || 0);
  useEffect(() => {
    const timer = setTimeout(() => replaceQuery('pairs', { search: debounced.trim(), sel: selected ?? undefined, top: top > 0 ? Math.round(top) : undefined }), 120);
    return () => clearTimeout(timer);
  });

  useKeys((key) => {
    if (key === '/') {
      searchRef.current?.focus();
      searchRef.current?.select();
      return true;
    }
    if (key === 'Escape' && document.activeElement === searchRef.current) {
      searchRef.current?.blur();
      return true;
    }
    return false;
  });

  const waiting = pairs.loading && pairs.data !== null;
  // The filters need the run list (the outcome filter applies to a run of this dataset).
  if (runs.error) return <ErrorBox error={runs.error} />;
  if (!runs.data) return <Loading what="runs" />;
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
          <select name="dataset" value={dataset} onChange={(e) => navigate('pairs', { dataset: e.target.value })}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Gold
          <select name="gold" value={filters.gold ?? ''} onChange={(e) => update({ gold: e.target.value || undefined })}>
            <option value="">any</option>
            <option value="true">True</option>
            <option value="false">False</option>
          </select>
        </label>
        <label>
          Code
          <select name="kind" value={filters.kind ?? ''} onChange={(e) => update({ kind: e.target.value || undefined })}>
            <option value="">CM and PCS</option>
            <option value="CM">ICD-10-CM</option>
            <option value="PCS">ICD-10-PCS</option>
          </select>
        </label>
        <label>
          Chapter
          <select name="chapter" value={filters.chapter ?? ''} onChange={(e) => update({ chapter: e.target.value || undefined })} className="wide-select">
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
          <select name="run" value={run ?? ''} onChange={(e) => update({ run: e.target.value || undefined, outcome: undefined, missed: undefined })}>
            <option value="">none</option>
            {runNames.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" value={filters.outcome ?? ''} disabled={!run} onChange={(e) => update({ outcome: e.target.value || undefined })} title={run ? undefined : 'choose a run first'}>
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
        <label className="check">
          <input type="checkbox" name="missed" checked={filters.missed === '1'} disabled={!run} onChange={(e) => update({ missed: e.target.checked ? '1' : undefined })} />
          gold evidence missed
        </label>
        <label className="grow">
          <span>
            Search <kbd aria-hidden="true">/</kbd>
          </span>
          <input
            ref={searchRef}
            type="search"
            name="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setTop(0);
            }}
            placeholder="task id, code or description"
          />
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
      {pairs.data && pairs.data.pairs.length > 0 && (
        <PairsTable rows={pairs.data.pairs} run={run} backQuery={filters} selected={selected} onSelect={setSelected} initialTop={top} onScroll={setTop} busy={waiting} />
      )}
      <p className="muted hint">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens the pair, <kbd>/</kbd> searches. In a pair, <kbd>j</kbd>/<kbd>k</kbd> step to the next/previous pair of this list.
      </p>
    </section>
  );
}

type Row = CallResponse<'listPairs'>['pairs'][number];

export function PairsTable({
  rows,
  run,
  backQuery,
  selected,
  onSelect,
  initialTop,
  onScroll,
  busy,
}: {
  rows: Row[];
  run: string | undefined;
  backQuery: ListQuery;
  selected: number | null;
  onSelect: (pairId: number) => void;
  initialTop: number;
  onScroll: (top: number) => void;
  busy: boolean;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12, initialOffset: initialTop });
  const found = selected === null ? -1 : rows.findIndex((r) => r.pairId === selected);
  const selectedIndex = found >= 0 ? found : 0;
  const pairHref = (row: Row) => href(`pair/${row.pairId}`, { ...backQuery });
  const open = (row: Row) => {
    // The list's state first, so Back lands on this row.
    replaceQuery('pairs', { search: backQuery.search, sel: row.pairId, top: Math.round(scrollRef.current?.scrollTop ?? 0) || undefined });
    window.location.hash = pairHref(row);
  };

  // Coming back with a selection but no scroll offset (a link from elsewhere): bring the row into view.
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    if (found >= 0 && initialTop === 0) virtualizer.scrollToIndex(found, { align: 'center' });
  }, [found, initialTop, virtualizer]);

  useKeys((key, event) => {
    const target = event.target as HTMLElement | null;
    if (key === 'Enter' && target && (target.tagName === 'A' || target.tagName === 'BUTTON')) return false;
    let next = selectedIndex;
    if (key === 'j' || key === 'ArrowDown') next = Math.min(rows.length - 1, selectedIndex + 1);
    else if (key === 'k' || key === 'ArrowUp') next = Math.max(0, selectedIndex - 1);
    else if (key === 'Enter' || key === 'o') {
      open(rows[selectedIndex]!);
      return true;
    } else return false;
    onSelect(rows[next]!.pairId);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    return true;
  });

  return (
    <div className={`pairs-table pairs-grid${run ? ' with-run' : ''}`} role="grid" aria-rowcount={rows.length + 1} aria-label="Pairs" aria-busy={busy}>
      <div role="rowgroup">
        <div className="pairs-row pairs-head" role="row" aria-rowindex={1}>
          <span role="columnheader">Task</span>
          <span role="columnheader">Code</span>
          <span role="columnheader">Description</span>
          <span role="columnheader">Gold</span>
          <span role="columnheader">Chapter</span>
          <span role="columnheader" className="num" title="gold evidence sentences">
            Gold sent.
          </span>
          {run && <span role="columnheader">{run}</span>}
        </div>
      </div>
      <div className="pairs-scroll" ref={scrollRef} tabIndex={0} role="rowgroup" aria-label="Pairs, scrollable" data-testid="pairs-scroll" onScroll={(e) => onScroll(e.currentTarget.scrollTop)}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="presentation">
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={row.pairId}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={item.index === selectedIndex}
                className={`pairs-row${item.index === selectedIndex ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(row.pairId)}
                onDoubleClick={() => open(row)}
                data-pair-id={row.pairId}
              >
                <span role="gridcell">
                  <a
                    href={pairHref(row)}
                    onClick={(e) => {
                      e.preventDefault();
                      onSelect(row.pairId);
                      open(row);
                    }}
                  >
                    {row.taskId}
                  </a>
                </span>
                <span role="gridcell" className="mono">
                  {row.code}
                </span>
                <span role="gridcell" className="ellipsis" title={row.desc}>
                  {neutraliseBidi(row.desc)}
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
                    {row.evidenceRecall === 0 && (
                      <span className="missed-flag" title="gold evidence missed: the answer cited none of the gold sentences">
                        {' '}
                        ev✗
                      </span>
                    )}
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
