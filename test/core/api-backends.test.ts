import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreApi, type CoreApi } from '../../src/core/api';
import { importDataset } from '../../src/core/data/import';
import { getRun } from '../../src/core/engine/runs';
import { openStore, type Db } from '../../src/core/store/database';
import { contract, dispatchCall } from '../../src/shared/contract';
import { demoFiles } from '../e2e/build-renderer';
import { startStandin, type Standin } from '../helpers/openai-standin';

/** The contract side of the backend registry: listBackends for the run form, and starting a server run from the UI. */
describe('listBackends and server runs through the contract', () => {
  let dir: string;
  let db: Db;
  let api: CoreApi;
  let server: Standin;
  const key = 'sk-typed-into-the-form-51b7';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-api-backends-'));
    db = openStore(path.join(dir, 'test.db'));
    await importDataset(db, { dataset: 'demo', annotations: demoFiles.annotations, notes: demoFiles.notes, format: 'raw' });
    api = createCoreApi({ db, dbPath: path.join(dir, 'test.db'), userDataDir: dir });
    server = await startStandin({ flavor: 'vllm', apiKey: key });
  });
  afterAll(async () => {
    await api?.dispose();
    await server?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every backend with its capabilities and option fields, valid against the contract', async () => {
    const result = (await dispatchCall(api.handlers, 'listBackends', {})) as { backends: { id: string; fields: { name: string }[] }[] };
    expect(contract.listBackends.response.safeParse(result).success).toBe(true);
    expect(result.backends.map((b) => b.id)).toEqual(expect.arrayContaining(['baseline', 'gguf', 'openai']));
    expect(result.backends.find((b) => b.id === 'openai')!.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['baseUrl', 'allowHost', 'apiKeyEnv', 'concurrency']));
  });

  it('starts a server run with a typed-in key that is used but stored nowhere', async () => {
    const started = await dispatchCall(api.handlers, 'startRun', { name: 'ui-server', model: 'standin-model', limit: 5, backend: 'openai', backendOptions: { baseUrl: server.url }, apiKey: key });
    expect(started).toEqual({ run: 'ui-server' });
    for (let i = 0; i < 500 && api.activeRun() !== null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const run = getRun(db, 'ui-server');
    expect(run).toMatchObject({ backend: 'openai', done: 5, status: 'finished' });
    expect(server.requests.filter((r) => r.method === 'POST').every((r) => r.authorized)).toBe(true);
    expect(JSON.stringify(run)).not.toContain(key);
    const listed = (await dispatchCall(api.handlers, 'listRuns', {})) as { runs: { name: string; backend: string; model: string | null }[] };
    expect(listed.runs.find((r) => r.name === 'ui-server')).toMatchObject({ backend: 'openai', model: 'standin-model' });
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('test.db'))) expect(fs.readFileSync(path.join(dir, file)).includes(key), file).toBe(false);
  });

  it('refuses a host the user did not confirm, as an error the form can show', async () => {
    const answer = (await dispatchCall(api.handlers, 'startRun', { name: 'far', model: 'm', backend: 'openai', backendOptions: { baseUrl: 'https://gpu.hospital.example/v1' } })) as { error?: { message: string } };
    expect(answer.error?.message, JSON.stringify(answer)).toMatch(/gpu\.hospital\.example.*not a loopback address/);
  });
});
