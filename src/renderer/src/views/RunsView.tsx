import { useEffect, useState, type FormEvent } from 'react';
import type { CallResponse, EventPayload } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading } from '../components';
import { href, useCall } from '../hooks';
import { duration } from '../lib/format';

type Run = CallResponse<'listRuns'>['runs'][number];

export function RunsView() {
  const api = useApi();
  const runs = useCall('listRuns', {});
  const datasets = useCall('listDatasets', {});
  const models = useCall('listModels', {});
  const [progress, setProgress] = useState<EventPayload<'runProgress'> | null>(null);
  const [finished, setFinished] = useState<EventPayload<'runFinished'> | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const reloadRuns = runs.reload;

  useEffect(() => {
    const offProgress = api.on('runProgress', (payload) => {
      setProgress(payload);
      setFinished(null);
    });
    const offFinished = api.on('runFinished', (payload) => {
      setProgress(null);
      setFinished(payload);
      reloadRuns();
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [api, reloadRuns]);

  // A run started before this page was opened: show its last progress until the next event.
  const active = runs.data?.active ?? null;
  const shown = progress ?? (active?.progress ? active.progress : null);
  const activeName = progress?.run ?? active?.run ?? null;

  const act = async (work: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await work();
      reloadRuns();
    } catch (error) {
      setActionError(error as Error);
    }
  };

  return (
    <section>
      <header className="view-header">
        <h1>Runs</h1>
      </header>
      {datasets.data && datasets.data.datasets.length === 0 ? (
        <Empty title="Nothing to run on yet">
          Import a dataset on the <a href={href('datasets')}>Datasets</a> page first.
        </Empty>
      ) : (
        datasets.data && (
          <NewRunForm
            datasets={datasets.data.datasets.map((d) => d.name)}
            models={models.data?.models ?? []}
            existing={(runs.data?.runs ?? []).map((r) => r.name)}
            disabled={activeName !== null}
            onStart={(request) => act(() => call(api, 'startRun', request))}
          />
        )
      )}
      {activeName && (
        <div className="panel progress-panel" role="status" aria-live="polite" data-testid="run-progress">
          <div className="progress-head">
            <strong>Running {activeName}</strong>
            <button onClick={() => void act(() => call(api, 'cancelRun', { name: activeName }))}>Cancel</button>
          </div>
          {shown ? (
            <>
              <progress max={shown.total || 1} value={shown.done} />
              <div className="progress-facts">
                <span>
                  {shown.done} / {shown.total} pairs
                </span>
                <span>ETA {shown.eta === null ? '–' : duration(shown.eta)}</span>
                <span>{shown.generatedTokensPerSecond.toFixed(1)} generated tok/s</span>
                <span>{shown.promptTokensPerSecond.toFixed(0)} prompt tok/s</span>
                {shown.invalid > 0 && <span className="error">{shown.invalid} invalid</span>}
              </div>
            </>
          ) : (
            <p className="muted">Loading the model and planning the run…</p>
          )}
        </div>
      )}
      {finished && (
        <p className={finished.status === 'failed' ? 'error-box' : 'success'} role="status">
          Run {finished.run} {finished.status}
          {finished.status === 'failed' ? `: ${finished.error}` : ` after ${duration(finished.seconds)} (${finished.predicted} predicted, ${finished.remaining} left)`}.{' '}
          {finished.status !== 'failed' && <a href={href('metrics', { run: finished.run })}>See its metrics</a>}
        </p>
      )}
      {actionError && <ErrorBox error={actionError} />}
      <h2>All runs</h2>
      {runs.error && <ErrorBox error={runs.error} />}
      {!runs.data && !runs.error && <Loading what="runs" />}
      {runs.data && runs.data.runs.length === 0 && <Empty title="No run yet">Start the baseline above: it needs no model and takes seconds.</Empty>}
      {runs.data && runs.data.runs.length > 0 && (
        <RunTable runs={runs.data.runs} activeName={activeName} onResume={(name) => void act(() => call(api, 'resumeRun', { name }))} />
      )}
    </section>
  );
}

function NewRunForm({
  datasets,
  models,
  existing,
  disabled,
  onStart,
}: {
  datasets: string[];
  models: CallResponse<'listModels'>['models'];
  existing: string[];
  disabled: boolean;
  onStart: (request: { name: string; model: string; dataset: string; strategy: 'note-major' | 'naive'; votes: number; limit?: number }) => Promise<void>;
}) {
  const [dataset, setDataset] = useState(datasets[0]!);
  const [model, setModel] = useState('baseline');
  const [modelPath, setModelPath] = useState('');
  const [strategy, setStrategy] = useState<'note-major' | 'naive'>('note-major');
  const [votes, setVotes] = useState(1);
  const [limit, setLimit] = useState('');
  const suggested = uniqueName(model === 'path' ? 'model' : model === 'baseline' ? 'baseline' : (models.find((m) => String(m.id) === model)?.fileName.replace(/\.gguf$/i, '') ?? 'run'), existing);
  const [name, setName] = useState('');
  const [starting, setStarting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStarting(true);
    const limitNumber = Number(limit);
    await onStart({
      name: name.trim() || suggested,
      model: model === 'path' ? modelPath.trim() : model,
      dataset,
      strategy,
      votes,
      ...(limit.trim() && Number.isInteger(limitNumber) && limitNumber > 0 ? { limit: limitNumber } : {}),
    });
    setName('');
    setStarting(false);
  };

  return (
    <form className="panel form run-form" onSubmit={(e) => void submit(e)} aria-label="Start a run">
      <h2>New run</h2>
      <div className="form-grid">
        <label className="field">
          <span>Dataset</span>
          <select name="dataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Model</span>
          <select name="model" value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="baseline">baseline (lexical matcher, no model)</option>
            {models
              .filter((m) => !m.missing)
              .map((m) => (
                <option key={m.id} value={String(m.id)}>
                  {m.fileName}
                </option>
              ))}
            <option value="path">a GGUF file by path…</option>
          </select>
        </label>
        {model === 'path' && (
          <label className="field">
            <span>GGUF path</span>
            <input name="model-path" value={modelPath} onChange={(e) => setModelPath(e.target.value)} placeholder="/models/model.Q4_K_M.gguf" spellCheck={false} />
          </label>
        )}
        <label className="field">
          <span>Strategy</span>
          <select name="strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as 'note-major' | 'naive')}>
            <option value="note-major">note-major (reuses each note&apos;s prompt)</option>
            <option value="naive">naive (every pair from scratch)</option>
          </select>
        </label>
        <label className="field narrow">
          <span>Votes</span>
          <input name="votes" type="number" min={1} max={15} value={votes} onChange={(e) => setVotes(Math.max(1, Number(e.target.value) || 1))} />
        </label>
        <label className="field narrow">
          <span>Limit (first N pairs)</span>
          <input name="limit" type="number" min={1} value={limit} onChange={(e) => setLimit(e.target.value)} placeholder="all" />
        </label>
        <label className="field">
          <span>Run name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder={suggested} />
        </label>
      </div>
      <div className="actions">
        <button className="primary" type="submit" disabled={disabled || starting || (model === 'path' && !modelPath.trim())}>
          {disabled ? 'A run is going…' : starting ? 'Starting…' : 'Start run'}
        </button>
      </div>
    </form>
  );
}

function uniqueName(base: string, existing: string[]): string {
  if (!existing.includes(base)) return base;
  for (let i = 2; ; i++) if (!existing.includes(`${base}-${i}`)) return `${base}-${i}`;
}

function RunTable({ runs, activeName, onResume }: { runs: Run[]; activeName: string | null; onResume: (name: string) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <table className="data-table" aria-label="Runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Status</th>
          <th>Dataset</th>
          <th>Model</th>
          <th>Strategy</th>
          <th className="num">Votes</th>
          <th className="num">Pairs</th>
          <th className="num">Invalid</th>
          <th className="num">Time</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow key={run.name} run={run} active={run.name === activeName} open={open === run.name} onToggle={() => setOpen(open === run.name ? null : run.name)} onResume={onResume} />
        ))}
      </tbody>
    </table>
  );
}

