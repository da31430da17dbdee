import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMedbench } from '../helpers/cli';

let home: string;

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-doctor-cli-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('medbench doctor', () => {
  it('prints one JSON report with every check and exits 0 on this machine with a healthy database', () => {
    const db = path.join(home, 'fresh.db');
    expect(runMedbench(home, ['demo', '--db', db, '--json']).code).toBe(0);
    const result = runMedbench(home, ['doctor', '--db', db, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { id: string; status: string; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.id)).toEqual(['node', 'better-sqlite3', 'toolchain', 'compute', 'database', 'user-data']);
    expect(report.checks.find((check) => check.id === 'database')?.detail).toContain('integrity ok');
  });

  it('says what to fix and exits 1 for a damaged database', () => {
    const db = path.join(home, 'damaged.db');
    fs.writeFileSync(db, Buffer.alloc(4096, 1));
    const result = runMedbench(home, ['doctor', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}Database: .*damaged\.db/);
    expect(result.stdout).toMatch(/fix: .*restore a backup/);
    expect(result.stderr).toContain('doctor: database must be fixed');
  });
});
