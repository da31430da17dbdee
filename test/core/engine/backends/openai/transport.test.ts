import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { abortWaiterCount } from '../../../../../src/core/engine/backends/openai/abort';
import type { Endpoint } from '../../../../../src/core/engine/backends/openai/endpoint';
import { createTransport, TransportError, type Transport } from '../../../../../src/core/engine/backends/openai/transport';
import { rawHttpServer, type RawHandler } from '../../../../helpers/raw-http-server';

/**
 * The server backend's HTTP/1.1 client against raw TCP servers that answer byte for byte what each test
 * needs: framing, keep-alive and its limits, every way an exchange can fail, cancellation and TLS.
 */
const TLS_DIR = path.resolve('test/fixtures/tls'); // a self-signed certificate for the name localhost, for these tests only
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rawServer(handler: RawHandler, secure = false) {
  const server = await rawHttpServer(handler, secure ? { cert: path.join(TLS_DIR, 'localhost-cert.pem'), key: path.join(TLS_DIR, 'localhost-key.pem') } : undefined);
  cleanups.push(server.close);
  return server;
}

function endpoint(port: number, protocol: 'http:' | 'https:' = 'http:', host = '127.0.0.1'): Endpoint {
  return { baseUrl: `${protocol}//${host}:${port}/v1`, protocol, host, port, loopback: true, allowedBy: null, insecure: protocol === 'http:' };
}

function transport(port: number, options: { apiKey?: string; maxSockets?: number; timeoutMs?: number; protocol?: 'http:' | 'https:'; host?: string } = {}): Transport {
  const t = createTransport(endpoint(port, options.protocol, options.host), { apiKey: options.apiKey ?? null, maxSockets: options.maxSockets ?? 4, timeoutMs: options.timeoutMs ?? 10_000 });
  cleanups.push(() => t.close());
  return t;
}

