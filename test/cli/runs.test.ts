import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { registerRun } from '../../src/cli/commands/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/database';
import { registerCompare } from '../../src/cli/commands/compare';
import { registerRuns, registerRunsManagement } from '../../src/cli/commands/runs';
import { runMedbench } from '../helpers/cli';
import { runInProcess } from '../helpers/cli-in-process';
import { answer, createRunsFixture, type RunsFixture } from '../helpers/runs-fixture';

let f: RunsFixture;
let dbPath: string;
/** In this process (fast); the lifecycle tests below use the real binary. */
const medbench = (...args: string[]) => runInProcess([registerRuns, registerRunsManagement, registerCompare], args);
const binary = (...args: string[]) => runMedbench(f.dir, args);

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

beforeAll(async () => {
  f = await createRunsFixture();
  dbPath = f.dbPath;
  f.runWith('always-yes', f.pairs, () => answer(true));
  f.runWith('oracle', f.pairs, (p) => answer(p.gold, p.goldSentences));
  f.runWith('short', f.pairs.slice(0, 10), (p) => answer(!p.gold));
  const killed = f.runWith('killed', f.pairs, (p, i) => (i < 5 ? answer(p.gold) : undefined), { backend: 'baseline' });
  // What SIGKILL leaves behind: status running, owner pid of a process that no longer exists.
  f.db.prepare("UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?").run(deadPid(), killed.id);
  f.runWith('doomed', f.pairs.slice(0, 3), (p) => answer(p.gold));
  f.db.close();
});
afterAll(() => {
  f.close();
});

describe('medbench score: trust', () => {
  it('prints n/a (not 0.0%) for undefined metrics, flags small chapters, and warns about a degenerate run', async () => {
    const result = await medbench('score', 'always-yes', '--by', 'chapter', '--resamples', '200', '--db', dbPath);
    expect(result.code, result.stderr).toBe(0);
    // Always True: MCC is undefined; a chapter with only gold-False pairs has undefined recall.
    expect(result.stdout).toMatch(/MCC\s+n\/a/);
    expect(result.stdout).toMatch(/balanced accuracy\s+50\.0%/);
    expect(result.stdout).toMatch(/ \*\s+\d/);
    expect(result.stdout).toContain('fewer than 10 pairs');
    expect(result.stdout).toMatch(/Warning: "always-yes" answers True for 100% of its \d+ answered pairs/);
    expect(result.stdout).toMatch(/always True\s+/);
    expect(result.stdout).toMatch(/lexical baseline\s+/);
    // No group line may show an undefined ratio as 0.0%: every group with no gold positives says n/a for recall.
    for (const line of result.stdout.split('\n').filter((l) => /^\S.*\s(\d+)\s+0\s+\d+\s+0\s+\d+\s/.test(l))) expect(line).toContain('n/a');
  });

  it('gives null for undefined metrics in JSON, with warnings and references', async () => {
    const result = await medbench('score', 'always-yes', '--by', 'chapter', '--resamples', '200', '--json', '--db', dbPath);
    expect(result.code, result.stderr).toBe(0);
    const score = JSON.parse(result.stdout);
    expect(score.mcc).toBeNull();
    expect(score.warnings.map((w: { kind: string }) => w.kind)).toEqual(expect.arrayContaining(['degenerate', 'external']));
    expect(score.references.map((r: { reference: string }) => r.reference)).toEqual(['always-true', 'always-false', 'baseline']);
    const noPositives = score.breakdown.groups.find((g: { metrics: { tp: number; fn: number } }) => g.metrics.tp + g.metrics.fn === 0);
    if (noPositives) expect(noPositives.metrics.recall).toBeNull();
    expect(score.breakdown.groups.every((g: { smallN: boolean; metrics: { n: number } }) => g.smallN === g.metrics.n < 10)).toBe(true);
  });

  it('refuses an unknown run with a clear error instead of another run', async () => {
    const result = await medbench('score', 'doesnotexist', '--db', dbPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no run named "doesnotexist".*runs: always-yes/);
    expect(result.stdout).toBe('');
  });
});

