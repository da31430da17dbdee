import { useEffect, useState } from 'react';
import type { CallResponse, MedbenchApi } from '../../shared/contract';
import { call, desktopApi } from './api';

type Datasets = CallResponse<'listDatasets'>;
type Pairs = CallResponse<'listPairs'>;

export function App() {
  const api = desktopApi();
  if (!api) {
    return (
      <main className="app">
        <h1>MedBench Local</h1>
        <p className="notice">This page talks to the MedBench Local core and must be opened in the desktop app (npm start).</p>
      </main>
    );
  }
  return <Browser api={api} />;
}

function Browser({ api }: { api: MedbenchApi }) {
  const [datasets, setDatasets] = useState<Datasets | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call(api, 'listDatasets', {})
      .then((result) => {
        setDatasets(result);
        if (result.datasets.length > 0) setSelected(result.datasets[0]!.name);
      })
      .catch((e: Error) => setError(e.message));
  }, [api]);

  if (error) return <main className="app"><p className="error">Could not read the database: {error}</p></main>;
  if (!datasets) return <main className="app"><p>Loading…</p></main>;
  return (
    <main className="app">
      <header>
        <h1>MedBench Local</h1>
        <span className="muted">{datasets.dbPath}</span>
      </header>
      {datasets.datasets.length === 0 ? (
        <p className="notice">
          No dataset yet. Import MedicalBench with <code>npx medbench import --annotations dataset_raw.csv --notes discharge.csv.gz</code>, or
          the synthetic demo set with <code>npm run demo</code>.
        </p>
      ) : (
        <table>
          <thead>
            <tr><th>Dataset</th><th>Pairs</th><th>Positive</th><th>Negative</th><th>Notes</th><th>Import problems</th></tr>
          </thead>
          <tbody>
            {datasets.datasets.map((d) => (
              <tr key={d.name} className={d.name === selected ? 'selected' : undefined} onClick={() => setSelected(d.name)}>
                <td>{d.name}</td><td>{d.pairs}</td><td>{d.positives}</td><td>{d.negatives}</td><td>{d.notes}</td><td>{d.lastImport?.problems ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <PairList api={api} dataset={selected} />}
    </main>
  );
}

function PairList({ api, dataset }: { api: MedbenchApi; dataset: string }) {
  const [pairs, setPairs] = useState<Pairs | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setPairs(null);
    call(api, 'listPairs', { dataset }).then(setPairs, (e: Error) => setError(e.message));
  }, [api, dataset]);
  if (error) return <p className="error">{error}</p>;
  if (!pairs) return <p>Loading pairs…</p>;
  return (
    <section>
      <h2>{dataset}: {pairs.pairs.length} pairs</h2>
      <table>
        <thead>
          <tr><th>Task</th><th>Code</th><th>Description</th><th>Gold</th><th>Gold sentences</th></tr>
        </thead>
        <tbody>
          {pairs.pairs.map((p) => (
            <tr key={`${p.taskId}|${p.code}`}>
              <td>{p.taskId}</td><td>{p.code}</td><td>{p.desc}</td><td>{p.gold ? 'True' : 'False'}</td>
              <td>{p.goldSentences.map((id) => `S${id}`).join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pairs.problems.length > 0 && (
        <>
          <h2>Rows not imported</h2>
          <table>
            <thead><tr><th>Kind</th><th>Row</th><th>Task</th><th>Code</th><th>Detail</th></tr></thead>
            <tbody>
              {pairs.problems.map((p, i) => (
                <tr key={i}><td>{p.kind}</td><td>{p.row}</td><td>{p.taskId}</td><td>{p.code}</td><td>{p.detail}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
