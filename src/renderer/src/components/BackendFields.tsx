import { useState } from 'react';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { hostOfUrl, isLoopbackHost } from '../../../shared/hosts';
import { useCall } from '../hooks';

export type Backend = CallResponse<'listBackends'>['backends'][number];
type Field = Backend['fields'][number];
type Models = CallResponse<'listModels'>['models'];

/** The backend part of a request that runs a model: the same fields in startRun and startBuild. */
export type BackendRequest = Pick<CallRequest<'startRun'>, 'backend' | 'backendOptions' | 'apiKey'>;

/** A model as the form holds it: for a file backend, a registered model's id or '' for a typed GGUF path; for a server, its name in `text`. */
export interface ModelValue {
  choice: string;
  text: string;
}

export const NO_MODEL: ModelValue = { choice: '', text: '' };

/** What the request's `model` says for this value: a path, a registered model's id, or the server's name. */
export function modelReference(backend: Backend | null, value: ModelValue): string {
  return backend?.model === 'server' || value.choice === '' ? value.text.trim() : value.choice;
}

export interface BackendChoice {
  backends: Backend[];
  error: Error | null;
  backendId: string;
  /** null until listBackends answers. */
  backend: Backend | null;
  select: (id: string) => void;
  usesModel: boolean;
  model: ModelValue;
  setModel: (value: ModelValue) => void;
  /** The model of the request ('' while none is given). */
  modelRef: string;
  options: Record<string, string | boolean>;
  setOption: (name: string, value: string | boolean) => void;
  apiKey: string;
  setApiKey: (key: string) => void;
  /** The host of the backend's URL field when it is not this machine: the user must confirm it. */
  hostToConfirm: string | null;
  confirmedHost: boolean;
  setConfirmedHost: (confirmed: boolean) => void;
  /** A required option (a server's address) or a host to confirm: not to be hidden in a closed section. */
  mustShowOptions: boolean;
  /** The request's backend, backendOptions and apiKey, as typed so far. */
  request: BackendRequest;
  /** What stops a start on the backend's side, in words for the form. */
  problems: string[];
}

/**
 * The backend of a run or a build, from the core's registry (listBackends): the backend, its model
 * as it names one, its own options, the DUA confirmation of a server that is not this machine, and an
 * API key for this session only. The forms lay the parts out with the components below.
 */
export function useBackendChoice(): BackendChoice {
  const listed = useCall('listBackends', {});
  const [backendId, setBackendId] = useState('baseline');
  const [model, setModel] = useState<ModelValue>(NO_MODEL);
  const [options, setOptions] = useState<Record<string, string | boolean>>({});
  const [confirmedHost, setConfirmedHost] = useState(false);
  const [apiKey, setApiKey] = useState('');

  const backends = listed.data?.backends ?? [];
  const backend = backends.find((b) => b.id === backendId) ?? null;
  const usesModel = backend ? backend.model !== 'none' : backendId !== 'baseline';
  const { request, hostToConfirm } = backendRequestOf(backendId, backend, { options, confirmedHost, apiKey });

  return {
    backends,
    error: listed.error,
    backendId,
    backend,
    select: (id) => {
      setBackendId(id);
      setOptions({});
      setConfirmedHost(false);
    },
    usesModel,
    model,
    setModel,
    modelRef: modelReference(backend, model),
    options,
    setOption: (name, value) => setOptions((o) => ({ ...o, [name]: value })),
    apiKey,
    setApiKey,
    hostToConfirm,
    confirmedHost,
    setConfirmedHost,
    mustShowOptions: (backend?.fields.some((f) => f.required) ?? false) || hostToConfirm !== null,
    request,
    problems: hostToConfirm && !confirmedHost ? [`Confirm that note text may be sent to ${hostToConfirm}.`] : [],
  };
}

/**
 * The request's backend part from what the form holds: typed option values as the field's type, empty ones
 * left out (the backend's default), and a non-loopback host sent as allowed only once the user confirmed it.
 */
