import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDesktopApp } from '../../src/main/app';
import { channelOf, eventChannelOf } from '../../src/shared/contract';
import { generateMimicLike } from '../../bench/generate-notes';
import { forkCoreHost } from '../helpers/fork-core';
import { app, resetElectron, state } from './electron-double';

vi.mock('electron', async () => (await import('./electron-double')).electronModule);

/**
 * The desktop app (electron double) with its core in a real child process: the same entry and
 * protocol as Electron's utilityProcess, so a call crosses a process boundary, events come back,
 * and a crash is a real SIGKILL.
 */
let home: string;
const appFrame = { url: 'app://medbench/index.html', parent: null };
const demo = path.resolve('resources/demo');

function invoke(call: string, payload: unknown): Promise<unknown> {
  const handler = state.ipcHandlers.get(channelOf(call as never));
  if (!handler) throw new Error(`no handler for ${call}`);
  return (handler as (event: unknown, payload: unknown) => Promise<unknown>)({ senderFrame: appFrame }, payload);
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sentOn = (channel: string) => state.windows[0].webContents.sent.filter(([name]) => name === channel).map(([, payload]) => payload);

beforeEach(() => {
  resetElectron();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-core-host-'));
  state.forkCore = () => forkCoreHost({ ...process.env, MEDBENCH_HOME: home, MEDBENCH_DB: '' });
  startDesktopApp({ bundleDir: '/opt/medbench/out/main', env: { MEDBENCH_HOME: home } });
  state.becomeReady();
});

afterEach(async () => {
  app.quit();
  await until(() => state.quits >= 2, 'the app to quit after shutting the core down');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('the core in its own process', () => {
  it('imports, runs with pushed progress, and scores with 10,000 resamples, all in the child; quitting ends it cleanly', async () => {
    const imported = (await invoke('importDataset', { dataset: 'demo', format: 'raw', annotations: path.join(demo, 'dataset_raw.csv'), notes: path.join(demo, 'discharge.csv.gz') })) as { pairs: number };
    expect(imported.pairs).toBeGreaterThan(0);
    const child = state.utilityProcesses[0] as ReturnType<typeof forkCoreHost>;
    expect(child.pid).not.toBe(process.pid);

    await expect(invoke('startRun', { name: 'base', model: 'baseline', dataset: 'demo' })).resolves.not.toHaveProperty('error');
    await until(() => sentOn(eventChannelOf('runFinished')).length === 1, 'runFinished pushed to the window');
    expect(sentOn(eventChannelOf('runFinished'))[0]).toMatchObject({ run: 'base', status: 'finished', remaining: 0 });

    const score = (await invoke('scoreRun', { name: 'base', resamples: 10_000 })) as { n: number; bootstrap?: { resamples: number } };
    expect(score.n).toBe(imported.pairs);

    let exitCode: number | null | undefined;
    child.on('exit', (code) => (exitCode = code));
    app.quit();
    await until(() => exitCode !== undefined, 'the core process to exit');
    expect(exitCode).toBe(0);
  });

  it('a run going when the core is killed stops with it, is reported in the window, and resumes to exactly one prediction per pair', async () => {
    const big = await generateMimicLike({ outDir: path.join(home, 'notes'), textBytes: 2_000_000, seed: 5, annotatedNotes: 150 });
    await invoke('importDataset', { dataset: 'big', format: 'raw', annotations: big.annotationsPath, notes: big.notesPath });
    await expect(invoke('startRun', { name: 'killed', model: 'baseline', dataset: 'big' })).resolves.not.toHaveProperty('error');
    await until(() => sentOn(eventChannelOf('runProgress')).length > 0, 'the first progress event');
    // Hold SQLite's write lock so the run cannot finish before the kill: it is mid-run for certain.
    const blocker = new Database(path.join(home, 'medbench.db'), { timeout: 10_000 });
    blocker.exec('BEGIN IMMEDIATE');
    const counts = blocker.prepare("SELECT (SELECT count(*) FROM run_pairs) AS planned, (SELECT count(*) FROM predictions) AS done").get() as { planned: number; done: number };
    expect(counts.done).toBeLessThan(counts.planned);
    (state.utilityProcesses[0] as ReturnType<typeof forkCoreHost>).kill();
    await until(() => sentOn(eventChannelOf('coreCrashed')).length === 1, 'coreCrashed in the window');
    blocker.exec('COMMIT');
    blocker.close();
    expect(sentOn(eventChannelOf('coreCrashed'))[0]).toMatchObject({ restarted: true, run: 'killed' });
    const listed = (await invoke('listRuns', {})) as { runs: { name: string; done: number; planned: number; status: string; resumable: boolean }[] };
    const run = listed.runs.find((r) => r.name === 'killed')!;
    expect(run.done).toBe(counts.done);
    expect(run.resumable).toBe(true);
    await expect(invoke('resumeRun', { name: 'killed' })).resolves.toEqual({ run: 'killed' });
    await until(() => sentOn(eventChannelOf('runFinished')).some((payload) => (payload as { status: string }).status === 'finished'), 'the resumed run to finish', 120_000);
    const after = ((await invoke('listRuns', {})) as { runs: { name: string; done: number; planned: number; status: string }[] }).runs.find((r) => r.name === 'killed')!;
    expect(after).toMatchObject({ status: 'finished', done: after.planned });
  }, 180_000);

  it('a SIGKILLed core is reported in the window and restarted; the data it committed is still there', async () => {
    await invoke('importDataset', { dataset: 'demo', format: 'raw', annotations: path.join(demo, 'dataset_raw.csv'), notes: path.join(demo, 'discharge.csv.gz') });
    const first = state.utilityProcesses[0] as ReturnType<typeof forkCoreHost>;
    first.kill();
    await until(() => sentOn(eventChannelOf('coreCrashed')).length === 1, 'coreCrashed in the window');
    expect(sentOn(eventChannelOf('coreCrashed'))[0]).toMatchObject({ restarted: true, run: null });
    expect(state.utilityProcesses).toHaveLength(2);
    const second = state.utilityProcesses[1] as ReturnType<typeof forkCoreHost>;
    expect(second.pid).not.toBe(first.pid);
    const listed = (await invoke('listDatasets', {})) as { datasets: { name: string }[] };
    expect(listed.datasets.map((dataset) => dataset.name)).toEqual(['demo']);
  });
});
