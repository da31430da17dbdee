/**
 * `medbench runs --json` and `medbench run --json` are public contracts built from the one run summary
 * (src/core/engine/run-summary.ts). The snapshot was recorded with the code from before they shared it,
 * so it pins every field name, value and key order byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRun } from '../../src/cli/commands/run';
import { registerRuns } from '../../src/cli/commands/runs';
import { runInProcess } from '../helpers/cli-in-process';
import type { RunsFixture } from '../helpers/runs-fixture';
import { createRunSummaryFixture } from '../helpers/run-summary-fixture';

let f: RunsFixture;
const medbench = (...args: string[]) => runInProcess([registerRun, registerRuns], args);

beforeAll(async () => {
  f = await createRunSummaryFixture();
});
afterAll(() => {
  f.close();
});

describe('a run summary in the CLI JSON', () => {
  it('medbench runs --json', async () => {
    const result = await medbench('runs', '--json', '--db', f.dbPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatchSnapshot();
  });

  it('medbench run --resume NAME --json of a finished run', async () => {
    for (const name of ['imported', 'server']) {
      const result = await medbench('run', '--resume', name, '--json', '--db', f.dbPath);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatchSnapshot(name);
    }
  });
});