export function backendRequestOf(
  backendId: string,
  backend: Backend | null,
  typed: { options: Record<string, string | boolean>; confirmedHost: boolean; apiKey: string },
): { request: BackendRequest; hostToConfirm: string | null } {
  const hostField = backend?.fields.find((f) => f.confirmsHostOf);
  const host = hostField ? hostOfUrl(String(typed.options[hostField.confirmsHostOf!] ?? '')) : null;
  const hostToConfirm = host !== null && !isLoopbackHost(host) ? host : null;
  const backendOptions: Record<string, unknown> = {};
  for (const field of backend?.fields ?? []) {
    if (field.confirmsHostOf) continue;
    const value = typed.options[field.name];
    if (value === undefined || value === '') continue;
    backendOptions[field.name] = fieldValue(field, value);
  }
  if (hostField && hostToConfirm && typed.confirmedHost) backendOptions[hostField.name] = [hostToConfirm];
  const request: BackendRequest = {
    ...(backendId !== 'baseline' ? { backend: backendId } : {}),
    ...(Object.keys(backendOptions).length > 0 ? { backendOptions } : {}),
    ...(typed.apiKey ? { apiKey: typed.apiKey } : {}),
  };
  return { request, hostToConfirm };
}

export function BackendSelect({ choice }: { choice: BackendChoice }) {
  return (
    <label className="field">
      <span>backend</span>
      <select name="backend" value={choice.backendId} onChange={(e) => choice.select(e.target.value)}>
        {choice.backends.length === 0 && <option value="baseline">baseline</option>}
        {choice.backends.map((b) => (
          <option key={b.id} value={b.id} title={b.description}>
            {b.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The model as the backend names it: a registered model or a GGUF path for a file backend, the
 * server's name for a server backend, nothing for the baseline. `name` prefixes the inputs' names.
 */
export function ModelField({
  backend,
  models,
  value,
  onChange,
  name = 'model',
  label = 'model',
  pathLabel = 'GGUF path',
}: {
  backend: Backend | null;
  models: Models;
  value: ModelValue;
  onChange: (value: ModelValue) => void;
  name?: string;
  label?: string;
  pathLabel?: string;
}) {
  if (backend?.model === 'server') {
    return (
      <label className="field">
        <span>{label} (the server&apos;s name for it)</span>
        <input name={`${name}-name`} value={value.text} onChange={(e) => onChange({ ...value, text: e.target.value })} placeholder="Qwen/Qwen2.5-7B-Instruct" spellCheck={false} />
      </label>
    );
  }
  if (backend?.model !== 'file') return null;
  return (
    <>
      <label className="field">
        <span>{label}</span>
        <select name={name} value={value.choice} onChange={(e) => onChange({ ...value, choice: e.target.value })}>
          <option value="">a GGUF file by path…</option>
          {models
            .filter((m) => !m.missing)
            .map((m) => (
              <option key={m.id} value={String(m.id)}>
                {m.fileName}
              </option>
            ))}
        </select>
      </label>
      {value.choice === '' && (
        <label className="field">
          <span>{pathLabel}</span>
          <input name={`${name}-path`} value={value.text} onChange={(e) => onChange({ ...value, text: e.target.value })} placeholder="~/models/model.Q4_K_M.gguf" spellCheck={false} />
        </label>
      )}
    </>
  );
}

/** The backend's own options (the host confirmation apart) and, for a remote backend, the API key. */
export function BackendOptionFields({ choice }: { choice: BackendChoice }) {
  return (
    <>
      {(choice.backend?.fields ?? [])
        .filter((f) => !f.confirmsHostOf)
        .map((field) => (
          <OptionInput key={field.name} field={field} value={choice.options[field.name]} onChange={(value) => choice.setOption(field.name, value)} />
        ))}
      {choice.backend?.capabilities.remote && (
        <label className="field">
          <span>API key (this session only, never stored)</span>
          <input name="api-key" type="password" value={choice.apiKey} onChange={(e) => choice.setApiKey(e.target.value)} autoComplete="off" />
        </label>
      )}
    </>
  );
}

/** The DUA confirmation of a server that is not this machine; nothing for a loopback one. */
export function HostConfirmation({ choice }: { choice: BackendChoice }) {
  if (!choice.hostToConfirm) return null;
  return (
    <label className="check-line warning">
      <input type="checkbox" name="confirm-host" checked={choice.confirmedHost} onChange={(e) => choice.setConfirmedHost(e.target.checked)} /> Send note text to {choice.hostToConfirm}: it is
      not this machine. Only for a server under the same Data Use Agreement.
    </label>
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
