/**
 * The one module of src/core allowed to open a network connection (eslint.config.js fences every other
 * file): HTTP requests to the one endpoint that `endpoint.ts` accepted. It never follows a redirect,
 * checks that a loopback name really resolves to loopback, keeps connections alive for the server's
 * prefix cache and throughput, and cancels a request when its AbortSignal fires.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { whenAborted } from './abort';
import { isLoopbackAddress, type Endpoint } from './endpoint';

export class TransportError extends Error {
  constructor(
    message: string,
    /** 429, 5xx, timeouts and dropped connections are worth another try; a 4xx or a redirect is not. */
    readonly retryable: boolean,
    readonly status: number | null = null,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  /** Appended to the endpoint's base path ("/chat/completions"), or absolute from the server root when `fromRoot`. */
  path: string;
  fromRoot?: boolean;
  body?: unknown;
  /** The body already serialized as JSON, or its UTF-8 (instead of `body`): a note's requests share its escaped text. */
  json?: string | Buffer;
  signal?: AbortSignal;
  /** Called with each piece of the body as it arrives (streaming responses). */
  onData?: (text: string) => void;
}

export interface Transport {
  request(options: RequestOptions): Promise<HttpResponse>;
  /** The text with the API key blanked out: for anything taken from a response into a message or the store. */
  redact(text: string): string;
  close(): void;
}

export function createTransport(endpoint: Endpoint, options: { apiKey: string | null; maxSockets: number; timeoutMs: number }): Transport {
  const client = endpoint.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets });
  const base = new URL(endpoint.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  // A name like "localhost" could be pointed elsewhere in /etc/hosts: the resolved address must be loopback too.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      if (endpoint.loopback && list.some((entry) => !isLoopbackAddress(entry.address))) {
        return callback(Object.assign(new Error(`${hostname} resolves to ${list.map((e) => e.address).join(', ')}, not only loopback; refusing to connect`), { code: 'ENOTLOOPBACK' }), '', 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const secret = options.apiKey;
  const redact = (text: string) => (secret ? text.split(secret).join('[api key]') : text);

  return {
    request(request) {
      return new Promise<HttpResponse>((resolve, reject) => {
        if (request.signal?.aborted) return reject(abortError());
        const payload = request.json ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
        const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
        if (payload !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = String(Buffer.byteLength(payload));
        }
        if (secret) headers.authorization = `Bearer ${secret}`;
        const req = client.request(
          {
            protocol: endpoint.protocol,
            hostname: endpoint.host,
            port: endpoint.port,
            method: request.method,
            path: request.fromRoot ? request.path : `${basePath}${request.path}`,
            headers,
            agent,
            lookup,
            timeout: options.timeoutMs,
          },
          (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 300 && status < 400) {
              res.resume();
              // Following it could carry note text to another host; even the same host is not assumed.
              return reject(new TransportError(`the server answered ${status} with a redirect to ${res.headers.location ?? '(no location)'}; redirects are never followed`, false, status));
            }
            res.setEncoding('utf8');
            let body = '';
            res.on('data', (chunk: string) => {
              body += chunk;
              request.onData?.(chunk);
            });
            res.on('end', () => {
              if (!res.complete) return reject(new TransportError('the server closed the connection before the response was complete', true, status));
              if (status === 429 || status >= 500) {
                const retryAfter = Number(res.headers['retry-after']);
                return reject(new TransportError(`the server answered ${status}: ${redact(snippet(body))}`, true, status, Number.isFinite(retryAfter) ? retryAfter : null));
              }
              resolve({ status, body });
            });
            res.on('error', (error) => reject(new TransportError(`the response broke off: ${redact(error.message)}`, true, status)));
            res.on('aborted', () => reject(new TransportError('the server dropped the connection mid-response', true, status)));
          },
        );
        const stopWatching = request.signal ? whenAborted(request.signal, () => req.destroy(abortError())) : () => undefined;
        req.on('timeout', () => req.destroy(new TransportError(`no answer within ${Math.round(options.timeoutMs / 1000)} s`, true)));
        req.on('error', (error: NodeJS.ErrnoException) => {
          stopWatching();
          if (error instanceof TransportError || error.name === 'AbortError') return reject(error);
          if (error.code === 'ENOTLOOPBACK') return reject(new TransportError(error.message, false));
          reject(new TransportError(`cannot reach ${endpoint.baseUrl}: ${redact(error.code ?? error.message)}`, true));
        });
        req.on('close', stopWatching);
        req.end(payload);
      });
    },
    redact,
    close() {
      agent.destroy();
    },
  };
}

function abortError(): Error {
  const error = new Error('the request was cancelled');
  error.name = 'AbortError';
  return error;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(empty body)';
}
