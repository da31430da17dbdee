import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDatasetRaw } from '../../../src/core/annotation/export-dataset-raw';
import {
  adjudicate,
  agreementReport,
  annotationTask,
  annotatorQueue,
  disagreementQueue,
  finalLabels,
  saveAnnotation,
  setupAnnotation,
} from '../../../src/core/annotation/workspace';
import { runBuild } from '../../../src/core/build/build';
import { writeSyntheticHosp, type SyntheticHospFiles } from '../../../src/core/build/synthetic';
import { resolveDataset } from '../../../src/core/data/datasets';
import { importDataset } from '../../../src/core/data/import';
import { listPairs } from '../../../src/core/data/pairs';
import { openStore, type Db } from '../../../src/core/store/database';
import { sentencesOverlapping } from '../../../src/core/text/note-sentences';
import { CodePointIndex } from '../../../src/shared/code-points';
import { tempDir } from '../../helpers/mimic-files';

let files: SyntheticHospFiles;
let dir: string;

beforeAll(() => {
  dir = tempDir('medbench-annotate-');
  files = writeSyntheticHosp({ outDir: dir, admissions: 40, seed: 9 });
});

async function built(): Promise<Db> {
  const db = openStore(':memory:');
  await runBuild(db, {
    name: 'set',
    admissions: 3,
    seed: 2,
    triage: 'baseline',
    negativesPrevalence: 1,
    negativesSimilar: 1,
    inputs: { kind: 'mimic', diagnoses: files.diagnoses, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes },
  });
  return db;
}

/** The second sentence of the pair's note as evidence (a real span of the note). */
function someSpan(db: Db, taskId: string, code: string, annotator: string) {
  const task = annotationTask(db, 'set', annotator, taskId, code);
  const s = task.sentences[1]!;
  return { start: s.start, end: s.end };
}

