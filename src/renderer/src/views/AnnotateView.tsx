import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CallResponse } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading } from '../components';
import { PathField } from '../components/PathField';
import { navigate, useCall } from '../hooks';

type Task = CallResponse<'getAnnotationTask'>;
type Span = { start: number; end: number };

/**
 * The dual-annotation workspace. Keyboard first: R / U label the pair Related / Unrelated, drag over
 * the note to add evidence, X removes the last span, Ctrl+Enter submits and opens the next pair,
 * J / K move through the queue. Every change is saved at once (the rationale after a short pause).
 */
export function AnnotateView({ query }: { query: URLSearchParams }) {
  const dataset = query.get('dataset') ?? '';
  const annotator = query.get('annotator') ?? '';
  const tab = query.get('tab') ?? 'annotate';
  const datasets = useCall('listDatasets', {});
  const setups = useCall('listAnnotation', {});
  const setup = setups.data?.datasets.find((d) => d.name === dataset) ?? null;
  return (
    <section>
      <header className="view-header">
        <h1>Annotate</h1>
        <label className="inline-field">
          Dataset
          <select aria-label="Dataset" value={dataset} onChange={(e) => navigate('annotate', { dataset: e.target.value || null, annotator: null })}>
            <option value="">choose…</option>
            {datasets.data?.datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        {setup && (
          <label className="inline-field">
            Annotator
            <select aria-label="Annotator" value={annotator} onChange={(e) => navigate('annotate', { dataset, annotator: e.target.value || null, tab: 'annotate' })}>
              <option value="">choose…</option>
              {setup.annotators.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        )}
        {setup && (
          <nav className="row-actions" aria-label="Annotation tabs">
            <button type="button" aria-pressed={tab === 'annotate'} onClick={() => navigate('annotate', { dataset, annotator: annotator || null, tab: 'annotate' })}>
              Annotate
            </button>
            <button type="button" aria-pressed={tab === 'adjudicate'} onClick={() => navigate('annotate', { dataset, annotator: annotator || null, tab: 'adjudicate' })}>
              Agreement and adjudication
            </button>
          </nav>
        )}
      </header>
      {(datasets.error ?? setups.error) && <ErrorBox error={(datasets.error ?? setups.error)!} />}
      {!dataset && <Empty title="Choose a dataset">Pick a built (or imported) dataset above to annotate it with two annotators per pair.</Empty>}
      {dataset && setups.data && !setup && <SetupForm dataset={dataset} onDone={setups.reload} />}
      {setup && tab === 'annotate' && !annotator && <Empty title="Choose an annotator">Each annotator sees only their own pairs{setup.blind ? ', blind to the other annotator' : ''}.</Empty>}
      {setup && tab === 'annotate' && annotator && <Workspace key={`${dataset}/${annotator}`} dataset={dataset} annotator={annotator} />}
      {setup && tab === 'adjudicate' && <Adjudication dataset={dataset} />}
    </section>
  );
}

function SetupForm({ dataset, onDone }: { dataset: string; onDone: () => void }) {
  const api = useApi();
  const [names, setNames] = useState('');
  const [blind, setBlind] = useState(true);
  const [showTriage, setShowTriage] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await call(api, 'setupAnnotation', { dataset, annotators: names.split(',').map((n) => n.trim()).filter(Boolean), blind, showTriage });
      onDone();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <form className="panel form" aria-label="Set up annotation" onSubmit={(e) => void submit(e)}>
      <h2>Annotators of {dataset}</h2>
      {error && <ErrorBox error={error} />}
      <label className="field">
        <span>Names, comma-separated (at least two; each pair goes to two of them)</span>
        <input value={names} onChange={(e) => setNames(e.target.value)} placeholder="ana, ben" required />
      </label>
      <label className="inline-field">
        <input type="checkbox" checked={blind} onChange={(e) => setBlind(e.target.checked)} /> Blind to each other
      </label>{' '}
      <label className="inline-field">
        <input type="checkbox" checked={showTriage} onChange={(e) => setShowTriage(e.target.checked)} /> Show the triage votes
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          Assign pairs
        </button>
      </div>
    </form>
  );
}

function Workspace({ dataset, annotator }: { dataset: string; annotator: string }) {
  const api = useApi();
  const queue = useCall('annotationQueue', { dataset, annotator });
  const [index, setIndex] = useState(0);
  const items = queue.data?.items ?? [];
  // Start at the first pair not submitted yet, once the queue has loaded.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || items.length === 0) return;
    started.current = true;
    const first = items.findIndex((i) => i.status !== 'submitted');
    setIndex(first < 0 ? 0 : first);
  }, [items]);
  const item = items[index] ?? null;
  const done = items.filter((i) => i.status === 'submitted').length;
  return (
    <div className="pair-columns">
      <div>
        {queue.error && <ErrorBox error={queue.error} />}
        {!queue.data && !queue.error && <Loading what="the queue" />}
        {item && (
          <TaskPane
            key={`${item.taskId}/${item.code}`}
            dataset={dataset}
            annotator={annotator}
            taskId={item.taskId}
            code={item.code}
            position={`${index + 1} of ${items.length}`}
            onSaved={queue.reload}
            onMove={(step) => setIndex((i) => Math.min(items.length - 1, Math.max(0, i + step)))}
            api={api}
          />
        )}
        {queue.data && items.length === 0 && <Empty title="Nothing assigned">{annotator} has no pairs in {dataset}.</Empty>}
      </div>
      <aside className="pair-side" aria-label="Queue">
        {/* No count before the queue has loaded: "0 of 0" would read as an empty queue. */}
        {queue.data && (
          <p className="small muted">
            {done} of {items.length} submitted
          </p>
        )}
        <ol className="small">
          {items.map((q, i) => (
            <li key={`${q.taskId}/${q.code}`}>
              <button type="button" className="link" aria-current={i === index ? 'true' : undefined} onClick={() => setIndex(i)}>
                {q.code}
              </button>{' '}
              <span className="muted">
                {q.taskId} · {q.status}
                {q.label !== null ? ` · ${q.label ? 'Related' : 'Unrelated'}` : ''}
              </span>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  );
}

/** UTF-16 index → code point offset (the store's unit). */
function codePointsBefore(text: string, utf16: number): number {
  return Array.from(text.slice(0, utf16)).length;
}

function TaskPane(props: { dataset: string; annotator: string; taskId: string; code: string; position: string; onSaved: () => void; onMove: (step: number) => void; api: ReturnType<typeof useApi> }) {
  const { dataset, annotator, taskId, code, api, onSaved, onMove } = props;
  const task = useCall('getAnnotationTask', { dataset, annotator, taskId, code });
  const [label, setLabel] = useState<boolean | null>(null);
  const [spans, setSpans] = useState<Span[]>([]);
  const [rationale, setRationale] = useState('');
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<Error | null>(null);
  const noteRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const mine = task.data?.mine;
    if (!task.data) return;
    setLabel(mine?.label ?? null);
    setSpans(mine?.spans.map(({ start, end }) => ({ start, end })) ?? []);
    setRationale(mine?.rationale ?? '');
    setStatus(mine ? mine.status : 'not started');
  }, [task.data]);

  const save = useCallback(
    async (change: { label?: boolean | null; spans?: Span[]; rationale?: string; submit?: boolean }) => {
      try {
        const saved = await call(api, 'saveAnnotation', { dataset, annotator, taskId, code, ...change });
        setStatus(saved.status === 'submitted' ? 'submitted' : 'saved');
        setSpans(saved.spans.map(({ start, end }) => ({ start, end })));
        setError(null);
        onSaved();
        return true;
      } catch (caught) {
        setError(caught as Error);
        return false;
      }
    },
    [api, dataset, annotator, taskId, code, onSaved],
  );

  // The rationale is saved after a short pause in typing, never lost on leaving the pair.
  useEffect(() => {
    if (!task.data || rationale === (task.data.mine?.rationale ?? '')) return;
    const timer = setTimeout(() => void save({ rationale }), 500);
    return () => clearTimeout(timer);
  }, [rationale, task.data, save]);

  const choose = (value: boolean) => {
    setLabel(value);
    void save({ label: value });
  };
  const submit = async () => {
    if (await save({ label, spans, rationale, submit: true })) onMove(1);
  };
  const onMouseUp = () => {
    const note = noteRef.current;
    const selection = window.getSelection();
    if (!note || !task.data || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!note.contains(range.startContainer) || !note.contains(range.endContainer)) return;
    const before = document.createRange();
    before.selectNodeContents(note);
    before.setEnd(range.startContainer, range.startOffset);
    const startUtf16 = before.toString().length;
    const endUtf16 = startUtf16 + range.toString().length;
    selection.removeAllRanges();
    const text = task.data.noteText;
    const next = [...spans, { start: codePointsBefore(text, startUtf16), end: codePointsBefore(text, endUtf16) }];
    setSpans(next);
    void save({ spans: next });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT')) {
        if (event.key === 'Enter' && event.ctrlKey) {
          event.preventDefault();
          void submit();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) {
        if (event.key === 'Enter' && event.ctrlKey) {
          event.preventDefault();
          void submit();
        }
        return;
      }
      const key = event.key.toLowerCase();
      if (key === 'r') choose(true);
      else if (key === 'u') choose(false);
      else if (key === 'x' && spans.length > 0) {
        const next = spans.slice(0, -1);
        setSpans(next);
        void save({ spans: next });
      } else if (key === 'j') onMove(1);
      else if (key === 'k') onMove(-1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (task.error) return <ErrorBox error={task.error} />;
  if (!task.data) return <Loading what="the pair" />;
  const t = task.data;
  return (
    <article aria-label="Pair to annotate">
      <div className="pair-facts">
        <span>{props.position}</span>
        <span>{t.taskId}</span>
        <span>status: {status}</span>
      </div>
      <h2>
        {t.code} <span className="muted">{t.desc}</span>
      </h2>
      {error && <ErrorBox error={error} />}
      {t.provenance && (
        <p className="small muted">
          {t.provenance.kind} · triage {t.provenance.triage ?? 'n/a'} · votes {t.provenance.votes.triage?.join(', ') ?? '-'}
          {t.provenance.votes.rejudge ? ` / ${t.provenance.votes.rejudge.join(', ')}` : ''}
        </p>
      )}
      <div className="actions" role="group" aria-label="Label">
        <button type="button" aria-pressed={label === true} className={label === true ? 'primary' : undefined} onClick={() => choose(true)}>
          Related (R)
        </button>
        <button type="button" aria-pressed={label === false} className={label === false ? 'primary' : undefined} onClick={() => choose(false)}>
          Unrelated (U)
        </button>
        <button type="button" onClick={() => void submit()} disabled={label === null}>
          Submit and next (Ctrl+Enter)
        </button>
      </div>
      <label className="field">
        <span>Rationale</span>
        <textarea aria-label="Rationale" rows={2} value={rationale} onChange={(e) => setRationale(e.target.value)} />
      </label>
      <Evidence task={t} spans={spans} onRemove={(i) => {
        const next = spans.filter((_, j) => j !== i);
        setSpans(next);
        void save({ spans: next });
      }} />
      {t.other && (
        <p className="small muted">
          {t.other.annotator}: {t.other.label === null ? 'no label' : t.other.label ? 'Related' : 'Unrelated'} ({t.other.status})
        </p>
      )}
      <p className="small muted">Drag over the note to add evidence; X removes the last span; J / K next / previous pair.</p>
      <NoteText text={t.noteText} spans={spans} noteRef={noteRef} onMouseUp={onMouseUp} />
    </article>
  );
}

function Evidence({ task, spans, onRemove }: { task: Task; spans: Span[]; onRemove: (index: number) => void }) {
  const points = useMemo(() => Array.from(task.noteText), [task.noteText]);
  const sentenceOf = (span: Span) => task.sentences.filter((s) => s.start < span.end && span.start < s.end).map((s) => `S${s.id}`).join(' ');
  if (spans.length === 0) return <p className="small muted">No evidence marked.</p>;
  return (
    <ul className="small" aria-label="Evidence">
      {spans.map((span, i) => (
        <li key={`${span.start}-${span.end}`}>
          <q>{points.slice(span.start, span.end).join('')}</q> <span className="muted">({span.start}–{span.end}, {sentenceOf(span)})</span>{' '}
          <button type="button" className="link" onClick={() => onRemove(i)}>
            remove
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The note as plain text with the evidence highlighted; offsets are code points. */
function NoteText({ text, spans, noteRef, onMouseUp }: { text: string; spans: Span[]; noteRef: React.RefObject<HTMLPreElement | null>; onMouseUp: () => void }) {
  const parts = useMemo(() => {
    const points = Array.from(text);
    const sorted = [...spans].sort((a, b) => a.start - b.start);
    const out: { text: string; mark: boolean }[] = [];
    let at = 0;
    for (const s of sorted) {
      if (s.start > at) out.push({ text: points.slice(at, s.start).join(''), mark: false });
      const from = Math.max(at, s.start);
      if (s.end > from) out.push({ text: points.slice(from, s.end).join(''), mark: true });
      at = Math.max(at, s.end);
    }
    out.push({ text: points.slice(at).join(''), mark: false });
    return out;
  }, [text, spans]);
  return (
    <pre ref={noteRef} className="note-text panel" aria-label="Note text" onMouseUp={onMouseUp} tabIndex={0} style={{ whiteSpace: 'pre-wrap' }}>
      {parts.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </pre>
  );
}

function Adjudication({ dataset }: { dataset: string }) {
  const api = useApi();
  const agreement = useCall('annotationAgreement', { dataset });
  const queue = useCall('listDisagreements', { dataset });
  const [adjudicator, setAdjudicator] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [out, setOut] = useState('');
  const [exported, setExported] = useState<CallResponse<'exportDatasetRaw'> | null>(null);
  const decide = async (taskId: string, code: string, outcome: 'resolved' | 'unresolvable', label?: boolean) => {
    try {
      await call(api, 'adjudicate', { dataset, taskId, code, adjudicator: adjudicator.trim() || 'adjudicator', outcome, ...(label !== undefined ? { label } : {}) });
      setError(null);
      queue.reload();
      agreement.reload();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const doExport = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setExported(await call(api, 'exportDatasetRaw', { dataset, out }));
      setError(null);
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const a = agreement.data;
  return (
    <div>
      {error && <ErrorBox error={error} />}
      {a && (
        <div className="panel" aria-label="Agreement">
          <p>
            {a.bothSubmitted} of {a.pairs} pairs annotated twice; {a.disagreements} {a.disagreements === 1 ? 'disagreement' : 'disagreements'}, {a.adjudicated} adjudicated, {a.unresolvable} unresolvable. Overall Cohen's kappa {num(a.overall.kappa)}.
          </p>
          <table className="data-table" aria-label="Agreement by annotator pair">
            <thead>
              <tr>
                <th>Annotators</th>
                <th className="num">Pairs</th>
                <th className="num">Agreement</th>
                <th className="num">Kappa</th>
                <th className="num">Evidence overlap</th>
                <th className="num">Sentence overlap</th>
              </tr>
            </thead>
            <tbody>
              {a.byAnnotatorPair.map((r) => (
                <tr key={r.annotators.join('/')}>
                  <td>{r.annotators.join(' / ')}</td>
                  <td className="num">{r.n}</td>
                  <td className="num">{num(r.agreement)}</td>
                  <td className="num">{num(r.kappa)}</td>
                  <td className="num">{num(r.evidenceOverlap)}</td>
                  <td className="num">{num(r.sentenceOverlap)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Disagreements</h2>
      <label className="inline-field">
        Adjudicator
        <input aria-label="Adjudicator" value={adjudicator} onChange={(e) => setAdjudicator(e.target.value)} placeholder="your name" />
      </label>
      {queue.data && queue.data.items.length === 0 && <p className="muted">No disagreement.</p>}
      {queue.data?.items.map((d) => (
        <article key={`${d.taskId}/${d.code}`} className="panel" aria-label={`Disagreement ${d.code}`}>
          <h3>
            {d.code} <span className="muted">{d.desc}</span> <span className="small muted">{d.taskId}</span>
          </h3>
          <ul className="small">
            {d.annotations.map((an) => (
              <li key={an.annotator}>
                <strong>{an.annotator}</strong>: {an.label ? 'Related' : 'Unrelated'} — {an.rationale || 'no rationale'}
                {an.spans.length > 0 && <> · evidence: {an.spans.map((s) => `“${s.text}”`).join(' ')}</>}
              </li>
            ))}
          </ul>
          {d.adjudication ? (
            <p className="small">
              Decided by {d.adjudication.adjudicator}: {d.adjudication.outcome === 'unresolvable' ? 'unresolvable (excluded)' : d.adjudication.label ? 'Related' : 'Unrelated'}
            </p>
          ) : (
            <div className="actions">
              <button type="button" onClick={() => void decide(d.taskId, d.code, 'resolved', true)}>
                Final: Related
              </button>
              <button type="button" onClick={() => void decide(d.taskId, d.code, 'resolved', false)}>
                Final: Unrelated
              </button>
              <button type="button" onClick={() => void decide(d.taskId, d.code, 'unresolvable')}>
                Unresolvable
              </button>
            </div>
          )}
        </article>
      ))}
      <form className="panel form" aria-label="Export dataset_raw.csv" onSubmit={(e) => void doExport(e)}>
        <h2>Export dataset_raw.csv</h2>
        <PathField label="File to write" name="dataset-raw-out" value={out} onChange={setOut} mode="write-file" placeholder="~/dataset_raw.csv" />
        <div className="actions">
          <button type="submit" className="primary">
            Export
          </button>
        </div>
        {exported && (
          <p className="success" role="status">
            Wrote {exported.out}: {exported.rows} pairs ({exported.positives} True, {exported.negatives} False); left out {exported.excluded.unresolvable} unresolvable, {exported.excluded.disagreement} undecided,{' '}
            {exported.excluded.incomplete} unfinished.
          </p>
        )}
      </form>
    </div>
  );
}
