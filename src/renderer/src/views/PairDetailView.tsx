import { useMemo, useState, type ReactNode } from 'react';
import type { CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge } from '../components';
import { href, navigate, useCall, useTitle } from '../hooks';
import { useKeys } from '../lib/keys';
import { describeFilter, listQuery, pairsRequest } from '../lib/pairs-query';
import { percent } from '../lib/format';
import { codePointToUtf16 } from '../lib/highlight';
import { NoteView } from './NoteView';
import { neutraliseBidi } from '../../../shared/display-text';

type Pair = CallResponse<'getPair'>;
type Prediction = Pair['predictions'][number];

export function PairDetailView({ pairId, query }: { pairId: number; query: URLSearchParams }) {
  const valid = Number.isInteger(pairId) && pairId > 0;
  const pair = useCall('getPair', valid ? { pairId } : null);
  const back = Object.fromEntries([...query.entries()]);
  if (!valid) return <ErrorBox error={new Error('This address names no pair.')} hint={<a href={href('pairs')}>Back to the pairs</a>} />;
  if (pair.error) return <ErrorBox error={pair.error} hint={<a href={href('pairs', back)}>Back to the pairs</a>} />;
  if (!pair.data) return <Loading what="the pair" />;
  return <PairDetail pair={pair.data} query={query} />;
}

/**
 * Where "← back" and previous/next lead: the pairs list with its filter, or a Compare view's
 * selection (from=compare, with the pair ids of the cell or filter that was open there).
 */
function useNeighbours(pair: Pair, query: URLSearchParams) {
  const fromCompare = query.get('from') === 'compare';
  const list = listQuery(query);
  if (!list.dataset) list.dataset = pair.dataset;
  const pairs = useCall('listPairs', fromCompare ? null : pairsRequest(list));
  const ids = fromCompare ? (query.get('ids') ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0) : (pairs.data?.pairs.map((p) => p.pairId) ?? []);
  const index = ids.indexOf(pair.pairId);
  const carried = Object.fromEntries([...query.entries()].filter(([key]) => key !== 'sel' && key !== 'top'));
  const toPair = (id: number | undefined) => (id === undefined ? null : href(`pair/${id}`, carried));
  const backHref = fromCompare
    ? href('compare', Object.fromEntries([...query.entries()].filter(([key]) => key !== 'from' && key !== 'ids' && key !== 'run')))
    : href('pairs', { ...list, sel: pair.pairId });
  return {
    fromCompare,
    backHref,
    index,
    count: ids.length,
    known: fromCompare || pairs.data !== null,
    previous: index > 0 ? toPair(ids[index - 1]) : null,
    next: index >= 0 && index < ids.length - 1 ? toPair(ids[index + 1]) : null,
    label: fromCompare ? 'the Compare selection' : describeFilter(list) || `all pairs of ${list.dataset}`,
  };
}

