import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallRequest, CallResponse, EventPayload } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading, StatusBadge, Warnings } from '../components';
import { PathField } from '../components/PathField';
import { href, useCall, useFormAction } from '../hooks';
import { duration } from '../lib/format';
import { NewRunForm } from './RunForm';
import { RunFiles } from './RunFiles';
import { neutraliseBidi } from '../../../shared/display-text';

type Run = CallResponse<'listRuns'>['runs'][number];

export function RunsView() {
  const api = useApi();
  const runs = useCall('listRuns', {});
  const datasets = useCall('listDatasets', {});
  const models = useCall('listModels', {});
  const [progress, setProgress] = useState<EventPayload<'runProgress'> | null>(null);
  const [finished, setFinished] = useState<EventPayload<'runFinished'> | null>(null);
  /** The run a Cancel was asked for, until its runFinished arrives. */
  const [stopping, setStopping] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const reloadRuns = runs.reload;

  useEffect(() => {
    let settle: ReturnType<typeof setTimeout> | undefined;
    const offProgress = api.on('runProgress', (payload) => {
      setProgress(payload);
      setFinished((previous) => (previous?.run === payload.run ? null : previous));
    });
    const offFinished = api.on('runFinished', (payload) => {
      setProgress(null);
      setStopping(null);
      setFinished(payload);
      reloadRuns();
      // The core lets go of the run just after this event: ask once more so the table settles.
      settle = setTimeout(reloadRuns, 400);
    });
    return () => {
      clearTimeout(settle);
      offProgress();
      offFinished();
    };
  }, [api, reloadRuns]);

  // A run started before this page was opened shows its last progress until the next event. A
  // run whose runFinished arrived is over, whatever a listRuns answer from just before said.
  const listed = runs.data?.active ?? null;
  const active = listed && listed.run !== finished?.run ? listed : null;
  const activeName = progress?.run ?? active?.run ?? null;
  const shown = progress ?? active?.progress ?? null;

  const act = useCallback(
    async (work: () => Promise<unknown>, done?: string) => {
      setActionError(null);
      setMessage(null);
      try {
        await work();
        if (done) setMessage(done);
        reloadRuns();
      } catch (error) {
        setActionError(error as Error);
      }
    },
    [reloadRuns],
  );

  const cancel = (name: string) => {
    setStopping(name);
    void act(() => call(api, 'cancelRun', { name })).then(() => undefined);
  };

  return (
    <section>
      <header className="view-header">
        <h1>Runs</h1>
      </header>
      {activeName && (
        <div className="panel progress-panel" role="status" aria-live="polite" data-testid="run-progress">
          <div className="progress-head">
            <strong>
              {stopping === activeName ? 'Stopping' : 'Running'} {activeName}
            </strong>
            <button onClick={() => cancel(activeName)} disabled={stopping === activeName}>
              {stopping === activeName ? 'Stopping after the pairs in flight…' : 'Cancel'}
            </button>
          </div>
          {shown ? <ProgressFacts progress={shown} /> : <p className="muted">Loading the model and planning the run…</p>}
        </div>
      )}
      {finished && !activeName && (
        <p className={finished.status === 'failed' ? 'error-box' : 'success'} role="status" data-testid="run-finished">
          Run {finished.run} {finished.status}
          {finished.status === 'failed' ? `: ${finished.error}` : ` after ${duration(finished.seconds)} (${finished.predicted} predicted, ${finished.remaining} left)`}.{' '}
          {finished.status !== 'failed' && <a href={href('metrics', { run: finished.run })}>See its metrics</a>}
          {finished.remaining > 0 && finished.resumable !== false && (
            <>
              {' '}
              <button className="link" onClick={() => void act(() => call(api, 'resumeRun', { name: finished.run }))}>
                Resume it
              </button>
            </>
          )}
        </p>
      )}
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
            busy={activeName !== null}
            onStart={(request) =>
              act(async () => {
                setFinished(null);
                await call(api, 'startRun', request);
              })
            }
          />
        )
      )}
      {actionError && <ErrorBox error={actionError} />}
      {message && (
        <p className="success" role="status">
          {message}
        </p>
      )}
      <h2>All runs</h2>
      {runs.error && <ErrorBox error={runs.error} />}
      {!runs.data && !runs.error && <Loading what="runs" />}
      {runs.data && runs.data.runs.length === 0 && <Empty title="No run yet">Start the baseline above: it needs no model and takes seconds.</Empty>}
      {runs.data && runs.data.runs.length > 0 && (
        <RunTable
          runs={runs.data.runs}
          activeName={activeName}
          onResume={(name) => void act(() => call(api, 'resumeRun', { name }))}
          onRename={(name, newName) => act(() => call(api, 'renameRun', { name, newName }), `Renamed ${name} to ${newName}.`)}
          onDelete={(name) => act(() => call(api, 'deleteRun', { name }).then((r) => setMessage(`Deleted run ${r.deleted} and its ${r.predictions} predictions.`)))}
        />
      )}
      {datasets.data && datasets.data.datasets.length > 0 && (
        <ImportPredictionsForm datasets={datasets.data.datasets.map((d) => d.name)} existing={(runs.data?.runs ?? []).map((r) => r.name)} onImported={reloadRuns} />
      )}
    </section>
  );
}

