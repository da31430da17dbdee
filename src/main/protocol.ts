import fs from 'node:fs';
import type { CustomScheme, Protocol } from 'electron';
import { contentTypeOf, resolveStaticFile, STATIC_SECURITY_HEADERS } from '../core/static-files';
import { APP_HOST, APP_SCHEME } from './security';

export { contentTypeOf };

/**
 * `standard` gives the scheme real origins and relative URL resolution, `secure` makes it a
 * secure context, `supportFetchAPI` lets the page load its ES modules. Registered before the app
 * is ready, as Electron requires.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/**
 * The file under `root` that an `app://medbench/...` URL names, or null when the URL is not
 * ours, names no file, or would reach outside `root` (the shared guard in core/static-files).
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  return resolveStaticFile(root, url.pathname);
}

/** Answers one app:// request from the files under `root` (the built renderer). */
export async function serveAppFile(root: string, requestUrl: string): Promise<Response> {
  const file = resolveAppFile(root, requestUrl);
  if (file) {
    try {
      const body = await fs.promises.readFile(file);
      return new Response(body, { status: 200, headers: { ...STATIC_SECURITY_HEADERS, 'Content-Type': contentTypeOf(file) } });
    } catch {
      // Gone since it was resolved: a 404 like any other unknown path.
    }
  }
  return new Response('Not found', { status: 404, headers: { ...STATIC_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Serves the built renderer on app:// (call after the app is ready). */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rendererRoot, request.url));
}
