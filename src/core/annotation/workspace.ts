import { recordAudit } from '../audit';
import { datasetProvenance, type PairProvenance } from '../build/provenance';
import { resolveDataset } from '../data/datasets';
import { UserError } from '../errors';
import type { Db } from '../store/database';
import { sentencesOverlapping } from '../text/note-sentences';
import { CodePointIndex } from '../../shared/code-points';
import { cohenKappa, normaliseSpans, setJaccard, spanJaccard, type Span } from './agreement';

/**
 * The dual-annotation workspace: local named annotators (no accounts, nothing leaves the machine),
 * two per pair, each blind to the other and to the triage unless the setup says otherwise. Every
 * change is saved at once (a draft), so closing the app or the terminal loses nothing; an annotation
 * is final when submitted. Offsets are code points of the note, as everywhere in the store.
 */
export class AnnotationError extends UserError {}

export interface AnnotatorRecord {
  id: number;
  name: string;
}

export function addAnnotator(db: Db, name: string): AnnotatorRecord {
  const clean = name.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u.test(clean)) throw new AnnotationError(`"${name}" is not a usable annotator name (letters, digits, space, . _ -; at most 40 characters)`);
  const found = db.prepare('SELECT id, name FROM annotators WHERE name = ?').get(clean) as AnnotatorRecord | undefined;
  if (found) return found;
  return db.prepare('INSERT INTO annotators (name, created_at) VALUES (?, ?) RETURNING id, name').get(clean, new Date().toISOString()) as AnnotatorRecord;
}

export function listAnnotators(db: Db): AnnotatorRecord[] {
  return db.prepare('SELECT id, name FROM annotators ORDER BY name').all() as AnnotatorRecord[];
}

function annotatorByName(db: Db, name: string): AnnotatorRecord {
  const found = db.prepare('SELECT id, name FROM annotators WHERE name = ?').get(name.trim()) as AnnotatorRecord | undefined;
  if (!found) {
    const names = listAnnotators(db).map((a) => a.name);
    throw new AnnotationError(`no annotator named "${name}" (${names.length ? `annotators: ${names.join(', ')}` : 'add one with medbench annotate setup'})`);
  }
  return found;
}

export interface SetupOptions {
  annotators: readonly string[];
  /** Annotators do not see each other's work (default true). */
  blind?: boolean;
  /** Annotators see the triage votes and outcome (default false, as the paper's annotators). */
  showTriage?: boolean;
}

export interface SetupResult {
  dataset: string;
  annotators: string[];
  assigned: number;
  pairs: number;
  blind: boolean;
  showTriage: boolean;
}

/**
 * Gives every active pair of the dataset without annotators two distinct annotators, rotating
 * through all pairs of annotators so the load and the pairings are balanced. Pairs already
 * assigned keep their annotators (a later setup only covers new pairs), so nobody's work moves.
 */
export function setupAnnotation(db: Db, datasetName: string, options: SetupOptions): SetupResult {
  const dataset = resolveDataset(db, datasetName);
  const names = [...new Set(options.annotators.map((n) => n.trim()).filter((n) => n !== ''))];
  if (names.length < 2) throw new AnnotationError('each pair needs two annotators: give at least two distinct names');
  return db.transaction(() => {
    const annotators = names.map((name) => addAnnotator(db, name));
    const existing = db.prepare('SELECT blind, show_triage AS showTriage FROM annotation_setups WHERE dataset_id = ?').get(dataset.id) as { blind: number; showTriage: number } | undefined;
    const blind = options.blind ?? (existing ? existing.blind === 1 : true);
    const showTriage = options.showTriage ?? (existing ? existing.showTriage === 1 : false);
    db.prepare(
      `INSERT INTO annotation_setups (dataset_id, blind, show_triage, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(dataset_id) DO UPDATE SET blind = excluded.blind, show_triage = excluded.show_triage`,
    ).run(dataset.id, blind ? 1 : 0, showTriage ? 1 : 0, new Date().toISOString());
    const unassigned = db
      .prepare(
        `SELECT p.id FROM pairs p WHERE p.dataset_id = ? AND p.removed_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM annotation_assignments a WHERE a.pair_id = p.id) ORDER BY p.source_row, p.id`,
      )
      .all(dataset.id) as { id: number }[];
    const combos: [number, number][] = [];
    for (let i = 0; i < annotators.length; i++) for (let j = i + 1; j < annotators.length; j++) combos.push([annotators[i]!.id, annotators[j]!.id]);
    const insert = db.prepare('INSERT INTO annotation_assignments (pair_id, annotator_id, slot) VALUES (?, ?, ?)');
    unassigned.forEach((pair, index) => {
      const [a, b] = combos[index % combos.length]!;
      insert.run(pair.id, a, 1);
      insert.run(pair.id, b, 2);
    });
    const pairs = (db.prepare('SELECT count(*) AS n FROM pairs WHERE dataset_id = ? AND removed_at IS NULL').get(dataset.id) as { n: number }).n;
    return { dataset: dataset.name, annotators: names, assigned: unassigned.length, pairs, blind, showTriage };
  }).immediate();
}

