/**
 * `medbench serve`: the renderer and the contract's calls over HTTP on 127.0.0.1, for people who
 * work in a browser (or on a machine without the desktop app). Note text is served to this machine
 * only, and only to someone holding the token printed at start:
 *   - bound to 127.0.0.1, never another interface;
 *   - a random token per start, given once in the URL, then kept in an HttpOnly SameSite=Strict cookie named
 *     with the port (medbench_token_<port>); calls take the cookie or a Bearer header, never ?token=;
 *   - the Host header must name 127.0.0.1/localhost and this port (a DNS-rebinding page cannot pass),
 *     and a cross-site Origin is refused;
 *   - calls are JSON POSTs validated by the contract, with a size limit;
 *   - static files come from the built renderer folder only (no traversal, no symlinks out), with a
 *     strict CSP, so the page itself can reach no other host.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../../core/errors';
import { contentTypeOf, RENDERER_CONTENT_SECURITY_POLICY, resolveStaticFile, STATIC_SECURITY_HEADERS } from '../../core/static-files';
import { dispatchCall, isCallError, isCallName, type CallHandlers, type EventName } from '../../shared/contract';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The cookie carries this start's token; its name holds the port, so a second `medbench serve` on another port sets
 * its own cookie instead of overwriting this one (browsers do not scope cookies by port).
 */
export function tokenCookieName(port: number): string {
  return `medbench_token_${port}`;
}

/** The renderer's policy and companion headers, MIME map and path guard: one module shared with the app's app:// protocol. */
export const CONTENT_SECURITY_POLICY = RENDERER_CONTENT_SECURITY_POLICY;
export { resolveStaticFile };

export interface ServedApi {
  handlers: CallHandlers;
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
}

export interface ServerOptions {
  api: ServedApi;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Fixed in tests; random otherwise. */
  token?: string;
}

export interface RunningServer {
  port: number;
  token: string;
  /** The address to open, token included. */
  url: string;
  close(): Promise<void>;
}

/** A problem the user can fix (port in use, UI not built): one line, exit 1. */
export class ServeError extends UserError {}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const rendererDir = fs.realpathSync(path.resolve(options.rendererDir));
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new ServeError(`${rendererDir} holds no built UI (index.html): run \`npx electron-vite build\` first`);
  }
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const eventStreams = new Set<http.ServerResponse>();
  let port = options.port;

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}`);
      else response.destroy();
    });
  });

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    setSecurityHeaders(response);
    const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    if (!allowedHosts.has(request.headers.host ?? '')) return send(response, 403, 'text/plain; charset=utf-8', 'refused: unexpected Host header');
    const origin = request.headers.origin;
    if (origin !== undefined && !(origin.startsWith('http://') && allowedHosts.has(origin.slice('http://'.length)))) {
      return send(response, 403, 'text/plain; charset=utf-8', 'refused: cross-origin request');
    }

    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && tokensEqual(queryToken, token) && request.method === 'GET' && !url.pathname.startsWith('/api/')) {
      // Keep the token out of the address bar and history: a cookie carries it from now on.
      url.searchParams.delete('token');
      response.setHeader('Set-Cookie', `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      response.setHeader('Location', `${url.pathname}${url.search}`);
      return send(response, 303, 'text/plain; charset=utf-8', 'token accepted');
    }
    // The address's ?token= is only traded for the cookie above: never accepted on a call, where it would end up
    // in logs and histories.
    if (!authorized(request, token, tokenCookieName(port))) {
      return send(response, 401, 'text/plain; charset=utf-8', 'unauthorized: open the address printed by `medbench serve` (it carries the token for this start)');
    }

    if (url.pathname === '/api/events') {
      if (request.method !== 'GET') return send(response, 405, 'text/plain; charset=utf-8', 'use GET');
      return openEventStream(response);
    }
    if (url.pathname.startsWith('/api/')) return serveCall(request, response, url.pathname.slice('/api/'.length));
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'use GET');
    return serveStatic(response, url.pathname, request.method === 'HEAD');
  };

  const serveCall = async (request: http.IncomingMessage, response: http.ServerResponse, callName: string): Promise<void> => {
    if (!isCallName(callName)) return sendJson(response, 404, { error: { kind: 'not-found', message: `no call named "${callName}"` } });
    if (request.method !== 'POST') return sendJson(response, 405, { error: { kind: 'invalid-request', message: 'calls are POST requests' } });
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      // A form on another site cannot send JSON without a preflight: refusing other types closes that door.
      return sendJson(response, 415, { error: { kind: 'invalid-request', message: 'send the request as application/json' } });
    }
    const body = await readBody(request, MAX_BODY_BYTES);
    if (body === null) {
      // Drain the rest so the client reads the answer instead of a reset connection.
      request.resume();
      return sendJson(response, 413, { error: { kind: 'invalid-request', message: `request body over ${MAX_BODY_BYTES} bytes` } });
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, { error: { kind: 'invalid-request', message: 'the request body is not valid JSON' } });
    }
    const result = await dispatchCall(options.api.handlers, callName, payload);
    const status = isCallError(result) && result.error.kind === 'invalid-request' ? 400 : 200;
    return sendJson(response, status, result);
  };

  const openEventStream = (response: http.ServerResponse): void => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    response.write(': connected\n\n');
    eventStreams.add(response);
    const unsubscribe = options.api.subscribe((event, payload) => {
      response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    // A comment now and then keeps proxies and idle timeouts from closing the stream.
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    response.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      eventStreams.delete(response);
    });
  };

  const serveStatic = (response: http.ServerResponse, pathname: string, headOnly: boolean): void => {
    const file = resolveStaticFile(rendererDir, pathname);
    if (!file) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
    const type = contentTypeOf(file);
    const content = fs.readFileSync(file);
    response.writeHead(200, { 'Content-Type': type, 'Content-Length': content.length, 'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600' });
    response.end(headOnly ? undefined : content);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ServeError(`port ${options.port} is in use: choose another with --port (0 picks a free one)`) : error);
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of eventStreams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorized(request: http.IncomingMessage, token: string, cookieName: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const cookie = (request.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === cookieName)?.[1];
  return [bearer, cookie].some((candidate) => candidate != null && tokensEqual(candidate, token));
}

function tokensEqual(candidate: string, token: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function setSecurityHeaders(response: http.ServerResponse): void {
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.setHeader(name, value);
}

/** The whole body, or null as soon as it passes `limit` bytes. */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

function send(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  response.end(body);
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
