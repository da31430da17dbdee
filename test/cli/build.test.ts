import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeSyntheticHosp, type SyntheticHospFiles } from '../../src/core/build/synthetic';
import { runMedbench } from '../helpers/cli';
import { tempDir } from '../helpers/mimic-files';

/** The build → annotate → adjudicate → export → import → run → score loop through the real `medbench` command. */
let dir: string;
let files: SyntheticHospFiles;
const spawned = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 60_000 });

/**
 * The same commands in this process (the child-process path is exercised by the build above): a
 * spawn costs seconds of TypeScript start-up on a busy machine, and this loop needs a dozen.
 */
async function medbench(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const previous = process.exitCode;
  try {
    // Loaded lazily: the layer fence reads any path ending in /main as the Electron main process.
    const { main } = await import('../../src/cli/main');
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previous;
  }
}
const json = (result: { code: number | null; stdout: string; stderr: string }) => {
  expect(result.stderr + (result.code === 0 ? '' : `exit ${result.code}`)).not.toMatch(/exit|unexpected/);
  return JSON.parse(result.stdout);
};

beforeAll(() => {
  dir = tempDir('medbench-cli-build-');
  files = writeSyntheticHosp({ outDir: path.join(dir, 'hosp'), admissions: 60, seed: 4 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('medbench build, annotate and export --format dataset-raw', () => {
  it('refuses mixed or incomplete inputs as a usage error', async () => {
    const mixed = await medbench('build', '--name', 'x', '--admissions', '2', '--triage', 'baseline', '--codes', 'c.csv', '--diagnoses', files.diagnoses, '--notes', files.notes);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/either the MIMIC-IV hosp tables .* or --codes/);
    const missing = await medbench('build', '--name', 'x', '--admissions', '2', '--triage', 'baseline', '--diagnoses', files.diagnoses, '--notes', files.notes);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --procedures, --icd-diagnoses, --icd-procedures');
  });

  it('runs the whole loop headless', async () => {
    const db = path.join(dir, 'loop.db');
    const built = json(spawned('build', '--name', 'mine', '--admissions', '4', '--seed', '3', '--triage', 'baseline', '--rejudge', 'baseline',
      '--negatives-prevalence', '1', '--negatives-similar', '1', '--diagnoses', files.diagnoses, '--procedures', files.procedures,
      '--icd-diagnoses', files.icdDiagnoses, '--icd-procedures', files.icdProcedures, '--notes', files.notes, '--db', db, '--json'));
    expect(built).toMatchObject({ name: 'mine', admissions: 4, negatives: { prevalence: 4, similar: 4 }, status: 'finished', stage: 'finished' });
    expect(built.pairs).toBe(built.candidates + 8);

    const pairs = json(await medbench('pairs', '--dataset', 'mine', '--db', db, '--json')) as { taskId: string; code: string; gold: boolean; provenance: { kind: string; hops: number; similarity: number | null; votes: { triage: string[] | null } } }[];
    expect(pairs).toHaveLength(built.pairs);
    expect(pairs.filter((p) => p.provenance.kind === 'assigned')).toHaveLength(built.candidates);
    expect(pairs.every((p) => typeof p.provenance.hops === 'number' && 'similarity' in p.provenance && 'votes' in p.provenance)).toBe(true);
    expect(pairs.find((p) => p.provenance.kind === 'assigned')!.provenance.votes.triage).toHaveLength(1);

    expect(json(await medbench('annotate', 'setup', 'mine', '--annotators', 'ana,ben', '--db', db, '--json'))).toMatchObject({ assigned: built.pairs, blind: true });
    // Both annotate every pair by its billing label; ben disagrees on the first pair, which is then adjudicated.
    // Evidence is given as an exact quote ("Discharge Condition:" is in every synthetic note).
    const saves = pairs.flatMap((p, i) =>
      ['ana', 'ben'].map((who) => {
        const label = who === 'ben' && i === 0 ? !p.gold : p.gold;
        return ['--task', p.taskId, '--code', p.code, '--annotator', who, '--label', label ? 'related' : 'unrelated', ...(label ? ['--quote', 'Discharge Condition:'] : []), '--rationale', `${who} says ${label}`, '--submit'];
      }),
    );
    const first = await medbench('annotate', 'save', 'mine', ...saves[0]!, '--db', db, '--json');
    expect(json(first)).toMatchObject({ status: 'submitted', spans: [{ text: 'Discharge Condition:' }] });
    // The remaining saves go through the core API: one process per save would make the test slow (the CLI path is covered above).
    await saveRest(db, saves.slice(1));
    {
      const agreement = json(await medbench('annotate', 'agreement', 'mine', '--db', db, '--json'));
      expect(agreement).toMatchObject({ bothSubmitted: built.pairs, disagreements: 1 });
      expect(agreement.byAnnotatorPair[0].annotators).toEqual(['ana', 'ben']);
      const queue = json(await medbench('annotate', 'disagreements', 'mine', '--open', '--db', db, '--json'));
      expect(queue.map((d: { code: string }) => d.code)).toEqual([pairs[0]!.code]);
      const decided = json(await medbench('annotate', 'adjudicate', 'mine', '--task', pairs[0]!.taskId, '--code', pairs[0]!.code, '--by', 'chair', '--label', pairs[0]!.gold ? 'related' : 'unrelated', '--db', db, '--json'));
      expect(decided).toMatchObject({ outcome: 'resolved', label: pairs[0]!.gold });

      const out = path.join(dir, 'dataset_raw.csv');
      const exported = json(await medbench('export', 'mine', '--format', 'dataset-raw', '--out', out, '--db', db, '--json'));
      expect(exported).toMatchObject({ rows: built.pairs, excluded: { unresolvable: 0, disagreement: 0, incomplete: 0 } });
      const imported = json(await medbench('import', '--annotations', out, '--notes', files.notes, '--dataset', 'mine-gold', '--db', db, '--json'));
      expect(imported).toMatchObject({ pairs: built.pairs, problems: [] });
      const back = json(await medbench('pairs', '--dataset', 'mine-gold', '--db', db, '--json')) as { taskId: string; code: string; gold: boolean; evidence: { text: string }[] }[];
      expect(back.map((p) => [p.taskId, p.code, p.gold])).toEqual(pairs.map((p) => [p.taskId, p.code, p.gold]));
      expect(back.filter((p) => p.gold).every((p) => p.evidence.map((e) => e.text).join() === 'Discharge Condition:')).toBe(true);
      const run = await medbench('run', '--model', 'baseline', '--dataset', 'mine-gold', '--name', 'gold-baseline', '--db', db, '--json');
      expect(run.code).toBe(0);
      const score = json(await medbench('score', 'gold-baseline', '--db', db, '--json'));
      expect(score.n).toBe(built.pairs);
    }
  }, 60_000);
});

async function saveRest(db: string, saves: string[][]): Promise<void> {
  const { openStore } = await import('../../src/core/store/database');
  const { saveAnnotation, annotationTask } = await import('../../src/core/annotation/workspace');
  const store = openStore(db);
  try {
    for (const args of saves) {
      const get = (flag: string) => args[args.indexOf(flag) + 1]!;
      const quote = args.includes('--quote') ? get('--quote') : null;
      const annotator = get('--annotator');
      const task = annotationTask(store, 'mine', annotator, get('--task'), get('--code'));
      const at = quote ? Array.from(task.noteText.slice(0, task.noteText.indexOf(quote))).length : 0;
      saveAnnotation(store, {
        dataset: 'mine',
        annotator,
        taskId: get('--task'),
        code: get('--code'),
        label: get('--label') === 'related',
        spans: quote ? [{ start: at, end: at + Array.from(quote).length }] : [],
        rationale: get('--rationale'),
        submit: true,
      });
    }
  } finally {
    store.close();
  }
}
