import { useEffect, useState, type FormEvent } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading } from '../components';
import { PathField } from '../components/PathField';
import { href, useCall } from '../hooks';

type Build = CallResponse<'listBuilds'>['builds'][number];
type Inputs = CallRequest<'startBuild'>['inputs'];

/**
 * The build pipeline (medbench build) in the app: inputs, sampling and triage settings, the running
 * build's progress, and every build with its pairs by kind, triage outcomes and agreement.
 */
export function BuildView() {
  const api = useApi();
  const builds = useCall('listBuilds', {});
  const running = builds.data?.job?.state === 'running';
  // A running build is followed once a second; a finished one needs no polling.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(builds.reload, 1000);
    return () => clearInterval(timer);
  }, [running, builds.reload]);
  const job = builds.data?.job ?? null;
  return (
    <section>
      <header className="view-header">
        <h1>Build a dataset</h1>
        <span className="muted small">Candidates from each admission's ICD-10 codes, a 3-vote triage, re-judged disagreements, prevalence and similar negatives.</span>
      </header>
      {builds.error && <ErrorBox error={builds.error} />}
      {job && (
        <div className={job.state === 'failed' ? 'error-box' : job.state === 'finished' ? 'success' : 'panel'} role="status" aria-label="Build progress">
          <strong>{job.name}</strong>: {job.state === 'failed' ? job.error : job.progress}
          {running && (
            <button type="button" style={{ marginLeft: 12 }} onClick={() => void call(api, 'cancelBuild', { name: job.name }).then(builds.reload)}>
              Stop
            </button>
          )}
        </div>
      )}
      <BuildForm disabled={running} onStarted={builds.reload} />
      {!builds.data && !builds.error && <Loading what="builds" />}
      {builds.data && builds.data.builds.length === 0 && (
        <Empty title="No build yet">Give the hosp tables (or two plain CSVs) and the discharge notes above; the baseline triages without any model.</Empty>
      )}
      {builds.data && builds.data.builds.map((b) => <BuildCard key={b.name} build={b} />)}
    </section>
  );
}

