import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoreApi, type CoreApiOptions } from '../../src/core/api';
import { userDataDir } from '../../src/core/paths';
import { desktopPaths, startDesktopApp } from '../../src/main/app';
import { callNames, channelOf, eventChannelOf, type CallHandlers } from '../../src/shared/contract';
import { CORE_HOST_BUNDLE } from '../../src/main/app';
import { FakeWebContents, preventableEvent, resetElectron, state, type FakeUtilityProcess } from './electron-double';

vi.mock('electron', async () => (await import('./electron-double')).electronModule);
vi.mock('../../src/core/api', () => ({ createCoreApi: vi.fn() }));

interface FakeCore {
  options: CoreApiOptions;
  handlers: CallHandlers;
  emit: (event: string, payload: unknown) => void;
  running: string | null;
  dispose: ReturnType<typeof vi.fn>;
}

let core: FakeCore;
let home: string;

function makeCore(options: CoreApiOptions) {
  const handlers = Object.fromEntries(
    callNames.map((name) => [name, vi.fn(async () => ({ error: { kind: 'unavailable', message: `${name} is not part of this test` } }))]),
  ) as unknown as CallHandlers;
  handlers.listDatasets = vi.fn(async () => ({ dbPath: options.dbPath, datasets: [] }));
  const listeners: ((event: string, payload: unknown) => void)[] = [];
  core = {
    options,
    handlers,
    emit: (event, payload) => listeners.forEach((listener) => listener(event, payload)),
    running: null,
    dispose: vi.fn(async () => {}),
  };
  return {
    handlers,
    subscribe: (listener: (event: string, payload: unknown) => void) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    activeRun: () => core.running,
    dispose: core.dispose,
  };
}

/** Lets messages cross to the core "process" and back (each hop is one setImmediate). */
const settle = async (rounds = 6) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** The core reports its active run to main with its answers: set it, then let one call carry it over. */
async function setRunning(run: string | null): Promise<void> {
  core.running = run;
  await invoke('listDatasets', {});
}

async function start(env: NodeJS.ProcessEnv = {}): Promise<void> {
  startDesktopApp({ bundleDir: '/opt/medbench/resources/app.asar/out/main', env: { MEDBENCH_HOME: home, ...env } });
  state.becomeReady();
  await settle();
}

const appFrame = { url: 'app://medbench/index.html', parent: null };

function invoke(call: string, payload: unknown, senderFrame: unknown = appFrame) {
  const handler = state.ipcHandlers.get(channelOf(call as never));
  if (!handler) throw new Error(`no handler for ${call}`);
  return (handler as (event: unknown, payload: unknown) => unknown)({ senderFrame }, payload);
}

beforeEach(() => {
  resetElectron();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-main-'));
  vi.mocked(createCoreApi).mockImplementation((options) => makeCore(options) as never);
});

