import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreApi, type CoreApi } from '../../src/core/api';
import { parseRawOutput } from '../../src/core/api-workflow';
import { savePrediction } from '../../src/core/engine/runs';
import { readZip } from '../helpers/zip';
import { dispatchCall, type CallName, type CallResponse, type EventName, type EventPayload } from '../../src/shared/contract';
import { answer, createRunsFixture, type RunsFixture } from '../helpers/runs-fixture';

let f: RunsFixture;
let api: CoreApi;
const home = process.env.HOME;

/** Through dispatchCall, as IPC and HTTP do: the request and the response are validated by the contract. */
async function call<N extends CallName>(name: N, request: unknown): Promise<CallResponse<N>> {
  const result = (await dispatchCall(api.handlers, name, request)) as CallResponse<N> | { error: { kind: string; message: string } };
  if (result && typeof result === 'object' && 'error' in result) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result as CallResponse<N>;
}
async function callError(name: CallName, request: unknown): Promise<{ kind: string; message: string; hint?: { action: string; run?: string } }> {
  const result = (await dispatchCall(api.handlers, name, request)) as { error?: { kind: string; message: string } };
  if (!result.error) throw new Error(`${name} succeeded: ${JSON.stringify(result).slice(0, 200)}`);
  return result.error;
}

beforeAll(async () => {
  f = await createRunsFixture();
  process.env.HOME = f.dir;
  f.runWith('always-yes', f.pairs, () => answer(true));
  f.runWith('oracle', f.pairs, (p) => answer(p.gold, p.goldSentences));
  f.runWith('short', f.pairs.slice(0, 10), (p) => answer(!p.gold));
  const killed = f.runWith('killed', f.pairs, (p, i) => (i < 5 ? answer(p.gold) : undefined), { backend: 'baseline' });
  f.db.prepare("UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?").run(spawnSync(process.execPath, ['-e', '0']).pid!, killed.id);
  // A GGUF-like run whose model wrote two JSON objects for the first pair.
  const gguf = f.runWith('two-objects', f.pairs.slice(0, 3), () => undefined, { backend: 'gguf', settings: { backend: 'gguf', promptFile: 'preset:implicit-evidence' } });
  savePrediction(f.db, gguf.id, f.pairs[0]!.id, { ...answer(null), rawOutput: '{"label": "True", "evidence": ["S1"], "rationale": "a"}\n{"label": "False", "evidence": [], "rationale": "b"}', error: 'not valid JSON' }, []);
  api = createCoreApi({ db: f.db, dbPath: f.dbPath, userDataDir: f.dir });
});
afterAll(async () => {
  process.env.HOME = home;
  await api?.dispose();
  f.close();
});

describe('trust through the contract', () => {
  it('scoreRun: null for undefined metrics, MCC, warnings, references, small chapters', async () => {
    const score = await call('scoreRun', { name: 'always-yes', resamples: 200 });
    expect(score.mcc).toBeNull();
    expect(score.balancedAccuracy).toBe(0.5);
    expect(score.warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(['degenerate', 'external']));
    expect(score.references.map((r) => r.reference)).toEqual(['always-true', 'always-false', 'baseline']);
    expect(score.references[1]!.metrics.precision).toBeNull();
    expect(score.byChapter.some((g) => g.smallN)).toBe(true);
    expect(score.strategy).toBeNull();
  });

  it('an unknown run is not-found, never another run', async () => {
    const error = await callError('scoreRun', { name: 'doesnotexist' });
    expect(error.kind).toBe('not-found');
    expect(error.message).toMatch(/no run named "doesnotexist"/);
    expect((await callError('getPairPrompt', { pairId: f.pairs[0]!.id, run: 'nope' })).kind).toBe('not-found');
    expect((await callError('compareMany', { runs: ['oracle', 'nope'] })).kind).toBe('not-found');
  });

  it('listRuns: interrupted with Resume, imported runs without strategy or time, degenerate flagged', async () => {
    const { runs } = await call('listRuns', {});
    const killed = runs.find((r) => r.name === 'killed')!;
    expect(killed).toMatchObject({ status: 'interrupted', resumable: true, hint: { action: 'resume-run', run: 'killed' } });
    expect(killed.warnings.map((w) => w.kind)).toContain('interrupted');
    const yes = runs.find((r) => r.name === 'always-yes')!;
    expect(yes).toMatchObject({ status: 'finished', resumable: false, activeSeconds: null, settings: { strategy: null } });
    expect(yes.warnings.map((w) => w.kind)).toContain('degenerate');
    expect(runs.find((r) => r.name === 'two-objects')!.prompt).toMatchObject({ name: 'implicit-evidence' });
  });

  it('compareMany: leaderboard with references, matrix, discordant cells, evidence agreement, coverage', async () => {
    const result = await call('compareMany', { runs: ['oracle', 'always-yes', 'short'], resamples: 200 });
    expect(result.n).toBe(10);
    expect(result.runs.map((r) => [r.run, r.comparedOn, r.planned])).toEqual([['oracle', 10, f.pairs.length], ['always-yes', 10, f.pairs.length], ['short', 10, 10]]);
    expect(result.leaderboard.filter((r) => r.rank === null).map((r) => r.reference)).toEqual(['always-true', 'always-false', 'baseline']);
    expect(result.matrix).toHaveLength(10);
    expect(result.discordant).toHaveLength(3);
    expect(result.evidenceAgreement).toHaveLength(3);
    expect(result.warnings.some((w) => w.kind === 'fewer-pairs')).toBe(true);
    const two = await call('compareRuns', { a: 'oracle', b: 'short', resamples: 200 });
    expect([two.plannedA, two.plannedB]).toEqual([f.pairs.length, 10]);
  });
});

