import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { createCoreApi } from '../core/api';
import { DEFAULT_DB_FILE } from '../core/paths';
import { openStore } from '../core/store/database';
import { registerIpcHandlers } from './ipc';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Loaded pages must be the bundled renderer (or electron-vite's dev server when not packaged). */
function isTrustedUrl(url: string): boolean {
  const devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  if (devServer && url.startsWith(devServer)) return true;
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname).startsWith(path.join(here, '../renderer'));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    show: false,
    title: 'MedBench Local',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      // The spellchecker downloads dictionaries: no network, ever.
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  const devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  if (devServer) void window.loadURL(devServer);
  else void window.loadFile(path.join(here, '../renderer/index.html'));
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(() => {
    // Deny every permission (camera, notifications, ...) and every request that leaves the app.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      const allowed = isTrustedUrl(details.url) || details.url.startsWith('devtools://');
      callback({ cancel: !allowed });
    });

    const dbPath = process.env.MEDBENCH_DB || path.join(app.getPath('userData'), DEFAULT_DB_FILE);
    const db = openStore(dbPath);
    registerIpcHandlers(ipcMain, createCoreApi(db, dbPath), isTrustedUrl);
    app.on('will-quit', () => db.close());

    createWindow();
    app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  });
  app.on('window-all-closed', () => app.quit());
}
