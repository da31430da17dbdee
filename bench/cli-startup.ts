/**
 * CLI start-up (issue 14): `medbench --version` through bin/medbench.js (the freshness check and the
 * bundle), against `node -e 0` measured in the same run. Target: < 300 ms. Also `medbench run --help`,
 * the command whose flags come from every backend's option schema (the heaviest module to load). The bundle is rebuilt first
 * so the figure is the bundle's, not tsx's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function medianMs(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(1));
}

function timeCommand(args: string[], env: NodeJS.ProcessEnv, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return medianMs(times);
}

export function benchCliStartup(options: { workDir: string; repeats?: number }) {
  const repeats = options.repeats ?? 15;
  execFileSync(process.execPath, ['scripts/build-cli.js'], { stdio: 'ignore' });
  const home = fs.mkdtempSync(path.join(options.workDir, 'cli-home-'));
  const env = { ...process.env, HOME: home, MEDBENCH_CLI_FROM_SOURCES: '0' };
  const loadBefore = os.loadavg()[0]!;
  const nodeBaseline = timeCommand(['-e', '0'], env, repeats);
  const version = timeCommand(['bin/medbench.js', '--version'], env, repeats);
  const runHelp = timeCommand(['bin/medbench.js', 'run', '--help'], env, Math.ceil(repeats / 3));
  fs.rmSync(home, { recursive: true, force: true });
  return {
    repeats,
    medianMs: { nodeBaseline, version, runHelp },
    versionOverNode: Number((version / nodeBaseline).toFixed(2)),
    loadAverage1m: { before: Number(loadBefore.toFixed(1)), after: Number(os.loadavg()[0]!.toFixed(1)), cpus: os.cpus().length },
    targets: { versionMs: 300 },
    met: { versionMs: version < 300 },
  };
}
