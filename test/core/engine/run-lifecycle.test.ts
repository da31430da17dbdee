import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteRun, effectiveStatus, renameRun, runState } from '../../../src/core/engine/run-lifecycle';
import { getRun } from '../../../src/core/engine/runs';
import { answer, createRunsFixture, type RunsFixture } from '../../helpers/runs-fixture';

let f: RunsFixture;
beforeEach(async () => {
  f = await createRunsFixture();
});
afterEach(() => f.close());

const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('run lifecycle', () => {
  it('reads a running run whose writer is gone as interrupted, and one with a live writer as running', () => {
    expect(effectiveStatus({ status: 'running' }, deadPid())).toBe('interrupted');
    expect(effectiveStatus({ status: 'running' }, null)).toBe('interrupted');
    expect(effectiveStatus({ status: 'running' }, process.pid)).toBe('running');
    expect(effectiveStatus({ status: 'finished' }, null)).toBe('finished');
    const run = f.runWith('r', f.pairs.slice(0, 4), (p, i) => (i < 2 ? answer(p.gold) : undefined), { backend: 'baseline' });
    f.db.prepare("UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?").run(deadPid(), run.id);
    expect(runState(f.db, getRun(f.db, 'r'))).toEqual({ status: 'interrupted', resumable: true, hint: { action: 'resume-run', run: 'r' } });
  });

  it('refuses to rename or delete a run a live process is writing', () => {
    const run = f.runWith('live', f.pairs.slice(0, 4), () => undefined, { backend: 'baseline' });
    f.db.prepare("UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?").run(process.pid, run.id);
    expect(() => deleteRun(f.db, 'live')).toThrow(/being written right now/);
    expect(() => renameRun(f.db, 'live', 'other')).toThrow(/being written right now/);
    expect(getRun(f.db, 'live').planned).toBe(4);
  });

  it('deletes the plan and predictions with the run, and keeps other runs intact', () => {
    f.runWith('a', f.pairs.slice(0, 4), (p) => answer(p.gold));
    f.runWith('b', f.pairs.slice(0, 4), (p) => answer(p.gold));
    expect(deleteRun(f.db, 'a')).toEqual({ deleted: 'a', predictions: 4 });
    expect(f.db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 4 });
    expect(f.db.prepare('SELECT count(*) AS n FROM run_pairs').get()).toEqual({ n: 4 });
    expect(() => renameRun(f.db, 'b', ' b')).toThrow(/not a usable run name/);
    expect(renameRun(f.db, 'b', 'b2').name).toBe('b2');
  });
});
