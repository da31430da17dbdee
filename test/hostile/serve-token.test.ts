import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServedApi } from '../../src/cli/serve/server';
import type { CallHandlers } from '../../src/shared/contract';

/**
 * The serve credential (issue 16 §4): the cookie was called medbench_token on every port, so a second
 * `medbench serve` overwrote the first one's and its tab got 401; the token was also accepted in the query string
 * of API calls, where it lands in logs and histories.
 */
function get(port: number, pathName: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathName, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let dir: string;
const servers: RunningServer[] = [];
const tokens = ['first-token-0123456789abcdef', 'second-token-0123456789abcde'];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-serve-token-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>ui</title>');
  const handlers = { listDatasets: () => ({ dbPath: '/tmp/x.db', datasets: [] }) } as unknown as CallHandlers;
  const api: ServedApi = { handlers, subscribe: () => () => undefined };
  for (const token of tokens) servers.push(await startServer({ api, rendererDir: dir, port: 0, token }));
});
afterAll(async () => {
  for (const server of servers) await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What a browser does: trade the address's token for the cookie, then send that cookie back. */
async function login(server: RunningServer, token: string): Promise<string> {
  const entry = await get(server.port, `/?token=${token}`);
  expect(entry.status).toBe(303);
  return entry.headers['set-cookie']![0]!.split(';')[0]!;
}

describe('the token cookie belongs to one server', () => {
  it('is named with the port, HttpOnly, SameSite=Strict, Path=/', async () => {
    const entry = await get(servers[0]!.port, `/?token=${tokens[0]}`);
    expect(entry.headers['set-cookie']).toEqual([`medbench_token_${servers[0]!.port}=${tokens[0]}; HttpOnly; SameSite=Strict; Path=/`]);
  });

  it('two servers on two ports both keep working in one browser (one cookie jar for 127.0.0.1)', async () => {
    const jar = [await login(servers[0]!, tokens[0]!), await login(servers[1]!, tokens[1]!)];
    expect(new Set(jar.map((cookie) => cookie.split('=')[0])).size).toBe(2);
    const cookieHeader = jar.join('; ');
    for (const server of servers) {
      expect((await get(server.port, '/', { Cookie: cookieHeader })).status).toBe(200);
      const call = await get(server.port, '/api/listDatasets', { Cookie: cookieHeader, 'Content-Type': 'application/json' }, 'POST', '{}');
      expect(call.status).toBe(200);
    }
  });

  it("one server's cookie opens nothing on the other", async () => {
    const first = await login(servers[0]!, tokens[0]!);
    const renamed = first.replace(`_${servers[0]!.port}=`, `_${servers[1]!.port}=`);
    expect((await get(servers[1]!.port, '/', { Cookie: first })).status).toBe(401);
    expect((await get(servers[1]!.port, '/', { Cookie: renamed })).status).toBe(401);
  });

  it('the old cookie name without the port is not accepted', async () => {
    expect((await get(servers[0]!.port, '/', { Cookie: `medbench_token=${tokens[0]}` })).status).toBe(401);
  });
});

describe('the token in the query string', () => {
  it('is refused on API calls and the event stream', async () => {
    const port = servers[0]!.port;
    const call = await get(port, `/api/listDatasets?token=${tokens[0]}`, { 'Content-Type': 'application/json' }, 'POST', '{}');
    expect(call.status).toBe(401);
    expect((await get(port, `/api/events?token=${tokens[0]}`)).status).toBe(401);
  });

  it('on a page load it is only traded for the cookie, and the redirect drops it from the address', async () => {
    const entry = await get(servers[0]!.port, `/runs?x=1&token=${tokens[0]}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/runs?x=1');
  });
});
