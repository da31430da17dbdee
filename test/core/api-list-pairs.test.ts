import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreApi, type CoreApi } from '../../src/core/api';
import { importDataset } from '../../src/core/data/import';
import { executeRun } from '../../src/core/engine/runner';
import { prepareNewRun } from '../../src/core/engine/start-run';
import { openStore, type Db } from '../../src/core/store/database';
import type { CallResponse } from '../../src/shared/contract';
import { demoFiles } from '../e2e/build-renderer';

/** listPairs' "gold evidence missed" filter and per-pair evidence recall, checked against getPair. */
describe('listPairs evidence recall and evidenceMissed', () => {
  let dir: string;
  let db: Db;
  let api: CoreApi;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-api-pairs-'));
    db = openStore(path.join(dir, 'test.db'));
    await importDataset(db, { dataset: 'demo', annotations: demoFiles.annotations, notes: demoFiles.notes, format: 'raw' });
    const prepared = await prepareNewRun(db, { name: 'base', model: 'baseline', limit: 40 });
    await executeRun(db, prepared.run, prepared.backend);
    await prepared.backend.dispose();
    api = createCoreApi({ db, dbPath: path.join(dir, 'test.db'), userDataDir: dir });
  });
  afterAll(async () => {
    await api?.dispose();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async <T>(value: unknown): Promise<T> => {
    const result = await value;
    if (result && typeof result === 'object' && 'error' in result) throw new Error(JSON.stringify(result));
    return result as T;
  };

  it('gives each answered pair with gold evidence the recall getPair shows, and filters the zero ones', async () => {
    const all = await call<CallResponse<'listPairs'>>(api.handlers.listPairs({ dataset: 'demo', run: 'base' }));
    const missed = await call<CallResponse<'listPairs'>>(api.handlers.listPairs({ dataset: 'demo', run: 'base', evidenceMissed: true }));
    const expectedMissed: number[] = [];
    let withRecall = 0;
    for (const row of all.pairs) {
      const detail = await call<CallResponse<'getPair'>>(api.handlers.getPair({ pairId: row.pairId }));
      const prediction = detail.predictions.find((p) => p.run === 'base');
      expect(row.evidenceRecall).toBe(prediction?.evidenceRecall ?? null);
      if (row.evidenceRecall !== null) withRecall++;
      if (prediction?.evidenceRecall === 0) expectedMissed.push(row.pairId);
    }
    // The demo set and the baseline give both kinds: pairs whose gold the run found and pairs it missed.
    expect(withRecall).toBeGreaterThan(expectedMissed.length);
    expect(expectedMissed.length).toBeGreaterThan(0);
    expect(missed.pairs.map((p) => p.pairId)).toEqual(expectedMissed);
    // Without a run no pair has an answer, so nothing is "missed".
    const noRun = await call<CallResponse<'listPairs'>>(api.handlers.listPairs({ dataset: 'demo', evidenceMissed: true }));
    expect(noRun.pairs).toEqual([]);
  });
});
