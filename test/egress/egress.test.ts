import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/mimic-files';
import { ensureTinyModel } from '../helpers/tiny-gguf';

/**
 * Zero network egress, proven three ways: the linter refuses network code in core and main; the
 * whole workflow runs in a network namespace with no network at all; and, with the network there,
 * a recorder preloaded into every process sees no connection except to 127.0.0.1.
 */
const BIN = path.resolve('bin/medbench.js');
const RECORDER = path.resolve('test/egress/record-sockets.mjs');
let dir: string;
beforeAll(() => {
  dir = tempDir('medbench-egress-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the linter bans network code in src/core and src/main', () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const snippets = [
    "import http from 'node:http';\nexport const x = http;\n",
    "import https from 'https';\nexport const x = https;\n",
    "import net from 'node:net';\nexport const x = net;\n",
    "import tls from 'node:tls';\nexport const x = tls;\n",
    "import dgram from 'node:dgram';\nexport const x = dgram;\n",
    "import http2 from 'node:http2';\nexport const x = http2;\n",
    "export const x = fetch('https://example.org');\n",
  ];
  for (const folder of ['src/core/engine', 'src/main']) {
    it.each(snippets)(`${folder}: %s`, async (code) => {
      const [result] = await eslint.lintText(code, { filePath: path.resolve(folder, 'probe.ts') });
      const rules = result!.messages.map((m) => m.ruleId);
      expect(rules.some((rule) => rule === 'no-restricted-imports' || rule === 'no-restricted-globals')).toBe(true);
    });
  }

  it('the same code is allowed where the local server lives (the rule is the fence, not a typo)', async () => {
    const [result] = await eslint.lintText("import http from 'node:http';\nexport const x = http;\n", { filePath: path.resolve('src/cli/serve/probe.ts') });
    expect(result!.messages.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });
});

describe('node-llama-cpp never builds or downloads', () => {
  const sources = (folder: string): string[] =>
    fs.readdirSync(folder, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));

  it('every getLlama call says build: never, and no download API is used', () => {
    const files = sources(path.resolve('src'));
    const calls = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(/getLlama\(\{([\s\S]*?)\}\)/g)].map((m) => ({ file, options: m[1]! }));
    });
    for (const call of calls) expect(call.options, call.file).toMatch(/build:\s*'never'/);
    for (const file of files) expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/createModelDownloader|resolveModelFile|combineModelDownloaders/);
  });
});

/** A small workflow through the real CLI: import, baseline run, score, compare, report, export, audit, backup, check (and a GGUF run). */
function workflow(prefix: readonly string[], env: NodeJS.ProcessEnv, work: string): { args: string; code: number | null; stderr: string }[] {
  const db = path.join(work, 'egress.db');
  const steps: string[][] = [
    ['demo', '--db', db],
    ['run', '--model', 'baseline', '--name', 'again', '--limit', '10', '--db', db],
    ['score', 'again', '--resamples', '200', '--db', db, '--json'],
    ['compare', 'baseline', 'again', '--resamples', '200', '--db', db, '--json'],
    ['report', 'baseline', '--compare', 'again', '--resamples', '200', '--out', path.join(work, 'report.html'), '--db', db],
    ['export', 'baseline', '--format', 'submission', '--out', path.join(work, 'submission.zip'), '--db', db],
    ['audit', '--db', db, '--json'],
    ['backup', '--out', path.join(work, 'egress-backup.db'), '--db', db],
    ['check', '--db', db],
  ];
  steps.push(['run', '--model', env.MEDBENCH_TINY_MODEL ?? '', '--name', 'gguf', '--limit', '1', '--gpu', 'cpu', '--max-tokens', '32', '--db', db]);
  return steps.map((args) => {
    const [command, ...rest] = [...prefix, process.execPath, BIN, ...args];
    const result = spawnSync(command!, rest, { env, encoding: 'utf8', timeout: 300_000 });
    return { args: args.join(' '), code: result.status, stderr: result.stderr };
  });
}

const unshareWorks = process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0;
if (!unshareWorks) console.warn('egress.test: the no-network namespace case is skipped: `unshare -n` needs root on Linux');

describe('the workflow needs no network', () => {
  it.skipIf(!unshareWorks)('runs completely inside `unshare -n` (a network namespace without any network)', async () => {
    const work = fs.mkdtempSync(path.join(dir, 'netns-'));
    const model = await ensureTinyModel();
    const env = { ...process.env, MEDBENCH_HOME: path.join(work, 'home'), MEDBENCH_DB: '', MEDBENCH_TINY_MODEL: model };
    // Proof that the namespace really has no network: nothing reachable, not even loopback.
    const probe = spawnSync('unshare', ['-n', process.execPath, '-e', "require('net').connect(443, '1.1.1.1').on('error', (e) => { console.log(e.code); process.exit(0) })"], { encoding: 'utf8', timeout: 20_000 });
    expect(probe.stdout.trim()).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED/);
    for (const step of workflow(['unshare', '-n'], env, work)) expect(step.code, `${step.args}: ${step.stderr}`).toBe(0);
  }, 600_000);

  it('opens no socket except to 127.0.0.1 (every connection, datagram, DNS lookup and fetch recorded)', async () => {
    const work = fs.mkdtempSync(path.join(dir, 'recorded-'));
    const log = path.join(work, 'sockets.jsonl');
    const model = await ensureTinyModel();
    const env = {
      ...process.env,
      MEDBENCH_HOME: path.join(work, 'home'),
      MEDBENCH_DB: '',
      MEDBENCH_TINY_MODEL: model,
      MEDBENCH_SOCKET_LOG: log,
      // NODE_OPTIONS reaches every node process the commands start, not just the first.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim(),
    };
    // The recorder itself works: a loopback connection and a lookup are seen.
    const control = spawnSync(process.execPath, ['-e', "const s = require('net').createServer().listen(0, '127.0.0.1', () => { const c = require('net').connect(s.address().port, '127.0.0.1', () => { c.end(); s.close(); }); }); require('dns').lookup('localhost', () => {});"], { env, encoding: 'utf8', timeout: 20_000 });
    expect(control.status, control.stderr).toBe(0);
    const controlEvents = fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(controlEvents).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'connect', target: expect.stringContaining('127.0.0.1') }), expect.objectContaining({ kind: 'dns', target: 'localhost' })]));
    fs.rmSync(log);

    for (const step of workflow([], env, work)) expect(step.code, `${step.args}: ${step.stderr}`).toBe(0);
    const events = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; target: string }) : [];
    const outside = events.filter((e) => !/^(127\.0\.0\.1|::1|localhost):/.test(e.target) && !e.target.startsWith('/'));
    expect(outside).toEqual([]);
  }, 600_000);
});