describe('prompts through the contract', () => {
  it('lists presets with text and placeholders, and validates an edited prompt', async () => {
    const { presets, placeholders } = await call('listPromptPresets', {});
    expect(presets.map((p) => p.name)).toEqual(['default', 'implicit-evidence', 'minimal']);
    expect(presets[0]!.placeholders).toEqual(expect.arrayContaining(['note', 'code', 'desc']));
    expect(placeholders.filter((p) => p.required).map((p) => p.name)).toEqual(['note', 'code', 'desc']);
    const check = await call('validatePrompt', { text: '{{note}} {{cod}}' });
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.placeholder)).toEqual(['cod', 'code', 'desc']);
  });

  it('shows the rendered prompt and reports two JSON objects as such', async () => {
    const result = await call('getPairPrompt', { pairId: f.pairs[0]!.id, run: 'two-objects' });
    expect(result.prompt.name).toBe('implicit-evidence');
    expect(result.prompt.text).toContain('[S1] ');
    expect(result.prompt.text).toContain(f.pairs[0]!.code);
    expect(result.prompt.text).toMatch(/explicitly or implicitly/);
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]!.parse).toMatchObject({ kind: 'multiple-json', used: null });
    expect(result.outputs[0]!.parse.objects).toHaveLength(2);
    expect(result.outputs[0]!.parse.message).toMatch(/2 JSON objects.*not merged/);
    const baseline = await call('getPairPrompt', { pairId: f.pairs[0]!.id, run: 'killed' });
    expect(baseline.prompt).toMatchObject({ text: null, note: expect.stringMatching(/no prompt/) });
  });

  it('startRun takes a preset name or an edited text, and names bad placeholders', async () => {
    expect((await callError('startRun', { name: 'p1', model: 'baseline', prompt: 'implicit' })).message).toMatch(/no prompt preset or file named "implicit" \(presets: default, implicit-evidence, minimal/);
    const bad = await callError('startRun', { name: 'p2', model: 'baseline', promptText: '{{note}} {{concept}}' });
    expect(bad.message).toMatch(/unknown placeholder \{\{concept\}\}.*\{\{code\}\} is missing/);
    expect(bad.message).not.toContain(f.dir);
    expect(f.db.prepare("SELECT count(*) AS n FROM runs WHERE name IN ('p1', 'p2')").get()).toEqual({ n: 0 });
  });

  it('parses raw outputs: one object, text around it, nothing', () => {
    expect(parseRawOutput('{"label": "True", "evidence": [], "rationale": "x {y}"}', 'ok', 'True')).toMatchObject({ kind: 'json', used: 0 });
    expect(parseRawOutput('Sure! {"label": "False"} done', 'invalid', null)).toMatchObject({ kind: 'json', used: null });
    expect(parseRawOutput('I cannot answer', 'invalid', null)).toMatchObject({ kind: 'no-json', objects: [] });
    expect(parseRawOutput('  ', 'invalid', null).kind).toBe('empty');
  });

  it('groups runs that differ only in their prompt', async () => {
    f.runWith('exp-default', f.pairs.slice(0, 12), (p) => answer(p.gold), { backend: 'gguf', settings: { backend: 'gguf', modelId: null, promptFile: null } });
    f.runWith('exp-implicit', f.pairs.slice(0, 12), () => answer(true), { backend: 'gguf', settings: { backend: 'gguf', modelId: null, promptFile: 'preset:implicit-evidence', limit: 12 } });
    f.runWith('exp-minimal', f.pairs.slice(0, 12), (p) => answer(!p.gold), { backend: 'gguf', settings: { backend: 'gguf', modelId: null, promptFile: 'preset:minimal' } });
    const { groups } = await call('promptExperiments', {});
    const group = groups.find((g) => g.runs.some((r) => r.run === 'exp-default'))!;
    // exp-implicit has another limit: not the same experiment.
    expect(group.runs.map((r) => [r.run, r.prompt])).toEqual([['exp-default', 'default'], ['exp-minimal', 'minimal']]);
    expect(group.runs[0]!.metrics.f1).toBe(1);
  });
});

