import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDoctorEnvironment, findExecutable, runDoctor, satisfiesMinimum, type DoctorCheck, type DoctorEnvironment } from '../../src/core/doctor';
import { openStore } from '../../src/core/store/database';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-doctor-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The real checks on a machine whose tools live in `bin` and whose data is under `dir`. */
function environment(overrides: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of ['python3', 'make', 'g++']) fs.writeFileSync(path.join(bin, tool), '#!/bin/sh\n', { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'headers/include/node'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'headers/include/node/node_api.h'), '');
  const real = defaultDoctorEnvironment({ dbPath: path.join(dir, 'data/medbench.db'), userDataDir: path.join(dir, 'data'), electronVersion: '39.8.9' });
  return {
    ...real,
    nodeVersion: '20.19.0',
    enginesNode: '>=20.19',
    env: { PATH: bin, HOME: dir, npm_config_nodedir: path.join(dir, 'headers') },
    platform: 'linux',
    computeBackends: async () => ({ usable: ['cpu', 'vulkan'], chosen: 'vulkan', error: null }),
    ...overrides,
  };
}

const byId = (checks: DoctorCheck[], id: string): DoctorCheck => { const found = checks.find((check) => check.id === id); if (!found) throw new Error(`no check ${id}`); return found; };

describe('satisfiesMinimum', () => {
  it('compares major, minor and patch of a >= range', () => {
    expect(satisfiesMinimum('20.19.0', '>=20.19')).toBe(true);
    expect(satisfiesMinimum('v22.1.0', '>=20.19')).toBe(true);
    expect(satisfiesMinimum('20.18.3', '>=20.19')).toBe(false);
    expect(satisfiesMinimum('18.20.0', '>=20.19')).toBe(false);
    expect(satisfiesMinimum('22.12.0', '>=22.12.1')).toBe(false);
  });
});

describe('findExecutable', () => {
  it('finds an executable file on PATH and ignores folders and non-executables', () => {
    fs.mkdirSync(path.join(dir, 'a/make'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'b'));
    fs.writeFileSync(path.join(dir, 'b/make'), '', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'c'));
    fs.writeFileSync(path.join(dir, 'c/make'), '', { mode: 0o755 });
    const env = { PATH: [path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')].join(path.delimiter) };
    expect(findExecutable(['make'], env, 'linux')).toBe(path.join(dir, 'c/make'));
    expect(findExecutable(['cmake'], env, 'linux')).toBeNull();
  });
});

describe('runDoctor', () => {
  it('is green on a machine with everything, and a database that does not exist yet', async () => {
    const report = await runDoctor(environment());
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['node', 'ok'],
      ['better-sqlite3', 'ok'],
      ['toolchain', 'ok'],
      ['compute', 'ok'],
      ['database', 'ok'],
      ['user-data', 'ok'],
    ]);
    expect(report.ok).toBe(true);
    expect(byId(report.checks, 'compute').detail).toContain('--gpu auto picks vulkan');
    expect(byId(report.checks, 'database').detail).toContain('does not exist yet');
    expect(byId(report.checks, 'better-sqlite3').detail).toContain('Electron 39.8.9');
  });

  it('checks an existing database read-only: integrity ok and its schema version', async () => {
    const e = environment();
    fs.mkdirSync(e.userDataDir, { recursive: true });
    openStore(e.dbPath).close();
    const before = fs.readFileSync(e.dbPath);
    const report = await runDoctor(e);
    expect(byId(report.checks, 'database')).toMatchObject({ status: 'ok', fix: null });
    expect(byId(report.checks, 'database').detail).toMatch(/integrity ok; schema \d+/);
    expect(fs.readFileSync(e.dbPath).equals(before)).toBe(true);
  });

  it('fails on a damaged database and says how to recover', async () => {
    const e = environment();
    fs.mkdirSync(e.userDataDir, { recursive: true });
    fs.writeFileSync(e.dbPath, Buffer.alloc(8192, 7));
    const report = await runDoctor(e);
    expect(report.ok).toBe(false);
    const check = byId(report.checks, 'database');
    expect(check.status).toBe('fail');
    expect(check.fix).toMatch(/backup|check/);
  });

  it('names an old Node and the version to install', async () => {
    const report = await runDoctor(environment({ nodeVersion: '18.20.4' }));
    expect(report.ok).toBe(false);
    expect(byId(report.checks, 'node')).toMatchObject({ status: 'fail', fix: 'install Node.js 20.19 or newer' });
  });

  it('reads an ABI mismatch (better-sqlite3 built for Electron) and asks for npm rebuild; the missing toolchain becomes a failure', async () => {
    const report = await runDoctor(
      environment({
        env: { PATH: '', HOME: dir },
        loadSqlite: () => {
          throw new Error(
            "The module 'better_sqlite3.node' was compiled against a different Node.js version using\nNODE_MODULE_VERSION 140. This version of Node.js requires\nNODE_MODULE_VERSION 115.",
          );
        },
      }),
    );
    expect(byId(report.checks, 'better-sqlite3')).toMatchObject({ status: 'fail', fix: expect.stringContaining('npm rebuild better-sqlite3') });
    expect(byId(report.checks, 'better-sqlite3').detail).toContain('built for ABI 140');
    const toolchain = byId(report.checks, 'toolchain');
    expect(toolchain.status).toBe('fail');
    expect(toolchain.detail).toMatch(/Python 3, make, a C\+\+ compiler/);
    expect(toolchain.fix).toContain('npm_config_nodedir');
  });

  it('only warns about a missing toolchain while better-sqlite3 loads', async () => {
    const report = await runDoctor(environment({ env: { PATH: '', HOME: dir } }));
    expect(byId(report.checks, 'toolchain').status).toBe('warn');
    expect(report.ok).toBe(true);
  });

  it('fails when no llama.cpp binary loads', async () => {
    const report = await runDoctor(environment({ computeBackends: async () => ({ usable: [], chosen: null, error: 'NoBinaryFoundError' }) }));
    expect(byId(report.checks, 'compute')).toMatchObject({ status: 'fail' });
    expect(byId(report.checks, 'compute').detail).toContain('NoBinaryFoundError');
  });

  it('fails when the user data folder cannot be created', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const report = await runDoctor(environment({ userDataDir: path.join(blocker, 'MedBench Local'), dbPath: path.join(blocker, 'MedBench Local/medbench.db') }));
    expect(byId(report.checks, 'user-data')).toMatchObject({ status: 'fail', fix: expect.stringContaining('MEDBENCH_HOME') });
  });
});