const answer = (socket: { write(text: string): unknown }, body: string, headers = '') => socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('requests and keep-alive', () => {
  it('sends well-formed requests and carries them over one kept-alive connection', async () => {
    const server = await rawServer((socket, request) => answer(socket, JSON.stringify({ echo: Buffer.byteLength(request.body) })));
    const t = transport(server.port, { apiKey: 'sk-test-1' });
    const json = Buffer.from('{"model":"m","messages":[{"role":"user","content":"Zürich"}]}');
    expect(await t.request({ method: 'POST', path: '/chat/completions', json })).toEqual({ status: 200, body: JSON.stringify({ echo: json.length }) });
    expect(await t.request({ method: 'POST', path: '/api/chat', fromRoot: true, body: { a: 1 } })).toMatchObject({ status: 200 });
    expect(await t.request({ method: 'GET', path: '/models' })).toMatchObject({ status: 200 });
    const [post, rootPost, get] = server.requests;
    expect(post!.head.split('\r\n')).toEqual([
      'POST /v1/chat/completions HTTP/1.1',
      `Host: 127.0.0.1:${server.port}`,
      'Accept: application/json, text/event-stream',
      'Connection: keep-alive',
      'Authorization: Bearer sk-test-1',
      'Content-Type: application/json',
      `Content-Length: ${json.length}`,
    ]);
    expect(post!.body).toBe(json.toString());
    expect(rootPost!.head).toMatch(/^POST \/api\/chat HTTP\/1\.1\r\n/);
    expect(rootPost!.body).toBe('{"a":1}');
    expect(get!.head).toMatch(/^GET \/v1\/models HTTP\/1\.1\r\n/);
    expect(get!.head).not.toMatch(/content-length/i);
    expect(server.connections()).toBe(1);
  });

  it('keeps at most maxSockets connections; the other requests wait their turn', async () => {
    const server = await rawServer((socket, request) => setTimeout(() => answer(socket, request.body), 30));
    const t = transport(server.port, { maxSockets: 2 });
    const bodies = await Promise.all(Array.from({ length: 7 }, (_, i) => t.request({ method: 'POST', path: '/x', body: { i } })));
    expect(bodies.map((r) => JSON.parse(r.body) as { i: number })).toEqual(Array.from({ length: 7 }, (_, i) => ({ i })));
    expect(server.connections()).toBe(2);
  });

  it('streams text as it arrives, a character split across packets included', async () => {
    const text = 'data: {"c": "ü東🙂"}\n\ndata: [DONE]\n\n';
    const server = await rawServer((socket) => {
      socket.setNoDelay(true);
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');
      void (async () => {
        for (const byte of Buffer.from(text)) {
          socket.write(`1\r\n${String.fromCharCode(byte)}\r\n`, 'latin1');
          await sleep(1);
        }
        socket.write('0\r\n\r\n');
      })();
    });
    const pieces: string[] = [];
    const response = await transport(server.port).request({ method: 'POST', path: '/chat/completions', body: {}, onData: (piece) => pieces.push(piece) });
    expect(response.body).toBe(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(3);
    // What the reader of the stream throws fails the request as it is (a broken chunk is retried as such).
    const broken = new Error('not a chunk I can read');
    await expect(transport(server.port).request({ method: 'POST', path: '/chat/completions', body: {}, onData: () => { throw broken; } })).rejects.toBe(broken);
  });

  it('opens a new connection when the server closed an idle one, or said it would', async () => {
    const server = await rawServer((socket, request) => {
      if (request.body === '"closing"') return answer(socket, 'ok', 'Connection: close\r\n');
      answer(socket, 'ok');
      if (request.body === '"idle-timeout"') setTimeout(() => socket.end(), 10);
    });
    const t = transport(server.port);
    await t.request({ method: 'POST', path: '/x', body: 'idle-timeout' });
    await sleep(60);
    expect(await t.request({ method: 'POST', path: '/x', body: 'closing' })).toEqual({ status: 200, body: 'ok' });
    expect(await t.request({ method: 'POST', path: '/x', body: 'again' })).toEqual({ status: 200, body: 'ok' });
    expect(server.requests.map((r) => r.connection)).toEqual([1, 2, 3]);
  });
});

describe('failures', () => {
  it('retries what a server may answer differently next time, with what it said', async () => {
    const server = await rawServer((socket, request) => {
      const what = JSON.parse(request.body) as string;
      if (what === 'busy') socket.write('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 9\r\n\r\noverload!');
      if (what === 'limited') socket.write('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n');
      if (what === 'drop') {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"id": ');
        setTimeout(() => socket.destroy(), 5);
      }
      if (what === 'silent-close') socket.destroy();
      if (what === 'garbage') socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    });
    const t = transport(server.port);
    const post = (what: string) => t.request({ method: 'POST', path: '/chat/completions', body: what });
    expect(await failure(post('busy'))).toMatchObject({ retryable: true, status: 503, retryAfter: 2, message: 'the server answered 503: overload!' });
    expect(await failure(post('limited'))).toMatchObject({ retryable: true, status: 429, retryAfter: null });
    expect(await failure(post('drop'))).toMatchObject({ retryable: true, message: expect.stringMatching(/closed the connection before the response was complete/) as unknown });
    expect(await failure(post('silent-close'))).toMatchObject({ retryable: true, message: expect.stringMatching(/^cannot reach .*without answering/) as unknown });
    expect(await failure(post('garbage'))).toMatchObject({ retryable: true, message: expect.stringMatching(/not valid HTTP\/1\.1/) as unknown });
  });

  it('times out a request the server never answers', async () => {
    const server = await rawServer(() => undefined);
    const started = Date.now();
    expect(await failure(transport(server.port, { timeoutMs: 200 }).request({ method: 'GET', path: '/models' }))).toMatchObject({ retryable: true, message: 'no answer within 0 s' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('never follows a redirect, and does not retry it', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere.example/v1\r\nContent-Length: 0\r\n\r\n'));
    const error = await failure(transport(server.port).request({ method: 'GET', path: '/models' }));
    expect(error).toMatchObject({ retryable: false, status: 307 });
    expect(error.message).toMatch(/redirect to http:\/\/elsewhere\.example\/v1; redirects are never followed/);
    expect(server.requests).toHaveLength(1);
  });

  it('says when nothing listens', async () => {
    const server = await rawServer(() => undefined);
    await server.close();
    expect(await failure(transport(server.port).request({ method: 'GET', path: '/models' }))).toMatchObject({ retryable: true, message: expect.stringMatching(/cannot reach .*ECONNREFUSED/) as unknown });
  });

  it('cancels requests in flight and waiting for a connection at once, and leaves nothing watching the signal', async () => {
    const server = await rawServer(() => undefined);
    const t = transport(server.port, { maxSockets: 1, timeoutMs: 600_000 });
    const controller = new AbortController();
    const inFlight = t.request({ method: 'POST', path: '/x', body: 1, signal: controller.signal });
    const waiting = t.request({ method: 'POST', path: '/x', body: 2, signal: controller.signal });
    while (server.requests.length < 1) await sleep(5);
    controller.abort();
    for (const request of [inFlight, waiting]) await expect(request).rejects.toMatchObject({ name: 'AbortError' });
    expect(abortWaiterCount(controller.signal)).toBe(0);
    while (server.openSockets() > 0) await sleep(5); // the connection was closed, not left to the server
    expect(server.requests).toHaveLength(1);
    await expect(t.request({ method: 'GET', path: '/models', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses an API key that would break the request head', () => {
    expect(() => createTransport(endpoint(1), { apiKey: 'sk-1\r\nX-Injected: 1', maxSockets: 1, timeoutMs: 1000 })).toThrow(/API key contains characters/);
  });
});

describe('https', () => {
  it('refuses a certificate the system does not trust', async () => {
    const server = await rawServer((socket) => answer(socket, 'secret'), true);
    const error = await failure(transport(server.port, { protocol: 'https:', host: 'localhost' }).request({ method: 'GET', path: '/models' }));
    expect(error.message).toMatch(/cannot reach https:\/\/localhost:\d+\/v1: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    expect(server.requests).toEqual([]);
  });

  it('talks to a trusted server under its name, and refuses the same certificate under another name', async () => {
    // The test's certificate is trusted only in a child process (NODE_EXTRA_CA_CERTS is read at startup).
    const script = `
      import fs from 'node:fs';
      import tls from 'node:tls';
      import { createTransport } from ${JSON.stringify(path.resolve('src/core/engine/backends/openai/transport.ts'))};
      const dir = ${JSON.stringify(TLS_DIR)};
      const server = tls.createServer({ cert: fs.readFileSync(dir + '/localhost-cert.pem'), key: fs.readFileSync(dir + '/localhost-key.pem') }, (socket) => {
        socket.once('data', () => socket.write('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok'));
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = server.address().port;
      const ask = async (host) => {
        const t = createTransport({ baseUrl: 'https://' + host + ':' + port + '/v1', protocol: 'https:', host, port, loopback: true, allowedBy: null, insecure: false }, { apiKey: null, maxSockets: 1, timeoutMs: 5000 });
        try { return (await t.request({ method: 'GET', path: '/models' })).body; } catch (error) { return error.message; } finally { t.close(); }
      };
      console.log(JSON.stringify({ byName: await ask('localhost'), byAddress: await ask('127.0.0.1') }));
      server.close();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(TLS_DIR, 'localhost-cert.pem') },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
    expect(result.byName).toBe('ok');
    // The certificate names localhost only.
    expect(result.byAddress).toMatch(/cannot reach https:\/\/127\.0\.0\.1:\d+\/v1: ERR_TLS_CERT_ALTNAME_INVALID/);
  }, 60_000);
});