function PairDetail({ pair, query }: { pair: Pair; query: URLSearchParams }) {
  const highlightRun = query.get('run');
  const highlighted = pair.predictions.find((p) => p.run === highlightRun) ?? pair.predictions[0] ?? null;
  const nav = useNeighbours(pair, query);
  useTitle(`${pair.code} ${pair.desc}`);
  const noteProps = useMemo(
    () => ({
      text: pair.note.text,
      sentences: pair.note.sentences,
      goldSpans: pair.goldSpans,
      goldSentences: pair.goldSentences,
      predictedSentences: highlighted?.status === 'ok' ? highlighted.evidence : [],
    }),
    [pair, highlighted],
  );
  useKeys((key) => {
    if ((key === 'j' || key === 'n') && nav.next) window.location.hash = nav.next;
    else if ((key === 'k' || key === 'p') && nav.previous) window.location.hash = nav.previous;
    else if (key === 'u' || key === 'Escape') window.location.hash = nav.backHref;
    else return false;
    return true;
  });
  const ordered = highlighted ? [highlighted, ...pair.predictions.filter((p) => p !== highlighted)] : pair.predictions;
  return (
    <section className="pair-detail">
      <header className="pair-header">
        <nav className="pair-nav" aria-label="Pair navigation">
          <a href={nav.backHref} className="back">
            ← {nav.fromCompare ? 'Compare' : 'Pairs'}
          </a>
          <span className="pair-position" data-testid="pair-position">
            {nav.index >= 0 ? `Pair ${nav.index + 1} of ${nav.count}: ${nav.label}` : nav.known ? `Not in the list (${nav.label})` : ''}
          </span>
          <a className={`step${nav.previous ? '' : ' disabled'}`} href={nav.previous ?? undefined} aria-disabled={!nav.previous} aria-keyshortcuts="k" title="previous pair (k)">
            ↑ Previous
          </a>
          <a className={`step${nav.next ? '' : ' disabled'}`} href={nav.next ?? undefined} aria-disabled={!nav.next} aria-keyshortcuts="j" title="next pair (j)">
            ↓ Next
          </a>
          <span className="muted small">
            <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>u</kbd> back
          </span>
        </nav>
        <h1>
          <span className="mono">{pair.code}</span> {neutraliseBidi(pair.desc)}
        </h1>
        <div className="pair-facts">
          <span>
            Gold <GoldBadge gold={pair.gold} />
          </span>
          <span>Task {pair.taskId}</span>
          <span>Note {pair.note.noteId}</span>
          <span>{pair.chapter}</span>
          <span>{pair.dataset}</span>
        </div>
      </header>
      <div className="pair-columns">
        <div className="pair-note">
          <NoteView {...noteProps} focusKey={`${pair.pairId}:${highlighted?.run ?? ''}`} />
        </div>
        <aside className="pair-side" aria-label="Gold answer and the runs' answers" tabIndex={0}>
          {pair.predictions.length > 1 && (
            <label className="inline-field highlight-pick">
              Highlight the evidence of
              <select name="highlight-run" value={highlighted?.run ?? ''} onChange={(e) => navigate(`pair/${pair.pairId}`, { ...Object.fromEntries(query.entries()), run: e.target.value })}>
                {pair.predictions.map((p) => (
                  <option key={p.run}>{p.run}</option>
                ))}
              </select>
            </label>
          )}
          {pair.predictions.length === 0 && (
            <Empty title="No prediction for this pair yet">
              {pair.pendingRuns.length > 0 ? `Runs ${pair.pendingRuns.join(', ')} planned it but have not reached it. ` : ''}
              Start or resume a run on the <a href={href('runs')}>Runs</a> page.
            </Empty>
          )}
          <div className="predictions" aria-label="Predictions of every run">
            {ordered.map((prediction) => (
              <PredictionCard key={prediction.run} pairId={pair.pairId} prediction={prediction} highlighted={prediction === highlighted} goldSentences={pair.goldSentences} />
            ))}
          </div>
          <div className="panel gold-panel">
            <h2>Gold</h2>
            <p>
              Label <GoldBadge gold={pair.gold} /> · evidence sentences{' '}
              {pair.goldSentences.length > 0 ? pair.goldSentences.map((id) => `S${id}`).join(', ') : <span className="muted">none</span>}
            </p>
            <h3>Reasoning summary</h3>
            <p className="reasoning">{pair.reasoningSummary || <span className="muted">(empty)</span>}</p>
          </div>
        </aside>
      </div>
    </section>
  );
}

