/**
 * What keeps a reader from trusting numbers they should not: a warning when a run says one label for
 * (nearly) every pair, small-n flags, a note when a comparison covers fewer pairs than a run planned,
 * and reference rows (always True, always False, the lexical baseline) scored on the same pairs, so a
 * model that answers True for everything is seen next to the trivial predictor it equals.
 */
import type { RunWarning } from '../../shared/contract';
import type { Db } from '../store/database';
import { CodePointIndex } from '../../shared/code-points';
import { BaselineMatcher } from '../engine/backends/baseline/matcher';
import { computeMetrics, type BreakdownGroup, type Metrics, type ScoredPair } from './metrics';

/** A run is degenerate when one label covers at least this share of its answered pairs. */
export const DEGENERATE_SHARE = 0.95;
/** Fewer answered pairs than this, and the degenerate check says nothing (2 of 2 True is not a pattern). */
export const DEGENERATE_MIN_ANSWERS = 10;
/** A breakdown group (chapter, kind) with fewer pairs is flagged: one pair reads as 0% or 100%. */
export const SMALL_N_GROUP = 10;
/** A run or comparison over fewer pairs gets a small-n warning: its intervals span tens of points. */
export const SMALL_N_RUN = 30;

export type ReferenceKind = 'always-true' | 'always-false' | 'baseline';
export interface ReferenceRow {
  reference: ReferenceKind;
  label: string;
  metrics: Metrics;
}

export const REFERENCE_LABELS: Record<ReferenceKind, string> = {
  'always-true': 'always True',
  'always-false': 'always False',
  baseline: 'lexical baseline',
};

/** One label for >= 95% of the answered pairs (missing and invalid pairs are not answers). */
export function degenerateWarning(run: string | null, pairs: readonly ScoredPair[]): RunWarning | null {
  const answered = pairs.filter((pair) => pair.status === 'ok');
  if (answered.length < DEGENERATE_MIN_ANSWERS) return null;
  const trues = answered.filter((pair) => pair.predicted).length;
  const label = trues * 2 >= answered.length;
  const share = (label ? trues : answered.length - trues) / answered.length;
  if (share < DEGENERATE_SHARE) return null;
  const percent = (share * 100).toFixed(share === 1 ? 0 : 1);
  return {
    kind: 'degenerate',
    run,
    label,
    share,
    message: `${run ? `"${run}" ` : ''}answers ${label ? 'True' : 'False'} for ${percent}% of its ${answered.length} answered pairs: its F1 says little beyond the label balance (compare it with the always-${label ? 'True' : 'False'} reference)`,
  };
}

export function smallNWarning(run: string | null, n: number): RunWarning | null {
  if (n >= SMALL_N_RUN) return null;
  return { kind: 'small-n', run, message: `only ${n} pair${n === 1 ? '' : 's'}${run ? ` in "${run}"` : ''}: the intervals are wide and one pair moves a percentage by ${n > 0 ? (100 / n).toFixed(0) : '100'} points` };
}

/** A run compared on fewer pairs than it planned (another run in the comparison planned fewer). */
export function fewerPairsWarning(run: string, comparedOn: number, planned: number): RunWarning | null {
  if (comparedOn >= planned) return null;
  return { kind: 'fewer-pairs', run, message: `"${run}" is compared on ${comparedOn} of its ${planned} planned pairs (the pairs every run in the comparison planned)` };
}

/** Every warning that belongs to one run's own numbers. */
export function scoreWarnings(run: string, pairs: readonly ScoredPair[]): RunWarning[] {
  return [degenerateWarning(run, pairs), smallNWarning(run, pairs.length)].filter((w): w is RunWarning => w !== null);
}

export function withSmallN(groups: readonly BreakdownGroup[]): (BreakdownGroup & { smallN: boolean })[] {
  return groups.map((group) => ({ ...group, smallN: group.metrics.n < SMALL_N_GROUP }));
}

