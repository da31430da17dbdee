import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReadStore, withStore } from '../../src/cli/context';
import { importDataset } from '../../src/core/data/import';
import { MEDBENCH_APPLICATION_ID, openStore, type ReadableDb, type WritableDb } from '../../src/core/store/database';
import { StoreError } from '../../src/core/store/errors';
import { cliEnv, medbench } from '../crash/medbench-process';
import { tempDir } from '../helpers/mimic-files';

/**
 * Another program's SQLite file, read-only commands, failed first imports and damaged databases (issue 16 §6, §8).
 * `pairs --db other.sqlite` used to write MedBench's schema into it; `run` on a damaged file committed a running
 * run and then claimed the database was not changed.
 */
let dir: string;
let demoDb: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = tempDir('medbench-hostile-db-');
  env = cliEnv(path.join(dir, 'home'));
  demoDb = path.join(dir, 'demo.db');
  const db = openStore(demoDb);
  await importDataset(db, { annotations: path.resolve('resources/demo/dataset_raw.csv'), notes: path.resolve('resources/demo/discharge.csv.gz'), format: 'raw' });
  db.close();
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function sqliteFile(setup: (db: Database.Database) => void): string {
  const file = path.join(dir, `other-${counter++}.sqlite`);
  const db = new Database(file);
  setup(db);
  db.close();
  return file;
}

const bytesOf = (file: string) => fs.readFileSync(file);
const siblings = (file: string) => fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith(path.basename(file)));

describe("another program's SQLite file is refused, byte for byte unchanged", () => {
  it.each([
    ['its own tables, application_id 0', (db: Database.Database) => db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')"), /not a MedBench Local one \(it has other tables: contacts\)/],
    ['another application_id', (db: Database.Database) => db.pragma('application_id = 1234'), /belongs to another program \(its application_id is 0x000004d2/],
    ['another application_id and a user_version', (db: Database.Database) => db.exec('PRAGMA application_id = 99; PRAGMA user_version = 500; CREATE TABLE t (x)'), /belongs to another program/],
  ])('%s', async (_name, setup, message) => {
    const file = sqliteFile(setup);
    const before = bytesOf(file);
    expect(() => openStore(file)).toThrow(message);
    expect(() => openStore(file, { readonly: true })).toThrow(message);
    await expect(withReadStore({ db: file }, () => 'read')).rejects.toThrow(StoreError);
    await expect(withStore({ db: file }, () => 'written')).rejects.toThrow(message);
    expect(bytesOf(file).equals(before)).toBe(true);
    expect(siblings(file)).toEqual([path.basename(file)]);
  });

  it('through the CLI: `pairs` exits 1 with one line naming the file', async () => {
    const file = sqliteFile((db) => db.exec('CREATE TABLE notes_app (body TEXT)'));
    const before = bytesOf(file);
    const result = await medbench(['pairs', '--db', file], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(bytesOf(file).equals(before)).toBe(true);
  }, 60_000);
});

describe('our own databases', () => {
  it('a new database carries MedBench’s application_id', () => {
    const file = path.join(dir, 'new.db');
    openStore(file).close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(MEDBENCH_APPLICATION_ID);
    raw.close();
  });

  it('a database from before the application_id is still ours: read as it is, marked when next written', () => {
    const file = path.join(dir, 'legacy.db');
    fs.copyFileSync(demoDb, file);
    const raw = new Database(file);
    raw.pragma('application_id = 0');
    raw.close();
    const reader = openStore(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) FROM pairs').pluck().get()).toBeGreaterThan(0);
    reader.close();
    openStore(file).close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('application_id', { simple: true })).toBe(MEDBENCH_APPLICATION_ID);
    check.close();
  });

  it('a read-only command writes nothing: the database file keeps its bytes', async () => {
    const file = path.join(dir, 'read.db');
    fs.copyFileSync(demoDb, file);
    const before = bytesOf(file);
    const count = await withReadStore({ db: file }, (db) => db.prepare('SELECT count(*) FROM pairs').pluck().get());
    expect(count).toBeGreaterThan(0);
    expect(bytesOf(file).equals(before)).toBe(true);
  });

  it('a read-only command on an empty file or a missing path creates and writes nothing', async () => {
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    await expect(withReadStore({ db: empty }, () => null)).rejects.toThrow(/empty SQLite database|no database here yet/);
    expect(fs.statSync(empty).size).toBe(0);
    const missing = path.join(dir, 'missing', 'x.db');
    await expect(withReadStore({ db: missing }, () => null)).rejects.toThrow(/no database here yet/);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });

  it('a failed command on a new path leaves no database file behind', async () => {
    const file = path.join(dir, 'failed-first-import.db');
    await expect(
      withStore({ db: file }, () => {
        throw new Error('the annotations are broken');
      }),
    ).rejects.toThrow('the annotations are broken');
    expect(siblings(file)).toEqual([]);
  });

  it('a command that writes to an existing database (export, run) never creates one', async () => {
    const file = path.join(dir, 'nothing-here.db');
    await expect(withStore({ db: file }, () => null, 'existing')).rejects.toThrow(/no database here yet/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('the handles are typed: a writer is a reader, a reader is not a writer', () => {
    const file = path.join(dir, 'typed.db');
    const writer: WritableDb = openStore(file);
    const asReader: ReadableDb = writer;
    writer.close();
    const reader = openStore(file, { readonly: true });
    // @ts-expect-error a read-only handle cannot be passed where writes are needed
    const asWriter: WritableDb = reader;
    expect(asReader.open || asWriter.open).toBe(true);
    reader.close();
  });
});

describe('a damaged database', () => {
  it('`run` refuses it before committing anything, and says so truthfully, in one line', async () => {
    const file = path.join(dir, 'damaged.db');
    fs.copyFileSync(demoDb, file);
    // Overwrite pages in the middle (the notes and sentences) with a fixed pattern; the header and the runs table stay readable.
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(40_960, 0xa5), 0, 40_960, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    const runsBefore = new Database(file, { readonly: true }).prepare('SELECT name, status FROM runs ORDER BY name').all();
    const result = await medbench(['run', '--model', 'baseline', '--name', 'after-damage', '--db', file], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/database file is damaged/);
    expect(result.stderr).toContain(file);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const runsAfter = new Database(file, { readonly: true }).prepare('SELECT name, status FROM runs ORDER BY name').all();
    expect(runsAfter).toEqual(runsBefore);
  }, 60_000);
});
