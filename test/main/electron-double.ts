/**
 * A test double of the parts of the `electron` module the main process uses (the Electron binary
 * is not installed here). It records what the app asked for, and lets tests fire the events
 * Electron would fire. `vi.mock('electron', ...)` serves `electronModule`; `resetElectron()`
 * gives each test a fresh app.
 */
import type { ForkOptions } from 'electron';
import { createCoreApi } from '../../src/core/api';
import { openStore } from '../../src/core/store/database';
import type { CoreProcess } from '../../src/main/core-client';
import type { FromCore, ToCore } from '../../src/main/core-host/protocol';
import { serveCore } from '../../src/main/core-host/serve';

type Listener = (...args: never[]) => unknown;

export class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export function preventableEvent(): { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

export class FakeWebContents extends Emitter {
  readonly sent: [string, unknown][] = [];
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends Emitter {
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  shown = false;
  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    state.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
}

/**
 * A utilityProcess whose "child" runs in this process: the core host's `serveCore` with the real
 * core (or whatever `vi.mock` puts in place of createCoreApi), behind structured-clone message
 * passing as across a real process boundary. `test/main/fork-core.ts` gives a real child instead.
 */
export class FakeUtilityProcess extends Emitter {
  pid: number | undefined = 4242;
  exited = false;
  private toChild: ((message: ToCore) => void) | null = null;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: ForkOptions | undefined,
  ) {
    super();
    serveCore(
      {
        postMessage: (message: FromCore) => {
          const copy = structuredClone(message);
          setImmediate(() => {
            if (!this.exited) this.emit('message', copy);
          });
        },
        onMessage: (listener) => {
          this.toChild = listener;
        },
      },
      ({ dbPath, userDataDir }) => {
        const db = openStore(dbPath);
        return { core: createCoreApi({ db, dbPath, userDataDir }), close: () => db.open && db.close() };
      },
      (code) => setImmediate(() => this.exit(code)),
    );
  }
  postMessage(message: unknown): void {
    const copy = structuredClone(message) as ToCore;
    setImmediate(() => {
      if (!this.exited) this.toChild?.(copy);
    });
  }
  kill(): boolean {
    if (this.exited) return false;
    this.exit(null);
    return true;
  }
  /** The process ends (a crash when nobody asked it to). */
  exit(code: number | null): void {
    if (this.exited) return;
    this.exited = true;
    this.pid = undefined;
    this.emit('exit', code);
  }
}

/** Something with UtilityProcess's messaging surface (the in-process fake, or a real child's adapter). */
export type UtilityProcessLike = CoreProcess;

type Handler = (...args: never[]) => unknown;

interface ElectronState {
  windows: FakeBrowserWindow[];
  isPackaged: boolean;
  name: string;
  singleInstance: boolean;
  userData: string;
  paths: Map<string, string>;
  quits: number;
  exitCode: number | null;
  sandboxEnabled: boolean;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: { url: string }) => Promise<Response>>;
  ipcHandlers: Map<string, Handler>;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | null;
  permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null;
  permissionCheck: ((contents: unknown, permission: string) => boolean) | null;
  menuTemplate: unknown[] | null;
  openDialogs: unknown[][];
  openDialogResult: { canceled: boolean; filePaths: string[] };
  messageBoxes: unknown[][];
  messageBoxResponse: number;
  errorBoxes: [string, string][];
  openedPaths: string[];
  /** Every core process the app started, in order. */
  utilityProcesses: UtilityProcessLike[];
  /** How `utilityProcess.fork` makes one: in-process by default; a test may fork a real child. */
  forkCore: (modulePath: string, args: string[], options: ForkOptions | undefined) => UtilityProcessLike;
  /** Settled by `becomeReady()`, as Electron resolves `app.whenReady()`. */
  ready: Promise<void>;
  becomeReady: () => void;
}

function freshState(): ElectronState {
  let becomeReady = () => {};
  const ready = new Promise<void>((resolve) => {
    becomeReady = resolve;
  });
  return {
    windows: [],
    isPackaged: true,
    name: 'medbench-local',
    singleInstance: true,
    userData: '/nonexistent/user-data',
    paths: new Map(),
    quits: 0,
    exitCode: null,
    sandboxEnabled: false,
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    beforeRequest: null,
    permissionRequest: null,
    permissionCheck: null,
    menuTemplate: null,
    openDialogs: [],
    openDialogResult: { canceled: true, filePaths: [] },
    messageBoxes: [],
    messageBoxResponse: 1,
    errorBoxes: [],
    openedPaths: [],
    utilityProcesses: [],
    forkCore: (modulePath, args, options) => new FakeUtilityProcess(modulePath, args, options),
    ready,
    becomeReady,
  };
}