describe('medbench compare: reference rows and fewer pairs', () => {
  it('adds always-True/always-False/baseline rows and notes runs compared on fewer pairs than planned', async () => {
    const result = await medbench('compare', 'oracle', 'always-yes', 'short', '--resamples', '200', '--db', dbPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Reference on the same pairs (not ranked)');
    expect(result.stdout).toMatch(/always False\s+n\/a\s+0\.0%/);
    expect(result.stdout).toMatch(/Note: "oracle" is compared on 10 of its \d+ planned pairs/);
    const json = JSON.parse((await medbench('compare', 'oracle', 'short', '--resamples', '200', '--json', '--db', dbPath)).stdout);
    expect(json.plannedB).toBe(10);
    expect(json.warnings.some((w: { kind: string; run: string }) => w.kind === 'fewer-pairs' && w.run === 'oracle')).toBe(true);
  });
});

describe('medbench run --prompt NAME|FILE', () => {
  it('refuses an unknown preset and a template with unknown placeholders before anything runs', async () => {
    const run = (...args: string[]) => runInProcess([registerRun], args);
    const unknown = await run('run', '--model', 'baseline', '--name', 'p', '--prompt', 'implicit', '--db', dbPath);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no prompt preset or file named "implicit" \(presets: default, implicit-evidence, minimal/);
    const file = path.join(f.dir, 'bad-prompt.txt');
    fs.writeFileSync(file, '{{note}} {{concept}} {{desc}}');
    const bad = await run('run', '--model', 'baseline', '--name', 'p', '--prompt', file, '--db', dbPath);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown placeholder \{\{concept\}\}.*\{\{code\}\} is missing/);
    expect((await medbench('runs', '--json', '--db', dbPath)).stdout).not.toContain('"name": "p"');
  });
});

describe('medbench runs: lifecycle', () => {
  it('shows a run whose process is gone as interrupted, with the resume hint, and imported runs without strategy or time', async () => {
    const result = await medbench('runs', '--db', dbPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/killed\s+interrupted/);
    expect(result.stdout).toContain('medbench run --resume killed');
    expect(result.stdout).toMatch(/oracle\s+finished\s+demo\s+\S*\s*\d+\/\d+\s+0\s+n\/a\s+n\/a/);
    const json = JSON.parse((await medbench('runs', '--json', '--db', dbPath)).stdout) as { name: string; status: string; resumable: boolean; strategy: string | null; seconds: number | null }[];
    expect(json.find((r) => r.name === 'killed')).toMatchObject({ status: 'interrupted', resumable: true });
    expect(json.find((r) => r.name === 'oracle')).toMatchObject({ strategy: null, seconds: null });
    const score = JSON.parse((await medbench('score', 'killed', '--resamples', '200', '--json', '--db', dbPath)).stdout);
    expect(score.status).toBe('interrupted');
    expect(score.warnings.map((w: { kind: string }) => w.kind)).toContain('interrupted');
  });

  it('renames a run and deletes one only with --yes off a terminal, writing the audit log', async () => {
    const renamed = await medbench('runs', 'rename', 'doomed', 'doomed-2', '--db', dbPath);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect((await medbench('runs', 'rename', 'doomed-2', 'oracle', '--db', dbPath)).stderr).toMatch(/already exists/);
    const refused = await medbench('runs', 'delete', 'doomed-2', '--db', dbPath);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const deleted = binary('runs', 'delete', 'doomed-2', '--yes', '--json', '--db', dbPath);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: 'doomed-2', predictions: 3 });
    const db = openStore(dbPath, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM runs WHERE name LIKE 'doomed%'").get()).toEqual({ n: 0 });
      const events = db.prepare("SELECT kind, subject FROM audit_events WHERE kind IN ('run-rename', 'run-delete') ORDER BY id").all();
      expect(events).toEqual([{ kind: 'run-rename', subject: 'doomed-2' }, { kind: 'run-delete', subject: 'doomed-2' }]);
    } finally {
      db.close();
    }
    expect((await medbench('runs', 'delete', 'nope', '--yes', '--db', dbPath)).stderr).toMatch(/no run named "nope"/);
  });
});
