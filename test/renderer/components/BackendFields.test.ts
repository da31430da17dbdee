import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { backendRequestOf, ModelField, modelReference, NO_MODEL, type Backend } from '../../../src/renderer/src/components/BackendFields';
import { contract } from '../../../src/shared/contract';

const capabilities = { grammar: false, probabilities: false, prefixReuse: false, parallelism: false, votes: true, needsModelFile: false, remote: false };
const field = (name: string, flag: string, type: Backend['fields'][number]['type'], extra: Partial<Backend['fields'][number]> = {}) => ({ name, flag, type, description: name, default: null, required: false, ...extra });
/** The three kinds of backend as listBackends describes them (a few of the server's fields), checked against the contract. */
const backends: Backend[] = contract.listBackends.response.parse({
  backends: [
    { id: 'baseline', label: 'Baseline', description: '', model: 'none', capabilities, fields: [] },
    { id: 'gguf', label: 'GGUF', description: '', model: 'file', capabilities: { ...capabilities, needsModelFile: true }, fields: [field('threads', '--threads', 'integer')] },
    {
      id: 'openai',
      label: 'Server',
      description: '',
      model: 'server',
      capabilities: { ...capabilities, remote: true },
      fields: [
        field('baseUrl', '--base-url', 'string', { required: true }),
        field('concurrency', '--concurrency', 'integer', { min: 1 }),
        field('allowHost', '--allow-host', 'string-list', { confirmsHostOf: 'baseUrl' }),
        field('stream', '--stream', 'boolean', { default: false }),
        field('retries', '--retries', 'integer', { default: 5 }),
      ],
    },
  ],
}).backends;
const byId = (id: string) => backends.find((b) => b.id === id)!;
const nothingTyped = { options: {}, confirmedHost: false, apiKey: '' };

describe('the backend part of the run and build forms', () => {
  it('sends no backend for the baseline, so the core picks it from the model as the CLI does', () => {
    expect(backendRequestOf('baseline', byId('baseline'), nothingTyped)).toEqual({ request: {}, hostToConfirm: null });
  });

  it('sends typed options as their field types, leaves empty ones to the backend and passes the key apart', () => {
    const typed = { options: { baseUrl: 'http://127.0.0.1:8000/v1', concurrency: '4', retries: '', stream: true }, confirmedHost: false, apiKey: 'sk-1' };
    expect(backendRequestOf('openai', byId('openai'), typed)).toEqual({
      request: { backend: 'openai', backendOptions: { baseUrl: 'http://127.0.0.1:8000/v1', concurrency: 4, stream: true }, apiKey: 'sk-1' },
      hostToConfirm: null,
    });
  });

  it('allows a host that is not this machine only once confirmed, as the core checks it (lower case)', () => {
    const options = { baseUrl: 'https://GPU.Hospital.example/v1' };
    const unconfirmed = backendRequestOf('openai', byId('openai'), { ...nothingTyped, options });
    expect(unconfirmed.hostToConfirm).toBe('gpu.hospital.example');
    expect(unconfirmed.request.backendOptions).toEqual(options);
    const confirmed = backendRequestOf('openai', byId('openai'), { ...nothingTyped, options, confirmedHost: true });
    expect(confirmed.request.backendOptions).toEqual({ ...options, allowHost: ['gpu.hospital.example'] });
    // This machine needs no confirmation, by whatever loopback name.
    for (const baseUrl of ['http://localhost:8000/v1', 'http://127.0.0.2:8000/v1', 'http://[::1]:8000/v1']) {
      expect(backendRequestOf('openai', byId('openai'), { ...nothingTyped, options: { baseUrl } }).hostToConfirm, baseUrl).toBeNull();
    }
  });

  it('names the model as the backend wants it: the server’s name, a registered model’s id or a typed path', () => {
    expect(modelReference(byId('openai'), { choice: '', text: ' Qwen/Qwen2.5-7B-Instruct ' })).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(modelReference(byId('gguf'), { choice: '3', text: 'ignored.gguf' })).toBe('3');
    expect(modelReference(byId('gguf'), { choice: '', text: '~/m.gguf' })).toBe('~/m.gguf');
  });

  it('renders the model inputs under the name the form gives, and none for the baseline', () => {
    const render = (id: string) => renderToStaticMarkup(createElement(ModelField, { backend: byId(id), models: [], value: NO_MODEL, onChange: () => {}, name: 'triage', label: 'Triage model' }));
    expect(render('openai')).toContain('name="triage-name"');
    expect(render('gguf')).toMatch(/name="triage".*name="triage-path"/s);
    expect(render('baseline')).toBe('');
  });
});