export let state: ElectronState = freshState();

class FakeApp extends Emitter {
  get isPackaged(): boolean {
    return state.isPackaged;
  }
  enableSandbox(): void {
    state.sandboxEnabled = true;
  }
  requestSingleInstanceLock(): boolean {
    return state.singleInstance;
  }
  setName(name: string): void {
    state.name = name;
  }
  setPath(name: string, value: string): void {
    state.paths.set(name, value);
  }
  getPath(name: string): string {
    return state.paths.get(name) ?? (name === 'userData' ? state.userData : `/nonexistent/${name}`);
  }
  whenReady(): Promise<void> {
    return state.ready;
  }
  quit(): void {
    state.quits++;
    // Electron emits before-quit; quitting goes ahead unless a listener prevents it.
    const event = preventableEvent();
    this.emit('before-quit', event);
  }
  exit(code: number): void {
    state.exitCode = code;
  }
}

export const app = new FakeApp();

export function resetElectron(): void {
  state = freshState();
  app.listeners.clear();
}

export const electronModule = {
  app,
  BrowserWindow: FakeBrowserWindow,
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      state.privilegedSchemes.push(...schemes);
    },
    handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
      // Tests call it with the one field of the request that the app reads.
      state.protocolHandlers.set(scheme, async (request) => handler(request as Request));
    },
  },
  session: {
    defaultSession: {
      webRequest: {
        // Electron's listener types, stored for tests that pass only the fields the app reads.
        onBeforeRequest: (listener: Parameters<Electron.WebRequest['onBeforeRequest']>[0]) => {
          state.beforeRequest = listener as unknown as ElectronState['beforeRequest'];
        },
      },
      setPermissionRequestHandler: (handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]) => {
        state.permissionRequest = handler as unknown as ElectronState['permissionRequest'];
      },
      setPermissionCheckHandler: (handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]) => {
        state.permissionCheck = handler as unknown as ElectronState['permissionCheck'];
      },
    },
  },
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      state.ipcHandlers.set(channel, handler);
    },
  },
  dialog: {
    showOpenDialog: async (...args: unknown[]) => {
      state.openDialogs.push(args);
      return state.openDialogResult;
    },
    showMessageBox: async (...args: unknown[]) => {
      state.messageBoxes.push(args);
      return { response: state.messageBoxResponse, checkboxChecked: false };
    },
    showErrorBox: (title: string, content: string) => {
      state.errorBoxes.push([title, content]);
    },
  },
  Menu: {
    buildFromTemplate: (template: unknown[]) => ({ template }),
    setApplicationMenu: (menu: { template: unknown[] }) => {
      state.menuTemplate = menu.template;
    },
  },
  utilityProcess: {
    fork: (modulePath: string, args: string[] = [], options?: ForkOptions) => {
      const child = state.forkCore(modulePath, args, options);
      state.utilityProcesses.push(child);
      return child;
    },
  },
  shell: {
    openPath: async (folder: string) => {
      state.openedPaths.push(folder);
      return '';
    },
  },
};

/**
 * The double checked against Electron's own declarations: every member the app uses must exist in
 * `electron`'s types with a signature the double's can stand in for, so an Electron upgrade that
 * renames, removes or reshapes one fails `npm run typecheck` here, not at run time in the app.
 */
type ElectronSubset = {
  app: Pick<Electron.App, 'isPackaged' | 'enableSandbox' | 'requestSingleInstanceLock' | 'setName' | 'setPath' | 'getPath' | 'whenReady' | 'quit' | 'exit'>;
  protocol: Pick<Electron.Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  ipcMain: Pick<Electron.IpcMain, 'handle'>;
  dialog: Pick<Electron.Dialog, 'showErrorBox' | 'showOpenDialog' | 'showMessageBox'>;
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => Pick<Electron.BrowserWindow, 'loadURL' | 'show' | 'focus' | 'restore' | 'isMinimized'>;
  shell: Pick<Electron.Shell, 'openPath'>;
  utilityProcess: { fork: (...args: Parameters<typeof Electron.utilityProcess.fork>) => Pick<Electron.UtilityProcess, 'postMessage' | 'kill'> };
  Menu: { setApplicationMenu: (menu: never) => void; buildFromTemplate: (template: Parameters<typeof Electron.Menu.buildFromTemplate>[0]) => unknown };
  session: {
    defaultSession: {
      webRequest: { onBeforeRequest: (listener: Parameters<Electron.WebRequest['onBeforeRequest']>[0]) => void };
      setPermissionRequestHandler: (handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]) => void;
      setPermissionCheckHandler: (handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]) => void;
    };
  };
};
electronModule satisfies ElectronSubset;