describe('annotation workspace', () => {
  it('assigns two distinct annotators per pair, balanced, blind and without triage by default', async () => {
    const db = await built();
    const setup = setupAnnotation(db, 'set', { annotators: ['ana', 'ben', 'cy'] });
    expect(setup).toMatchObject({ blind: true, showTriage: false });
    expect(setup.assigned).toBe(setup.pairs);
    const perAnnotator = db.prepare('SELECT annotator_id AS a, count(*) AS n FROM annotation_assignments GROUP BY annotator_id').all() as { n: number }[];
    const counts = perAnnotator.map((r) => r.n);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2 * setup.pairs);
    // Running setup again moves nobody.
    expect(setupAnnotation(db, 'set', { annotators: ['ana', 'ben', 'cy'] }).assigned).toBe(0);

    const [first] = annotatorQueue(db, 'set', 'ana');
    const task = annotationTask(db, 'set', 'ana', first!.taskId, first!.code);
    expect(task.other).toBeNull();
    expect(task.provenance).toBeNull();
    expect(() => saveAnnotation(db, { dataset: 'set', annotator: 'ana', taskId: first!.taskId, code: first!.code, submit: true })).toThrow(/before submitting/);
    expect(() => saveAnnotation(db, { dataset: 'set', annotator: 'ana', taskId: first!.taskId, code: first!.code, spans: [{ start: 5, end: 10_000_000 }] })).toThrow(/not inside the note/);
    // Autosave: a draft keeps what was given and is completed later.
    saveAnnotation(db, { dataset: 'set', annotator: 'ana', taskId: first!.taskId, code: first!.code, rationale: 'thinking' });
    const saved = saveAnnotation(db, { dataset: 'set', annotator: 'ana', taskId: first!.taskId, code: first!.code, label: true, spans: [{ start: 10, end: 20 }, { start: 15, end: 30 }] });
    expect(saved).toMatchObject({ status: 'draft', label: true, rationale: 'thinking', spans: [{ start: 10, end: 30 }] });
    expect(saved.spans[0]!.text).toBe(Array.from(task.noteText).slice(10, 30).join(''));
    expect(annotatorQueue(db, 'set', 'ana')[0]!.status).toBe('draft');
    db.close();
  });

  it('goes from two annotations through agreement, adjudication and exclusion to a dataset_raw.csv the import reads back identically', async () => {
    const db = await built();
    setupAnnotation(db, 'set', { annotators: ['ana', 'ben'], showTriage: true });
    const pairs = listPairs(db, resolveDataset(db, 'set').id);
    expect(annotationTask(db, 'set', 'ana', pairs[0]!.taskId, pairs[0]!.code).provenance?.kind).toBe('assigned');
    // Both annotators label every pair as billed (assigned = Related with evidence), except:
    // pair 0: ben says Unrelated (a disagreement, adjudicated to Related);
    // pair 1: ben disagrees too, and the adjudicator finds it unresolvable (excluded).
    pairs.forEach((pair, index) => {
      const related = pair.gold;
      const span = someSpan(db, pair.taskId, pair.code, 'ana');
      saveAnnotation(db, { dataset: 'set', annotator: 'ana', taskId: pair.taskId, code: pair.code, label: related, spans: related ? [span] : [], rationale: index === 2 ? '=SUM(1) as a formula' : `ana on ${pair.code}`, submit: true });
      const benLabel = index <= 1 ? !related : related;
      saveAnnotation(db, { dataset: 'set', annotator: 'ben', taskId: pair.taskId, code: pair.code, label: benLabel, spans: benLabel ? [{ start: span.start, end: span.end - 1 }] : [], rationale: `ben on ${pair.code}`, submit: true });
    });
    const report = agreementReport(db, 'set');
    expect(report.bothSubmitted).toBe(pairs.length);
    expect(report.disagreements).toBe(2);
    const n = pairs.length;
    const a = pairs.map((p) => p.gold);
    const b = pairs.map((p, i) => (i <= 1 ? !p.gold : p.gold));
    const po = (n - 2) / n;
    const pa = a.filter(Boolean).length / n;
    const pb = b.filter(Boolean).length / n;
    const pe = pa * pb + (1 - pa) * (1 - pb);
    expect(report.byAnnotatorPair).toHaveLength(1);
    expect(report.byAnnotatorPair[0]!.kappa).toBeCloseTo((po - pe) / (1 - pe), 12);
    expect(report.byAnnotatorPair[0]!.evidenceOverlap).toBeGreaterThan(0.9);
    expect(report.byAnnotatorPair[0]!.evidenceOverlap).toBeLessThan(1);

    expect(disagreementQueue(db, 'set', { open: true }).map((d) => d.code)).toEqual([pairs[0]!.code, pairs[1]!.code]);
    adjudicate(db, { dataset: 'set', taskId: pairs[0]!.taskId, code: pairs[0]!.code, adjudicator: 'chair', outcome: 'resolved', label: pairs[0]!.gold });
    adjudicate(db, { dataset: 'set', taskId: pairs[1]!.taskId, code: pairs[1]!.code, adjudicator: 'chair', outcome: 'unresolvable' });
    expect(disagreementQueue(db, 'set', { open: true })).toEqual([]);
    const final = finalLabels(db, 'set');
    expect(final.filter((f) => f.status === 'unresolvable')).toHaveLength(1);
    expect(final[0]).toMatchObject({ status: 'adjudicated', reasoning: `ana on ${pairs[0]!.code}` });

    const out = path.join(dir, 'dataset_raw.csv');
    const written = exportDatasetRaw(db, 'set', out);
    expect(written).toMatchObject({ rows: n - 1, excluded: { unresolvable: 1, disagreement: 0, incomplete: 0 } });
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv.split('\n')[0]).toBe('task_id,code,desc,gold,reasoning_summary,evidence_spans');
    expect(csv).toMatch(/,True,/);
    expect(csv).toMatch(/"\[\(\d+, \d+\)\]"/);
    expect(csv).toContain(",'=SUM(1) as a formula,");
    // No note text goes into the export.
    const noteText = (db.prepare('SELECT text FROM notes LIMIT 1').get() as { text: string }).text;
    expect(csv).not.toContain(noteText.split('\n').find((line) => line.startsWith('In the ED'))!);

    // The app's own import reads it back with the notes: same pairs, gold, evidence text and gold sentences.
    const report2 = await importDataset(db, { dataset: 'back', annotations: out, notes: files.notes, format: 'raw' });
    expect(report2.problems).toEqual([]);
    const back = listPairs(db, resolveDataset(db, 'back').id);
    const kept = final.filter((f) => f.status === 'agreed' || f.status === 'adjudicated');
    expect(back.map((p) => [p.taskId, p.code, p.gold])).toEqual(kept.map((f) => [f.taskId, f.code, f.gold]));
    for (const [i, pair] of back.entries()) {
      const source = kept[i]!;
      const note = db.prepare('SELECT n.id, n.text FROM notes n JOIN pairs p ON p.note_id = n.id WHERE p.id = ?').get(source.pairId) as { id: number; text: string };
      const index = new CodePointIndex(note.text);
      expect(pair.evidence).toEqual(source.spans.map((s) => ({ start: s.start, end: s.end, text: index.slice(s.start, s.end) })));
      const sentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id').all(note.id) as { id: number; start: number; end: number }[];
      expect(pair.goldSentences).toEqual(sentencesOverlapping(sentences, source.spans));
      // A rationale a spreadsheet would run as a formula comes back neutralised (csvCell's leading apostrophe).
      expect(pair.reasoningSummary).toBe(source.reasoning.startsWith('=') ? `'${source.reasoning}` : source.reasoning);
    }
    db.close();
  });
});
