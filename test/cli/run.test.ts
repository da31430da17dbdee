import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimicLike } from '../../bench/generate-notes';
import { MEDBENCH_BIN, runMedbench } from '../helpers/cli';
import { tempDir } from '../helpers/mimic-files';

/** `medbench run`, `runs` and `score` as scripts call them: child processes, JSON on stdout. */
let dir: string;
let db: string;

const medbench = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 120_000 });

beforeAll(() => {
  dir = tempDir('medbench-run-');
  db = path.join(dir, 'demo.db');
  expect(medbench('demo', '--db', db, '--json').code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('medbench run / runs / score', () => {
  it('the demo ran the baseline over every pair', () => {
    const runs = JSON.parse(medbench('runs', '--db', db, '--json').stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: 'baseline', status: 'finished', backend: 'baseline', invalid: 0 });
    expect(runs[0].n).toBe(runs[0].planned);
    expect(runs[0].manifest).toMatchObject({ appVersion: expect.any(String), dataset: 'demo', datasetFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), strategy: 'note-major', votes: 1, backend: 'baseline' });
  });

  it('run --json prints the final object with the public fields, and --limit takes the first N pairs', () => {
    const { code, stdout } = medbench('run', '--model', 'baseline', '--name', 'first10', '--limit', '10', '--db', db, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ name: 'first10', n: 10, planned: 10, status: 'finished' });
    for (const key of ['promptTokens', 'reusedTokens', 'generatedTokens', 'seconds']) expect(typeof result[key]).toBe('number');
  });

  it('score --json gives the official metrics with a bootstrap interval', () => {
    const { code, stdout } = medbench('score', 'baseline', '--db', db, '--json', '--resamples', '2000');
    expect(code).toBe(0);
    const score = JSON.parse(stdout);
    for (const key of ['n', 'tp', 'fp', 'fn', 'tn', 'precision', 'recall', 'f1', 'evidenceRecall', 'missing', 'invalid']) expect(score).toHaveProperty(key);
    expect(score.tp + score.fp + score.fn + score.tn).toBe(score.n);
    expect(score.precision).toBeCloseTo(score.tp / (score.tp + score.fp), 12);
    expect(score.recall).toBeCloseTo(score.tp / (score.tp + score.fn), 12);
    expect(score.f1Ci).toHaveLength(2);
    expect(score.f1Ci[0]).toBeLessThanOrEqual(score.f1);
    const readable = medbench('score', 'baseline', '--db', db, '--by', 'chapter');
    expect(readable.stdout).toMatch(/precision/);
    expect(readable.stdout).toMatch(/Diseases of/);
  });

  it('refuses a duplicate run name, an unknown run, and resuming a finished run does nothing', () => {
    const duplicate = medbench('run', '--model', 'baseline', '--name', 'baseline', '--db', db);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists.*--resume baseline/);
    const unknown = medbench('score', 'nope', '--db', db);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no run named "nope"/);
    const finished = medbench('run', '--resume', 'baseline', '--db', db, '--json');
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ name: 'baseline', predictedNow: 0, status: 'finished' });
    expect(medbench('run', '--model', 'baseline', '--db', db).code).toBe(2);
    expect(medbench('run', '--model', 'baseline', '--name', 'x', '--votes', '0', '--db', db).code).toBe(2);
  });

  it('Ctrl-C stops cleanly, says how to resume, and --resume finishes exactly once per pair', { timeout: 120_000 }, async () => {
    // A few hundred pairs are enough: the lock below, not the size of the run, makes sure it cannot finish first.
    const big = await generateMimicLike({ outDir: path.join(dir, 'big'), textBytes: 3_000_000, seed: 3, annotatedNotes: 200 });
    const bigDb = path.join(dir, 'big.db');
    expect(medbench('import', '--annotations', big.annotationsPath, '--notes', big.notesPath, '--db', bigDb).code).toBe(0);
    const child = spawn(process.execPath, [MEDBENCH_BIN, 'run', '--model', 'baseline', '--name', 'interrupted', '--db', bigDb, '--json'], { env: { ...process.env, MEDBENCH_HOME: path.join(dir, 'home') } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once predictions are being written, as a user pressing Ctrl-C mid-run would. To make
    // the stop deterministic, the test then holds SQLite's write lock: the run cannot commit (so
    // cannot finish) until Ctrl-C has been delivered; it then commits the pair it holds and stops.
    const blocker = new Database(bigDb, { timeout: 10_000 });
    const count = () => (blocker.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
    for (let i = 0; i < 3000 && count() < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    blocker.exec('BEGIN IMMEDIATE');
    const planned = (blocker.prepare("SELECT count(*) AS n FROM run_pairs p JOIN runs r ON r.id = p.run_id WHERE r.name = 'interrupted'").get() as { n: number }).n;
    const before = count();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(planned);
    child.kill('SIGINT');
    // The signal is delivered; the run is still waiting for the lock. Let it go.
    await new Promise((resolve) => setTimeout(resolve, 200));
    blocker.exec('COMMIT');
    blocker.close();
    const code = await closed;
    const stopped = JSON.parse(stdout);
    expect(stopped.status).toBe('stopped');
    expect(code).toBe(130);
    expect(stderr).toMatch(/medbench run --resume interrupted/);
    expect(stopped.n).toBeLessThan(stopped.planned);
    const resumed = JSON.parse(medbench('run', '--resume', 'interrupted', '--db', bigDb, '--json').stdout);
    expect(resumed).toMatchObject({ status: 'finished', n: stopped.planned });
    expect(resumed.predictedNow).toBe(stopped.planned - stopped.n);
  });
});
