import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMedbench } from '../helpers/cli';
import { annotationsCsv, notesCsv, tempDir, writeFile } from '../helpers/mimic-files';

/** The real `medbench` command in a child process, as users and scripts call it. */
let dir: string;

const medbench = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 60_000 });

beforeAll(() => {
  dir = tempDir('medbench-cli-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('medbench CLI', () => {
  it('--help lists every command with its options', () => {
    const { code, stdout } = medbench('--help');
    expect(code).toBe(0);
    for (const text of ['import', 'pairs', 'datasets', 'demo', '--annotations', '--notes', '--processed', '--db', '--json']) expect(stdout).toContain(text);
  });

  it('imports, prints JSON with the public fields, and lists pairs', () => {
    const note = 'Brief Hospital Course: \nThe patient has atrial fibrillation. \nShe was started on apixaban.\n';
    const start = note.indexOf('atrial');
    const annotations = writeFile(dir, 'dataset_raw.csv', annotationsCsv([
      { taskId: '1_10', code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, spans: `[(${start}, ${start + 19})]` },
      { taskId: '1_10', code: 'I10', desc: 'Essential (primary) hypertension', gold: false, spans: '[]' },
      { taskId: '2_20', code: 'I10', desc: 'Essential (primary) hypertension', gold: true, spans: '[]' },
    ]));
    const notes = writeFile(dir, 'discharge.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: note }]), true);
    const db = path.join(dir, 'cli.db');
    const imported = medbench('import', '--annotations', annotations, '--notes', notes, '--db', db, '--json');
    expect(imported.code).toBe(0);
    const report = JSON.parse(imported.stdout);
    expect(report).toMatchObject({ pairs: 2, positives: 1, negatives: 1, notes: 1 });
    expect(report.problems).toEqual([{ kind: 'missing-note', row: 3, line: 4, taskId: '2_20', code: 'I10', detail: expect.stringContaining('hadm_id 20') }]);

    const listed = medbench('pairs', '--db', db, '--json');
    expect(listed.code).toBe(0);
    const pairs = JSON.parse(listed.stdout);
    expect(pairs[0]).toEqual({ taskId: '1_10', code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, evidence: [{ start, end: start + 19, text: 'atrial fibrillation' }], goldSentences: [2] });

    const readable = medbench('import', '--annotations', annotations, '--notes', notes, '--db', db);
    expect(readable.stdout).toMatch(/unchanged/);
    expect(readable.stdout).toMatch(/missing-note/);
  });

  it('uses MEDBENCH_DB when --db is absent', () => {
    const annotations = writeFile(dir, 'a2.csv', annotationsCsv([{ taskId: '1_10', code: 'I10', desc: 'HTN', gold: false, spans: '[]' }]));
    const notes = writeFile(dir, 'n2.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: 'Note text.' }]));
    const envDb = path.join(dir, 'from-env.db');
    const result = runMedbench(path.join(dir, 'home'), ['import', '--annotations', annotations, '--notes', notes, '--json'], { env: { MEDBENCH_DB: envDb } });
    expect(result.code).toBe(0);
    expect(fs.existsSync(envDb)).toBe(true);
  });

  it('a whole-file problem exits non-zero with one line naming the file', () => {
    const { code, stderr, stdout } = medbench('import', '--annotations', path.join(dir, 'absent.csv'), '--notes', path.join(dir, 'x.gz'), '--db', path.join(dir, 'e.db'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(`medbench: error: ${path.join(dir, 'absent.csv')}: no such file`);
  });

  it('usage mistakes exit 2 and point to --help', () => {
    const missing = medbench('import', '--annotations', 'a.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--notes/);
    expect(medbench('import', '--bogus').code).toBe(2);
    expect(medbench('no-such-command').code).toBe(2);
  });

  it('demo imports the bundled set into a database in the user data folder, not the repository', () => {
    const { code, stdout } = medbench('demo', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.db).toBe(path.join(dir, 'home', 'demo.db'));
    expect(result.import.pairs).toBeGreaterThanOrEqual(40);
    expect(result.import.notes).toBeGreaterThanOrEqual(12);
    expect(result.import.problems).toEqual([]);
    const again = medbench('demo');
    expect(again.stdout).toMatch(/Using the existing demo database/);
    expect(again.stdout).toMatch(/unchanged/);
  });
});
