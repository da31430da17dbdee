import { recordAudit } from '../audit';
import { UserError } from '../errors';
import { CodePointIndex } from '../../shared/code-points';
import { sha256Hex } from '../data/input-file';
import type { NoteRecord } from '../data/notes-file';
import { executeRun, type RunProgress } from '../engine/runner';
import { findRun, type RunRecord } from '../engine/runs';
import { parseOptions } from '../engine/backends/registry';
import { backendOfRequest, prepareNewRun, prepareResume } from '../engine/start-run';
import type { Db } from '../store/database';
import { describeSqliteError } from '../store/errors';
import { noteSentences, SEGMENTER_VERSION } from '../text/note-sentences';
import { APP_VERSION } from '../version';
import { withDot } from './icd-hierarchy';
import { admissionsWithNotes, descriptionKey, readCodeTables, readNotes, type BuildInputs, type InputFileRecord, type InputProgress } from './inputs';
import { planPairs, sampleAdmissions, type PlannedPair } from './plan';
import { needsRejudge, triageVotes } from './provenance';
import { tfidfIndex, vectorIndex, type SimilarityIndex } from './similarity';

/**
 * `medbench build`: the MedicalBench construction pipeline on the user's own data, in three stages.
 *   1. sample: read the inputs, sample admissions, plan candidates and negatives, and store the
 *      dataset, its notes and every pair's provenance in ONE transaction (all or nothing);
 *   2. triage: an ordinary run over the assigned codes with 3 votes and 3-way labels;
 *   3. rejudge: an ordinary run of the second model over the triage's disagreements.
 * Stages 2 and 3 are runs, so Ctrl-C or a crash loses at most the pairs in flight and the same
 * command continues where the build stopped; the build row records which stage it is in.
 */
export interface BuildRequest {
  name: string;
  admissions: number;
  seed: number;
  /** 'baseline', a GGUF path or a registered model, as `medbench run --model`. */
  triage: string;
  rejudge?: string;
  negativesPrevalence: number;
  negativesSimilar: number;
  /** A GGUF embedding model for the similar negatives; TF-IDF cosine without one. */
  embed?: string;
  /** A backend id of the registry for both models (default: baseline for 'baseline', else gguf), and its options. */
  backend?: string;
  backendOptions?: Record<string, unknown>;
  inputs: BuildInputs;
}

export type BuildProgress =
  | { stage: 'read'; file: string; rows: number; fileBytesRead: number; fileBytes: number }
  | { stage: 'plan'; detail: string }
  | { stage: 'triage' | 'rejudge'; run: string; progress: RunProgress };

export interface BuildOptions {
  signal?: AbortSignal;
  onProgress?: (progress: BuildProgress) => void;
  /** Environment entries for this build only (an API key typed into the UI): never stored. */
  secretEnv?: Record<string, string>;
}

export interface BuildResult {
  name: string;
  status: 'finished' | 'stopped';
  stage: BuildStage;
  /** true when this call only continued a build made earlier. */
  resumed: boolean;
}

export type BuildStage = 'triage' | 'rejudge' | 'finished';

export class BuildError extends UserError {}

interface BuildRow {
  id: number;
  name: string;
  datasetId: number;
  stage: BuildStage;
  settingsJson: string;
  manifestJson: string;
  triageRunId: number | null;
  rejudgeRunId: number | null;
}

const BUILD_COLUMNS = `id, name, dataset_id AS datasetId, stage, settings_json AS settingsJson, manifest_json AS manifestJson,
  triage_run_id AS triageRunId, rejudge_run_id AS rejudgeRunId`;

export function findBuild(db: Db, name: string): BuildRow | null {
  return (db.prepare(`SELECT ${BUILD_COLUMNS} FROM builds WHERE name = ?`).get(name) as BuildRow | undefined) ?? null;
}

/** The settings that decide the set; a resumed build must be given the same. */
function settingsOf(request: BuildRequest): Record<string, unknown> {
  return {
    admissions: request.admissions,
    seed: request.seed,
    triage: request.triage,
    rejudge: request.rejudge ?? null,
    negativesPrevalence: request.negativesPrevalence,
    negativesSimilar: request.negativesSimilar,
    embed: request.embed ?? null,
    backend: request.backend ?? null,
    backendOptions: request.backendOptions ?? {},
    inputs: request.inputs,
  };
}

export const triageRunName = (name: string) => `${name}-triage`;
export const rejudgeRunName = (name: string) => `${name}-rejudge`;

/**
 * Refuses a backend or options that the stage runs would refuse (an unknown backend, a bad option, a host
 * not allowed, a missing key), so the mistake shows before minutes of reading inputs rather than after.
 */
