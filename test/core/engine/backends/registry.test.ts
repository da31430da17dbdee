import { describe, expect, it } from 'vitest';
import { backendIds, backendOfRun, BackendOptionsError, describeBackends, getBackend, parseOptions } from '../../../../src/core/engine/backends/registry';
import type { RunSettings } from '../../../../src/core/engine/runs';

const legacy = (overrides: Partial<RunSettings>): RunSettings => ({
  backend: 'gguf', modelId: 1, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'cuda', gpuLayers: 20,
  contextSize: 4096, threads: null, batchSize: 1024, promptFile: null, temperature: null, maxTokens: null, ...overrides,
});

describe('the backend registry', () => {
  it('lists every backend as plain JSON a form can be built from', () => {
    const backends = describeBackends();
    expect(backends.map((b) => b.id)).toEqual(backendIds());
    expect(backendIds()).toEqual(expect.arrayContaining(['baseline', 'gguf', 'openai']));
    expect(JSON.parse(JSON.stringify(backends))).toEqual(backends);
    const openai = backends.find((b) => b.id === 'openai')!;
    expect(openai.capabilities).toMatchObject({ remote: true, needsModelFile: false, probabilities: true });
    expect(openai.fields.find((f) => f.name === 'baseUrl')).toMatchObject({ flag: '--base-url', type: 'string', required: true });
    expect(openai.fields.find((f) => f.name === 'allowHost')).toMatchObject({ type: 'string-list', confirmsHostOf: 'baseUrl' });
    expect(backends.find((b) => b.id === 'gguf')!.capabilities.needsModelFile).toBe(true);
  });

  it('describes exactly the options each schema accepts, with unique flags', () => {
    for (const backend of describeBackends()) {
      const definition = getBackend(backend.id);
      const shape = Object.keys((definition.schema as unknown as { shape: Record<string, unknown> }).shape).filter((key) => key !== 'model');
      expect(backend.fields.map((f) => f.name).sort(), backend.id).toEqual(shape.sort());
      expect(new Set(backend.fields.map((f) => f.flag)).size).toBe(backend.fields.length);
    }
  });

  it('validates options and names the flag in its message', () => {
    const openai = getBackend('openai');
    expect(() => parseOptions(openai, { model: 'm' })).toThrow(BackendOptionsError);
    expect(() => parseOptions(openai, { model: 'm', baseUrl: 'http://127.0.0.1:1/v1', concurrency: 0 })).toThrow(/--concurrency/);
    expect(() => parseOptions(openai, { model: 'm', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-x' })).toThrow(/apiKey/);
    expect(parseOptions(openai, { model: 'm', baseUrl: 'http://127.0.0.1:1/v1' })).toMatchObject({ concurrency: null, allowHost: [], allowInsecure: false, structuredOutput: 'auto', retries: 5 });
    expect(() => getBackend('tgi')).toThrow(/unknown backend "tgi".*baseline, gguf, openai/);
  });

  it('reads runs made before the registry exactly as they were recorded', () => {
    const { backend, options } = backendOfRun(legacy({}));
    expect(backend.id).toBe('gguf');
    expect(options).toMatchObject({ gpu: 'cuda', gpuLayers: 20, contextSize: 4096, threads: null, batchSize: 1024, parallel: null });
    expect(backend.toSettings(options as never)).toMatchObject({ gpu: 'cuda', gpuLayers: 20, contextSize: 4096, batchSize: 1024 });
    expect(backendOfRun(legacy({ backend: 'baseline', modelId: null })).backend.id).toBe('baseline');
    const server = backendOfRun(legacy({ backend: 'openai', modelId: null, backendOptions: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'q' } }));
    expect(server.options).toMatchObject({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'q' });
  });
});
