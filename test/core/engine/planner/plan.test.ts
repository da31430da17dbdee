/**
 * The planner against the run it predicts, on the tiny model: prompt tokens must match exactly (same tokenizer,
 * same windows, same reuse rule); times are not asserted (speed is the bench's business).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../../src/core/data/import';
import { planRun, predictLoadedRun, recordPlanActual } from '../../../../src/core/engine/planner/plan';
import { executeRun } from '../../../../src/core/engine/runner';
import { getRun } from '../../../../src/core/engine/runs';
import { prepareNewRun } from '../../../../src/core/engine/start-run';
import { openStore, type Db } from '../../../../src/core/store/database';
import { tempDir } from '../../../helpers/mimic-files';
import { ensureTinyModel } from '../../../helpers/tiny-gguf';

const DEMO = path.resolve('resources/demo');
let db: Db;
let modelPath: string;
const dir = tempDir();

const savedHome = process.env.MEDBENCH_HOME;

beforeAll(async () => {
  // The backend keeps start-up facts (the prompt frame) under the user data folder: this test's own.
  process.env.MEDBENCH_HOME = dir;
  modelPath = await ensureTinyModel();
  db = openStore(path.join(dir, 'plan.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
});

afterAll(() => {
  if (savedHome === undefined) delete process.env.MEDBENCH_HOME;
  else process.env.MEDBENCH_HOME = savedHome;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('planRun', () => {
  // naive's accounting is covered by token-count.test.ts; one strategy keeps this file quick.
  it('counts exactly the prompt tokens the run then evaluates, windows included', async () => {
    for (const strategy of ['note-major'] as const) {
      const options = { model: modelPath, limit: 2, strategy, backendOptions: { threads: 1, contextSize: 4096, rationale: 'off' } };
      const plan = await planRun(db, options);
      expect(plan.answers).toBeGreaterThanOrEqual(2); // x windows: demo notes do not fit 4096 tokens
      expect(plan).toMatchObject({ backend: 'gguf', pairs: 2, strategy, settings: { rationale: false, decoding: 'fast' } });
      expect(plan.predictedSeconds).toBeGreaterThan(plan.startupSeconds);
      // The calibration's round decodes the first note's concepts together (up to the concepts in flight).
      expect(plan.calibration).toMatchObject({ answers: 2, roundSize: 2 });
      expect(plan.calibration.secondsPerRound).toBeGreaterThanOrEqual(plan.calibration.secondsPerAnswer);
      expect(plan.generatedTokens).toBeGreaterThan(0);
      expect(plan.memory.ramBytes).toBeGreaterThan(0);

      // The run as `run --plan` makes it: predicted with the loaded model, then actual recorded in the manifest.
      const prepared = await prepareNewRun(db, { ...options, name: `plan-${strategy}` });
      try {
        const predicted = await predictLoadedRun(db, prepared.run, prepared.backend);
        expect(predicted).toMatchObject({ promptTokens: plan.promptTokens, answers: plan.answers });
        await executeRun(db, prepared.run, prepared.backend);
      } finally {
        await prepared.backend.dispose();
      }
      recordPlanActual(db, `plan-${strategy}`, 1000);
      const run = getRun(db, `plan-${strategy}`);
      expect(run.done).toBe(2);
      expect(plan.promptTokens).toBe(run.promptTokens);
      expect(plan.reusedTokens).toBe(run.reusedTokens);
      // Generated tokens are estimated from the calibration's answers, which are of one window each, as every answer.
      expect(plan.generatedTokens).toBe(Math.round(plan.calibration.generatedTokensPerAnswer * plan.answers));
      expect(run.manifest.plan).toMatchObject({
        predicted: { promptTokens: run.promptTokens },
        // The calibration's seconds are not part of the run.
        actual: { wallSeconds: expect.closeTo(1000 - (run.manifest.plan as { predicted: { calibrationSeconds: number } }).predicted.calibrationSeconds, 6), promptTokens: run.promptTokens, generatedTokens: run.generatedTokens, pairs: 2 },
        timeError: expect.any(Number),
      });
    }
  }, 240_000);

  it('refuses other backends with a clear error', async () => {
    await expect(planRun(db, { model: 'baseline' })).rejects.toThrow(/plan predicts runs of GGUF models/);
  });
});