export function checkBuildBackend(request: Pick<BuildRequest, 'triage' | 'rejudge' | 'backend' | 'backendOptions'>, env: NodeJS.ProcessEnv = process.env): void {
  for (const model of request.rejudge ? [request.triage, request.rejudge] : [request.triage]) {
    const definition = backendOfRequest({ model, ...(request.backend ? { backend: request.backend } : {}) });
    const options = parseOptions(definition, { ...request.backendOptions, ...(definition.model === 'server' ? { model } : {}) });
    definition.check?.(options, env);
  }
}

export async function runBuild(db: Db, request: BuildRequest, options: BuildOptions = {}): Promise<BuildResult> {
  const env = options.secretEnv ? { ...process.env, ...options.secretEnv } : process.env;
  let build = findBuild(db, request.name);
  const resumed = build !== null;
  if (build) {
    const recorded = JSON.parse(build.settingsJson) as Record<string, unknown>;
    const given = settingsOf(request);
    const differing = Object.keys(given).filter((k) => JSON.stringify(recorded[k]) !== JSON.stringify(given[k]));
    if (differing.length > 0) {
      // The usual way to get here when continuing a build: its server needed an API key, and none was given this time.
      const recordedKey = (recorded.backendOptions as Record<string, unknown> | undefined)?.apiKeyEnv;
      const keyMissing = typeof recordedKey === 'string' && given.backendOptions !== null && (given.backendOptions as Record<string, unknown>).apiKeyEnv === undefined;
      const hint = keyMissing ? ` (it used the API key in ${recordedKey}: give the key again, with --api-key-env ${recordedKey} or typed into the form)` : '';
      throw new BuildError(`a build named "${request.name}" already exists with other settings (${differing.join(', ')})${hint}; continue it with the same command, or choose another --name`);
    }
    if (build.stage !== 'finished') checkBuildBackend(request, env);
  } else {
    checkBuildBackend(request, env);
    if (db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(request.name)) {
      throw new BuildError(`a dataset named "${request.name}" already exists (imported or built earlier); choose another --name`);
    }
    for (const run of [triageRunName(request.name), rejudgeRunName(request.name)]) {
      if (findRun(db, run)) throw new BuildError(`a run named "${run}" already exists; choose another --name for the build`);
    }
    build = await sampleStage(db, request, options);
  }
  if (build.stage === 'triage') {
    const status = await runStage(db, build, 'triage', request, options, env);
    if (status === 'stopped') return { name: build.name, status, stage: 'triage', resumed };
    build = setStage(db, build, request.rejudge ? 'rejudge' : 'finished');
  }
  if (build.stage === 'rejudge') {
    const status = await runStage(db, build, 'rejudge', request, options, env);
    if (status === 'stopped') return { name: build.name, status, stage: 'rejudge', resumed };
    build = setStage(db, build, 'finished');
  }
  return { name: build.name, status: 'finished', stage: build.stage, resumed };
}

function setStage(db: Db, build: BuildRow, stage: BuildStage): BuildRow {
  db.prepare('UPDATE builds SET stage = ?, updated_at = ? WHERE id = ?').run(stage, new Date().toISOString(), build.id);
  return { ...build, stage };
}

async function sampleStage(db: Db, request: BuildRequest, options: BuildOptions): Promise<BuildRow> {
  const onRead = (progress: InputProgress) => options.onProgress?.({ stage: 'read', ...progress });
  const tables = await readCodeTables(request.inputs, onRead);
  const notesPass = await admissionsWithNotes(request.inputs, onRead);
  const { sampled, eligible } = sampleAdmissions(tables, notesPass.admissions, request.admissions, request.seed);
  if (sampled.length === 0) {
    throw new BuildError(`no admission has both a discharge note and an ICD-10 code in these inputs (${tables.admissions.size} admissions with ICD-10 codes, ${notesPass.admissions.size} with a note)`);
  }
  options.onProgress?.({ stage: 'plan', detail: `${sampled.length} of ${eligible} eligible admissions sampled` });
  const notes = await readNotes(request.inputs, new Set(sampled.map((a) => a.admissionId)), new Map(sampled.map((a) => [a.admissionId, a.subjectId])));
  const index = await similarityIndex(tables.descriptions, sampled, request, options);
  const planned = planPairs(sampled, tables, index, {
    admissions: request.admissions,
    seed: request.seed,
    negativesPrevalence: request.negativesPrevalence,
    negativesSimilar: request.negativesSimilar,
  });
  const files: InputFileRecord[] = [...tables.files, notesPass.file];
  const manifest = {
    appVersion: APP_VERSION,
    inputs: files,
    inputKind: request.inputs.kind,
    seed: request.seed,
    admissionsRequested: request.admissions,
    admissionsSampled: sampled.length,
    admissionsEligible: eligible,
    admissionsWithCodes: tables.admissions.size,
    admissionsWithNotes: notesPass.admissions.size,
    icd9RowsSkipped: tables.icd9Skipped,
    codesInDictionary: tables.descriptions.size,
    models: { triage: request.triage, rejudge: request.rejudge ?? null, embed: request.embed ?? null },
    similarity: index.method,
    hierarchy: 'CM: chapter > block (2 characters) > category > subcategory > ...; PCS: section > body system > operation > body part > approach > device > qualifier',
    segmenterVersion: SEGMENTER_VERSION,
  };
  try {
    return db.transaction(() => storeBuild(db, request, planned, notes, manifest)).immediate();
  } catch (error) {
    throw describeSqliteError(error, db.name);
  }
}