function BuildForm({ disabled, onStarted }: { disabled: boolean; onStarted: () => void }) {
  const api = useApi();
  const [name, setName] = useState('my-build');
  const [admissions, setAdmissions] = useState(50);
  const [seed, setSeed] = useState(42);
  const [triage, setTriage] = useState('baseline');
  const [rejudge, setRejudge] = useState('baseline');
  const [kPrevalence, setKPrevalence] = useState(2);
  const [kSimilar, setKSimilar] = useState(2);
  const [embed, setEmbed] = useState('');
  const [kind, setKind] = useState<'mimic' | 'plain'>('mimic');
  const [paths, setPaths] = useState({ diagnoses: '', procedures: '', icdDiagnoses: '', icdProcedures: '', notes: '', codes: '', codeTable: '' });
  const [error, setError] = useState<Error | null>(null);
  const path = (key: keyof typeof paths, label: string, placeholder: string) => (
    <PathField label={label} name={key} value={paths[key]} onChange={(value) => setPaths((p) => ({ ...p, [key]: value }))} mode="read-file" placeholder={placeholder} />
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const inputs: Inputs =
      kind === 'mimic'
        ? { kind, diagnoses: paths.diagnoses, procedures: paths.procedures, icdDiagnoses: paths.icdDiagnoses, icdProcedures: paths.icdProcedures, notes: paths.notes }
        : { kind, codes: paths.codes, notes: paths.notes, ...(paths.codeTable.trim() ? { codeTable: paths.codeTable } : {}) };
    try {
      await call(api, 'startBuild', {
        name: name.trim(),
        admissions,
        seed,
        triage: triage.trim(),
        ...(rejudge.trim() ? { rejudge: rejudge.trim() } : {}),
        negativesPrevalence: kPrevalence,
        negativesSimilar: kSimilar,
        ...(embed.trim() ? { embed: embed.trim() } : {}),
        inputs,
      });
      onStarted();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const number = (label: string, value: number, set: (n: number) => void, min: number) => (
    <label className="field">
      <span>{label}</span>
      <input type="number" min={min} value={value} onChange={(e) => set(Number(e.target.value))} />
    </label>
  );
  return (
    <form className="panel form" aria-label="New build" onSubmit={(e) => void submit(e)}>
      <h2>New build</h2>
      {error && <ErrorBox error={error} />}
      <div className="form-grid">
        <label className="field">
          <span>Name (also the dataset's)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        {number('Admissions to sample', admissions, setAdmissions, 1)}
        {number('Seed', seed, setSeed, 0)}
        <label className="field">
          <span>Triage model ('baseline', a GGUF file or a registered model)</span>
          <input value={triage} onChange={(e) => setTriage(e.target.value)} required />
        </label>
        <label className="field">
          <span>Re-judge model for disagreements (empty: none)</span>
          <input value={rejudge} onChange={(e) => setRejudge(e.target.value)} />
        </label>
        {number('Prevalence negatives per admission', kPrevalence, setKPrevalence, 0)}
        {number('Similar negatives per admission', kSimilar, setKSimilar, 0)}
        <label className="field">
          <span>Embedding model for similar negatives (GGUF; empty: TF-IDF of descriptions)</span>
          <input value={embed} onChange={(e) => setEmbed(e.target.value)} placeholder="~/models/embedder.gguf" />
        </label>
      </div>
      <fieldset className="segmented">
        <legend className="muted small">Inputs</legend>
        <label>
          <input type="radio" name="input-kind" checked={kind === 'mimic'} onChange={() => setKind('mimic')} /> MIMIC-IV hosp tables
        </label>
        <label>
          <input type="radio" name="input-kind" checked={kind === 'plain'} onChange={() => setKind('plain')} /> Plain CSVs
        </label>
      </fieldset>
      {kind === 'mimic' ? (
        <div className="form-grid">
          {path('diagnoses', 'diagnoses_icd.csv.gz', '~/mimic-iv/hosp/diagnoses_icd.csv.gz')}
          {path('procedures', 'procedures_icd.csv.gz', '~/mimic-iv/hosp/procedures_icd.csv.gz')}
          {path('icdDiagnoses', 'd_icd_diagnoses.csv.gz', '~/mimic-iv/hosp/d_icd_diagnoses.csv.gz')}
          {path('icdProcedures', 'd_icd_procedures.csv.gz', '~/mimic-iv/hosp/d_icd_procedures.csv.gz')}
          {path('notes', 'discharge.csv.gz (MIMIC-IV-Note)', '~/mimic-iv-note/note/discharge.csv.gz')}
        </div>
      ) : (
        <div className="form-grid">
          {path('codes', 'Codes CSV (admission_id, code, system)', '~/data/codes.csv')}
          {path('notes', 'Notes CSV (note_id, admission_id, text)', '~/data/notes.csv')}
          {path('codeTable', 'Code table CSV (code, system, description), optional', '~/data/code-table.csv')}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={disabled}>
          Build
        </button>
        <span className="muted small">A build with that name continues where it stopped.</span>
      </div>
    </form>
  );
}

function BuildCard({ build: b }: { build: Build }) {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const outcomes = Object.entries(b.triage).filter(([, n]) => n > 0);
  return (
    <article className="panel" aria-label={`Build ${b.name}`}>
      <h2>
        {b.name} <span className={`badge status-${b.stage === 'finished' ? 'finished' : 'running'}`}>{b.stage}</span>
      </h2>
      <p>
        {b.admissions} admissions, {b.pairs} pairs: {b.candidates} assigned candidates, {b.negatives.prevalence} prevalence and {b.negatives.similar} similar negatives.
      </p>
      <table className="data-table" aria-label={`Triage of ${b.name}`}>
        <thead>
          <tr>
            <th>Triage outcome</th>
            <th className="num">Pairs</th>
          </tr>
        </thead>
        <tbody>
          {outcomes.map(([outcome, n]) => (
            <tr key={outcome}>
              <td>{outcome}</td>
              <td className="num">{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        Unanimous votes {pct(b.triageUnanimous)}; re-judged {b.rejudged} (agreement {pct(b.rejudgeAgreement)}). Mean hops: prevalence {b.hops.prevalence ?? 'n/a'}, similar{' '}
        {b.hops.similar ?? 'n/a'}; mean similarity {b.meanSimilarity ?? 'n/a'}.
      </p>
      <p className="small muted">Chapters: {Object.entries(b.chapters).map(([k, n]) => `${k} ${n}`).join(', ')}</p>
      <div className="row-actions">
        <a href={href('pairs', { dataset: b.name })}>Pairs</a>
        <a href={href('annotate', { dataset: b.name })}>Annotate</a>
      </div>
    </article>
  );
}
