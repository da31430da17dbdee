import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFile, listAudit, MAX_FACT_LENGTH, recordAudit, statFile } from '../../src/core/audit';
import { importDataset } from '../../src/core/data/import';
import { executeRun } from '../../src/core/engine/runner';
import { getRun } from '../../src/core/engine/runs';
import { prepareNewRun, prepareResume } from '../../src/core/engine/start-run';
import { openStore, type Db } from '../../src/core/store/database';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('medbench-audit-');
  db = openStore(path.join(dir, 'audit.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const NOTE = 'Brief Hospital Course:\nThe patient has atrial fibrillation, rate controlled with metoprolol.\nBlood pressure was normal throughout.\n';

function writeInputs() {
  const annotations = writeFile(dir, 'dataset_raw.csv', annotationsCsv([
    { taskId: '1_10', code: 'I48.91', desc: 'Unspecified atrial fibrillation', gold: true, spans: spansOf(NOTE, 'atrial fibrillation') },
    { taskId: '1_10', code: 'I10', desc: 'Essential (primary) hypertension', gold: false, spans: '[]' },
  ]));
  const notes = writeFile(dir, 'discharge.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]), true);
  return { annotations, notes };
}

describe('recordAudit / listAudit', () => {
  it('appends events and lists them oldest first, filtered by kind, subject and limit', () => {
    recordAudit(db, { kind: 'import', subject: 'a', facts: { pairs: 3 } });
    recordAudit(db, { kind: 'backup', outputs: [{ role: 'backup', path: '/x/b.db', sha256: 'ff', bytes: 10 }] });
    recordAudit(db, { kind: 'import', subject: 'b', facts: { pairs: 4 } });
    expect(listAudit(db).map((e) => e.kind)).toEqual(['import', 'backup', 'import']);
    expect(listAudit(db, { kind: 'import' }).map((e) => e.subject)).toEqual(['a', 'b']);
    expect(listAudit(db, { subject: 'b' })).toHaveLength(1);
    expect(listAudit(db, { limit: 2 }).map((e) => e.kind)).toEqual(['backup', 'import']);
    const [, backup] = listAudit(db);
    expect(backup).toMatchObject({ kind: 'backup', subject: null, pid: process.pid, outputs: [{ role: 'backup', path: '/x/b.db', sha256: 'ff', bytes: 10 }], inputs: [], facts: {} });
    expect(Date.parse(backup!.at)).not.toBeNaN();
  });

  it('cuts long strings in facts and refuses an unknown kind', () => {
    const event = recordAudit(db, { kind: 'run-fail', facts: { error: 'x'.repeat(5000) } });
    expect(String(event.facts.error).length).toBe(MAX_FACT_LENGTH + 1);
    expect(listAudit(db)[0]!.facts.error).toBe(event.facts.error);
    expect(() => recordAudit(db, { kind: 'upload' as never })).toThrow(/unknown audit event kind/);
  });

  it('describes files by path, sha256 and size', async () => {
    const file = writeFile(dir, 'out.csv', 'abc');
    expect(await describeFile('export', file)).toEqual({ role: 'export', path: file, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', bytes: 3 });
    expect(statFile('notes', file)).toEqual({ role: 'notes', path: file, sha256: null, bytes: 3 });
    expect(statFile('gone', path.join(dir, 'nope'))).toMatchObject({ bytes: null });
  });
});

describe('audit hooks', () => {
  it('records every successful import, identical re-imports included, with the annotations hash and no note text', async () => {
    const { annotations, notes } = writeInputs();
    const first = await importDataset(db, { annotations, notes, format: 'raw' });
    await importDataset(db, { annotations, notes, format: 'raw' });
    const events = listAudit(db, { kind: 'import' });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      subject: 'medicalbench',
      inputs: [
        { role: 'annotations', path: annotations, sha256: first.annotationsSha256, bytes: fs.statSync(annotations).size },
        { role: 'notes', path: notes, sha256: null, bytes: fs.statSync(notes).size },
      ],
      facts: { format: 'raw', outcome: 'new', pairs: 2, notes: 1, added: 2 },
    });
    expect(events[1]!.facts.outcome).toBe('unchanged');
    const everything = JSON.stringify(db.prepare('SELECT * FROM audit_events').all());
    for (const sentence of NOTE.split('\n').filter((line) => line.length > 10)) expect(everything).not.toContain(sentence);
  });

  it('a failed import records nothing', async () => {
    await expect(importDataset(db, { annotations: path.join(dir, 'missing.csv'), notes: path.join(dir, 'n.csv'), format: 'raw' })).rejects.toThrow(/no such file/);
    expect(listAudit(db)).toEqual([]);
  });

  it('records each run session: start (new, then resumed) and its end with counts', async () => {
    const { annotations, notes } = writeInputs();
    await importDataset(db, { annotations, notes, format: 'raw' });
    const prepared = await prepareNewRun(db, { name: 'b', model: 'baseline' });
    const stopped = new AbortController();
    stopped.abort();
    await executeRun(db, prepared.run, prepared.backend, { signal: stopped.signal });
    const resumed = await prepareResume(db, 'b');
    await executeRun(db, resumed.run, resumed.backend);
    const runEvents = listAudit(db, { subject: 'b' });
    expect(runEvents.map((e) => e.kind)).toEqual(['run-start', 'run-stop', 'run-start', 'run-finish']);
    expect(runEvents[0]!.facts).toMatchObject({ resumed: false, backend: 'baseline', planned: 2, alreadyDone: 0, dataset: 'medicalbench' });
    expect(runEvents[2]!.facts).toMatchObject({ resumed: true });
    expect(runEvents[3]!.facts).toMatchObject({ predicted: 2, remaining: 0 });
    expect(getRun(db, 'b').done).toBe(2);
  });
});