export interface QueueItem {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  status: 'todo' | 'draft' | 'submitted';
  label: boolean | null;
}

/** An annotator's pairs of a dataset in file order with where each stands. */
export function annotatorQueue(db: Db, datasetName: string, annotatorName: string): QueueItem[] {
  const dataset = resolveDataset(db, datasetName);
  const annotator = annotatorByName(db, annotatorName);
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, p.task_id AS taskId, p.code, p.desc, an.status, an.label FROM annotation_assignments a
       JOIN pairs p ON p.id = a.pair_id LEFT JOIN annotations an ON an.pair_id = a.pair_id AND an.annotator_id = a.annotator_id
       WHERE a.annotator_id = ? AND p.dataset_id = ? AND p.removed_at IS NULL ORDER BY p.source_row, p.id`,
    )
    .all(annotator.id, dataset.id) as { pairId: number; taskId: string; code: string; desc: string; status: string | null; label: number | null }[];
  return rows.map((r) => ({ pairId: r.pairId, taskId: r.taskId, code: r.code, desc: r.desc, status: (r.status ?? 'todo') as QueueItem['status'], label: r.label === null ? null : r.label === 1 }));
}

export interface EvidenceSpan extends Span {
  text: string;
}

export interface AnnotationRecord {
  annotator: string;
  label: boolean | null;
  spans: EvidenceSpan[];
  /** Sentence ids overlapping the spans (the benchmark's gold-sentence rule). */
  sentences: number[];
  rationale: string;
  status: 'draft' | 'submitted';
  updatedAt: string;
}

export interface AnnotationTask {
  pairId: number;
  dataset: string;
  taskId: string;
  code: string;
  desc: string;
  noteText: string;
  sentences: { id: number; start: number; end: number }[];
  mine: AnnotationRecord | null;
  /** The other annotator's work: only when the setup is not blind. */
  other: AnnotationRecord | null;
  /** Triage votes and outcome: only when the setup shows them. */
  provenance: PairProvenance | null;
  blind: boolean;
}

function pairRef(db: Db, datasetId: number, taskId: string, code: string): { id: number; noteId: number } {
  const row = db.prepare('SELECT id, note_id AS noteId FROM pairs WHERE dataset_id = ? AND task_id = ? AND code = ? AND removed_at IS NULL').get(datasetId, taskId, code) as { id: number; noteId: number } | undefined;
  if (!row) throw new AnnotationError(`no pair ${taskId} / ${code} in this dataset`);
  return row;
}

function assignment(db: Db, pairId: number, annotatorId: number): boolean {
  return db.prepare('SELECT 1 FROM annotation_assignments WHERE pair_id = ? AND annotator_id = ?').get(pairId, annotatorId) !== undefined;
}

function readAnnotation(db: Db, pairId: number, annotatorId: number, noteId: number): AnnotationRecord | null {
  const row = db
    .prepare(
      `SELECT an.label, an.spans_json AS spans, an.rationale, an.status, an.updated_at AS updatedAt, a.name AS annotator FROM annotations an
       JOIN annotators a ON a.id = an.annotator_id WHERE an.pair_id = ? AND an.annotator_id = ?`,
    )
    .get(pairId, annotatorId) as { label: number | null; spans: string; rationale: string; status: 'draft' | 'submitted'; updatedAt: string; annotator: string } | undefined;
  if (!row) return null;
  const spans = (JSON.parse(row.spans) as [number, number][]).map(([start, end]) => ({ start, end }));
  return { annotator: row.annotator, label: row.label === null ? null : row.label === 1, rationale: row.rationale, status: row.status, updatedAt: row.updatedAt, ...withText(db, noteId, spans) };
}

function noteOf(db: Db, noteId: number): { text: string; sentences: { id: number; start: number; end: number }[] } {
  const { text } = db.prepare('SELECT text FROM notes WHERE id = ?').get(noteId) as { text: string };
  const sentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id').all(noteId) as { id: number; start: number; end: number }[];
  return { text, sentences };
}

function withText(db: Db, noteId: number, spans: readonly Span[]): { spans: EvidenceSpan[]; sentences: number[] } {
  const note = noteOf(db, noteId);
  const index = new CodePointIndex(note.text);
  return { spans: spans.map((s) => ({ ...s, text: index.slice(s.start, s.end) })), sentences: sentencesOverlapping(note.sentences, spans) };
}

function setupOf(db: Db, datasetId: number): { blind: boolean; showTriage: boolean } {
  const row = db.prepare('SELECT blind, show_triage AS showTriage FROM annotation_setups WHERE dataset_id = ?').get(datasetId) as { blind: number; showTriage: number } | undefined;
  if (!row) throw new AnnotationError('this dataset has no annotators yet: run medbench annotate setup DATASET --annotators A,B first');
  return { blind: row.blind === 1, showTriage: row.showTriage === 1 };
}

export function annotationTask(db: Db, datasetName: string, annotatorName: string, taskId: string, code: string): AnnotationTask {
  const dataset = resolveDataset(db, datasetName);
  const setup = setupOf(db, dataset.id);
  const annotator = annotatorByName(db, annotatorName);
  const pair = pairRef(db, dataset.id, taskId, code);
  if (!assignment(db, pair.id, annotator.id)) throw new AnnotationError(`${annotator.name} is not one of the two annotators of ${taskId} / ${code}`);
  const { desc } = db.prepare('SELECT desc FROM pairs WHERE id = ?').get(pair.id) as { desc: string };
  const note = noteOf(db, pair.noteId);
  const otherId = (db.prepare('SELECT annotator_id AS id FROM annotation_assignments WHERE pair_id = ? AND annotator_id != ?').get(pair.id, annotator.id) as { id: number }).id;
  return {
    pairId: pair.id,
    dataset: dataset.name,
    taskId,
    code,
    desc,
    noteText: note.text,
    sentences: note.sentences,
    mine: readAnnotation(db, pair.id, annotator.id, pair.noteId),
    other: setup.blind ? null : readAnnotation(db, pair.id, otherId, pair.noteId),
    provenance: setup.showTriage ? (datasetProvenance(db, dataset.id).get(pair.id) ?? null) : null,
    blind: setup.blind,
  };
}

export interface SaveRequest {
  dataset: string;
  annotator: string;
  taskId: string;
  code: string;
  /** Absent: unchanged. */
  label?: boolean | null;
  spans?: readonly Span[];
  rationale?: string;
  /** Make it final; a label is then required. */
  submit?: boolean;
}

/** Saves (autosave) an annotator's work on a pair; a submitted annotation may still be corrected until adjudication. */
export function saveAnnotation(db: Db, request: SaveRequest): AnnotationRecord {
  const dataset = resolveDataset(db, request.dataset);
  setupOf(db, dataset.id);
  const annotator = annotatorByName(db, request.annotator);
  const pair = pairRef(db, dataset.id, request.taskId, request.code);
  if (!assignment(db, pair.id, annotator.id)) throw new AnnotationError(`${annotator.name} is not one of the two annotators of ${request.taskId} / ${request.code}`);
  const { length } = db.prepare('SELECT length FROM notes WHERE id = ?').get(pair.noteId) as { length: number };
  return db.transaction(() => {
    const previous = readAnnotation(db, pair.id, annotator.id, pair.noteId);
    const label = request.label !== undefined ? request.label : (previous?.label ?? null);
    const spans = request.spans !== undefined ? normaliseSpans(checkSpans(request.spans, length)) : (previous?.spans.map(({ start, end }) => ({ start, end })) ?? []);
    const rationale = request.rationale !== undefined ? request.rationale.slice(0, 4000) : (previous?.rationale ?? '');
    const submitted = request.submit === true || (previous?.status === 'submitted' && request.submit !== false);
    if (submitted && label === null) throw new AnnotationError(`label ${request.taskId} / ${request.code} Related or Unrelated before submitting it`);
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO annotations (pair_id, annotator_id, label, spans_json, rationale, status, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(pair_id, annotator_id) DO UPDATE SET label = excluded.label, spans_json = excluded.spans_json, rationale = excluded.rationale,
         status = excluded.status, updated_at = excluded.updated_at, submitted_at = coalesce(annotations.submitted_at, excluded.submitted_at)`,
    ).run(pair.id, annotator.id, label === null ? null : label ? 1 : 0, JSON.stringify(spans.map((s) => [s.start, s.end])), rationale, submitted ? 'submitted' : 'draft', now, submitted ? now : null);
    return readAnnotation(db, pair.id, annotator.id, pair.noteId)!;
  }).immediate();
}

