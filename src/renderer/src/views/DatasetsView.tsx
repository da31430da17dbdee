import { useState } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading } from '../components';
import { PathField } from '../components/PathField';
import { href, useCall, useFormAction } from '../hooks';

export function DatasetsView() {
  const datasets = useCall('listDatasets', {});
  return (
    <section>
      <header className="view-header">
        <h1>Datasets</h1>
        {datasets.data && <span className="muted">Database: {datasets.data.dbPath}</span>}
      </header>
      {datasets.error && <ErrorBox error={datasets.error} hint="Check that the database file is readable, then reload the page." />}
      {datasets.loading && !datasets.data && <Loading what="datasets" />}
      {datasets.data && datasets.data.datasets.length === 0 && (
        <Empty title="No dataset imported yet">
          Import MedicalBench below: <code>dataset_raw.csv</code> with your own MIMIC-IV-Note <code>discharge.csv.gz</code>, or a processed CSV that
          already holds the note text. To try the app without MIMIC access, import the synthetic demo set from <code>resources/demo/</code>.
        </Empty>
      )}
      {datasets.data && datasets.data.datasets.length > 0 && <DatasetTable datasets={datasets.data.datasets} />}
      <ImportForm onImported={datasets.reload} />
    </section>
  );
}

type Dataset = CallResponse<'listDatasets'>['datasets'][number];

function DatasetTable({ datasets }: { datasets: Dataset[] }) {
  const [problemsOf, setProblemsOf] = useState<string | null>(null);
  return (
    <>
      <div className="table-scroll" role="region" aria-label="Imported datasets" tabIndex={0}>
      <table className="data-table" aria-label="Datasets">
        <thead>
          <tr>
            <th>Dataset</th>
            <th>Actions</th>
            <th className="num">Pairs</th>
            <th className="num">Positive</th>
            <th className="num">Negative</th>
            <th className="num">CM</th>
            <th className="num">PCS</th>
            <th className="num">Notes</th>
            <th>Last import</th>
            <th className="num">Problems</th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((d) => (
            <tr key={d.name}>
              <td>
                <strong>{d.name}</strong>
              </td>
              <td>
                <a href={href('pairs', { dataset: d.name })}>Browse pairs</a>
              </td>
              <td className="num">{d.pairs}</td>
              <td className="num">{d.positives}</td>
              <td className="num">{d.negatives}</td>
              <td className="num">{d.cm}</td>
              <td className="num">{d.pcs}</td>
              <td className="num">{d.notes}</td>
              <td>{d.lastImport ? `${d.lastImport.format}, ${d.lastImport.finishedAt.slice(0, 16).replace('T', ' ')}` : '–'}</td>
              <td className="num">
                {d.lastImport && d.lastImport.problems > 0 ? (
                  <button className="link" onClick={() => setProblemsOf(problemsOf === d.name ? null : d.name)}>
                    {d.lastImport.problems}
                  </button>
                ) : (
                  0
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {problemsOf && <ImportProblems dataset={problemsOf} />}
    </>
  );
}

function ImportProblems({ dataset }: { dataset: string }) {
  const problems = useCall('listImportProblems', { dataset });
  if (problems.error) return <ErrorBox error={problems.error} />;
  if (!problems.data) return <Loading what="import problems" />;
  return (
    <div className="panel">
      <h2>Rows of {dataset} not imported</h2>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Kind</th>
            <th className="num">Row</th>
            <th className="num">Line</th>
            <th>Task</th>
            <th>Code</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {problems.data.problems.map((p, i) => (
            <tr key={i}>
              <td>{p.kind}</td>
              <td className="num">{p.row}</td>
              <td className="num">{p.line ?? '–'}</td>
              <td>{p.taskId ?? '–'}</td>
              <td>{p.code ?? '–'}</td>
              <td>{p.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Purpose = CallRequest<'chooseFile'>['purpose'];

function ImportForm({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const [format, setFormat] = useState<'raw' | 'processed'>('raw');
  const [annotations, setAnnotations] = useState('');
  const [notes, setNotes] = useState('');
  const [dataset, setDataset] = useState('');
  const { busy, error, result: report, submit } = useFormAction(async () => {
    const result = await call(api, 'importDataset', {
      format,
      annotations: annotations.trim(),
      ...(format === 'raw' && notes.trim() ? { notes: notes.trim() } : {}),
      ...(dataset.trim() ? { dataset: dataset.trim() } : {}),
    });
    onImported();
    return result;
  });

  const fileField = (label: string, value: string, set: (v: string) => void, purpose: Purpose, placeholder: string, name: string) => (
    <PathField label={label} name={name} value={value} onChange={set} mode="read-file" purpose={purpose} placeholder={placeholder} />
  );

  return (
    <form className="panel form" onSubmit={submit} aria-label="Import a dataset">
      <h2>Import</h2>
      <fieldset className="segmented">
        <legend>File format</legend>
        <label>
          <input type="radio" name="format" checked={format === 'raw'} onChange={() => setFormat('raw')} /> dataset_raw.csv + MIMIC notes
        </label>
        <label>
          <input type="radio" name="format" checked={format === 'processed'} onChange={() => setFormat('processed')} /> processed CSV (text included)
        </label>
      </fieldset>
      {fileField('Annotations file', annotations, setAnnotations, format === 'raw' ? 'annotations' : 'processed', format === 'raw' ? '~/medicalbench/dataset_raw.csv' : '~/medicalbench/processed.csv', 'annotations')}
      {format === 'raw' && fileField('Notes file (MIMIC-IV-Note discharge.csv.gz)', notes, setNotes, 'notes', '~/mimic-iv-note/discharge.csv.gz', 'notes')}
      <label className="field">
        <span>Dataset name (optional; re-importing under a name updates it)</span>
        <input name="dataset" value={dataset} onChange={(e) => setDataset(e.target.value)} placeholder="medicalbench" />
      </label>
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || !annotations.trim() || (format === 'raw' && !notes.trim())}>
          {busy ? 'Importing… (large notes files take a minute)' : 'Import'}
        </button>
      </div>
      {error && <ErrorBox error={error} hint="Check the paths (on this machine; ~ is your home folder) and the file format." />}
      {report && (
        <p className="success" role="status">
          {report.outcome === 'unchanged' ? 'Nothing changed: ' : 'Imported '}
          {report.dataset}: {report.pairs} pairs ({report.positives} positive, {report.negatives} negative) over {report.notes} notes
          {report.problems.length > 0 ? `; ${report.problems.length} rows not imported (see Problems)` : ''}. <a href={href('pairs', { dataset: report.dataset })}>Browse pairs</a> or{' '}
          <a href={href('runs')}>start a run</a>.
        </p>
      )}
    </form>
  );
}