/** TF-IDF over every description, or embeddings of a shortlist (see the README: embedding ~100k MIMIC titles on a CPU would take hours). */
async function similarityIndex(descriptions: ReadonlyMap<string, string>, sampled: readonly { codes: { code: string; system: 'CM' | 'PCS' }[] }[], request: BuildRequest, options: BuildOptions): Promise<SimilarityIndex> {
  const tfidf = tfidfIndex([...descriptions].map(([id, text]) => ({ id, text })));
  if (!request.embed || request.negativesSimilar === 0) return tfidf;
  const SHORTLIST = 50;
  const wanted = new Set<string>();
  if (descriptions.size <= 5000) for (const id of descriptions.keys()) wanted.add(id);
  else {
    for (const admission of sampled) {
      for (const code of admission.codes) {
        const id = descriptionKey(code.system, code.code);
        wanted.add(id);
        for (const hit of tfidf.nearest(id, SHORTLIST, () => false)) wanted.add(hit.id);
      }
    }
  }
  const { embedTexts } = await import('./embeddings');
  const texts = new Map([...wanted].sort().map((id) => [id, descriptions.get(id)!] as const));
  const vectors = await embedTexts(request.embed, texts, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (done, total) => options.onProgress?.({ stage: 'plan', detail: `embedding descriptions ${done}/${total}` }),
  });
  return vectorIndex(vectors, descriptions.size <= 5000 ? 'embedding-cosine' : `embedding-cosine over the tf-idf top ${SHORTLIST}`);
}