function checkSpans(spans: readonly Span[], length: number): Span[] {
  for (const { start, end } of spans) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > length) {
      throw new AnnotationError(`evidence span (${start}, ${end}) is not inside the note (0 to ${length} code points, start before end)`);
    }
  }
  return [...spans];
}

interface PairState {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  noteId: number;
  gold: number;
  sourceRow: number;
  first: { annotator: string; label: boolean | null; spans: Span[]; rationale: string; status: string } | null;
  second: { annotator: string; label: boolean | null; spans: Span[]; rationale: string; status: string } | null;
  firstName: string;
  secondName: string;
  adjudication: { outcome: 'resolved' | 'unresolvable'; label: boolean | null; spans: Span[]; rationale: string; adjudicator: string } | null;
}

function pairStates(db: Db, datasetId: number): PairState[] {
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, p.task_id AS taskId, p.code, p.desc, p.note_id AS noteId, p.gold, p.source_row AS sourceRow, a.slot, n.name,
         an.label, an.spans_json AS spans, an.rationale, an.status,
         adj.outcome, adj.label AS adjLabel, adj.spans_json AS adjSpans, adj.rationale AS adjRationale, adj.adjudicator
       FROM pairs p JOIN annotation_assignments a ON a.pair_id = p.id JOIN annotators n ON n.id = a.annotator_id
       LEFT JOIN annotations an ON an.pair_id = p.id AND an.annotator_id = a.annotator_id
       LEFT JOIN adjudications adj ON adj.pair_id = p.id
       WHERE p.dataset_id = ? AND p.removed_at IS NULL ORDER BY p.source_row, p.id, a.slot`,
    )
    .all(datasetId) as {
    pairId: number; taskId: string; code: string; desc: string; noteId: number; gold: number; sourceRow: number; slot: number; name: string;
    label: number | null; spans: string | null; rationale: string | null; status: string | null;
    outcome: 'resolved' | 'unresolvable' | null; adjLabel: number | null; adjSpans: string | null; adjRationale: string | null; adjudicator: string | null;
  }[];
  const toSpans = (json: string | null) => (json ? (JSON.parse(json) as [number, number][]).map(([start, end]) => ({ start, end })) : []);
  const states = new Map<number, PairState>();
  for (const r of rows) {
    let state = states.get(r.pairId);
    if (!state) {
      state = {
        pairId: r.pairId, taskId: r.taskId, code: r.code, desc: r.desc, noteId: r.noteId, gold: r.gold, sourceRow: r.sourceRow,
        first: null, second: null, firstName: '', secondName: '',
        adjudication: r.outcome ? { outcome: r.outcome, label: r.adjLabel === null ? null : r.adjLabel === 1, spans: toSpans(r.adjSpans), rationale: r.adjRationale ?? '', adjudicator: r.adjudicator ?? '' } : null,
      };
      states.set(r.pairId, state);
    }
    const work = r.status ? { annotator: r.name, label: r.label === null ? null : r.label === 1, spans: toSpans(r.spans), rationale: r.rationale ?? '', status: r.status } : null;
    if (r.slot === 1) {
      state.first = work;
      state.firstName = r.name;
    } else {
      state.second = work;
      state.secondName = r.name;
    }
  }
  return [...states.values()];
}

const submitted = (w: PairState['first']): w is NonNullable<PairState['first']> & { label: boolean } => w !== null && w.status === 'submitted' && w.label !== null;

export interface AgreementRow {
  annotators: [string, string];
  /** Pairs both submitted. */
  n: number;
  agreement: number | null;
  kappa: number | null;
  /** Mean character-level Jaccard of the evidence on pairs both labelled Related (and at least one marked evidence). */
  evidenceOverlap: number | null;
  /** The same over sentences. */
  sentenceOverlap: number | null;
  evidencePairs: number;
}

export interface AgreementReport {
  dataset: string;
  pairs: number;
  bothSubmitted: number;
  disagreements: number;
  adjudicated: number;
  unresolvable: number;
  byAnnotatorPair: AgreementRow[];
  overall: { n: number; kappa: number | null; agreement: number | null };
}

export function agreementReport(db: Db, datasetName: string): AgreementReport {
  const dataset = resolveDataset(db, datasetName);
  const states = pairStates(db, dataset.id);
  const sentencesOf = new Map<number, { id: number; start: number; end: number }[]>();
  const noteSentences = (noteId: number) => {
    let s = sentencesOf.get(noteId);
    if (!s) sentencesOf.set(noteId, (s = noteOf(db, noteId).sentences));
    return s;
  };
  const groups = new Map<string, { annotators: [string, string]; a: boolean[]; b: boolean[]; overlaps: number[]; sentenceOverlaps: number[] }>();
  const all = { a: [] as boolean[], b: [] as boolean[] };
  let disagreements = 0;
  for (const state of states) {
    if (!submitted(state.first) || !submitted(state.second)) continue;
    // Annotator pairs are keyed in name order, whatever the slots.
    const [x, y] = state.firstName < state.secondName ? [state.first, state.second] : [state.second, state.first];
    const key = `${x.annotator}\u0000${y.annotator}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { annotators: [x.annotator, y.annotator], a: [], b: [], overlaps: [], sentenceOverlaps: [] }));
    group.a.push(x.label);
    group.b.push(y.label);
    all.a.push(state.first.label);
    all.b.push(state.second.label);
    if (x.label !== y.label) disagreements++;
    if (x.label && y.label) {
      const overlap = spanJaccard(x.spans, y.spans);
      if (overlap !== null) {
        group.overlaps.push(overlap);
        const sentences = noteSentences(state.noteId);
        group.sentenceOverlaps.push(setJaccard(sentencesOverlapping(sentences, x.spans), sentencesOverlapping(sentences, y.spans)) ?? 0);
      }
    }
  }
  const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length);
  const agreementOf = (a: boolean[], b: boolean[]) => (a.length === 0 ? null : a.filter((v, i) => v === b[i]).length / a.length);
  return {
    dataset: dataset.name,
    pairs: states.length,
    bothSubmitted: all.a.length,
    disagreements,
    adjudicated: states.filter((s) => s.adjudication?.outcome === 'resolved').length,
    unresolvable: states.filter((s) => s.adjudication?.outcome === 'unresolvable').length,
    byAnnotatorPair: [...groups.values()].map((g) => ({
      annotators: g.annotators,
      n: g.a.length,
      agreement: agreementOf(g.a, g.b),
      kappa: cohenKappa(g.a, g.b),
      evidenceOverlap: mean(g.overlaps),
      sentenceOverlap: mean(g.sentenceOverlaps),
      evidencePairs: g.overlaps.length,
    })),
    overall: { n: all.a.length, kappa: cohenKappa(all.a, all.b), agreement: agreementOf(all.a, all.b) },
  };
}

