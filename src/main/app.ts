import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } from 'electron';
import { DEFAULT_DB_FILE, PRODUCT_NAME, userDataDir } from '../core/paths';
import type { CallHandlers, EventName } from '../shared/contract';
import { createCoreClient, type CoreCrash } from './core-client';
import { confirmStopRun, createChooseFile } from './dialogs';
import { forwardEvents, registerIpcHandlers } from './ipc';
import { menuTemplate } from './menu';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol';
import { createQuitGuard } from './quit';
import { APP_ENTRY_URL, hardenSession, hardenWebContents, isTrustedPageUrl, windowOptions } from './security';

/**
 * Where the app keeps its data: the same database the CLI opens by default
 * (`<userData>/medbench.db`, or `MEDBENCH_DB`), and the folder copied models go to.
 */
export function desktopPaths(userData: string, env: NodeJS.ProcessEnv): { dbPath: string; modelsDir: string } {
  return {
    dbPath: env.MEDBENCH_DB ? path.resolve(env.MEDBENCH_DB) : path.join(userData, DEFAULT_DB_FILE),
    modelsDir: path.join(userData, 'models'),
  };
}

/** The core process's entry, built next to main's bundle (electron.vite.config.ts). */
export const CORE_HOST_BUNDLE = 'core-host.js';

function reportFatal(title: string, error: unknown): void {
  dialog.showErrorBox(title, error instanceof Error ? error.message : String(error));
  app.exit(1);
}

/**
 * The whole main process. `bundleDir` is the folder of the built main bundle (out/main): the
 * preload and the renderer are found next to it.
 */
export function startDesktopApp(options: { bundleDir: string; env?: NodeJS.ProcessEnv }): void {
  const env = options.env ?? process.env;
  // The dev server is only ever trusted in development; a packaged app ignores the variable.
  const devServerUrl = app.isPackaged ? undefined : env.ELECTRON_RENDERER_URL;
  const preloadPath = path.join(options.bundleDir, '../preload/index.cjs');
  const rendererRoot = path.join(options.bundleDir, '../renderer');

  // Electron would name the folder after package.json's `name` when not packaged; the CLI's rule
  // (the product name in the platform's app data folder, or MEDBENCH_HOME) decides for both.
  app.setName(PRODUCT_NAME);
  app.setPath('userData', userDataDir(env));
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  // A second instance would open the same database and could start a second run: focus the first.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  let mainWindow: BrowserWindow | null = null;
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // One window, and the core process lives with it: closing it quits, on macOS too.
  app.on('window-all-closed', () => app.quit());

  const onReady = (): void => {
    hardenSession(session.defaultSession, devServerUrl);
    registerAppProtocol(protocol, rendererRoot);

    const userData = app.getPath('userData');
    const { dbPath, modelsDir } = desktopPaths(userData, env);
    fs.mkdirSync(modelsDir, { recursive: true });

    // The core (database, imports, runs, scoring) lives in its own process: a 3 GB import, a
    // 10,000-resample bootstrap or a synchronous SQLite write never stalls the thread that routes
    // every window and IPC event. A crash there is reported in the window and the core restarts;
    // a run it had going is resumable as after any crash.
    const crashListeners = new Set<(event: EventName, payload: unknown) => void>();
    const core = createCoreClient({
      spawn: () => utilityProcess.fork(path.join(options.bundleDir, CORE_HOST_BUNDLE), [], { serviceName: `${PRODUCT_NAME} core`, stdio: 'inherit' }),
      init: { dbPath, userDataDir: userData },
      onFatal: (message) => reportFatal(`${PRODUCT_NAME} cannot open its database`, new Error(message)),
      onCrash: (crash: CoreCrash) => {
        console.error(`${PRODUCT_NAME}: the core process stopped (exit code ${crash.exitCode})${crash.restarted ? '; restarted' : ''}`);
        for (const listener of crashListeners) listener('coreCrashed', crash);
      },
    });
    const handlers: CallHandlers = { ...core.handlers, chooseFile: createChooseFile(dialog, () => mainWindow) };
    registerIpcHandlers(ipcMain, handlers, (url) => isTrustedPageUrl(url, devServerUrl));
    const windows = () => (mainWindow ? [mainWindow.webContents] : []);
    forwardEvents(core.subscribe, windows);
    forwardEvents((listener) => {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    }, windows);

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          platform: process.platform,
          appName: PRODUCT_NAME,
          packaged: app.isPackaged,
          openDataFolder: () => void shell.openPath(userData),
          openModelsFolder: () => void shell.openPath(modelsDir),
        }),
      ),
    );

    const guard = createQuitGuard({
      activeRun: () => core.activeRun(),
      confirmStop: (run) => confirmStopRun(dialog, mainWindow, run),
      // Stops a run (resumable), closes the database and ends the core process.
      shutdown: () => core.dispose(),
      quit: () => app.quit(),
    });
    app.on('before-quit', (event) => guard.onQuitRequested(event));

    const window = new BrowserWindow(windowOptions({ preloadPath, packaged: app.isPackaged }));
    mainWindow = window;
    window.once('ready-to-show', () => window.show());
    // Closing the window is quitting: hold it until the guard has asked and shut down.
    window.on('close', (event) => {
      if (guard.finished()) return;
      event.preventDefault();
      app.quit();
    });
    window.on('closed', () => {
      mainWindow = null;
    });
    void window.loadURL(devServerUrl ?? APP_ENTRY_URL);
  };

  app
    .whenReady()
    .then(onReady)
    .catch((error: unknown) => reportFatal(`${PRODUCT_NAME} could not start`, error));
}
