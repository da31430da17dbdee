import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreApi, type CoreApi } from '../../../src/core/api';
import { writeSyntheticHosp, type SyntheticHospFiles } from '../../../src/core/build/synthetic';
import { getRun } from '../../../src/core/engine/runs';
import { openStore, type Db } from '../../../src/core/store/database';
import { dispatchCall, type CallName, type CallRequest, type CallResponse } from '../../../src/shared/contract';
import { tempDir } from '../../helpers/mimic-files';
import { startStandin, type Standin } from '../../helpers/openai-standin';

/** The Build view's calls with a server backend: startBuild carries the backend, its options and a typed key, as startRun does. */
describe('startBuild with a server backend through the contract', () => {
  let dir: string;
  let files: SyntheticHospFiles;
  let db: Db;
  let api: CoreApi;
  let server: Standin;
  const key = 'sk-typed-into-the-build-form-7c2e';

  beforeAll(async () => {
    dir = tempDir('medbench-build-api-');
    files = writeSyntheticHosp({ outDir: dir, admissions: 40, seed: 3 });
    db = openStore(path.join(dir, 'test.db'));
    api = createCoreApi({ db, dbPath: path.join(dir, 'test.db'), userDataDir: dir });
    server = await startStandin({ flavor: 'vllm', apiKey: key });
  });
  afterAll(async () => {
    await api?.dispose();
    await server?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const request = (name: string, overrides: Partial<CallRequest<'startBuild'>> = {}): CallRequest<'startBuild'> => ({
    name,
    admissions: 3,
    seed: 5,
    triage: 'standin-model',
    negativesPrevalence: 0,
    negativesSimilar: 0,
    inputs: { kind: 'mimic', diagnoses: files.diagnoses, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes },
    ...overrides,
  });
  async function call<N extends CallName>(name: N, payload: unknown): Promise<CallResponse<N> | { error: { kind: string; message: string } }> {
    return (await dispatchCall(api.handlers, name, payload)) as CallResponse<N> | { error: { kind: string; message: string } };
  }
  async function finishedJob(): Promise<CallResponse<'listBuilds'>['job']> {
    for (let i = 0; i < 1500; i++) {
      const listed = (await call('listBuilds', {})) as CallResponse<'listBuilds'>;
      if (listed.job && listed.job.state !== 'running') return listed.job;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the build did not end within 30 s');
  }

  it('triages and re-judges with the server, its key used for this build only and stored nowhere', async () => {
    const started = await call('startBuild', request('served', { rejudge: 'standin-model', backend: 'openai', backendOptions: { baseUrl: server.url, concurrency: 2 }, apiKey: key }));
    expect(started).toEqual({ started: true, name: 'served' });
    expect(await finishedJob()).toMatchObject({ name: 'served', state: 'finished', error: null });

    const provenance = (await call('listProvenance', { dataset: 'served' })) as CallResponse<'listProvenance'>;
    const candidates = provenance.pairs.filter((p) => p.provenance.kind === 'assigned');
    expect(candidates.length).toBeGreaterThan(0);
    // Three votes of the server's 3-way labels per candidate.
    for (const pair of candidates) expect(pair.provenance.votes.triage).toHaveLength(3);
    const chats = server.requests.filter((r) => r.method === 'POST');
    expect(chats.length).toBeGreaterThanOrEqual(candidates.length * 3);
    expect(chats.every((r) => r.authorized && r.body?.model === 'standin-model')).toBe(true);
    const triage = getRun(db, 'served-triage');
    expect(triage).toMatchObject({ backend: 'openai', status: 'finished' });
    expect(triage.settings.backendOptions).toMatchObject({ baseUrl: server.url, concurrency: 2, apiKeyEnv: 'MEDBENCH_API_KEY' });

    // Continuing it without the key: the refusal says that the key is what is missing.
    await call('startBuild', request('served', { rejudge: 'standin-model', backend: 'openai', backendOptions: { baseUrl: server.url, concurrency: 2 } }));
    expect(await finishedJob()).toMatchObject({ name: 'served', error: expect.stringMatching(/used the API key in MEDBENCH_API_KEY: give the key again/) });

    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('test.db'))) expect(fs.readFileSync(path.join(dir, file)).includes(key), file).toBe(false);
  });

  it('refuses a bad backend option as the call’s error, naming the option, before anything is read or stored', async () => {
    const answer = await call('startBuild', request('bad-option', { backend: 'openai', backendOptions: { baseUrl: server.url, concurrency: 0 } }));
    // Named as the form labels it (the CLI's flag without its dashes).
    expect(answer).toMatchObject({ error: { message: expect.stringMatching(/^backend openai: concurrency: .*1/) } });
    const unconfirmed = await call('startBuild', request('far', { backend: 'openai', backendOptions: { baseUrl: 'https://gpu.hospital.example/v1' } }));
    expect(unconfirmed).toMatchObject({ error: { message: expect.stringMatching(/gpu\.hospital\.example.*not a loopback address/) } });
    const listed = (await call('listBuilds', {})) as CallResponse<'listBuilds'>;
    expect(listed.builds.map((b) => b.name)).toEqual(['served']);
    expect(listed.job?.name).toBe('served');
  });
});
