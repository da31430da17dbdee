/**
 * A run's public summary is a contract in four outputs: `medbench runs --json` and `medbench run --json`
 * (test/cli/run-summary-json.test.ts), the report's `run` object and the UI's listRuns (here). The
 * snapshots were recorded before they were built by one function, so they pin every field name, value
 * and key order byte for byte; the unit tests say which rule each view keeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreApi } from '../../../src/core/api';
import { getRun } from '../../../src/core/engine/runs';
import { cliRunJson, cliRunsJson, contractRunSummary, reportRunJson, summariseRun } from '../../../src/core/engine/run-summary';
import { buildReport } from '../../../src/core/export/report';
import { dispatchCall } from '../../../src/shared/contract';
import type { RunsFixture } from '../../helpers/runs-fixture';
import { createRunSummaryFixture, SUMMARY_RUNS } from '../../helpers/run-summary-fixture';

let f: RunsFixture;
const home = process.env.HOME;

beforeAll(async () => {
  f = await createRunSummaryFixture();
  process.env.HOME = f.dir;
});
afterAll(() => {
  process.env.HOME = home;
  f.close();
});

describe('a run summary in its four public outputs', () => {
  it("the report's run object", () => {
    for (const name of SUMMARY_RUNS) {
      // As `report --format json` writes it: JSON.stringify keeps the key order of the object built.
      expect(JSON.stringify(buildReport(f.db, name, { resamples: 20 }).run, null, 2)).toMatchSnapshot(name);
    }
  });

  it('listRuns through the contract', async () => {
    const api = createCoreApi({ db: f.db, dbPath: f.dbPath, userDataDir: f.dir });
    try {
      const response = (await dispatchCall(api.handlers, 'listRuns', {})) as { runs: unknown[] };
      expect(JSON.stringify(response.runs, null, 2)).toMatchSnapshot();
    } finally {
      await api.dispose();
    }
  });
});

describe('summariseRun', () => {
  const summary = (name: string) => summariseRun(f.db, getRun(f.db, name));

  it('computes interrupted on read; the report and `run --json` keep the stored status', () => {
    const s = summary('killed');
    expect(s).toMatchObject({ storedStatus: 'running', status: 'interrupted', resumable: true, hint: { action: 'resume-run', run: 'killed' } });
    expect(s.warnings.map((w) => w.kind)).toEqual(['interrupted']);
    expect(cliRunsJson(s).status).toBe('interrupted');
    expect(contractRunSummary(s).status).toBe('interrupted');
    expect(cliRunJson(s).status).toBe('running');
    expect(reportRunJson(s).status).toBe('running');
  });

  it('gives imported predictions no strategy and no time, except the report, which shows the stored seconds', () => {
    const s = summary('imported');
    expect(s).toMatchObject({ strategy: null, seconds: null, activeSeconds: 12.5, prompt: null, resumable: false });
    expect(s.warnings.map((w) => w.kind)).toEqual(['external', 'degenerate']);
    expect(reportRunJson(s).activeSeconds).toBe(12.5);
    expect(contractRunSummary(s).activeSeconds).toBeNull();
  });

  it("names the model by the UI's rule (registered model, else the server's) and the CLI's (the manifest's file)", () => {
    expect(summary('gguf')).toMatchObject({ model: null, modelFile: 'tiny.gguf', prompt: { name: 'minimal', hash: 'abc123' } });
    expect(summary('server')).toMatchObject({ model: 'Qwen/Qwen2.5-7B-Instruct', modelFile: 'Qwen/Qwen2.5-7B-Instruct' });
    expect(summary('baseline')).toMatchObject({ model: 'baseline', modelFile: 'baseline', prompt: null });
  });

  it("keeps the stored error for the CLI and words it for the UI without flags", () => {
    const s = summary('gguf');
    expect(cliRunsJson(s).error).toBe('model failed: see --verbose');
    expect(contractRunSummary(s).error).toBe('model failed: see verbose');
  });
});
