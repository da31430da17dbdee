import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/mimic-files';
import { startStandin, type Standin } from '../helpers/openai-standin';

/**
 * The server backend's egress (issue 12): with the socket recorder preloaded into every medbench
 * process, a run, a model listing and a doctor check against an OpenAI-compatible server contact that
 * server's host and port and nothing else; a host that is not allowed is refused before any socket,
 * DNS lookup or fetch. The stand-in runs in this (unrecorded) test process.
 */
const BIN = path.resolve('bin/medbench.js');
const RECORDER = path.resolve('test/egress/record-sockets.mjs');
let dir: string;
let server: Standin;
beforeAll(async () => {
  dir = tempDir('medbench-openai-egress-');
  server = await startStandin({ flavor: 'vllm' });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI asynchronously (the stand-in in this process must keep answering meanwhile). */
function medbench(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const events = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; target: string }) : []);

describe('a run with the OpenAI-compatible server backend', () => {
  it('contacts only the configured host and port', async () => {
    const log = path.join(dir, 'sockets.jsonl');
    const db = path.join(dir, 'egress.db');
    const env = { ...process.env, MEDBENCH_HOME: path.join(dir, 'home'), MEDBENCH_DB: '', MEDBENCH_SOCKET_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim() };
    expect((await medbench(['demo', '--db', db], env)).code).toBe(0);
    const steps = [
      ['run', '--backend', 'openai', '--base-url', server.url, '--model', 'standin-model', '--name', 'srv', '--limit', '12', '--db', db],
      ['models', 'list', '--backend', 'openai', '--base-url', server.url, '--json'],
      ['doctor', '--backend', 'openai', '--base-url', server.url, '--db', db, '--json'],
      ['score', 'srv', '--resamples', '200', '--db', db, '--json'],
      // Scores, compares and reports like any other run.
      ['compare', 'baseline', 'srv', '--resamples', '200', '--db', db, '--json'],
      ['report', 'srv', '--compare', 'baseline', '--resamples', '200', '--out', path.join(dir, 'srv.html'), '--db', db],
    ];
    for (const args of steps) {
      const result = await medbench(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(fs.readFileSync(path.join(dir, 'srv.html'), 'utf8')).toContain('srv');
    const seen = events(log);
    expect(seen.filter((e) => e.kind === 'connect').length).toBeGreaterThan(0);
    const elsewhere = seen.filter((e) => e.target !== `127.0.0.1:${server.port}` && !e.target.startsWith('/'));
    expect(elsewhere).toEqual([]);
    expect(server.chatCount()).toBeGreaterThanOrEqual(12);
  }, 240_000);

  it('refuses a host that is not allowed before any socket, lookup or fetch', async () => {
    const log = path.join(dir, 'refused.jsonl');
    const db = path.join(dir, 'egress.db');
    const env = { ...process.env, MEDBENCH_HOME: path.join(dir, 'home'), MEDBENCH_DB: '', MEDBENCH_SOCKET_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim() };
    for (const url of ['http://10.255.255.1:8000/v1', 'https://inference.example.org/v1', 'http://gpu.example.org/v1']) {
      const extra = url.includes('gpu.example.org') ? ['--allow-host', 'gpu.example.org'] : [];
      const result = await medbench(['run', '--backend', 'openai', '--base-url', url, ...extra, '--model', 'm', '--name', 'far', '--db', db], env);
      expect(result.code, url).toBe(1);
      expect(result.stderr, url).toMatch(/refusing .*Nothing was sent/);
    }
    expect(events(log).filter((e) => !e.target.startsWith('/'))).toEqual([]);
  }, 120_000);
});

describe('the lint fence lets only the transport module near the network', () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const restricted = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.resolve(file) });
    return result!.messages.some((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals');
  };
  it.each([
    "import http from 'node:http';\nexport const x = http;\n",
    "import dns from 'node:dns';\nexport const x = dns;\n",
    "import { request } from 'undici';\nexport const x = request;\n",
    "export const x = fetch('http://127.0.0.1/');\n",
  ])('refused in the server backend’s other modules and the rest of core: %s', async (code) => {
    expect(await restricted('src/core/engine/backends/openai/backend.ts', code)).toBe(true);
    expect(await restricted('src/core/engine/runner.ts', code)).toBe(true);
  });
  it('allowed in backends/openai/transport.ts only (fetch stays banned there too)', async () => {
    expect(await restricted('src/core/engine/backends/openai/transport.ts', "import http from 'node:http';\nimport dns from 'node:dns';\nexport const x = [http, dns];\n")).toBe(false);
    expect(await restricted('src/core/engine/backends/openai/transport.ts', "export const x = fetch('http://127.0.0.1/');\n")).toBe(true);
  });
});