export interface DisagreementItem {
  taskId: string;
  code: string;
  desc: string;
  annotations: { annotator: string; label: boolean; spans: EvidenceSpan[]; sentences: number[]; rationale: string }[];
  adjudication: PairState['adjudication'];
}

/** Pairs whose two submitted labels differ, with both annotations; adjudicated ones are included with their decision unless `open` is set. */
export function disagreementQueue(db: Db, datasetName: string, options: { open?: boolean } = {}): DisagreementItem[] {
  const dataset = resolveDataset(db, datasetName);
  return pairStates(db, dataset.id)
    .filter((s) => submitted(s.first) && submitted(s.second) && s.first.label !== s.second.label && (!options.open || s.adjudication === null))
    .map((s) => ({
      taskId: s.taskId,
      code: s.code,
      desc: s.desc,
      annotations: [s.first!, s.second!].map((w) => ({ annotator: w.annotator, label: w.label!, rationale: w.rationale, ...withText(db, s.noteId, w.spans) })),
      adjudication: s.adjudication,
    }));
}

export interface AdjudicateRequest {
  dataset: string;
  taskId: string;
  code: string;
  adjudicator: string;
  outcome: 'resolved' | 'unresolvable';
  label?: boolean;
  /** Evidence of the final decision; absent: the evidence of the annotator whose label won (theirs merged when both). */
  spans?: readonly Span[];
  rationale?: string;
}

