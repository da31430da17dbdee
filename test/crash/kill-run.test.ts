import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimicLike } from '../../bench/generate-notes';
import { importDataset } from '../../src/core/data/import';
import { openStore } from '../../src/core/store/database';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';
import { ensureTinyModel } from '../helpers/tiny-gguf';
import { cliEnv, finished, integrityOf, medbench, spawnMedbench, sleep, withReader } from './medbench-process';

/**
 * Kill probes: a run is SIGKILLed at random moments (no handler runs, like a power cut or the OOM
 * killer). Afterwards the database must be sound, keep every prediction a reader saw committed just
 * before the kill, hold no duplicate, and `--resume` must finish with exactly one prediction per pair.
 */
const TRIALS = 20;
const PARALLEL = 2;
let dir: string;
let template: string;
let planned: number;

beforeAll(async () => {
  dir = tempDir('medbench-kill-run-');
  // Big enough that the baseline takes a second or two, so kills land mid-run.
  const generated = await generateMimicLike({ outDir: path.join(dir, 'data'), textBytes: 3_000_000, annotatedNotes: 300, seed: 11 });
  template = path.join(dir, 'template.db');
  const db = openStore(template);
  const report = await importDataset(db, { annotations: generated.annotationsPath, notes: generated.notesPath, format: 'raw' });
  db.close();
  planned = report.pairs;
  expect(planned).toBeGreaterThan(400);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A deterministic sequence, so a failing trial can be replayed. */
function trialRandom(seed: number): () => number {
  let state = seed * 2654435761;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

interface TrialOutcome {
  seenBeforeKill: number;
  afterKill: number;
  exitedBeforeKill: boolean;
}

/** The pair ids with a committed prediction, read by an independent connection. */
function committedPairs(dbPath: string): Set<number> {
  try {
    return withReader(dbPath, (db) => {
      const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'predictions'").get();
      if (!hasTable) return new Set<number>();
      return new Set((db.prepare('SELECT pair_id FROM predictions').pluck().all() as number[]));
    });
  } catch {
    return new Set();
  }
}

async function killTrial(trial: number, source: string, runArgs: readonly string[], expectedPairs: number, maxDelayMs: number, env: NodeJS.ProcessEnv): Promise<TrialOutcome> {
  const random = trialRandom(trial + 1);
  const db = path.join(dir, `trial-${trial}-${runArgs[4]}.db`);
  fs.copyFileSync(source, db);
  const child = spawnMedbench([...runArgs, '--db', db], env);
  const result = finished(child);
  let exited = false;
  void result.then(() => (exited = true));
  // Half the trials die at any moment from start-up on; the others after the first commit, mid-run.
  const afterFirstCommit = trial % 2 === 1;
  if (afterFirstCommit) {
    const deadline = Date.now() + 60_000;
    while (!exited && committedPairs(db).size === 0 && Date.now() < deadline) await sleep(5);
  }
  const delay = random() * maxDelayMs;
  const until = Date.now() + delay;
  let seen = committedPairs(db);
  while (!exited && Date.now() < until) {
    await sleep(Math.min(15, Math.max(0, until - Date.now())));
    seen = committedPairs(db);
  }
  const exitedBeforeKill = exited;
  child.kill('SIGKILL');
  await result;

  expect(integrityOf(db), `trial ${trial}`).toBe('ok');
  const after = withReader(db, (reader) => ({
    pairs: new Set(reader.prepare('SELECT pair_id FROM predictions').pluck().all() as number[]),
    rows: (reader.prepare('SELECT count(*) FROM predictions').pluck().get() as number),
    orphanSamples: (reader.prepare('SELECT count(*) FROM prediction_samples s WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.id = s.prediction_id)').pluck().get() as number),
    runs: (reader.prepare('SELECT count(*) FROM runs').pluck().get() as number),
  }));
  for (const pair of seen) expect(after.pairs.has(pair), `trial ${trial}: prediction for pair ${pair} was committed before the kill`).toBe(true);
  expect(after.rows, `trial ${trial}: duplicates`).toBe(after.pairs.size);
  expect(after.orphanSamples).toBe(0);

  if (after.runs === 0) {
    // Killed before the run was created: starting it again is the way on.
    const again = await medbench([...runArgs, '--db', db, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
  } else {
    const resumed = await medbench(['run', '--resume', runArgs[4]!, '--db', db, '--json'], env);
    expect(resumed.code, `trial ${trial}: ${resumed.stderr}`).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ n: expectedPairs, planned: expectedPairs, status: 'finished' });
  }
  const final = withReader(db, (reader) => ({
    rows: reader.prepare('SELECT count(*) FROM predictions').pluck().get() as number,
    distinct: reader.prepare('SELECT count(DISTINCT pair_id) FROM predictions').pluck().get() as number,
    unplanned: reader.prepare('SELECT count(*) FROM predictions p WHERE NOT EXISTS (SELECT 1 FROM run_pairs rp WHERE rp.run_id = p.run_id AND rp.pair_id = p.pair_id)').pluck().get() as number,
    unpredicted: reader.prepare('SELECT count(*) FROM run_pairs rp WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.run_id = rp.run_id AND p.pair_id = rp.pair_id)').pluck().get() as number,
  }));
  expect(final, `trial ${trial}`).toEqual({ rows: expectedPairs, distinct: expectedPairs, unplanned: 0, unpredicted: 0 });
  const check = await medbench(['check', '--db', db, '--json'], env);
  expect(check.code, check.stdout).toBe(0);
  fs.rmSync(db, { force: true });
  return { seenBeforeKill: seen.size, afterKill: after.pairs.size, exitedBeforeKill };
}

async function inBatches(count: number, work: (trial: number) => Promise<TrialOutcome>): Promise<TrialOutcome[]> {
  const outcomes: TrialOutcome[] = [];
  for (let start = 0; start < count; start += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, count - start) }, (_, i) => work(start + i));
    outcomes.push(...(await Promise.all(batch)));
  }
  return outcomes;
}

