import { useEffect, useState, type FormEvent } from 'react';
import { contract, type CallRequest, type CallResponse } from '../../../shared/contract';
import { ErrorBox } from '../components';
import { useCall } from '../hooks';

type Backend = CallResponse<'listBackends'>['backends'][number];
type Field = Backend['fields'][number];
type StartRequest = CallRequest<'startRun'>;

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[?::1\]?)$/i;

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
  const backends = useCall('listBackends', {});
  const presets = useCall('listPromptPresets', {});
  const [dataset, setDataset] = useState(datasets[0]!);
  const [backendId, setBackendId] = useState('baseline');
  const [modelChoice, setModelChoice] = useState('');
  const [modelText, setModelText] = useState('');
  const [strategy, setStrategy] = useState<'note-major' | 'naive'>('note-major');
  const [votes, setVotes] = useState('1');
  const [limit, setLimit] = useState('');
  const [seed, setSeed] = useState('42');
  const [labels, setLabels] = useState<'binary' | '3way'>('binary');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [options, setOptions] = useState<Record<string, string | boolean>>({});
  const [confirmedHost, setConfirmedHost] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [preset, setPreset] = useState('');
  const [promptText, setPromptText] = useState('');
  const [name, setName] = useState('');
  const [starting, setStarting] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [more, setMore] = useState(false);

  const backendList = backends.data?.backends ?? [];
  const backend = backendList.find((b) => b.id === backendId) ?? null;
  const usesModel = backend ? backend.model !== 'none' : backendId !== 'baseline';
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

  const modelRef = backend?.model === 'server' ? modelText.trim() : modelChoice === 'path' || modelChoice === '' ? modelText.trim() : modelChoice;
  const registered = models.filter((m) => !m.missing);
  const base = backendId === 'baseline' ? 'baseline' : (registered.find((m) => String(m.id) === modelChoice)?.fileName.replace(/\.gguf$/i, '') ?? (modelRef.split(/[\\/]/).pop()?.replace(/\.gguf$/i, '') || backendId));
  const suggested = uniqueName(chosenPreset && usesModel && chosenPreset.name !== presetList[0]?.name ? `${base}-${chosenPreset.name}` : base, existing);

  const hostField = backend?.fields.find((f) => f.confirmsHostOf);
  const host = hostField ? hostOf(String(options[hostField.confirmsHostOf!] ?? '')) : null;
  const needsHostConfirmation = host !== null && !LOOPBACK.test(host);
  // Required backend options (a server's address) and a host to confirm never hide in the closed section.
  const showAll = more || (backend?.fields.some((f) => f.required) ?? false) || needsHostConfirmation;

  const build = (): StartRequest => {
    const backendOptions: Record<string, unknown> = {};
    for (const field of backend?.fields ?? []) {
      if (field.confirmsHostOf) continue;
      const value = options[field.name];
      if (value === undefined || value === '') continue;
      backendOptions[field.name] = fieldValue(field, value);
    }
    if (hostField && needsHostConfirmation && confirmedHost) backendOptions[hostField.name] = [host];
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const request: StartRequest = {
      name: name.trim() || suggested,
      model: backendId === 'baseline' ? 'baseline' : modelRef,
      dataset,
      ...(backendId !== 'baseline' ? { backend: backendId } : {}),
      ...(Object.keys(backendOptions).length > 0 ? { backendOptions } : {}),
      ...(apiKey ? { apiKey } : {}),
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
    if (needsHostConfirmation && !confirmedHost) local.push(`Confirm that note text may be sent to ${host}.`);
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
      {backends.error && <ErrorBox error={backends.error} />}
      <div className="form-grid">
        <label className="field">
          <span>dataset</span>
          <select name="dataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            {datasets.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>backend</span>
          <select
            name="backend"
            value={backendId}
            onChange={(e) => {
              setBackendId(e.target.value);
              setOptions({});
              setConfirmedHost(false);
            }}
          >
            {backendList.length === 0 && <option value="baseline">baseline</option>}
            {backendList.map((b) => (
              <option key={b.id} value={b.id} title={b.description}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        {backend?.model === 'file' && (
          <label className="field">
            <span>model</span>
            <select name="model" value={modelChoice} onChange={(e) => setModelChoice(e.target.value)}>
              <option value="">a GGUF file by path…</option>
              {registered.map((m) => (
                <option key={m.id} value={String(m.id)}>
                  {m.fileName}
                </option>
              ))}
            </select>
          </label>
        )}
        {backend?.model === 'file' && modelChoice === '' && (
          <label className="field">
            <span>GGUF path</span>
            <input name="model-path" value={modelText} onChange={(e) => setModelText(e.target.value)} placeholder="~/models/model.Q4_K_M.gguf" spellCheck={false} />
          </label>
        )}
        {backend?.model === 'server' && (
          <label className="field">
            <span>model (the server&apos;s name for it)</span>
            <input name="model-name" value={modelText} onChange={(e) => setModelText(e.target.value)} placeholder="Qwen/Qwen2.5-7B-Instruct" spellCheck={false} />
          </label>
        )}
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
        {(backend?.fields ?? [])
          .filter((f) => !f.confirmsHostOf)
          .map((field) => (
            <OptionInput key={field.name} field={field} value={options[field.name]} onChange={(value) => setOptions((o) => ({ ...o, [field.name]: value }))} />
          ))}
        {backend?.capabilities.remote && (
          <label className="field">
            <span>API key (this session only, never stored)</span>
            <input name="api-key" type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" />
          </label>
        )}
      </div>
      {needsHostConfirmation && (
        <label className="check-line warning">
          <input type="checkbox" name="confirm-host" checked={confirmedHost} onChange={(e) => setConfirmedHost(e.target.checked)} /> Send note text to {host}: it is not this machine. Only
          for a server under the same Data Use Agreement.
        </label>
      )}
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
      {problems.length > 0 && (
        <ul className="error-box" role="alert">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button className="primary" type="submit" disabled={disabled}>
          {busy ? 'A run is going…' : starting ? 'Starting…' : 'Start run'}
        </button>
      </div>
    </form>
  );
}

function OptionInput({ field, value, onChange }: { field: Field; value: string | boolean | undefined; onChange: (value: string | boolean) => void }) {
  const label = field.flag.replace(/^--/, '');
  if (field.type === 'boolean') {
    const checked = typeof value === 'boolean' ? value : field.default === true;
    return (
      <label className="field check-field" title={field.description}>
        <span>{label}</span>
        <span>
          <input type="checkbox" name={label} checked={checked} onChange={(e) => onChange(e.target.checked)} /> {field.description}
        </span>
      </label>
    );
  }
  if (field.type === 'enum') {
    return (
      <label className="field" title={field.description}>
        <span>{label}</span>
        <select name={label} value={typeof value === 'string' ? value : String(field.default ?? '')} onChange={(e) => onChange(e.target.value)}>
          {!field.required && field.default === null && <option value="">default</option>}
          {(field.choices ?? []).map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
    );
  }
  const numeric = field.type === 'integer' || field.type === 'number';
  return (
    <label className={`field${numeric ? ' narrow' : ''}`} title={field.description}>
      <span>
        {label}
        {field.required ? ' (required)' : ''}
      </span>
      <input
        name={label}
        type={numeric ? 'number' : 'text'}
        min={field.min}
        max={field.max}
        step={field.type === 'number' ? 'any' : undefined}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
        placeholder={field.default === null ? 'default' : String(field.default)}
        spellCheck={false}
      />
    </label>
  );
}

function fieldValue(field: Field, value: string | boolean): unknown {
  if (field.type === 'boolean') return value === true;
  if (field.type === 'integer' || field.type === 'number') return Number(value);
  if (field.type === 'string-list') return String(value).split(',').map((s) => s.trim()).filter(Boolean);
  return value;
}

function hostOf(url: string): string | null {
  try {
    return url ? new URL(url).hostname : null;
  } catch {
    return null;
  }
}

function uniqueName(base: string, existing: string[]): string {
  if (!existing.includes(base)) return base;
  for (let i = 2; ; i++) if (!existing.includes(`${base}-${i}`)) return `${base}-${i}`;
}