export function adjudicate(db: Db, request: AdjudicateRequest): { taskId: string; code: string; outcome: string; label: boolean | null } {
  const dataset = resolveDataset(db, request.dataset);
  const state = pairStates(db, dataset.id).find((s) => s.taskId === request.taskId && s.code === request.code);
  if (!state) throw new AnnotationError(`no annotated pair ${request.taskId} / ${request.code} in dataset ${dataset.name}`);
  if (!submitted(state.first) || !submitted(state.second)) throw new AnnotationError(`${request.taskId} / ${request.code} is not annotated by both annotators yet`);
  if (request.outcome === 'resolved' && request.label === undefined) throw new AnnotationError('a resolved pair needs its final label (--label related|unrelated)');
  if (request.adjudicator.trim() === '') throw new AnnotationError('name the adjudicator');
  const label = request.outcome === 'resolved' ? request.label! : null;
  const { length } = db.prepare('SELECT length FROM notes WHERE id = ?').get(state.noteId) as { length: number };
  const winners = [state.first, state.second].filter((w) => w.label === label);
  const spans = label
    ? normaliseSpans(request.spans !== undefined ? checkSpans(request.spans, length) : winners.flatMap((w) => w.spans))
    : [];
  const rationale = request.rationale ?? winners[0]?.rationale ?? '';
  db.transaction(() => {
    db.prepare(
      `INSERT INTO adjudications (pair_id, outcome, label, spans_json, rationale, adjudicator, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(pair_id) DO UPDATE SET outcome = excluded.outcome, label = excluded.label, spans_json = excluded.spans_json,
         rationale = excluded.rationale, adjudicator = excluded.adjudicator, decided_at = excluded.decided_at`,
    ).run(state.pairId, request.outcome, label === null ? null : label ? 1 : 0, JSON.stringify(spans.map((s) => [s.start, s.end])), rationale, request.adjudicator.trim(), new Date().toISOString());
    recordAudit(db, { kind: 'annotation', subject: dataset.name, facts: { action: 'adjudicate', taskId: request.taskId, code: request.code, outcome: request.outcome } });
  }).immediate();
  return { taskId: request.taskId, code: request.code, outcome: request.outcome, label };
}