function ProgressFacts({ progress: p }: { progress: EventPayload<'runProgress'> }) {
  return (
    <>
      <progress max={p.total || 1} value={p.done} aria-label={`${p.done} of ${p.total} pairs`} />
      <div className="progress-facts" data-testid="progress-facts">
        <span>
          {p.done} / {p.total} pairs
        </span>
        {p.inFlightTokens !== undefined && p.inFlightTokens > 0 && <span title="tokens generated so far for the pairs being answered">{p.inFlightTokens} tokens in flight</span>}
        <span title="from the recent pairs (a moving window)">ETA {p.eta === null ? '–' : duration(p.eta)}</span>
        {p.pairsPerSecond !== undefined && p.pairsPerSecond !== null && <span>{p.pairsPerSecond >= 1 ? `${p.pairsPerSecond.toFixed(1)} pairs/s` : `${(1 / p.pairsPerSecond).toFixed(1)} s/pair`}</span>}
        <span>{p.generatedTokensPerSecond.toFixed(1)} generated tok/s</span>
        <span>{p.promptTokensPerSecond.toFixed(0)} prompt tok/s</span>
        {p.invalid > 0 && <span className="error">{p.invalid} invalid</span>}
      </div>
    </>
  );
}

/** Whether Resume applies: the core says so (resumable); never for the run going now. */
function canResume(run: Run, active: boolean): boolean {
  return !active && run.resumable;
}

