import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArguments, cliBundlePath, CLI_SWITCH } from '../../src/main/cli-mode';
import { APP_VERSION } from '../../src/core/version';
// @ts-expect-error plain JavaScript module without types
import { bundleState } from '../../bin/cli-freshness.js';

/** One real bundle (scripts/build-cli.js) in a temporary folder laid out like out/ (<tmp>/cli), leaving out/cli alone. */
let outDir: string;
let home: string;

beforeAll(() => {
  // Inside the repository, as out/cli is: the bundle finds node_modules and package.json above it.
  fs.mkdirSync(path.resolve('out'), { recursive: true });
  outDir = fs.mkdtempSync(path.resolve('out/test-cli-bundle-'));
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-cli-home-'));
  execFileSync(process.execPath, ['scripts/build-cli.js', '--outdir', path.join(outDir, 'cli')], { stdio: 'pipe', timeout: 60_000 });
}, 90_000);

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

const runBundle = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(outDir, 'cli/medbench.js'), ...args], { encoding: 'utf8', env: { ...process.env, MEDBENCH_HOME: home, MEDBENCH_DB: '' }, timeout: 60_000 });

describe('the compiled CLI (out/cli)', () => {
  it('is plain JavaScript that keeps the native modules external and needs no TypeScript loader', () => {
    const code = fs.readdirSync(path.join(outDir, 'cli')).filter((file) => file.endsWith('.js')).map((file) => fs.readFileSync(path.join(outDir, 'cli', file), 'utf8')).join('\n');
    expect(code).toMatch(/from\s*["']better-sqlite3["']/);
    expect(code).toMatch(/["']node-llama-cpp["']/);
    expect(code).not.toContain('better_sqlite3.node');
    expect(code).not.toMatch(/["']tsx(\/|["'])/);
  });

  it('prints the version and runs a command that opens the database', () => {
    const version = runBundle('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(APP_VERSION);
    // demo needs resources/demo, found from the bundle through the package root (not a fixed ../..).
    const demo = runBundle('demo', '--db', path.join(home, 'demo.db'), '--json');
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    expect(JSON.parse(demo.stdout)).toHaveProperty('import');
  });
});

describe('bin/medbench.js chooses the bundle only while it is fresh', () => {
  it('missing, fresh, then stale after a source changes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-fresh-'));
    try {
      fs.mkdirSync(path.join(root, 'src/cli'), { recursive: true });
      fs.writeFileSync(path.join(root, 'src/cli/main.ts'), '');
      fs.writeFileSync(path.join(root, 'package.json'), '{}');
      expect(bundleState(root)).toBe('missing');
      fs.mkdirSync(path.join(root, 'out/cli'), { recursive: true });
      const bundle = path.join(root, 'out/cli/medbench.js');
      fs.writeFileSync(bundle, '');
      const later = new Date(Date.now() + 10_000);
      fs.utimesSync(bundle, later, later);
      expect(bundleState(root)).toBe('fresh');
      const evenLater = new Date(Date.now() + 20_000);
      fs.utimesSync(path.join(root, 'src/cli/main.ts'), evenLater, evenLater);
      expect(bundleState(root)).toBe('stale');
      // An installed copy without sources always runs its bundle.
      fs.rmSync(path.join(root, 'src'), { recursive: true });
      expect(bundleState(root)).toBe('fresh');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the packaged app as `medbench`', () => {
  it('takes the arguments after --medbench-cli, and none without it', () => {
    expect(cliArguments(['/opt/MedBench Local/medbench-local', CLI_SWITCH, 'runs', '--json'])).toEqual(['runs', '--json']);
    expect(cliArguments(['/opt/MedBench Local/medbench-local', CLI_SWITCH])).toEqual([]);
    expect(cliArguments(['/opt/MedBench Local/medbench-local', '--no-sandbox'])).toBeNull();
  });

  it('finds the bundle next to main, where the launchers expect it', () => {
    expect(cliBundlePath('/app.asar/out/main')).toBe(path.join('/app.asar/out/cli/medbench.js'));
    const launcher = fs.readFileSync('build/cli/medbench', 'utf8');
    expect(launcher).toContain(`--medbench-cli "$@"`);
    expect(fs.readFileSync('build/cli/medbench.cmd', 'utf8')).toContain('--medbench-cli %*');
  });
});