/** The same pairs answered by a constant predictor, with no evidence. */
export function constantPairs(pairs: readonly ScoredPair[], label: boolean): ScoredPair[] {
  return pairs.map((pair) => ({ ...pair, status: 'ok', predicted: label, predictedSentences: [] }));
}

/** Baseline answers by pair, per database; deterministic, so computed once per process. */
const baselineCache = new WeakMap<Db, Map<string, { label: boolean; evidence: number[] }>>();

/**
 * The lexical baseline's answers on exactly these pairs (ids aligned with `pairs`), so every score has
 * its floor whether or not a baseline run exists: a stored baseline answer where there is one (the
 * newest), else computed in memory (tens of milliseconds per pair, so stored answers save seconds).
 */
export function baselinePairs(db: Db, pairIds: readonly number[], pairs: readonly ScoredPair[]): ScoredPair[] {
  if (pairIds.length !== pairs.length) throw new Error('baselinePairs: pair ids and pairs differ in length');
  let cache = baselineCache.get(db);
  if (!cache) {
    cache = new Map();
    baselineCache.set(db, cache);
  }
  const stored = new Map<number, { label: boolean; evidence: number[] }>();
  const storedRows = db
    .prepare(
      `SELECT pr.pair_id AS pairId, pr.label, pr.evidence_json AS evidenceJson FROM predictions pr JOIN runs r ON r.id = pr.run_id
       WHERE r.backend = 'baseline' AND pr.status = 'ok' ORDER BY r.id DESC`,
    )
    .all() as { pairId: number; label: number; evidenceJson: string }[];
  for (const row of storedRows) if (!stored.has(row.pairId)) stored.set(row.pairId, { label: row.label === 1, evidence: JSON.parse(row.evidenceJson) as number[] });
  const info = db.prepare('SELECT p.note_id AS noteKey, p.code, p.desc FROM pairs p WHERE p.id = ?');
  const noteText = db.prepare('SELECT text FROM notes WHERE id = ?');
  const noteSentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id');
  const matchers = new Map<number, BaselineMatcher>();
  return pairs.map((pair, i) => {
    const pairId = pairIds[i]!;
    const row = info.get(pairId) as { noteKey: number; code: string; desc: string };
    const key = `${pairId}|${row.noteKey}|${row.code}|${row.desc}`;
    let answer = stored.get(pairId) ?? cache.get(key);
    if (!answer) {
      let matcher = matchers.get(row.noteKey);
      if (!matcher) {
        const text = (noteText.get(row.noteKey) as { text: string }).text;
        const index = new CodePointIndex(text);
        const sentences = (noteSentences.all(row.noteKey) as { id: number; start: number; end: number }[]).map((s) => ({ id: s.id, text: index.slice(s.start, s.end) }));
        matcher = new BaselineMatcher(sentences);
        matchers.set(row.noteKey, matcher);
      }
      const prediction = matcher.predict({ code: row.code, desc: row.desc });
      answer = { label: prediction.label, evidence: [...prediction.evidence] };
      cache.set(key, answer);
    }
    return { ...pair, status: 'ok', predicted: answer.label, predictedSentences: answer.evidence };
  });
}

/** Always True, always False and the baseline, scored on the given pairs. */
export function referenceRows(db: Db, pairIds: readonly number[], pairs: readonly ScoredPair[]): ReferenceRow[] {
  return [
    { reference: 'always-true', label: REFERENCE_LABELS['always-true'], metrics: computeMetrics(constantPairs(pairs, true)) },
    { reference: 'always-false', label: REFERENCE_LABELS['always-false'], metrics: computeMetrics(constantPairs(pairs, false)) },
    { reference: 'baseline', label: REFERENCE_LABELS.baseline, metrics: computeMetrics(baselinePairs(db, pairIds, pairs)) },
  ];
}

/** Pair ids of a run's plan, in plan order (the order of scoredPairsOfRun). */
export function plannedPairIds(db: Db, runId: number): number[] {
  return (db.prepare('SELECT pair_id AS id FROM run_pairs WHERE run_id = ? ORDER BY position').all(runId) as { id: number }[]).map((r) => r.id);
}