function storeBuild(db: Db, request: BuildRequest, planned: readonly PlannedPair[], notes: ReadonlyMap<string, NoteRecord>, manifest: Record<string, unknown>): BuildRow {
  const now = new Date().toISOString();
  const { id: datasetId } = db.prepare('INSERT INTO datasets (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id').get(request.name, now, now) as { id: number };
  const findNote = db.prepare('SELECT id, segmenter_version AS version FROM notes WHERE text_sha256 = ?');
  const insertNote = db.prepare(
    `INSERT INTO notes (text_sha256, note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text, length, segmenter_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const deleteSentences = db.prepare('DELETE FROM sentences WHERE note_id = ?');
  const setVersion = db.prepare('UPDATE notes SET segmenter_version = ? WHERE id = ?');
  const insertSentence = db.prepare('INSERT INTO sentences (note_id, sentence_id, span_start, span_end) VALUES (?, ?, ?, ?)');
  const noteIds = new Map<string, { id: number; subjectId: string }>();
  for (const [admissionId, note] of notes) {
    const sha = sha256Hex(note.text);
    const found = findNote.get(sha) as { id: number; version: number } | undefined;
    let id: number;
    if (found && found.version === SEGMENTER_VERSION) id = found.id;
    else {
      const index = new CodePointIndex(note.text);
      if (found) {
        id = found.id;
        deleteSentences.run(id);
        setVersion.run(SEGMENTER_VERSION, id);
      } else {
        id = (insertNote.get(sha, note.noteId, note.subjectId, note.hadmId, note.noteType, note.noteSeq, note.charttime, note.storetime, note.text, index.length, SEGMENTER_VERSION) as { id: number }).id;
      }
      for (const sentence of noteSentences(note.text, index)) insertSentence.run(id, sentence.id, sentence.start, sentence.end);
    }
    noteIds.set(admissionId, { id, subjectId: note.subjectId });
  }
  const { id: buildId } = db
    .prepare(
      `INSERT INTO builds (name, dataset_id, stage, settings_json, manifest_json, created_at, updated_at)
       VALUES (?, ?, 'triage', ?, ?, ?, ?) RETURNING id`,
    )
    .get(request.name, datasetId, JSON.stringify(settingsOf(request)), JSON.stringify(manifest), now, now) as { id: number };
  const insertPair = db.prepare(
    `INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (?, ?, ?, ?, ?, '', ?, ?) RETURNING id`,
  );
  const insertProvenance = db.prepare(
    'INSERT INTO pair_provenance (pair_id, build_id, kind, hops, nearest_code, similarity, prevalence, seq_num) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let row = 0;
  for (const pair of planned) {
    const note = noteIds.get(pair.admissionId)!;
    // gold here is the billing label (assigned = 1): a silver label until annotators decide.
    const { id } = insertPair.get(datasetId, `${note.subjectId}_${pair.admissionId}`, withDot(pair.code, pair.system), pair.desc, pair.kind === 'assigned' ? 1 : 0, note.id, ++row) as { id: number };
    insertProvenance.run(id, buildId, pair.kind, pair.hops, pair.nearestCode ? withDot(pair.nearestCode, codeSystemOf(planned, pair)) : null, pair.similarity, pair.prevalence, pair.seqNum);
  }
  recordAudit(db, {
    kind: 'build',
    subject: request.name,
    inputs: (manifest.inputs as InputFileRecord[]).map((f) => ({ role: f.role, path: f.path, bytes: f.bytes, sha256: f.sha256 })),
    facts: { stage: 'sample', admissions: noteIds.size, pairs: planned.length, seed: request.seed },
  });
  return findBuild(db, request.name)!;
}

function codeSystemOf(planned: readonly PlannedPair[], pair: PlannedPair): 'CM' | 'PCS' {
  // The nearest code is one of the admission's assigned codes, whose system is known.
  return planned.find((p) => p.admissionId === pair.admissionId && p.kind === 'assigned' && p.code === pair.nearestCode)?.system ?? 'CM';
}

async function runStage(db: Db, build: BuildRow, stage: 'triage' | 'rejudge', request: BuildRequest, options: BuildOptions, env: NodeJS.ProcessEnv): Promise<'finished' | 'stopped'> {
  // The run recorded for the stage (it may have been renamed since), else the stage's default name.
  const recorded = db.prepare(`SELECT r.name FROM builds b JOIN runs r ON r.id = b.${stage === 'triage' ? 'triage_run_id' : 'rejudge_run_id'} WHERE b.id = ?`).get(build.id) as { name: string } | undefined;
  const name = recorded?.name ?? (stage === 'triage' ? triageRunName(build.name) : rejudgeRunName(build.name));
  let existing: RunRecord | null = findRun(db, name);
  let prepared;
  if (existing) {
    if (existing.done === existing.planned) return 'finished';
    prepared = await prepareResume(db, name, env);
  } else {
    const pairIds = stage === 'triage' ? assignedPairIds(db, build.id) : rejudgePairIds(db, build);
    prepared = await prepareNewRun(db, {
      name,
      model: stage === 'triage' ? request.triage : request.rejudge!,
      dataset: build.name,
      pairIds,
      votes: 3,
      labels: '3way',
      seed: request.seed,
      ...(request.backend ? { backend: request.backend } : {}),
      ...(request.backendOptions && Object.keys(request.backendOptions).length > 0 ? { backendOptions: request.backendOptions } : {}),
      ...(options.secretEnv ? { secretEnv: options.secretEnv } : {}),
    });
    db.prepare(`UPDATE builds SET ${stage === 'triage' ? 'triage_run_id' : 'rejudge_run_id'} = ?, updated_at = ? WHERE id = ?`).run(prepared.run.id, new Date().toISOString(), build.id);
    existing = prepared.run;
  }
  // What the stage will do, before the first answer gives the runner a rate to predict from.
  options.onProgress?.({ stage: 'plan', detail: `${stage}: ${prepared.run.planned - prepared.run.done} of ${prepared.run.planned} pairs to go, 3 votes each, with ${stage === 'triage' ? request.triage : request.rejudge}` });
  try {
    const result = await executeRun(db, prepared.run, prepared.backend, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (progress) => options.onProgress?.({ stage, run: name, progress }),
    });
    return result.status;
  } finally {
    await prepared.backend.dispose();
  }
}

function assignedPairIds(db: Db, buildId: number): number[] {
  return (db.prepare(`SELECT pp.pair_id AS id FROM pair_provenance pp JOIN pairs p ON p.id = pp.pair_id WHERE pp.build_id = ? AND pp.kind = 'assigned' ORDER BY p.source_row`).all(buildId) as { id: number }[]).map((r) => r.id);
}

/** The assigned pairs whose triage disagreed (see provenance.ts, needsRejudge). */
function rejudgePairIds(db: Db, build: BuildRow): number[] {
  const { runId } = db.prepare('SELECT triage_run_id AS runId FROM builds WHERE id = ?').get(build.id) as { runId: number };
  const votes = triageVotes(db, runId);
  return assignedPairIds(db, build.id).filter((id) => needsRejudge(votes.get(id) ?? null));
}
