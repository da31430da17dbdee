import { useState } from 'react';
import type { CallResponse } from '../../../shared/contract';
import { call, useApi } from '../api';
import { Empty, ErrorBox, Loading } from '../components';
import { PathField } from '../components/PathField';
import { href, useCall, useFormAction } from '../hooks';
import { bytes } from '../lib/format';

type Model = CallResponse<'listModels'>['models'][number];

export function ModelsView() {
  const models = useCall('listModels', {});
  const [inspected, setInspected] = useState<number | null>(null);
  return (
    <section>
      <header className="view-header">
        <h1>Models</h1>
      </header>
      {models.error && <ErrorBox error={models.error} />}
      {!models.data && !models.error && <Loading what="models" />}
      {models.data && models.data.models.length === 0 && (
        <Empty title="No model registered">
          Register a local GGUF file below (it is checked and hashed, never uploaded). Until then the{' '}
          <a href={href('runs')}>baseline</a> runs without any model.
        </Empty>
      )}
      {models.data && models.data.models.length > 0 && (
        <div className="table-scroll" role="region" aria-label="Registered models" tabIndex={0}>
        <table className="data-table" aria-label="Models">
          <thead>
            <tr>
              <th>File</th>
              <th>Actions</th>
              <th>Architecture</th>
              <th className="num">Parameters</th>
              <th>Quantization</th>
              <th className="num">Size</th>
              <th className="num">Trained context</th>
              <th>Chat template</th>
              <th>sha256</th>
            </tr>
          </thead>
          <tbody>
            {models.data.models.map((m) => (
              <ModelRow key={m.id} model={m} onInspect={() => setInspected(inspected === m.id ? null : m.id)} />
            ))}
          </tbody>
        </table>
        </div>
      )}
      {inspected !== null && <Inspection id={inspected} />}
      <RegisterForm onRegistered={models.reload} />
    </section>
  );
}

function ModelRow({ model: m, onInspect }: { model: Model; onInspect: () => void }) {
  return (
    <tr>
      <td>
        <strong>{m.fileName}</strong>
        <div className="muted small">{m.missing ? <span className="error">file missing: {m.path}</span> : m.path}</div>
      </td>
      <td>
        <button className="link" onClick={onInspect} disabled={m.missing}>
          Fit on this machine
        </button>
      </td>
      <td>{m.architecture ?? '–'}</td>
      <td className="num">{m.parameterCount === null ? '–' : formatParameters(m.parameterCount)}</td>
      <td>{m.quantization ?? '–'}</td>
      <td className="num">{bytes(m.sizeBytes)}</td>
      <td className="num">{m.trainedContext?.toLocaleString() ?? '–'}</td>
      <td>{m.hasChatTemplate ? 'yes' : <span title="prompts fall back to a generic template">no</span>}</td>
      <td className="mono small">{m.sha256.slice(0, 12)}</td>
    </tr>
  );
}

function formatParameters(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)} B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)} M`;
  return `${(count / 1e3).toFixed(0)} K`;
}

function Inspection({ id }: { id: number }) {
  const inspection = useCall('inspectModel', { id });
  if (inspection.error) return <ErrorBox error={inspection.error} />;
  if (!inspection.data) return <Loading what="the model's memory estimate" />;
  const i = inspection.data;
  return (
    <div className="panel">
      <h2>{i.name ?? i.fileName}</h2>
      <dl className="facts">
        <dt>Compute backend</dt>
        <dd>{i.computeBackend}</dd>
        <dt>Context size</dt>
        <dd>{i.fit.contextSize.toLocaleString()} tokens (trained: {i.trainedContext?.toLocaleString() ?? 'unknown'})</dd>
        <dt>GPU layers</dt>
        <dd>{i.fit.gpuLayers}</dd>
        <dt>RAM needed</dt>
        <dd>
          {bytes(i.fit.ramBytes)} of {bytes(i.fit.freeRamBytes)} free {i.fit.fitsRam ? '✓ fits' : '✗ does not fit'}
        </dd>
        <dt>VRAM needed</dt>
        <dd>{i.fit.fitsVram === null ? 'n/a (CPU)' : `${bytes(i.fit.vramBytes)} of ${bytes(i.fit.freeVramBytes)} free ${i.fit.fitsVram ? '✓ fits' : '✗ does not fit'}`}</dd>
      </dl>
    </div>
  );
}

function RegisterForm({ onRegistered }: { onRegistered: () => void }) {
  const api = useApi();
  const [path, setPath] = useState('');
  const { busy, error, result: message, submit } = useFormAction(async () => {
    const { model, created } = await call(api, 'registerModel', { path: path.trim() });
    setPath('');
    onRegistered();
    return created ? `Registered ${model.fileName}.` : `${model.fileName} was already registered.`;
  });
  return (
    <form className="panel form" onSubmit={submit} aria-label="Register a model">
      <h2>Register a GGUF model</h2>
      <PathField label="Model file" name="model-path" value={path} onChange={setPath} mode="read-file" purpose="model" placeholder="~/models/qwen2.5-7b-instruct-q4_k_m.gguf" />
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || !path.trim()}>
          {busy ? 'Checking and hashing…' : 'Register'}
        </button>
      </div>
      {error && <ErrorBox error={error} hint="The file must be a complete GGUF model that fits in this machine's memory." />}
      {message && (
        <p className="success" role="status">
          {message}
        </p>
      )}
    </form>
  );
}