export type FinalStatus = 'agreed' | 'adjudicated' | 'unresolvable' | 'disagreement' | 'incomplete';

export interface FinalPair {
  pairId: number;
  taskId: string;
  code: string;
  desc: string;
  status: FinalStatus;
  gold: boolean | null;
  spans: Span[];
  reasoning: string;
}

/**
 * The gold of each pair after annotation: the shared label when both annotators agree (evidence:
 * the union of theirs; reasoning: the first annotator's rationale, or the second's when empty), the
 * adjudicated decision after a disagreement, nothing for unresolvable, open or unfinished pairs,
 * which the export leaves out as the benchmark did. A negative gold has no evidence.
 */
export function finalLabels(db: Db, datasetName: string): FinalPair[] {
  const dataset = resolveDataset(db, datasetName);
  return pairStates(db, dataset.id).map((s): FinalPair => {
    const base = { pairId: s.pairId, taskId: s.taskId, code: s.code, desc: s.desc };
    if (s.adjudication?.outcome === 'unresolvable') return { ...base, status: 'unresolvable', gold: null, spans: [], reasoning: '' };
    if (s.adjudication?.outcome === 'resolved') return { ...base, status: 'adjudicated', gold: s.adjudication.label, spans: s.adjudication.label ? s.adjudication.spans : [], reasoning: s.adjudication.rationale };
    if (!submitted(s.first) || !submitted(s.second)) return { ...base, status: 'incomplete', gold: null, spans: [], reasoning: '' };
    if (s.first.label !== s.second.label) return { ...base, status: 'disagreement', gold: null, spans: [], reasoning: '' };
    const gold = s.first.label;
    return {
      ...base,
      status: 'agreed',
      gold,
      spans: gold ? normaliseSpans([...s.first.spans, ...s.second.spans]) : [],
      reasoning: s.first.rationale.trim() !== '' ? s.first.rationale : s.second.rationale,
    };
  });
}