function RunRow({ run, active, open, onToggle, onResume }: { run: Run; active: boolean; open: boolean; onToggle: () => void; onResume: (name: string) => void }) {
  const canResume = !active && run.backend !== 'external' && (run.status === 'stopped' || run.status === 'failed' || (run.status === 'running' && run.done < run.planned));
  return (
    <>
      <tr data-run={run.name}>
        <td>
          <strong>{run.name}</strong>
        </td>
        <td>
          <span className={`badge status-${active ? 'running' : run.status}`}>{active ? 'running' : run.status}</span>
          {run.error && <div className="error small">{run.error}</div>}
        </td>
        <td>{run.dataset}</td>
        <td>{run.model ?? run.backend}</td>
        <td>{run.settings.strategy}</td>
        <td className="num">{run.settings.votes}</td>
        <td className="num">
          {run.done}/{run.planned}
        </td>
        <td className="num">{run.invalid}</td>
        <td className="num">{duration(run.activeSeconds)}</td>
        <td>{run.createdAt.slice(0, 16).replace('T', ' ')}</td>
        <td className="row-actions">
          <a href={href('metrics', { run: run.name })}>Metrics</a>
          <a href={href('pairs', { dataset: run.dataset, run: run.name })}>Pairs</a>
          {canResume && (
            <button className="link" onClick={() => onResume(run.name)}>
              Resume
            </button>
          )}
          <button className="link" onClick={onToggle} aria-expanded={open}>
            Manifest
          </button>
        </td>
      </tr>
      {open && (
        <tr className="manifest-row">
          <td colSpan={11}>
            <pre className="raw">{JSON.stringify(run.manifest, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}
