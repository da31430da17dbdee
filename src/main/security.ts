import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { RENDERER_CONTENT_SECURITY_POLICY } from '../core/static-files';

/**
 * The app's own origin. The renderer is served from a privileged custom scheme rather than
 * file:// so that it gets a real origin (same-origin rules, a CSP header) and file:// keeps none
 * of its extra privileges. The host is fixed: only `app://medbench/...` is ours.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'medbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Sent with every file the app protocol serves: the one renderer policy, shared with `medbench serve`. */
export const CONTENT_SECURITY_POLICY = RENDERER_CONTENT_SECURITY_POLICY;

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `app://medbench/...` exactly: another host on our scheme is not ours. */
export function isAppUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/**
 * electron-vite's dev server (only ever passed when the app is not packaged): its pages, its
 * modules and its hot-reload websocket share one host and port.
 */
function isDevServerUrl(url: string, devServerUrl: string | undefined): boolean {
  if (!devServerUrl) return false;
  const parsed = parseUrl(url);
  const server = parseUrl(devServerUrl);
  if (!parsed || !server) return false;
  const schemes = server.protocol === 'https:' ? ['https:', 'wss:'] : ['http:', 'ws:'];
  return schemes.includes(parsed.protocol) && parsed.host === server.host;
}

/** A page we load and trust: the bundled renderer, or the dev server in development. */
export function isTrustedPageUrl(url: string, devServerUrl?: string): boolean {
  return isAppUrl(url) || isDevServerUrl(url, devServerUrl);
}

/**
 * The session's request filter: the app's own files, DevTools' internal pages and, in
 * development, the dev server. Everything else (http(s) to any host, localhost included,
 * file://, other custom schemes) is cancelled, so note text cannot leave through the renderer.
 */
export function isAllowedRequest(url: string, devServerUrl?: string): boolean {
  if (isTrustedPageUrl(url, devServerUrl)) return true;
  return parseUrl(url)?.protocol === 'devtools:';
}

/** The one window's options: the Electron security checklist's settings, spelled out. */
export function windowOptions(options: { preloadPath: string; packaged: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'MedBench Local',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // The spellchecker downloads dictionaries: no network, ever.
      spellcheck: false,
      safeDialogs: true,
      // Developers get DevTools; a packaged app has no use for them.
      devTools: !options.packaged,
    },
  };
}

type HardenableSession = {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
} & Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** Blocks every request that is not the app's own and denies every permission (camera, notifications, ...). */
export function hardenSession(session: HardenableSession, devServerUrl?: string): void {
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, devServerUrl) }));
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

type HardenableContents = Pick<WebContents, 'setWindowOpenHandler'> & {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
};

/**
 * No navigation away from the loaded page, no redirects, no new windows, no webviews. The
 * renderer is a single page: moving between views never navigates.
 */
export function hardenWebContents(contents: HardenableContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
