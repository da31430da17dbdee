import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimicLike, type GenerateResult } from '../../bench/generate-notes';
import { importDataset } from '../../src/core/data/import';
import { openStore } from '../../src/core/store/database';
import { tempDir } from '../helpers/mimic-files';
import { cliEnv, finished, importFingerprint, integrityOf, medbench, spawnMedbench, sleep } from './medbench-process';

/**
 * A SIGKILLed import leaves either the previous state or the complete new import, never a mix:
 * the import is one transaction, and SQLite's WAL recovery drops the frames of an uncommitted one.
 */
const TRIALS = 20;
let dir: string;
let previous: string;
let next: GenerateResult;
let previousFingerprint: string;
let newFingerprint: string;
let fullImportMs: number;

beforeAll(async () => {
  dir = tempDir('medbench-kill-import-');
  const old = await generateMimicLike({ outDir: path.join(dir, 'old'), textBytes: 600_000, annotatedNotes: 60, seed: 5 });
  next = await generateMimicLike({ outDir: path.join(dir, 'new'), textBytes: 6_000_000, annotatedNotes: 600, seed: 6 });
  previous = path.join(dir, 'previous.db');
  const db = openStore(previous);
  await importDataset(db, { annotations: old.annotationsPath, notes: old.notesPath, format: 'raw' });
  db.close();
  previousFingerprint = importFingerprint(previous);

  const reference = path.join(dir, 'reference.db');
  fs.copyFileSync(previous, reference);
  const started = performance.now();
  const full = await medbench(['import', '--annotations', next.annotationsPath, '--notes', next.notesPath, '--db', reference, '--json'], cliEnv(path.join(dir, 'home')));
  fullImportMs = performance.now() - started;
  expect(full.code, full.stderr).toBe(0);
  expect(JSON.parse(full.stdout).outcome).toBe('changed');
  newFingerprint = importFingerprint(reference);
  expect(newFingerprint).not.toBe(previousFingerprint);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL during an import', () => {
  it(`${TRIALS} kills at random moments leave the previous state or the complete new import`, async () => {
    const env = cliEnv(path.join(dir, 'home'));
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const db = path.join(dir, `trial-${trial}.db`);
      fs.copyFileSync(previous, db);
      const child = spawnMedbench(['import', '--annotations', next.annotationsPath, '--notes', next.notesPath, '--db', db], env);
      const result = finished(child);
      let exited = false;
      void result.then(() => (exited = true));
      let killedMidTransaction = false;
      if (trial % 2 === 0) {
        // Spread over the whole import, start-up included.
        await sleep(((trial + 1) / TRIALS) * fullImportMs);
      } else {
        // Wait for the import's transaction to spill pages into the WAL: it is writing, not yet committed.
        const wal = `${db}-wal`;
        const deadline = Date.now() + 30_000;
        while (!exited && Date.now() < deadline && !(fs.existsSync(wal) && fs.statSync(wal).size > 64 * 1024)) await sleep(2);
        killedMidTransaction = !exited;
        await sleep(trial % 3);
      }
      child.kill('SIGKILL');
      await result;
      expect(integrityOf(db), `trial ${trial}`).toBe('ok');
      const fingerprint = importFingerprint(db);
      const state = fingerprint === previousFingerprint ? 'previous' : fingerprint === newFingerprint ? 'new' : 'MIXED';
      expect(state, `trial ${trial}`).not.toBe('MIXED');
      outcomes.push(`${state}${killedMidTransaction ? ' (mid-transaction)' : ''}`);
      // Importing again after the kill completes the job.
      const again = await medbench(['import', '--annotations', next.annotationsPath, '--notes', next.notesPath, '--db', db, '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(importFingerprint(db), `trial ${trial}`).toBe(newFingerprint);
      expect(JSON.parse(again.stdout).pairs).toBe(next.pairs);
      fs.rmSync(db, { force: true });
    }
    // Kills that hit a transaction in progress must have rolled it back.
    expect(outcomes.some((o) => o === 'previous (mid-transaction)'), outcomes.join(', ')).toBe(true);
    expect(outcomes).toContain('previous');
  }, 600_000);
});
