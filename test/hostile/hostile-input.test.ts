import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, importFingerprint, medbench, tableCounts } from '../crash/medbench-process';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';
import { buildTinyLlamaGguf } from '../helpers/tiny-gguf';

/**
 * Hostile and broken input through the real CLI. Whole-file problems: exit 1 with a message naming
 * the file and the problem, and the database exactly as before. Row problems: the row is skipped and
 * reported with its kind, the rest imported. Usage mistakes: exit 2. Never exit 70 (a crash).
 */
let dir: string;
let demoDb: string;
let env: NodeJS.ProcessEnv;
const NOTE = 'Brief Hospital Course:\nThe patient has atrial fibrillation.\nBlood pressure was high, treated with lisinopril.\n';
let goodNotes: string;
let goodAnnotations: string;

beforeAll(async () => {
  dir = tempDir('medbench-hostile-');
  env = cliEnv(path.join(dir, 'home'));
  demoDb = path.join(dir, 'demo.db');
  const demo = await medbench(['demo', '--db', demoDb], env);
  expect(demo.code, demo.stderr).toBe(0);
  goodNotes = writeFile(dir, 'discharge.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]), true);
  goodAnnotations = writeFile(dir, 'dataset_raw.csv', annotationsCsv([{ taskId: '1_10', code: 'I48.91', desc: 'Atrial fibrillation', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') }]));
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function freshDb(): string {
  const db = path.join(dir, `case-${counter++}.db`);
  fs.copyFileSync(demoDb, db);
  return db;
}

function snapshot(db: string) {
  return { counts: tableCounts(db), fingerprint: importFingerprint(db) };
}

const header = 'task_id,code,desc,gold,reasoning_summary,evidence_spans\n';
const row = (spans: string, extra: Partial<Record<'task' | 'gold' | 'desc', string>> = {}) =>
  `${extra.task ?? '1_10'},I48.91,${extra.desc ?? 'Atrial fibrillation'},${extra.gold ?? 'True'},because,"${spans}"\n`;

/** A whole file is refused: exit 1, one message naming it, nothing stored changed. */
const fileCases: [string, () => { args: string[]; named: string }, RegExp][] = [
  ['annotations: empty file', () => ({ args: ['--annotations', writeFile(dir, 'empty.csv', ''), '--notes', goodNotes], named: 'empty.csv' }), /empty/],
  ['annotations: missing file', () => ({ args: ['--annotations', path.join(dir, 'absent.csv'), '--notes', goodNotes], named: 'absent.csv' }), /no such file/],
  ['annotations: a folder', () => ({ args: ['--annotations', dir, '--notes', goodNotes], named: dir }), /folder/],
  ['annotations: wrong columns', () => ({ args: ['--annotations', writeFile(dir, 'cols.csv', 'task,code,label\n1_10,I10,True\n'), '--notes', goodNotes], named: 'cols.csv' }), /column/i],
  ['annotations: truncated inside a quoted field', () => ({ args: ['--annotations', writeFile(dir, 'trunc.csv', `${header}1_10,I48.91,"Atrial fib`), '--notes', goodNotes], named: 'trunc.csv' }), /quote|truncated|ends/i],
  ['annotations: UTF-16 encoded', () => ({ args: ['--annotations', writeFile(dir, 'utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header + row('[]'), 'utf16le')])), '--notes', goodNotes], named: 'utf16.csv' }), /UTF-8|UTF-16|encoding/i],
  ['annotations: binary garbage', () => ({ args: ['--annotations', writeFile(dir, 'garbage.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), '--notes', goodNotes], named: 'garbage.csv' }), /.+/],
  ['annotations: gzip that ends early', () => ({ args: ['--annotations', writeFile(dir, 'ann.csv.gz', zlib.gzipSync(header + row('[]').repeat(2000)).subarray(0, 200)), '--notes', goodNotes], named: 'ann.csv.gz' }), /truncated|ends early/],
  ['notes: gzip that ends early', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'cut.csv.gz', zlib.gzipSync(notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE.repeat(500) }])).subarray(0, 300))], named: 'cut.csv.gz' }), /truncated|ends early/],
  ['notes: named .gz but not gzip', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'plain.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]))], named: 'plain.csv.gz' }), /not gzip/],
  ['notes: empty file', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'empty-notes.csv', '')], named: 'empty-notes.csv' }), /empty/],
  ['notes: wrong columns (no text)', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'notext.csv', 'note_id,subject_id,hadm_id\n1-DS-1,1,10\n')], named: 'notext.csv' }), /text/],
  ['notes: truncated inside a note', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'trunc-notes.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]).slice(0, -20))], named: 'trunc-notes.csv' }), /quote|truncated|ends/i],
  ['notes: UTF-16 encoded', () => ({ args: ['--annotations', goodAnnotations, '--notes', writeFile(dir, 'notes16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]), 'utf16le')]))], named: 'notes16.csv' }), /UTF-8|UTF-16|encoding/i],
  ['notes: missing for the raw format', () => ({ args: ['--annotations', goodAnnotations, '--notes', path.join(dir, 'nope', 'discharge.csv.gz')], named: 'discharge.csv.gz' }), /no such file/],
];

describe('whole-file problems: exit 1, the file named, nothing stored changed', () => {
  it.concurrent.each(fileCases)('%s', async (_name, make, problem) => {
    const db = freshDb();
    const before = snapshot(db);
    const { args, named } = make();
    const result = await medbench(['import', ...args, '--db', db], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(named);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot(db)).toEqual(before);
  });
});

/** Bad rows are skipped and reported by kind and row; the good rows are imported. */
const rowCases: [string, string, string][] = [
  ['negative span', row('[(-5, 10)]'), 'span-out-of-range'],
  ['reversed span', row('[(20, 10)]'), 'span-out-of-range'],
  ['empty span', row('[(10, 10)]'), 'span-out-of-range'],
  ['span past the end of the note', row('[(10, 100000)]'), 'span-out-of-range'],
  ['span list that is not a Python literal', row('[(1, 2'), 'bad-row'],
  ['gold that is neither True nor False', row('[]', { gold: 'maybe' }), 'bad-row'],
  ['task_id without subject and hadm', row('[]', { task: 'abc' }), 'bad-row'],
  ['duplicate row', row('[]') + row('[]'), 'duplicate-pair'],
  ['latin-1 bytes in a field', '', 'latin1'],
];

describe('row problems: skipped and reported, the rest imported', () => {
  it.concurrent.each(rowCases)('%s', async (name, rows, kind) => {
    const db = path.join(dir, `rows-${name.replace(/\W+/g, '-')}.db`);
    const good = `2_20,I10,Hypertension,True,because,"${spansOf(NOTE, 'Blood pressure was high')}"\n`;
    const notes = writeFile(dir, `notes-${name.replace(/\W+/g, '-')}.csv`, notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }, { subjectId: '2', hadmId: '20', text: NOTE }]));
    const content = kind === 'latin1' ? Buffer.concat([Buffer.from(header), Buffer.from('1_10,I48.91,Fi\xe8vre caf\xe9,True,because,[]\n', 'latin1'), Buffer.from(good)]) : header + rows + good;
    const annotations = writeFile(dir, `rows-${name.replace(/\W+/g, '-')}.csv`, content);
    const result = await medbench(['import', '--annotations', annotations, '--notes', notes, '--db', db, '--json'], env);
    if (kind === 'latin1') {
      // Invalid UTF-8 is either refused with the file named, or decoded with replacement characters; never a crash.
      expect([0, 1], result.stderr).toContain(result.code);
      if (result.code === 1) expect(result.stderr).toContain(annotations);
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.problems.map((p: { kind: string }) => p.kind)).toContain(kind);
    expect(report.problems[0]).toMatchObject({ row: expect.any(Number), detail: expect.any(String) });
    expect(report.pairs).toBe(kind === 'duplicate-pair' ? 2 : 1);
  });

  it('overlapping spans are kept, and their gold sentences are not doubled', async () => {
    const db = path.join(dir, 'overlap.db');
    const start = NOTE.indexOf('atrial');
    const annotations = writeFile(dir, 'overlap.csv', header + row(`[(${start}, ${start + 19}), (${start + 7}, ${start + 19})]`));
    const result = await medbench(['import', '--annotations', annotations, '--notes', goodNotes, '--db', db, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const pairs = JSON.parse((await medbench(['pairs', '--db', db, '--json'], env)).stdout);
    expect(pairs[0].goldSentences).toEqual([2]);
    expect(pairs[0].evidence).toHaveLength(2);
  });

  it('a 10 MB note and a 10 MB cell in the annotations do not break the import', async () => {
    const db = path.join(dir, 'huge.db');
    const huge = `${NOTE}${'Stable. '.repeat(10 * 131072)}`;
    const notes = writeFile(dir, 'huge-notes.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: huge }]), true);
    const annotations = writeFile(dir, 'huge-ann.csv', header + row(spansOf(NOTE, 'atrial fibrillation'), { desc: 'x'.repeat(10 * 1024 * 1024) }) + `1_10,I10,Hypertension,True,because,"${spansOf(NOTE, 'Blood pressure was high')}"\n`);
    const result = await medbench(['import', '--annotations', annotations, '--notes', notes, '--db', db, '--json'], env);
    expect([0, 1], result.stderr).toContain(result.code);
    if (result.code === 1) expect(result.stderr).toContain('huge-ann.csv');
    else expect(JSON.parse(result.stdout).pairs).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('file names with spaces and unicode work', async () => {
    const sub = path.join(dir, 'my files ünïcødé 📁');
    fs.mkdirSync(sub);
    const annotations = writeFile(sub, 'dataset raw (copy) é.csv', fs.readFileSync(goodAnnotations));
    const notes = writeFile(sub, 'discharge ü.csv.gz', fs.readFileSync(goodNotes));
    const db = path.join(sub, 'data base ✓.db');
    const result = await medbench(['import', '--annotations', annotations, '--notes', notes, '--db', db, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).pairs).toBe(1);
    const audit = JSON.parse((await medbench(['audit', '--db', db, '--json'], env)).stdout);
    expect(audit[0].inputs[0].path).toBe(annotations);
  });
});

/** GGUF files that are not models: refused by `models add` with the file named; nothing registered. */
describe('broken model files', () => {
  const modelCases: [string, () => Buffer][] = [
    ['zero bytes', () => Buffer.alloc(0)],
    ['wrong magic', () => Buffer.concat([Buffer.from('GGML'), buildTinyLlamaGguf().subarray(4)])],
    ['truncated tensors', () => { const full = buildTinyLlamaGguf(); return full.subarray(0, Math.floor(full.length * 0.6)); }],
    ['header only', () => buildTinyLlamaGguf().subarray(0, 24)],
    ['text file named .gguf', () => Buffer.from('this is not a model\n'.repeat(100))],
  ];
  it.concurrent.each(modelCases)('%s', async (name, content) => {
    const db = freshDb();
    const before = snapshot(db);
    const file = writeFile(dir, `model ${name}.gguf`, content());
    const result = await medbench(['models', 'add', file, '--db', db], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot(db)).toEqual(before);
  });
});

/** Missing or malformed arguments: exit 2 (usage) or 1 (a named thing that does not exist); nothing changed. */
const argumentCases: [string, (db: string) => string[], number, RegExp][] = [
  ['import without files', (db) => ['import', '--db', db], 2, /annotations|processed/],
  ['import with --annotations but no --notes', (db) => ['import', '--annotations', goodAnnotations, '--db', db], 2, /--notes/],
  ['run without --name', (db) => ['run', '--model', 'baseline', '--db', db], 2, /--name/],
  ['run --limit abc', (db) => ['run', '--model', 'baseline', '--name', 'x', '--limit', 'abc', '--db', db], 2, /whole number/],
  ['run --limit 0', (db) => ['run', '--model', 'baseline', '--name', 'x', '--limit', '0', '--db', db], 2, /whole number/],
  ['run --votes -3', (db) => ['run', '--model', 'baseline', '--name', 'x', '--votes', '-3', '--db', db], 2, /.+/],
  ['run --strategy bogus', (db) => ['run', '--model', 'baseline', '--name', 'x', '--strategy', 'bogus', '--db', db], 2, /bogus|choices/],
  ['run --resume of a run that does not exist', (db) => ['run', '--resume', 'ghost', '--db', db], 1, /no run named "ghost"/],
  ['run with a model file that does not exist', (db) => ['run', '--model', path.join(dir, 'ghost.gguf'), '--name', 'x', '--db', db], 1, /ghost/],
  ['run with a name that exists', (db) => ['run', '--model', 'baseline', '--name', 'baseline', '--db', db], 1, /already exists/],
  ['score a run that does not exist', (db) => ['score', 'ghost', '--db', db], 1, /ghost/],
  ['an unknown command', (db) => ['frobnicate', '--db', db], 2, /unknown command/],
  ['an unknown option', (db) => ['runs', '--frobnicate', '--db', db], 2, /unknown option/],
  ['backup without --out', (db) => ['backup', '--db', db], 2, /--out/],
  ['audit --kind bogus', (db) => ['audit', '--kind', 'bogus', '--db', db], 2, /expected one of/],
  ['--db is a folder', () => ['pairs', '--db', dir], 1, /cannot open|not a MedBench/],
  ['--db is not a database', () => ['pairs', '--db', writeFile(dir, 'text.db', 'hello '.repeat(1000))], 1, /not a MedBench Local database/],
];

describe('CLI arguments missing or malformed', () => {
  it.concurrent.each(argumentCases)('%s', async (_name, args, code, message) => {
    const db = freshDb();
    const before = snapshot(db);
    const result = await medbench(args(db), env);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(snapshot(db)).toEqual(before);
  });
});
