import fs from 'node:fs';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security';

/**
 * `standard` gives the scheme real origins and relative URL resolution, `secure` makes it a
 * secure context, `supportFetchAPI` lets the page load its ES modules. Registered before the app
 * is ready, as Electron requires.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that an `app://medbench/...` URL names, or null when the URL is not
 * ours or would reach outside `root` (`..`, encoded `%2e%2e%2f`, backslashes, NUL bytes).
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname.replace(/^\/+/, '') || 'index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, relative);
  const inside = path.relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) return null;
  return file;
}

function withSecurityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Answers one app:// request from the files under `root` (the built renderer). */
export async function serveAppFile(root: string, requestUrl: string): Promise<Response> {
  const file = resolveAppFile(root, requestUrl);
  if (file) {
    try {
      const body = await fs.promises.readFile(file);
      return new Response(body, { status: 200, headers: withSecurityHeaders(contentTypeOf(file)) });
    } catch {
      // Missing file or a directory: a 404 like any other unknown path.
    }
  }
  return new Response('Not found', { status: 404, headers: withSecurityHeaders('text/plain; charset=utf-8') });
}

/** Serves the built renderer on app:// (call after the app is ready). */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rendererRoot, request.url));
}
