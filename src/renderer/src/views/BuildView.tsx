import { useEffect, useState, type FormEvent } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading, ProblemList } from '../components';
import { BackendOptionFields, BackendSelect, HostConfirmation, ModelField, modelReference, NO_MODEL, useBackendChoice, type ModelValue } from '../components/BackendFields';
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
  // Both models run on one backend, as `medbench build --backend ... --triage ... --rejudge ...`.
  const choice = useBackendChoice();
  const models = useCall('listModels', {});
  const [rejudging, setRejudging] = useState(true);
  const [rejudge, setRejudge] = useState<ModelValue>(NO_MODEL);
  const [kPrevalence, setKPrevalence] = useState(2);
  const [kSimilar, setKSimilar] = useState(2);
  const [embed, setEmbed] = useState('');
  const [kind, setKind] = useState<'mimic' | 'plain'>('mimic');
  const [paths, setPaths] = useState({ diagnoses: '', procedures: '', icdDiagnoses: '', icdProcedures: '', notes: '', codes: '', codeTable: '' });
  const [error, setError] = useState<Error | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [moreOptions, setMoreOptions] = useState(false);
  const triage = choice.usesModel ? choice.modelRef : 'baseline';
  const rejudgeRef = !rejudging ? '' : choice.usesModel ? modelReference(choice.backend, rejudge) : 'baseline';
  const path = (key: keyof typeof paths, label: string, placeholder: string) => (
    <PathField label={label} name={key} value={paths[key]} onChange={(value) => setPaths((p) => ({ ...p, [key]: value }))} mode="read-file" placeholder={placeholder} />
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const local = [...choice.problems];
    if (!triage) local.push(choice.backend?.model === 'server' ? "Give the triage model's name on the server." : 'Choose the triage model: a registered model or a GGUF path.');
    if (rejudging && !rejudgeRef) local.push('Give the re-judge model, or untick Re-judge.');
    setProblems(local);
    if (local.length > 0) return;
    const inputs: Inputs =
      kind === 'mimic'
        ? { kind, diagnoses: paths.diagnoses, procedures: paths.procedures, icdDiagnoses: paths.icdDiagnoses, icdProcedures: paths.icdProcedures, notes: paths.notes }
        : { kind, codes: paths.codes, notes: paths.notes, ...(paths.codeTable.trim() ? { codeTable: paths.codeTable } : {}) };
    try {
      await call(api, 'startBuild', {
        name: name.trim(),
        admissions,
        seed,
        triage,
        ...(rejudgeRef ? { rejudge: rejudgeRef } : {}),
        ...choice.request,
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
      {choice.error && <ErrorBox error={choice.error} />}
      <div className="form-grid">
        <label className="field">
          <span>Name (also the dataset's)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        {number('Admissions to sample', admissions, setAdmissions, 1)}
        {number('Seed', seed, setSeed, 0)}
        <BackendSelect choice={choice} />
        <ModelField backend={choice.backend} models={models.data?.models ?? []} value={choice.model} onChange={choice.setModel} name="triage" label="Triage model" pathLabel="Triage model: GGUF path" />
        <label className="field check-field">
          <span>Re-judge</span>
          <span>
            <input type="checkbox" name="rejudging" checked={rejudging} onChange={(e) => setRejudging(e.target.checked)} /> the triage&apos;s disagreements with a second model
          </span>
        </label>
        {rejudging && (
          <ModelField backend={choice.backend} models={models.data?.models ?? []} value={rejudge} onChange={setRejudge} name="rejudge" label="Re-judge model" pathLabel="Re-judge model: GGUF path" />
        )}
        {number('Prevalence negatives per admission', kPrevalence, setKPrevalence, 0)}
        {number('Similar negatives per admission', kSimilar, setKSimilar, 0)}
        <label className="field">
          <span>Embedding model for similar negatives (GGUF; empty: TF-IDF of descriptions)</span>
          <input value={embed} onChange={(e) => setEmbed(e.target.value)} placeholder="~/models/embedder.gguf" />
        </label>
      </div>
      {choice.backend && (choice.backend.fields.length > 0 || choice.backend.capabilities.remote) && (
        <details className="more-options" open={moreOptions || choice.mustShowOptions} onToggle={(e) => setMoreOptions((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>Options of {choice.backend.label} (both models)</summary>
          <div className="form-grid">
            <BackendOptionFields choice={choice} />
          </div>
          <HostConfirmation choice={choice} />
        </details>
      )}
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
      <ProblemList problems={problems} />
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
