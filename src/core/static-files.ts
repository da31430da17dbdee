import fs from 'node:fs';
import path from 'node:path';

/**
 * Serving the built renderer's files, shared by the desktop app's `app://` protocol
 * (src/main/protocol.ts) and `medbench serve` (src/cli/serve/server.ts): one MIME map, one
 * Content-Security-Policy with its companion headers, one path guard.
 */

/**
 * Sent with every renderer file. Scripts only from the app itself (no inline, no eval); inline
 * styles are allowed because React and the chart library set style attributes, which cannot run
 * code. Nothing may be framed, posted or fetched from elsewhere (`connect-src 'self'` is the
 * serve API and its event stream; in the app there is nothing to connect to but itself).
 */
export const RENDERER_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers for every response carrying a renderer file (or a 404 in its place). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
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

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * The existing regular file a URL path (still percent-encoded, as in a URL) names under `root`,
 * or null. `/` is index.html. Refused: broken escapes, NUL bytes, backslashes, and anything whose
 * lexical path or real path (symlinks resolved) leaves `root` — `..`, `%2e%2e%2f`, a link out.
 */
export function resolveStaticFile(root: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded.replace(/^\/+/, '') || 'index.html';
  let base: string;
  try {
    base = fs.realpathSync(path.resolve(root));
  } catch {
    return null;
  }
  const candidate = path.resolve(base, relative);
  if (!isInside(base, candidate)) return null;
  try {
    const real = fs.realpathSync(candidate);
    return isInside(base, real) && fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
