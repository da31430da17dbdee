import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callNames, channelOf, eventChannelOf } from '../../src/shared/contract';

/** One real `electron-vite build` (into a temporary folder, so a build in out/ is left alone). */
let outDir: string;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
}

function read(...parts: string[]): string {
  return fs.readFileSync(path.join(outDir, ...parts), 'utf8');
}

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-build-'));
  execFileSync(process.execPath, [path.resolve('node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir, '--logLevel', 'error'], {
    cwd: path.resolve('.'),
    stdio: 'pipe',
    timeout: 120_000,
  });
}, 150_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('electron-vite build', () => {
  it('produces the main, preload and renderer bundles', () => {
    expect(fs.existsSync(path.join(outDir, 'main', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'preload', 'index.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'renderer', 'index.html'))).toBe(true);
  });

  it('builds the core process entry next to main, without Electron in it (it runs in a utilityProcess)', () => {
    const host = read('main', 'core-host.js');
    expect(host).not.toMatch(/from\s*["']electron["']/);
    expect(host).toContain('parentPort');
    // Main itself no longer opens the database: the store is only reachable through the core process.
    expect(read('main', 'index.js')).not.toMatch(/from\s*["']better-sqlite3["']/);
  });

  it('keeps node-llama-cpp and better-sqlite3 external to the main bundle: imported, not inlined', () => {
    const main = filesUnder(path.join(outDir, 'main')).map((file) => read('main', file));
    const all = main.join('\n');
    expect(all).toMatch(/from\s*["']node-llama-cpp["']/);
    expect(all).toMatch(/from\s*["']better-sqlite3["']/);
    expect(all).toMatch(/from\s*["']electron["']/);
    // Inlined packages would bring their module paths and internals along.
    expect(all).not.toMatch(/node_modules[\\/](node-llama-cpp|@node-llama-cpp|better-sqlite3)/);
    expect(all).not.toContain('resolveActualBindingBinaryPath');
    expect(all).not.toContain('better_sqlite3.node');
  });

  it('builds the preload into one CommonJS file that requires nothing but electron', () => {
    expect(fs.readdirSync(path.join(outDir, 'preload'))).toEqual(['index.cjs']);
    const preload = read('preload', 'index.cjs');
    const required = [...preload.matchAll(/\brequire\s*\(\s*([^)]*)\)/g)].map((match) => match[1].trim());
    expect(required.length).toBeGreaterThan(0);
    expect(new Set(required)).toEqual(new Set(['"electron"']));
    expect(preload).not.toMatch(/^\s*import\s/m);
  });

  it('has a renderer whose page loads only its own files', () => {
    const html = read('renderer', 'index.html');
    // data: URLs are inline (no request); everything else must be a file of the build.
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]).filter((url) => !url.startsWith('data:'));
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      expect(reference, reference).not.toMatch(/^[a-z]+:|^\/\//i);
      expect(fs.existsSync(path.join(outDir, 'renderer', reference)), reference).toBe(true);
    }
  });
});

describe('the built preload, run against a double of the electron module', () => {
  function loadPreload() {
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: [string, unknown][] = [];
    const subscriptions = new Map<string, Set<(...args: unknown[]) => void>>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => (invoked.push([channel, payload]), { ok: channel }),
        on: (channel: string, listener: (...args: unknown[]) => void) => {
          subscriptions.set(channel, (subscriptions.get(channel) ?? new Set()).add(listener));
        },
        removeListener: (channel: string, listener: (...args: unknown[]) => void) => subscriptions.get(channel)?.delete(listener),
      },
    };
    const module = { exports: {} };
    const sandboxRequire = (name: string) => {
      if (name !== 'electron') throw new Error(`the sandboxed preload cannot require ${name}`);
      return electron;
    };
    vm.runInNewContext(read('preload', 'index.cjs'), { require: sandboxRequire, module, exports: module.exports });
    return { exposed, invoked, subscriptions, ipcRenderer: electron.ipcRenderer };
  }

  it('exposes window.medbench with one function per contract call and on(), not ipcRenderer', () => {
    const { exposed, ipcRenderer } = loadPreload();
    expect([...exposed.keys()]).toEqual(['medbench']);
    const api = exposed.get('medbench')!;
    expect(Object.keys(api).sort()).toEqual([...callNames, 'on'].sort());
    for (const value of Object.values(api)) {
      expect(typeof value).toBe('function');
      expect([ipcRenderer, ...Object.values(ipcRenderer)]).not.toContain(value);
    }
  });

  it('sends each call on its channel with the request as it is', async () => {
    const { exposed, invoked } = loadPreload();
    const api = exposed.get('medbench') as Record<string, (request?: unknown) => Promise<unknown>>;
    await expect(api.chooseFile({ purpose: 'model' })).resolves.toEqual({ ok: channelOf('chooseFile') });
    await api.listDatasets();
    expect(invoked).toEqual([
      [channelOf('chooseFile'), { purpose: 'model' }],
      [channelOf('listDatasets'), undefined],
    ]);
  });

  it('on(event) hands the listener the payload only, and unsubscribes', () => {
    const { exposed, subscriptions } = loadPreload();
    const api = exposed.get('medbench') as { on: (event: string, listener: (...args: unknown[]) => void) => () => void };
    const received: unknown[][] = [];
    const unsubscribe = api.on('runFinished', (...args) => received.push(args));
    const channel = eventChannelOf('runFinished');
    for (const listener of subscriptions.get(channel)!) listener({ sender: 'the ipcRenderer' }, { run: 'r1' });
    expect(received).toEqual([[{ run: 'r1' }]]);
    unsubscribe();
    expect(subscriptions.get(channel)!.size).toBe(0);
    expect(() => api.on('notAnEvent', () => {})).toThrow(/unknown event/);
  });
});