describe('SIGKILL during a run', () => {
  it(`baseline: ${TRIALS} kills at random moments lose nothing committed, duplicate nothing, and resume to one prediction per pair`, async () => {
    const env = cliEnv(path.join(dir, 'home'));
    const outcomes = await inBatches(TRIALS, (trial) => killTrial(trial, template, ['run', '--model', 'baseline', '--name', 'k'], planned, 1500, env));
    const midRun = outcomes.filter((o) => !o.exitedBeforeKill && o.afterKill > 0 && o.afterKill < planned);
    // The probe is only worth something if most kills really hit a run in progress.
    expect(midRun.length, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(TRIALS / 2);
  }, 600_000);

  it(`GGUF (tiny generated model): ${TRIALS} kills at random moments, then resume`, async () => {
    const model = await ensureTinyModel(path.join(dir, 'models'));
    const env = cliEnv(path.join(dir, 'home'));
    // Short notes: a CPU-only tiny model still needs a while per prompt on a small machine.
    const text = (n: number) => `Brief Hospital Course:\nPatient ${n} has atrial fibrillation.\nBlood pressure was high, treated with lisinopril.\n`;
    const notes = writeFile(dir, 'short-notes.csv', notesCsv([1, 2, 3].map((n) => ({ subjectId: String(n), hadmId: String(10 * n), text: text(n) }))));
    const annotations = writeFile(dir, 'short-annotations.csv', annotationsCsv([1, 2, 3].flatMap((n) => [
      { taskId: `${n}_${10 * n}`, code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, spans: spansOf(text(n), 'atrial fibrillation') },
      { taskId: `${n}_${10 * n}`, code: 'I10', desc: 'Essential (primary) hypertension', gold: true, spans: spansOf(text(n), 'Blood pressure was high') },
    ])));
    const shortTemplate = path.join(dir, 'short.db');
    const db = openStore(shortTemplate);
    await importDataset(db, { annotations, notes, format: 'raw' });
    db.close();
    // One thread per run: two trials run at once on a 2-core machine, and llama.cpp threads that
    // compete for cores slow down by an order of magnitude.
    const pairs = 6;
    const outcomes = await inBatches(TRIALS, (trial) =>
      killTrial(100 + trial, shortTemplate, ['run', '--model', model, '--name', 'g', '--gpu', 'cpu', '--threads', '1', '--max-tokens', '64'], pairs, 6_000, env),
    );
    expect(outcomes.some((o) => !o.exitedBeforeKill), JSON.stringify(outcomes)).toBe(true);
  }, 600_000);
});
