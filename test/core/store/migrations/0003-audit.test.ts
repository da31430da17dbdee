import { describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../../../src/core/store/database';

describe('migration 0003 (audit)', () => {
  it('adds an append-only audit_events table to a version 2 database', () => {
    const db = openStore(':memory:', { targetVersion: 2 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'audit_events'").get()).toBeUndefined();
    db.close();

    const migrated = openStore(':memory:', { targetVersion: 3 });
    expect(schemaVersion(migrated)).toBe(3);
    const insert = migrated.prepare(
      "INSERT INTO audit_events (at, kind, subject, app_version, pid, inputs_json, outputs_json, facts_json) VALUES ('now', 'import', 'd', '0.1.0', 1, '[]', '[]', '{}')",
    );
    insert.run();
    insert.run();
    expect(migrated.prepare('SELECT count(*) AS n FROM audit_events').get()).toEqual({ n: 2 });
    expect(() => migrated.prepare("UPDATE audit_events SET kind = 'export' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => migrated.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(() => migrated.prepare('INSERT INTO audit_events (at, kind) VALUES (?, ?)').run('now', 'import')).toThrow(/NOT NULL/);
    expect(migrated.prepare('SELECT count(*) AS n FROM audit_events').get()).toEqual({ n: 2 });
    migrated.close();
  });
});
