import { useEffect, useState, type FormEvent } from 'react';
import { contract, type CallRequest, type CallResponse } from '../../../shared/contract';
import { ErrorBox, ProblemList } from '../components';
import { BackendOptionFields, BackendSelect, HostConfirmation, ModelField, useBackendChoice } from '../components/BackendFields';
import { useCall } from '../hooks';

type StartRequest = CallRequest<'startRun'>;

/**
 * The new-run form: every option of `medbench run`, under the CLI's names. The backend list and
 * each backend's own options come from the core (listBackends), the prompt presets from
 * listPromptPresets; the request is checked with the contract's own schema before it is sent.
 */
export function NewRunForm({
  datasets,
  models,
  existing,
  busy,
  onStart,
}: {
  datasets: string[];
  models: CallResponse<'listModels'>['models'];
  existing: string[];
  busy: boolean;
  onStart: (request: StartRequest) => Promise<void>;
}) {
  const choice = useBackendChoice();
  const presets = useCall('listPromptPresets', {});
  const [dataset, setDataset] = useState(datasets[0]!);
  const [strategy, setStrategy] = useState<'note-major' | 'naive'>('note-major');
  const [votes, setVotes] = useState('1');
  const [limit, setLimit] = useState('');
  const [seed, setSeed] = useState('42');
  const [labels, setLabels] = useState<'binary' | '3way'>('binary');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [preset, setPreset] = useState('');
  const [promptText, setPromptText] = useState('');
  const [name, setName] = useState('');
  const [starting, setStarting] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [more, setMore] = useState(false);

  const { backend, backendId, usesModel, modelRef } = choice;
  const presetList = presets.data?.presets ?? [];
  const chosenPreset = presetList.find((p) => p.name === preset) ?? presetList[0] ?? null;
  useEffect(() => {
    if (!preset && presetList[0]) {
      setPreset(presetList[0].name);
      setPromptText(presetList[0].text);
    }
  }, [preset, presetList]);
  const edited = chosenPreset !== null && promptText !== chosenPreset.text;
  const check = useCall('validatePrompt', usesModel && edited ? { text: promptText } : null);

  const registered = models.filter((m) => !m.missing);
  const base = backendId === 'baseline' ? 'baseline' : (registered.find((m) => String(m.id) === choice.model.choice)?.fileName.replace(/\.gguf$/i, '') ?? (modelRef.split(/[\\/]/).pop()?.replace(/\.gguf$/i, '') || backendId));
  const suggested = uniqueName(chosenPreset && usesModel && chosenPreset.name !== presetList[0]?.name ? `${base}-${chosenPreset.name}` : base, existing);

  // Required backend options (a server's address) and a host to confirm never hide in the closed section.
  const showAll = more || choice.mustShowOptions;

  const build = (): StartRequest => {
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const request: StartRequest = {
      name: name.trim() || suggested,
      model: backendId === 'baseline' ? 'baseline' : modelRef,
      dataset,
      ...choice.request,
      ...(usesModel ? { strategy } : {}),
      ...(number(votes) !== undefined ? { votes: number(votes)! } : {}),
      ...(number(limit) !== undefined ? { limit: number(limit)! } : {}),
      ...(number(seed) !== undefined ? { seed: number(seed)! } : {}),
      ...(usesModel && labels !== 'binary' ? { labels } : {}),
      ...(usesModel && number(temperature) !== undefined ? { temperature: number(temperature)! } : {}),
      ...(usesModel && number(maxTokens) !== undefined ? { maxTokens: number(maxTokens)! } : {}),
      ...(usesModel && chosenPreset ? (edited ? { promptText } : { prompt: chosenPreset.name }) : {}),
    };
    return request;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = build();
    // The same schema the core validates with: mistakes show here, next to the form.
    const parsed = contract.startRun.request.safeParse(request);
    const local: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    local.push(...choice.problems);
    if (existing.includes(request.name)) local.push(`A run named “${request.name}” exists: choose another name.`);
    setProblems(local);
    if (local.length > 0) return;
    setStarting(true);
    try {
      await onStart(request);
      setName('');
    } finally {
      setStarting(false);
    }
  };

  const promptProblems = edited && check.data && !check.data.ok ? check.data.problems : [];
  const disabled = busy || starting || (usesModel && !modelRef) || promptProblems.length > 0;
  return (
    <form className="panel form run-form" onSubmit={(e) => void submit(e)} aria-label="Start a run">
      <h2>New run</h2>
      {choice.error && <ErrorBox error={choice.error} />}
      <div className="form-grid">
        <label className="field">
          <span>dataset</span>
          <select name="dataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <BackendSelect choice={choice} />
        <ModelField backend={backend} models={models} value={choice.model} onChange={choice.setModel} />
        <label className="field">
          <span>name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder={suggested} />
        </label>
        <label className="field narrow">
          <span>limit (first N pairs)</span>
          <input name="limit" type="number" min={1} value={limit} onChange={(e) => setLimit(e.target.value)} placeholder="all" />
        </label>
      </div>
      <details className="more-options" open={showAll} onToggle={(e) => setMore((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>All options{backend ? ` of ${backend.label}` : ''} and the prompt</summary>
        <div className="form-grid">
        {usesModel && (
          <label className="field">
            <span>strategy</span>
            <select name="strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as 'note-major' | 'naive')}>
              <option value="note-major">note-major (reuses each note&apos;s prompt)</option>
              <option value="naive">naive (every pair from scratch)</option>
            </select>
          </label>
        )}
        <label className="field narrow">
          <span>votes</span>
          <input name="votes" type="number" min={1} max={15} value={votes} onChange={(e) => setVotes(e.target.value)} />
        </label>
        <label className="field narrow">
          <span>seed</span>
          <input name="seed" type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        {usesModel && (
          <>
            <label className="field">
              <span>labels</span>
              <select name="labels" value={labels} onChange={(e) => setLabels(e.target.value as 'binary' | '3way')}>
                <option value="binary">binary (True/False)</option>
                <option value="3way">3way (Explicit/Implicit/Unrelated)</option>
              </select>
            </label>
            <label className="field narrow">
              <span>temperature</span>
              <input name="temperature" type="number" min={0} max={5} step={0.1} value={temperature} onChange={(e) => setTemperature(e.target.value)} placeholder="0.7 with votes" />
            </label>
            <label className="field narrow">
              <span>max-tokens</span>
              <input name="max-tokens" type="number" min={1} value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} placeholder="default" />
            </label>
          </>
        )}
        <BackendOptionFields choice={choice} />
      </div>
      <HostConfirmation choice={choice} />
      {usesModel && presetList.length > 0 && (
        <fieldset className="prompt-editor">
          <legend>prompt</legend>
          <label className="inline-field">
            Preset
            <select
              name="prompt"
              value={chosenPreset?.name ?? ''}
              onChange={(e) => {
                const next = presetList.find((p) => p.name === e.target.value);
                setPreset(e.target.value);
                if (next) setPromptText(next.text);
              }}
            >
              {presetList.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          {chosenPreset && <p className="muted small">{chosenPreset.description}</p>}
          <label className="field">
            <span>
              Template{edited ? ' (edited: stored with the run)' : ''}. Placeholders:{' '}
              {(presets.data?.placeholders ?? []).map((p) => (
                <code key={p.name} title={p.description}>
                  {`{{${p.name}}}`}
                  {p.required ? '' : '?'}
                </code>
              ))}
            </span>
            <textarea name="prompt-text" rows={8} value={promptText} onChange={(e) => setPromptText(e.target.value)} spellCheck={false} aria-describedby="prompt-check" />
          </label>
          <div id="prompt-check" aria-live="polite" data-testid="prompt-check">
            {promptProblems.length > 0 ? (
              <ul className="error small">
                {promptProblems.map((p, i) => (
                  <li key={i}>{p.message}</li>
                ))}
              </ul>
            ) : edited && check.data?.ok ? (
              <span className="muted small">✓ placeholders: {check.data.placeholders.map((p) => `{{${p}}}`).join(' ')}</span>
            ) : null}
          </div>
          {edited && chosenPreset && (
            <button type="button" className="link" onClick={() => setPromptText(chosenPreset.text)}>
              Back to the preset&apos;s text
            </button>
          )}
        </fieldset>
      )}
      </details>
      <ProblemList problems={problems} />
      <div className="actions">
        <button className="primary" type="submit" disabled={disabled}>
          {busy ? 'A run is going…' : starting ? 'Starting…' : 'Start run'}
        </button>
      </div>
    </form>
  );
}

function uniqueName(base: string, existing: string[]): string {
  if (!existing.includes(base)) return base;
  for (let i = 2; ; i++) if (!existing.includes(`${base}-${i}`)) return `${base}-${i}`;
}