afterEach(async () => {
  // Let the app shut down (closes the database) before the folder goes.
  if (core?.options.db.open) core.options.db.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('startDesktopApp before ready', () => {
  it('registers app:// as a privileged scheme, enables the sandbox and takes the single-instance lock', () => {
    startDesktopApp({ bundleDir: '/x/out/main', env: { MEDBENCH_HOME: home } });
    expect(state.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(state.sandboxEnabled).toBe(true);
    expect(state.paths.get('userData')).toBe(path.resolve(home));
    expect(state.name).toBe('MedBench Local');
  });

  it("uses the CLI's user data folder, not one named after package.json", () => {
    const env = { XDG_CONFIG_HOME: home, APPDATA: home };
    startDesktopApp({ bundleDir: '/x/out/main', env });
    expect(state.paths.get('userData')).toBe(userDataDir(env));
    expect(path.basename(state.paths.get('userData')!)).toBe('MedBench Local');
  });

  it('quits at once when another instance holds the lock', async () => {
    state.singleInstance = false;
    startDesktopApp({ bundleDir: '/x/out/main', env: { MEDBENCH_HOME: home } });
    state.becomeReady();
    await settle();
    expect(state.quits).toBe(1);
    expect(state.windows).toHaveLength(0);
    expect(createCoreApi).not.toHaveBeenCalled();
  });
});

describe('startDesktopApp when ready', () => {
  it('opens one hardened window on the app:// entry with the bundled preload', async () => {
    await start();
    expect(state.windows).toHaveLength(1);
    const [window] = state.windows;
    expect(window.loaded).toEqual(['app://medbench/index.html']);
    expect(window.options.webPreferences).toMatchObject({
      preload: path.join('/opt/medbench/resources/app.asar/out/preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools: false,
    });
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app, and uses the dev server only when not packaged', async () => {
    await start({ ELECTRON_RENDERER_URL: 'http://localhost:5173' });
    expect(state.windows[0].loaded).toEqual(['app://medbench/index.html']);
    await expect(invoke('listDatasets', {}, { url: 'http://localhost:5173/', parent: null })).resolves.toMatchObject({ error: { kind: 'invalid-request' } });

    resetElectron();
    state.isPackaged = false;
    await start({ ELECTRON_RENDERER_URL: 'http://localhost:5173' });
    expect(state.windows[0].loaded).toEqual(['http://localhost:5173']);
    await expect(invoke('listDatasets', {}, { url: 'http://localhost:5173/', parent: null })).resolves.toMatchObject({ datasets: [] });
  });

  it('hardens the default session: only app:// requests pass and every permission is denied', async () => {
    await start();
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      state.beforeRequest!({ url }, (response) => (cancel = response.cancel));
      return cancel;
    };
    expect(decide('app://medbench/assets/index.js')).toBe(false);
    expect(decide('https://example.org/collect')).toBe(true);
    expect(decide('http://127.0.0.1:11434/api/generate')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    const granted: boolean[] = [];
    state.permissionRequest!({}, 'media', (answer) => granted.push(answer));
    expect(granted).toEqual([false]);
    expect(state.permissionCheck!({}, 'clipboard-read')).toBe(false);
  });

  it('serves the renderer on app:// with the CSP header', async () => {
    await start();
    const response = await state.protocolHandlers.get('app')!({ url: 'app://medbench/../../../etc/passwd' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('denies navigation, redirects, webviews and new windows in every web contents', async () => {
    await start();
    const contents = new FakeWebContents();
    const { app } = await import('./electron-double');
    app.emit('web-contents-created', preventableEvent(), contents);
    expect(contents.windowOpenHandler!({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const attempt = preventableEvent();
      contents.emit(event, attempt, 'https://example.org');
      expect(attempt.defaultPrevented, event).toBe(true);
    }
  });

  it('opens the database in the user data folder (the CLI default) and creates the models folder', async () => {
    await start();
    const expected = desktopPaths(path.resolve(home), {});
    expect(core.options.dbPath).toBe(expected.dbPath);
    expect(expected.dbPath).toBe(path.join(path.resolve(home), 'medbench.db'));
    expect(core.options.userDataDir).toBe(path.resolve(home));
    expect(fs.existsSync(expected.dbPath)).toBe(true);
    expect(fs.statSync(expected.modelsDir).isDirectory()).toBe(true);
  });

  it('says why and exits when the database cannot be opened (the core process reports it)', async () => {
    await start({ MEDBENCH_DB: home });
    await settle();
    expect(state.errorBoxes).toHaveLength(1);
    expect(state.errorBoxes[0][0]).toContain('cannot open its database');
    expect(state.exitCode).toBe(1);
    // The core that could not start is not restarted in a loop.
    expect(state.utilityProcesses).toHaveLength(1);
  });

  it('starts the core in a utilityProcess from the bundle next to main, and main never opens the database itself', async () => {
    await start();
    expect(state.utilityProcesses).toHaveLength(1);
    const child = state.utilityProcesses[0] as FakeUtilityProcess;
    expect(child.modulePath).toBe(path.join('/opt/medbench/resources/app.asar/out/main', CORE_HOST_BUNDLE));
    expect(child.options?.serviceName).toBe('MedBench Local core');
    vi.mocked(createCoreApi).mockClear();
    child.exit(9);
    await settle();
    // The core was created by the (restarted) core process, not by main.
    expect(vi.mocked(createCoreApi)).toHaveBeenCalledTimes(1);
    expect(state.utilityProcesses).toHaveLength(2);
  });

  it('reports a crash of the core process in the window, restarts it, and answers calls again', async () => {
    await start();
    await setRunning('qwen-run');
    const first = state.utilityProcesses[0] as FakeUtilityProcess;
    const inFlight = invoke('listDatasets', {});
    first.exit(134);
    await expect(inFlight).resolves.toMatchObject({ error: { kind: 'unavailable', message: expect.stringContaining('run "qwen-run" stopped and can be resumed') } });
    await settle();
    expect(state.windows[0].webContents.sent).toContainEqual([eventChannelOf('coreCrashed'), { exitCode: 134, restarted: true, run: 'qwen-run' }]);
    expect(state.utilityProcesses).toHaveLength(2);
    await expect(invoke('listDatasets', {})).resolves.toEqual({ dbPath: core.options.dbPath, datasets: [] });
  });

  it('stops restarting a core that keeps crashing, and says so', async () => {
    await start();
    for (let i = 0; i < 4; i++) {
      (state.utilityProcesses.at(-1) as FakeUtilityProcess).exit(1);
      await settle();
    }
    expect(state.utilityProcesses).toHaveLength(4);
    const crashes = state.windows[0].webContents.sent.filter(([channel]) => channel === eventChannelOf('coreCrashed'));
    expect(crashes.map(([, payload]) => (payload as { restarted: boolean }).restarted)).toEqual([true, true, true, false]);
    await expect(invoke('listDatasets', {})).resolves.toMatchObject({ error: { kind: 'unavailable', message: expect.stringContaining('restart the app') } });
  });

  it('registers one IPC handler per contract call and answers from the core', async () => {
    await start();
    expect([...state.ipcHandlers.keys()].sort()).toEqual(callNames.map(channelOf).sort());
    await expect(invoke('listDatasets', {})).resolves.toEqual({ dbPath: core.options.dbPath, datasets: [] });
  });

  it('refuses calls from other pages and subframes, and invalid payloads, before the core sees them', async () => {
    await start();
    await expect(invoke('listDatasets', {}, { url: 'https://evil.example/', parent: null })).resolves.toMatchObject({ error: { kind: 'invalid-request' } });
    await expect(invoke('listDatasets', {}, { url: 'app://medbench/index.html', parent: appFrame })).resolves.toMatchObject({ error: { kind: 'invalid-request' } });
    await expect(invoke('listDatasets', { sql: 'DROP TABLE pairs' })).resolves.toMatchObject({ error: { kind: 'invalid-request' } });
    expect(core.handlers.listDatasets).not.toHaveBeenCalled();
  });

  it('answers chooseFile with a native open dialog, not the core', async () => {
    await start();
    state.openDialogResult = { canceled: false, filePaths: ['/data/model.gguf'] };
    await expect(invoke('chooseFile', { purpose: 'model' })).resolves.toEqual({ path: '/data/model.gguf' });
    expect(state.openDialogs).toHaveLength(1);
    expect(state.openDialogs[0][0]).toBe(state.windows[0]);
    expect(core.handlers.chooseFile).not.toHaveBeenCalled();
  });

  it('forwards core events to the window on their event channels', async () => {
    await start();
    const payload = { run: 'r1', status: 'stopped', predicted: 3, remaining: 71, seconds: 2.5, error: null };
    core.emit('runFinished', payload);
    await settle();
    expect(state.windows[0].webContents.sent).toEqual([[eventChannelOf('runFinished'), payload]]);
  });

  it('sets an application menu with the usual roles', async () => {
    await start();
    const roles = JSON.stringify(state.menuTemplate);
    expect(roles).toContain('"editMenu"');
    expect(roles).toContain('"windowMenu"');
  });
});

describe('quitting', () => {
  it('without a run: closing the window shuts the core down and closes the database, then quits', async () => {
    await start();
    const close = preventableEvent();
    state.windows[0].emit('close', close);
    expect(close.defaultPrevented).toBe(true);
    await settle();
    expect(state.messageBoxes).toHaveLength(0);
    expect(core.dispose).toHaveBeenCalledTimes(1);
    expect(core.options.db.open).toBe(false);
    expect((state.utilityProcesses[0] as FakeUtilityProcess).exited).toBe(true);
    const closeAgain = preventableEvent();
    state.windows[0].emit('close', closeAgain);
    expect(closeAgain.defaultPrevented).toBe(false);
  });

  it('during a run: asks, and keeps running when the user says so', async () => {
    await start();
    await setRunning('qwen-run');
    state.messageBoxResponse = 1;
    const close = preventableEvent();
    state.windows[0].emit('close', close);
    await settle();
    expect(close.defaultPrevented).toBe(true);
    expect(state.messageBoxes).toHaveLength(1);
    expect(JSON.stringify(state.messageBoxes[0])).toContain('qwen-run');
    expect(core.dispose).not.toHaveBeenCalled();
    expect(core.options.db.open).toBe(true);
  });

  it('during a run: stops it cleanly (dispose, then close the database) when the user chooses to quit', async () => {
    await start();
    await setRunning('qwen-run');
    state.messageBoxResponse = 0;
    const { app } = await import('./electron-double');
    app.quit();
    await settle();
    expect(core.dispose).toHaveBeenCalledTimes(1);
    expect(core.options.db.open).toBe(false);
    expect(state.quits).toBe(2);
  });
});