function RunTable({
  runs,
  activeName,
  onResume,
  onRename,
  onDelete,
}: {
  runs: Run[];
  activeName: string | null;
  onResume: (name: string) => void;
  onRename: (name: string, newName: string) => Promise<void>;
  onDelete: (name: string) => Promise<void>;
}) {
  const [open, setOpen] = useState<{ run: string; panel: 'manifest' | 'files' | 'rename' | 'delete' } | null>(null);
  const toggle = (run: string, panel: 'manifest' | 'files' | 'rename' | 'delete') => setOpen(open?.run === run && open.panel === panel ? null : { run, panel });
  return (
    <div className="table-scroll" role="region" aria-label="All runs" tabIndex={0}>
      <table className="data-table runs-table" aria-label="Runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Actions</th>
            <th>Status</th>
            <th>Dataset</th>
            <th>Model</th>
            <th>Strategy</th>
            <th className="num">Votes</th>
            <th className="num">Pairs</th>
            <th className="num">Invalid</th>
            <th className="num">Time</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const active = run.name === activeName;
            const panel = open?.run === run.name ? open.panel : null;
            return (
              <RunRow
                key={run.name}
                run={run}
                active={active}
                panel={panel}
                onToggle={(p) => toggle(run.name, p)}
                onClose={() => setOpen(null)}
                onResume={onResume}
                onRename={onRename}
                onDelete={onDelete}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({
  run,
  active,
  panel,
  onToggle,
  onClose,
  onResume,
  onRename,
  onDelete,
}: {
  run: Run;
  active: boolean;
  panel: 'manifest' | 'files' | 'rename' | 'delete' | null;
  onToggle: (panel: 'manifest' | 'files' | 'rename' | 'delete') => void;
  onClose: () => void;
  onResume: (name: string) => void;
  onRename: (name: string, newName: string) => Promise<void>;
  onDelete: (name: string) => Promise<void>;
}) {
  const status = active ? 'running' : run.status;
  return (
    <>
      <tr data-run={run.name} data-status={status}>
        <td>
          <strong>{neutraliseBidi(run.name)}</strong>
          {run.prompt && <div className="muted small">prompt: {run.prompt.name}</div>}
        </td>
        <td className="row-actions">
          <a href={href('metrics', { run: run.name })}>Metrics</a>
          <a href={href('pairs', { dataset: run.dataset, run: run.name })}>Pairs</a>
          {canResume(run, active) && (
            <button className="link" onClick={() => onResume(run.name)}>
              Resume
            </button>
          )}
          <button className="link" onClick={() => onToggle('files')} aria-expanded={panel === 'files'}>
            Export…
          </button>
          <button className="link" onClick={() => onToggle('rename')} aria-expanded={panel === 'rename'} disabled={active}>
            Rename
          </button>
          <button className="link danger" onClick={() => onToggle('delete')} aria-expanded={panel === 'delete'} disabled={active}>
            Delete
          </button>
          <button className="link" onClick={() => onToggle('manifest')} aria-expanded={panel === 'manifest'}>
            Manifest
          </button>
        </td>
        <td>
          <StatusBadge status={status} />
          {run.error && <div className="error small">{run.error}</div>}
          <Warnings warnings={run.warnings.filter((w) => w.kind === 'interrupted' || w.kind === 'degenerate')} compact />
        </td>
        <td>{run.dataset}</td>
        <td>{run.model ?? run.backend}</td>
        <td>{run.settings.strategy ?? <span className="muted">n/a</span>}</td>
        <td className="num">{run.settings.votes}</td>
        <td className="num">
          {run.done}/{run.planned}
        </td>
        <td className="num">{run.invalid}</td>
        <td className="num">{run.activeSeconds === null ? <span className="muted">n/a</span> : duration(run.activeSeconds)}</td>
        <td>{run.createdAt.slice(0, 16).replace('T', ' ')}</td>
      </tr>
      {panel && (
        <tr className="manifest-row">
          <td colSpan={11}>
            {panel === 'manifest' && <pre className="raw" tabIndex={0}>{JSON.stringify(run.manifest, null, 2)}</pre>}
            {panel === 'files' && <RunFiles run={run.name} />}
            {panel === 'rename' && <RenameForm run={run.name} onRename={(newName) => onRename(run.name, newName).then(onClose)} onCancel={onClose} />}
            {panel === 'delete' && (
              <div className="confirm" role="group" aria-label={`Delete ${run.name}`}>
                <p>
                  Delete run <strong>{run.name}</strong> and its {run.done} predictions? The audit log keeps a record; the predictions cannot be brought back.
                </p>
                <div className="actions">
                  <button className="danger-button" onClick={() => void onDelete(run.name).then(onClose)}>
                    Delete {run.name}
                  </button>
                  <button onClick={onClose}>Keep it</button>
                </div>
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function RenameForm({ run, onRename, onCancel }: { run: string; onRename: (newName: string) => Promise<void>; onCancel: () => void }) {
  const [value, setValue] = useState(run);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() && value.trim() !== run) void onRename(value.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Rename ${run}`}>
      <label className="inline-field">
        New name
        <input name="new-name" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
      </label>
      <button type="submit" className="primary" disabled={!value.trim() || value.trim() === run}>
        Rename
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function ImportPredictionsForm({ datasets, existing, onImported }: { datasets: string[]; existing: string[]; onImported: () => void }) {
  const api = useApi();
  const [file, setFile] = useState('');
  const [name, setName] = useState('');
  const [dataset, setDataset] = useState(datasets[0]!);
  const [allPairs, setAllPairs] = useState(false);
  const clash = existing.includes(name.trim());
  const { busy, error, result: report, submit } = useFormAction(async () => {
    const request: CallRequest<'importPredictions'> = { file: file.trim(), name: name.trim(), dataset, ...(allPairs ? { allPairs: true } : {}) };
    const result = await call(api, 'importPredictions', request);
    onImported();
    return result;
  });
  return (
    <form className="panel form" onSubmit={submit} aria-label="Import predictions">
      <h2>Import predictions</h2>
      <p className="muted small">A CSV with task_id, code, prediction and evidence (and optionally rationale), made by another system: it becomes a run you can score and compare.</p>
      <div className="form-grid">
        <PathField label="Predictions file (CSV)" name="predictions-file" value={file} onChange={setFile} mode="read-file" purpose="predictions" placeholder="~/predictions.csv" />
        <label className="field">
          <span>Run name</span>
          <input name="predictions-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="my-system" aria-invalid={clash} />
          {clash && <span className="error small">A run with this name exists: choose another name.</span>}
        </label>
        <label className="field">
          <span>Dataset</span>
          <select name="predictions-dataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label className="field check-field">
          <span>Pairs without a row</span>
          <span>
            <input type="checkbox" name="all-pairs" checked={allPairs} onChange={(e) => setAllPairs(e.target.checked)} /> count them (as missing) instead of planning only the file&apos;s pairs
          </span>
        </label>
      </div>
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || !file.trim() || !name.trim() || clash}>
          {busy ? 'Importing…' : 'Import predictions'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {report && (
        <div className="success" role="status">
          Imported {report.imported} of {report.rows} rows as run {report.name} ({report.n} pairs planned on {report.dataset}).{' '}
          <a href={href('metrics', { run: report.name })}>See its metrics</a>
          {report.problems.length > 0 && (
            <details>
              <summary>{report.problems.length} rows with problems</summary>
              <ul className="small">
                {report.problems.slice(0, 50).map((p, i) => (
                  <li key={i}>
                    row {p.row}
                    {p.line !== null ? ` (line ${p.line})` : ''}: {p.kind}, {p.detail}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </form>
  );
}
