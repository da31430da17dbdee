import { useMemo } from 'react';
import type { CallResponse } from '../../../shared/contract';
import { Empty, ErrorBox, GoldBadge, Loading, OutcomeBadge } from '../components';
import { href, navigate, useCall } from '../hooks';
import { percent } from '../lib/format';
import { NoteView } from './NoteView';

type Pair = CallResponse<'getPair'>;
type Prediction = Pair['predictions'][number];

export function PairDetailView({ pairId, query }: { pairId: number; query: URLSearchParams }) {
  const pair = useCall('getPair', Number.isInteger(pairId) && pairId > 0 ? { pairId } : null);
  const back = Object.fromEntries([...query.entries()]);
  if (!Number.isInteger(pairId) || pairId <= 0) return <ErrorBox error={new Error('This address names no pair.')} hint={<a href={href('pairs')}>Back to the pairs</a>} />;
  if (pair.error) return <ErrorBox error={pair.error} hint={<a href={href('pairs', back)}>Back to the pairs</a>} />;
  if (!pair.data) return <Loading what="the pair" />;
  return <PairDetail pair={pair.data} highlightRun={query.get('run')} back={back} />;
}

function PairDetail({ pair, highlightRun, back }: { pair: Pair; highlightRun: string | null; back: Record<string, string> }) {
  const highlighted = pair.predictions.find((p) => p.run === highlightRun) ?? pair.predictions[0] ?? null;
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
  return (
    <section className="pair-detail">
      <header className="view-header pair-header">
        <a href={href('pairs', back)} className="back">
          ← Pairs
        </a>
        <h1>
          <span className="mono">{pair.code}</span> {pair.desc}
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
          <NoteView {...noteProps} />
        </div>
        <aside className="pair-side">
          <div className="panel">
            <h2>Gold</h2>
            <p>
              Label <GoldBadge gold={pair.gold} /> · evidence sentences{' '}
              {pair.goldSentences.length > 0 ? pair.goldSentences.map((id) => `S${id}`).join(', ') : <span className="muted">none</span>}
            </p>
            <h3>Reasoning summary</h3>
            <p className="reasoning">{pair.reasoningSummary || <span className="muted">(empty)</span>}</p>
          </div>
          {pair.predictions.length > 0 && (
            <div className="panel">
              <label className="inline-field">
                Highlight the evidence of
                <select name="highlight-run" value={highlighted?.run ?? ''} onChange={(e) => navigate(`pair/${pair.pairId}`, { ...back, run: e.target.value })}>
                  {pair.predictions.map((p) => (
                    <option key={p.run}>{p.run}</option>
                  ))}
                </select>
              </label>
            </div>
          )}
          {pair.predictions.length === 0 && (
            <Empty title="No prediction for this pair yet">
              {pair.pendingRuns.length > 0 ? `Runs ${pair.pendingRuns.join(', ')} planned it but have not reached it. ` : ''}
              Start or resume a run on the <a href={href('runs')}>Runs</a> page.
            </Empty>
          )}
        </aside>
      </div>
      {pair.predictions.length > 0 && (
        <div className="predictions" aria-label="Predictions of every run">
          {pair.predictions.map((prediction) => (
            <PredictionCard key={prediction.run} prediction={prediction} highlighted={prediction === highlighted} goldSentences={pair.goldSentences} />
          ))}
        </div>
      )}
    </section>
  );
}

function PredictionCard({ prediction: p, highlighted, goldSentences }: { prediction: Prediction; highlighted: boolean; goldSentences: number[] }) {
  const gold = new Set(goldSentences);
  return (
    <article className={`panel prediction${highlighted ? ' highlighted' : ''}`} data-run={p.run}>
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
        <dd>{(p.ms / 1000).toFixed(2)} s</dd>
      </dl>
      <h4>Rationale</h4>
      <p className="rationale">{p.rationale || <span className="muted">(none)</span>}</p>
      <details>
        <summary>Raw output</summary>
        <pre className="raw">{p.rawOutput || '(empty)'}</pre>
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
