/**
 * Server backend bench (issue 12): a run through the whole engine (scheduling, HTTP, parsing, SQLite
 * commits of every prediction as it arrives, grouped per event-loop turn) against the OpenAI-compatible
 * stand-in with a fixed 200 ms per request and 64 requests in flight. Targets: >= 250 predictions/s,
 * client CPU < 2 ms per prediction. The stand-in runs in its own process so its CPU is not counted as the
 * client's. Client CPU is reported three ways: the whole run from creating it (the target's figure), the
 * run itself, and its steady state (after the first quarter of the pairs).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { importDataset } from '../src/core/data/import';
import { executeRun } from '../src/core/engine/runner';
import { prepareNewRun } from '../src/core/engine/start-run';
import { openStore } from '../src/core/store/database';
import { generateMimicLike } from './generate-notes';

export interface OpenaiBenchOptions {
  workDir: string;
  latencyMs?: number;
  concurrency?: number;
  /** Notes of the synthetic dataset (each with several concepts). */
  notes?: number;
}

export async function benchOpenai(options: OpenaiBenchOptions) {
  const latencyMs = options.latencyMs ?? 200;
  const concurrency = options.concurrency ?? 64;
  const dir = path.join(options.workDir, 'openai');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const data = await generateMimicLike({ outDir: dir, textBytes: 8_000_000, seed: 11, annotatedNotes: options.notes ?? 500 });
  const db = openStore(path.join(dir, 'bench.db'));
  await importDataset(db, { dataset: 'bench', annotations: data.annotationsPath, notes: data.notesPath, format: 'raw' });

  const server = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/openai-standin.ts'), JSON.stringify({ flavor: 'vllm', latencyMs })], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`the stand-in exited (${code})`)));
    });
    const { url } = JSON.parse(first) as { url: string };

    const loadBefore = os.loadavg()[0]!;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { run, backend } = await prepareNewRun(db, { name: 'bench', model: 'standin-model', backend: 'openai', backendOptions: { baseUrl: url, concurrency } });
    // Split out the part before the run (probing the server, freezing the plan; this file's static imports
    // already loaded every module of the backend through tsx, outside the window) from the run itself.
    const cpuAtRunStart = process.cpuUsage();
    // The steady state without the run's start (loading the notes, the first requests while V8 compiles the
    // hot paths): CPU from the moment a quarter of the pairs is done to the end.
    let steadyFrom: { cpu: NodeJS.CpuUsage; done: number } | null = null;
    const result = await executeRun(db, run, backend, {
      onProgress: (progress) => {
        if (!steadyFrom && progress.done >= progress.total / 4) steadyFrom = { cpu: process.cpuUsage(), done: progress.done };
      },
    });
    const runCpu = process.cpuUsage(cpuAtRunStart);
    const steady = steadyFrom as { cpu: NodeJS.CpuUsage; done: number } | null;
    const steadyCpu = steady ? process.cpuUsage(steady.cpu) : null;
    await backend.dispose();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const predictions = result.predicted;
    const invalid = (db.prepare("SELECT count(*) AS n FROM predictions WHERE run_id = ? AND status = 'invalid'").get(run.id) as { n: number }).n;
    const perSecond = predictions / seconds;
    const cpuPerPrediction = cpuMs / predictions;
    // The ceiling with this latency and concurrency, to read the figure against.
    const ceiling = concurrency / (latencyMs / 1000);
    return {
      server: 'stand-in (vLLM shapes), separate process',
      latencyMs,
      concurrency,
      notes: data.pairs > 0 ? (db.prepare('SELECT count(DISTINCT note_id) AS n FROM pairs').get() as { n: number }).n : 0,
      predictions,
      invalid,
      seconds: Number(seconds.toFixed(2)),
      predictionsPerSecond: Number(perSecond.toFixed(1)),
      ceilingPerSecond: ceiling,
      clientCpuMsPerPrediction: Number(cpuPerPrediction.toFixed(3)),
      clientCpuMsPerPredictionExecuteOnly: Number(((runCpu.user + runCpu.system) / 1000 / predictions).toFixed(3)),
      clientCpuMsPerPredictionSteadyState: steady && steadyCpu ? Number(((steadyCpu.user + steadyCpu.system) / 1000 / (predictions - steady.done)).toFixed(3)) : null,
      // Other processes competing for the CPUs slow the client and the stand-in alike: read the figures with this.
      loadAverage1m: { before: Number(loadBefore.toFixed(1)), after: Number(os.loadavg()[0]!.toFixed(1)), cpus: os.cpus().length },
      targets: { predictionsPerSecond: 250, clientCpuMsPerPrediction: 2 },
      met: { predictionsPerSecond: perSecond >= 250, clientCpuMsPerPrediction: cpuPerPrediction < 2 },
    };
  } finally {
    server.kill();
    db.close();
  }
}
