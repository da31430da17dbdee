import fs from 'node:fs';
import path from 'node:path';
import { exportDatasetRaw, type DatasetRawExport } from '../annotation/export-dataset-raw';
import { adjudicate, agreementReport, disagreementQueue, saveAnnotation, setupAnnotation, type AgreementReport } from '../annotation/workspace';
import { resolveDataset } from '../data/datasets';
import { importDataset, type ImportReport } from '../data/import';
import { listPairs } from '../data/pairs';
import { executeRun } from '../engine/runner';
import { findRun, getRun } from '../engine/runs';
import { prepareNewRun, prepareResume } from '../engine/start-run';
import { scoreRun, type RunScore } from '../scoring/score-run';
import type { Db } from '../store/database';
import { runBuild, triageRunName, type BuildProgress } from './build';
import { buildSummary, type BuildSummary } from './provenance';
import { writeSyntheticHosp } from './synthetic';

/**
 * `medbench demo --build`: the whole construction loop on synthetic data with the baseline, in
 * seconds: synthetic hosp tables and notes → build (triage + re-judge with the baseline) → two
 * annotators → agreement → adjudication → dataset_raw.csv → import → baseline run → score.
 *
 * The two annotators are SIMULATED by fixed rules, to show the mechanics, not to judge anything:
 * "reader-a" marks Related what the triage found explicitly (with the triage's evidence sentences),
 * "reader-b" follows the billing codes (assigned = Related) with slightly shorter evidence. They
 * disagree exactly on the putative positives; the simulated adjudicator sides with reader-a on
 * every other one and finds the rest unresolvable (excluded, as the benchmark did).
 */
export const DEMO_BUILD_NAME = 'demo-build';
export const DEMO_GOLD_NAME = 'demo-build-gold';

export interface DemoBuildReport {
  inputs: string;
  build: BuildSummary;
  agreement: AgreementReport;
  export: DatasetRawExport;
  import: ImportReport;
  score: RunScore;
}

export async function runDemoBuildLoop(db: Db, workDir: string, onProgress?: (p: BuildProgress | { stage: 'annotate' | 'export' | 'score'; detail: string }) => void): Promise<DemoBuildReport> {
  const inputs = path.join(workDir, 'inputs');
  // Regenerated identically each time (seeded), so a second demo continues the same build.
  const files = writeSyntheticHosp({ outDir: inputs, admissions: 300, seed: 7 });
  await runBuild(
    db,
    {
      name: DEMO_BUILD_NAME,
      admissions: 30,
      seed: 1,
      triage: 'baseline',
      rejudge: 'baseline',
      negativesPrevalence: 2,
      negativesSimilar: 2,
      inputs: { kind: 'mimic', diagnoses: files.diagnoses, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes },
    },
    onProgress ? { onProgress } : {},
  );

  onProgress?.({ stage: 'annotate', detail: 'two simulated annotators' });
  setupAnnotation(db, DEMO_BUILD_NAME, { annotators: ['reader-a', 'reader-b'] });
  const dataset = resolveDataset(db, DEMO_BUILD_NAME);
  const triage = getRun(db, triageRunName(DEMO_BUILD_NAME));
  const evidenceOf = db.prepare('SELECT evidence_json AS evidence FROM predictions WHERE run_id = ? AND pair_id = ?');
  const sentenceSpan = db.prepare('SELECT s.span_start AS start, s.span_end AS end FROM sentences s JOIN pairs p ON p.note_id = s.note_id WHERE p.id = ? AND s.sentence_id = ?');
  const pairIds = db.prepare('SELECT id, task_id AS taskId, code FROM pairs WHERE dataset_id = ?').all(dataset.id) as { id: number; taskId: string; code: string }[];
  const idOf = new Map(pairIds.map((p) => [`${p.taskId} ${p.code}`, p.id]));
  for (const pair of listPairs(db, dataset.id)) {
    const done = db.prepare("SELECT count(*) AS n FROM annotations WHERE pair_id = ? AND status = 'submitted'").get(idOf.get(`${pair.taskId} ${pair.code}`)) as { n: number };
    if (done.n === 2) continue;
    const pairId = idOf.get(`${pair.taskId} ${pair.code}`)!;
    const explicit = pair.provenance?.triage === 'explicit';
    const evidence = explicit ? (JSON.parse((evidenceOf.get(triage.id, pairId) as { evidence: string }).evidence) as number[]) : [];
    const spans = evidence.map((id) => sentenceSpan.get(pairId, id) as { start: number; end: number });
    const save = (annotator: string, label: boolean, own: { start: number; end: number }[], rationale: string) =>
      saveAnnotation(db, { dataset: DEMO_BUILD_NAME, annotator, taskId: pair.taskId, code: pair.code, label, spans: own, rationale, submit: true });
    save('reader-a', explicit, spans, explicit ? `${pair.desc} is named in the note` : `No support for ${pair.desc.toLowerCase()} in the note`);
    const billed = pair.provenance?.kind === 'assigned';
    const bSpans = billed ? (spans.length > 0 ? spans.map((s) => ({ start: s.start, end: Math.max(s.start + 1, s.end - 3) })) : [sentenceSpan.get(pairId, 1) as { start: number; end: number }]) : [];
    save('reader-b', billed, bSpans, billed ? 'Assigned for this admission' : 'Not documented');
  }
  disagreementQueue(db, DEMO_BUILD_NAME, { open: true }).forEach((item, index) => {
    adjudicate(db, {
      dataset: DEMO_BUILD_NAME,
      taskId: item.taskId,
      code: item.code,
      adjudicator: 'demo-chair',
      ...(index % 2 === 0 ? { outcome: 'resolved' as const, label: item.annotations.find((a) => a.annotator === 'reader-a')!.label } : { outcome: 'unresolvable' as const }),
    });
  });
  const agreement = agreementReport(db, DEMO_BUILD_NAME);

  onProgress?.({ stage: 'export', detail: 'dataset_raw.csv' });
  fs.mkdirSync(workDir, { recursive: true });
  const exported = exportDatasetRaw(db, DEMO_BUILD_NAME, path.join(workDir, 'dataset_raw.csv'));
  const imported = await importDataset(db, { dataset: DEMO_GOLD_NAME, annotations: exported.out, notes: files.notes, format: 'raw' });

  onProgress?.({ stage: 'score', detail: 'baseline on the annotated set' });
  const runName = `${DEMO_GOLD_NAME}-baseline`;
  const existing = findRun(db, runName);
  if (!existing || existing.done < existing.planned) {
    const prepared = existing ? await prepareResume(db, runName) : await prepareNewRun(db, { name: runName, model: 'baseline', dataset: DEMO_GOLD_NAME });
    try {
      await executeRun(db, prepared.run, prepared.backend);
    } finally {
      await prepared.backend.dispose();
    }
  }
  return { inputs, build: buildSummary(db, DEMO_BUILD_NAME), agreement, export: exported, import: imported, score: scoreRun(db, runName) };
}