describe('runs lifecycle through the contract', () => {
  it('renames and deletes runs; unknown and duplicate names are clear errors', async () => {
    f.runWith('tmp', f.pairs.slice(0, 2), (p) => answer(p.gold));
    expect(await call('renameRun', { name: 'tmp', newName: 'tmp-2' })).toEqual({ run: 'tmp-2' });
    expect((await callError('renameRun', { name: 'tmp-2', newName: 'oracle' })).message).toMatch(/already exists/);
    expect(await call('deleteRun', { name: 'tmp-2' })).toEqual({ deleted: 'tmp-2', predictions: 2 });
    expect((await callError('deleteRun', { name: 'tmp-2' })).kind).toBe('not-found');
    const audit = f.db.prepare("SELECT kind FROM audit_events WHERE subject = 'tmp-2' ORDER BY id").all();
    expect(audit).toEqual([{ kind: 'run-rename' }, { kind: 'run-delete' }]);
  });

  it('speaks no CLI in errors and gives a hint instead', async () => {
    const error = await callError('startRun', { name: 'oracle', model: 'baseline' });
    expect(error.message).not.toMatch(/--|medbench /);
    expect(error.message).toMatch(/already exists/);
    expect(error.hint).toMatchObject({ action: 'choose-other-name' });
    expect((await callError('startRun', { name: 'x', model: 'no-such-model' })).message).not.toMatch(/medbench models/);
  });

  it('cancel leaves one consistent state: no active run once runFinished says stopped, and Resume offered', async () => {
    const seen: { event: EventName; payload: EventPayload<EventName> }[] = [];
    let activeAtFinish: unknown = 'unset';
    let statusAtFinish: string | undefined;
    const unsubscribe = api.subscribe((event, payload) => {
      seen.push({ event, payload });
      if (event === 'runFinished') {
        // What a UI reloading on the event sees, synchronously.
        void (api.handlers.listRuns({}) as Promise<CallResponse<'listRuns'>>).then((list) => {
          activeAtFinish = list.active;
          statusAtFinish = list.runs.find((r) => r.name === 'cancelled')?.status;
        });
      }
    });
    await call('startRun', { name: 'cancelled', model: 'baseline' });
    expect(await call('cancelRun', { name: 'cancelled' })).toEqual({ cancelled: true });
    for (let i = 0; i < 200 && statusAtFinish === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    unsubscribe();
    const finished = seen.find((s) => s.event === 'runFinished')!.payload as EventPayload<'runFinished'>;
    expect(finished).toMatchObject({ run: 'cancelled', status: 'stopped', resumable: true });
    expect(activeAtFinish).toBeNull();
    expect(statusAtFinish).toBe('stopped');
    const run = (await call('listRuns', {})).runs.find((r) => r.name === 'cancelled')!;
    expect(run).toMatchObject({ status: 'stopped', resumable: true, hint: { action: 'resume-run' } });
  });
});

describe('parity: files from the browser, with ~ and checks', () => {
  it('checks paths server-side with ~ expanded and a clear message', async () => {
    expect(await call('checkPath', { path: '~/out.zip', purpose: 'write-file' })).toEqual({ path: path.join(f.dir, 'out.zip'), ok: true, message: null });
    expect(await call('checkPath', { path: '~/nowhere/out.zip', purpose: 'write-file' })).toMatchObject({ ok: false, message: `the folder ${path.join(f.dir, 'nowhere')} does not exist` });
    expect(await call('checkPath', { path: '~/missing.csv', purpose: 'read-file' })).toMatchObject({ ok: false, message: `there is no file at ${path.join(f.dir, 'missing.csv')}` });
    expect(await call('checkPath', { path: '~', purpose: 'read-file' })).toMatchObject({ ok: false, message: expect.stringMatching(/is a folder/) });
  });

  it('exports a submission, writes a report and imports predictions at ~ paths', async () => {
    const exported = await call('exportSubmission', { run: 'oracle', path: '~/oracle.zip' });
    expect(exported.path).toBe(path.join(f.dir, 'oracle.zip'));
    expect(readZip(fs.readFileSync(exported.path)).map((e) => e.name)).toEqual(['predictions.csv']);
    const report = await call('writeReport', { run: 'oracle', path: '~/oracle.html', resamples: 200 });
    expect(report).toMatchObject({ format: 'html', includesText: false });
    expect(fs.readFileSync(report.path, 'utf8')).toContain('<html');
    expect((await callError('writeReport', { run: 'oracle', path: '~/oracle.txt' })).message).toMatch(/cannot tell the report format/);
    expect((await callError('exportSubmission', { run: 'oracle', path: '~/no/such/dir/x.zip' })).message).toMatch(/does not exist/);
    const csv = ['task_id,code,prediction,evidence', ...f.pairs.slice(0, 4).map((p) => `${p.taskId},${p.code},${p.gold ? 'True' : 'False'},[]`)].join('\n');
    fs.writeFileSync(path.join(f.dir, 'theirs.csv'), csv);
    const imported = await call('importPredictions', { file: '~/theirs.csv', name: 'theirs' });
    expect(imported).toMatchObject({ name: 'theirs', imported: 4, n: 4, problems: [] });
    expect((await callError('importPredictions', { file: '~/nope.csv', name: 'x' })).message).toBe(`there is no file at ${path.join(f.dir, 'nope.csv')}`);
  });
});