function PredictionCard({ pairId, prediction: p, highlighted, goldSentences }: { pairId: number; prediction: Prediction; highlighted: boolean; goldSentences: number[] }) {
  const gold = new Set(goldSentences);
  const [showPrompt, setShowPrompt] = useState(false);
  return (
    <article className={`panel prediction${highlighted ? ' highlighted' : ''}`} data-run={p.run} aria-label={`Answer of ${p.run}`}>
      <header>
        <h3>{p.run}</h3>
        <span className="muted">{p.model ?? p.backend}</span>
        <OutcomeBadge outcome={p.outcome} />
      </header>
      <dl className="facts">
        <dt>Label</dt>
        <dd>{p.status === 'invalid' ? <span className="error">invalid: {p.error}</span> : (p.rawLabel ?? String(p.label))}</dd>
        <dt>Evidence</dt>
        <dd>
          {p.evidence.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            p.evidence.map((id) => (
              <span key={id} className={gold.has(id) ? 'sid hit' : 'sid'} title={gold.has(id) ? 'also gold' : 'not gold'}>
                S{id}
              </span>
            ))
          )}
        </dd>
        <dt>Evidence match</dt>
        <dd>
          {p.matchType ?? 'n/a (no gold evidence)'}
          {p.evidenceRecall !== null && ` · recall ${percent(p.evidenceRecall, 0)}`}
        </dd>
        <dt>Time</dt>
        <dd>{p.backend === 'external' ? <span className="muted">n/a (imported)</span> : `${((p.ms ?? 0) / 1000).toFixed(2)} s`}</dd>
      </dl>
      <h4>Rationale</h4>
      <p className="rationale">{p.rationale ? neutraliseBidi(p.rationale) : <span className="muted">(none)</span>}</p>
      <details onToggle={(e) => setShowPrompt((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>Prompt, raw output and how it was read</summary>
        {showPrompt ? <PromptAndParse pairId={pairId} run={p.run} fallbackRaw={p.rawOutput} /> : null}
      </details>
      {p.samples.length > 1 && (
        <details>
          <summary>{p.samples.length} samples (majority vote)</summary>
          <ol className="samples">
            {p.samples.map((s) => (
              <li key={s.sampleIndex}>
                seed {s.seed}: {s.status === 'ok' ? (s.rawLabel ?? String(s.label)) : `invalid (${s.error})`} · {s.evidence.map((id) => `S${id}`).join(' ') || 'no evidence'}
              </li>
            ))}
          </ol>
        </details>
      )}
    </article>
  );
}

const PARSE_WORDS: Record<string, string> = {
  json: 'one JSON object',
  'multiple-json': 'several JSON objects',
  'no-json': 'no JSON object',
  empty: 'empty output',
  imported: 'imported predictions (no model output)',
};

/** The rendered prompt the model saw and each raw output with the part the answer was read from. */
function PromptAndParse({ pairId, run, fallbackRaw }: { pairId: number; run: string; fallbackRaw: string }) {
  const prompt = useCall('getPairPrompt', { pairId, run });
  if (prompt.error)
    return (
      <>
        <ErrorBox error={prompt.error} />
        <h4>Raw output</h4>
        <pre className="raw" tabIndex={0}>{fallbackRaw || '(empty)'}</pre>
      </>
    );
  if (!prompt.data) return <Loading what="the prompt" />;
  const d = prompt.data;
  return (
    <div className="prompt-parse" data-testid="prompt-parse">
      <h4>Prompt{d.prompt.name ? ` (${d.prompt.name})` : ''}</h4>
      {d.prompt.text ? <pre className="raw prompt-text" tabIndex={0}>{d.prompt.text}</pre> : <p className="muted">{d.prompt.note ?? 'No prompt: this run did not use a model.'}</p>}
      {d.outputs.map((o, i) => (
        <div key={i} className="output-parse">
          <h4>{o.sampleIndex === null ? 'Raw output' : `Raw output, sample ${o.sampleIndex + 1}`}</h4>
          <p className={o.parse.kind === 'json' || o.parse.kind === 'imported' ? 'muted small' : 'warning small'} data-parse={o.parse.kind}>
            Read as {PARSE_WORDS[o.parse.kind] ?? o.parse.kind}
            {o.parse.used !== null && o.parse.objects.length > 1 ? `, answer taken from object ${o.parse.used + 1} of ${o.parse.objects.length}` : ''}. {o.parse.message}
          </p>
          <pre className="raw" tabIndex={0}>{renderParsed(o.rawOutput, o.parse)}</pre>
        </div>
      ))}
    </div>
  );
}

/** The raw output with the JSON object the answer came from marked, and any other object struck through. */
function renderParsed(raw: string, parse: CallResponse<'getPairPrompt'>['outputs'][number]['parse']) {
  if (!raw) return '(empty)';
  // The core's offsets are code points (as everywhere in the contract); slices here are UTF-16.
  const toUtf16 = codePointToUtf16(raw);
  const objects = [...parse.objects].map((o, i) => ({ ...o, start: toUtf16(o.start), end: toUtf16(o.end), i })).sort((a, b) => a.start - b.start);
  const parts: ReactNode[] = [];
  let position = 0;
  for (const o of objects) {
    if (o.start < position || o.end > raw.length) continue;
    parts.push(raw.slice(position, o.start));
    parts.push(
      <mark key={o.i} className={o.i === parse.used ? 'parsed-used' : 'parsed-ignored'} title={o.i === parse.used ? 'the answer was read from this object' : 'ignored'}>
        {raw.slice(o.start, o.end)}
      </mark>,
    );
    position = o.end;
  }
  parts.push(raw.slice(position));
  return parts;
}
