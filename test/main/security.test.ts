import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  hardenSession,
  hardenWebContents,
  isAllowedRequest,
  isAppUrl,
  isTrustedPageUrl,
  windowOptions,
} from '../../src/main/security';
import { FakeWebContents, preventableEvent } from './electron-double';

const devServer = 'http://localhost:5173';

describe('isAllowedRequest', () => {
  it("allows the app's own files and DevTools", () => {
    expect(isAllowedRequest(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedRequest('app://medbench/assets/index-abc.js')).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/devtools_app.html')).toBe(true);
  });

  it('blocks http(s) to anywhere, localhost and 127.0.0.1 included', () => {
    for (const url of [
      'https://example.org/',
      'http://example.org/upload',
      'http://127.0.0.1:8080/v1/chat/completions',
      'http://localhost:11434/api/generate',
      'https://[::1]/',
      'wss://example.org/socket',
    ]) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
  });

  it('blocks file://, other hosts on our scheme, other schemes and garbage', () => {
    for (const url of ['file:///etc/passwd', 'app://evil/index.html', 'app://medbench.evil/x', 'chrome-extension://abc/x.js', 'ftp://example.org/', 'not a url', '']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
  });

  it("allows the dev server's origin only when it is given, and nothing else next to it", () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx')).toBe(false);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', devServer)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', devServer)).toBe(true);
    expect(isAllowedRequest('http://localhost:5174/', devServer)).toBe(false);
    expect(isAllowedRequest('http://127.0.0.1:5173/', devServer)).toBe(false);
    expect(isAllowedRequest('https://example.org/', devServer)).toBe(false);
  });
});

describe('isTrustedPageUrl / isAppUrl', () => {
  it('trusts our pages only: DevTools may load, but may not call the core', () => {
    expect(isAppUrl('app://medbench/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isTrustedPageUrl('devtools://devtools/bundled/devtools_app.html')).toBe(false);
    expect(isTrustedPageUrl('http://localhost:5173/', devServer)).toBe(true);
    expect(isTrustedPageUrl('http://localhost:5173/')).toBe(false);
  });
});

describe('windowOptions', () => {
  it('sets the security checklist options', () => {
    const options = windowOptions({ preloadPath: '/app/out/preload/index.cjs', packaged: true });
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    });
  });

  it('keeps DevTools for development builds only', () => {
    expect(windowOptions({ preloadPath: '/p', packaged: false }).webPreferences?.devTools).toBe(true);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('loads scripts from the app only, with no inline scripts or eval, and nothing from elsewhere', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    const session = {
      beforeRequest: null as null | ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void),
      request: null as null | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void),
      check: null as null | ((contents: unknown, permission: string) => boolean),
      webRequest: { onBeforeRequest: (listener: never) => (session.beforeRequest = listener) },
      setPermissionRequestHandler: (handler: never) => (session.request = handler),
      setPermissionCheckHandler: (handler: never) => (session.check = handler),
    };
    return session;
  }
  const cancelled = (session: ReturnType<typeof fakeSession>, url: string) => {
    let cancel: boolean | undefined;
    session.beforeRequest!({ url }, (response) => (cancel = response.cancel));
    return cancel;
  };

  it('cancels every request that is not the app’s own', () => {
    const session = fakeSession();
    hardenSession(session as never);
    expect(cancelled(session, 'app://medbench/index.html')).toBe(false);
    expect(cancelled(session, 'https://example.org/')).toBe(true);
    expect(cancelled(session, 'http://127.0.0.1:5173/')).toBe(true);
    expect(cancelled(session, 'file:///home/user/.ssh/id_rsa')).toBe(true);
  });

  it('lets the dev server through when one is given', () => {
    const session = fakeSession();
    hardenSession(session as never, devServer);
    expect(cancelled(session, 'http://localhost:5173/@vite/client')).toBe(false);
    expect(cancelled(session, 'https://example.org/')).toBe(true);
  });

  it('denies every permission request and check', () => {
    const session = fakeSession();
    hardenSession(session as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'openExternal']) {
      const answers: boolean[] = [];
      session.request!({}, permission, (granted) => answers.push(granted));
      expect(answers, permission).toEqual([false]);
      expect(session.check!({}, permission), permission).toBe(false);
    }
  });
});

describe('hardenWebContents', () => {
  it('denies new windows and prevents navigation, redirects and webviews', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    expect(contents.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://medbench/index.html' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const attempt = preventableEvent();
      contents.emit(event, attempt);
      expect(attempt.defaultPrevented, event).toBe(true);
    }
  });
});
