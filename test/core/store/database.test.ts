import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MEDBENCH_APPLICATION_ID, openStore, schemaVersion } from '../../../src/core/store/database';
import { StoreError } from '../../../src/core/store/errors';
import type { Migration } from '../../../src/core/store/migrations';
import { tempDir } from '../../helpers/mimic-files';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  it('creates the folder and database, migrates to the latest schema, and sets the pragmas', () => {
    const file = path.join(dir, 'nested', 'folder', 'medbench.db');
    const db = openStore(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('reopening an up-to-date database changes nothing', () => {
    const file = path.join(dir, 'a.db');
    openStore(file).close();
    const db = openStore(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database from a newer version with a clear error and leaves it untouched', () => {
    const file = path.join(dir, 'future.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (42);');
    raw.pragma(`application_id = ${MEDBENCH_APPLICATION_ID}`);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    const before = fs.readFileSync(file);
    expect(() => openStore(file)).toThrow(StoreError);
    expect(() => openStore(file)).toThrow(/newer MedBench Local/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('applies each migration in its own transaction: a failing one leaves the previous version', () => {
    const file = path.join(dir, 'partial.db');
    const list: Migration[] = [
      { version: 1, name: 'one', up: (db) => db.exec('CREATE TABLE one (x)') },
      {
        version: 2,
        name: 'two',
        up: (db) => {
          db.exec('CREATE TABLE two (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => openStore(file, { migrationList: list })).toThrow(/boom/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'two'").get()).toBeUndefined();
    raw.close();
  });

  it('opens read-only without creating anything when the file is missing', () => {
    expect(() => openStore(path.join(dir, 'nope.db'), { readonly: true })).toThrow(/no database here yet/);
    expect(fs.existsSync(path.join(dir, 'nope.db'))).toBe(false);
  });

  it('names the file when it cannot open it', () => {
    const file = path.join(dir, 'not-a-db.db');
    fs.writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openStore(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });
});
