import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServedApi } from '../../src/cli/serve/server';
import type { CallHandlers } from '../../src/shared/contract';

/** Raw HTTP, so tests can send the Host and Origin headers a browser would never let a page forge. */
function request(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

describe('medbench serve: the HTTP server', () => {
  const token = 'test-token-0123456789';
  let dir: string;
  let server: RunningServer;
  let listDatasetsCalls = 0;
  const auth = { Authorization: `Bearer ${token}` };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-serve-'));
    const rendererDir = path.join(dir, 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>');
    fs.writeFileSync(path.join(rendererDir, 'assets/app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets/link.txt'));
    const handlers = {
      listDatasets: () => {
        listDatasetsCalls++;
        return { dbPath: '/tmp/x.db', datasets: [] };
      },
    } as unknown as CallHandlers;
    const api: ServedApi = { handlers, subscribe: () => () => undefined };
    server = await startServer({ api, rendererDir, port: 0, token });
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints an address on 127.0.0.1 carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('answers 401 without the token or with a wrong one, for pages and calls alike', async () => {
    expect((await request(server.port, { path: '/' })).status).toBe(401);
    expect((await request(server.port, { path: '/?token=wrong' })).status).toBe(401);
    expect((await request(server.port, { path: '/', headers: { Cookie: `medbench_token_${server.port}=wrong` } })).status).toBe(401);
    const call = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer wrong' }, body: '{}' });
    expect(call.status).toBe(401);
    expect((await request(server.port, { path: '/api/events' })).status).toBe(401);
    expect(listDatasetsCalls).toBe(0);
  });

  it('trades the token in the address for an HttpOnly SameSite=Strict cookie', async () => {
    const entry = await request(server.port, { path: `/?token=${token}` });
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    expect(entry.headers['set-cookie']?.[0]).toBe(`medbench_token_${server.port}=test-token-0123456789; HttpOnly; SameSite=Strict; Path=/`);
    const page = await request(server.port, { path: '/', headers: { Cookie: `medbench_token_${server.port}=${token}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ui</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('runs a call with the token, validated by the contract', async () => {
    const ok = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ dbPath: '/tmp/x.db', datasets: [] });
    const badShape = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"unexpected":1}' });
    expect(badShape.status).toBe(400);
    expect(JSON.parse(badShape.body).error.kind).toBe('invalid-request');
    const unknown = await request(server.port, { method: 'POST', path: '/api/dropTables', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('answers 400 to a body that is not JSON and 415 to a non-JSON content type', async () => {
    const bad = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    const form = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
  });

  it('answers 413 to a body over 1 MB', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const response = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json' }, body: big });
    expect(response.status).toBe(413);
  });

  it('serves files from the renderer folder only: no traversal, no symlink out', async () => {
    expect((await request(server.port, { path: '/assets/app.js', headers: auth })).status).toBe(200);
    for (const attempt of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/link.txt', '/assets', '/nothing.js', '/%00']) {
      const response = await request(server.port, { path: attempt, headers: auth });
      expect(response.status, attempt).toBe(404);
      expect(response.body).not.toContain('outside the renderer');
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async () => {
    const rebound = await request(server.port, { path: '/', headers: { ...auth, Host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    const otherPort = await request(server.port, { path: '/', headers: { ...auth, Host: `127.0.0.1:${server.port + 1}` } });
    expect(otherPort.status).toBe(403);
    const crossSite = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json', Origin: 'http://evil.example' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const sameSite = await request(server.port, { method: 'POST', path: '/api/listDatasets', headers: { ...auth, 'Content-Type': 'application/json', Origin: `http://localhost:${server.port}`, Host: `localhost:${server.port}` }, body: '{}' });
    expect(sameSite.status).toBe(200);
  });

  it('streams events to an authorized client', async () => {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { ...auth, Host: `127.0.0.1:${server.port}` } }, resolve).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    response.destroy();
  });
});
