import type { CallRequest } from '../../../shared/contract';

type Outcome = NonNullable<CallRequest<'listPairs'>['outcome']>;
const OUTCOMES: readonly string[] = ['correct', 'wrong', 'tp', 'fp', 'fn', 'tn', 'invalid', 'missing'];

/** The pairs list's filter as it travels in URLs: the list's own, and every pair opened from it. */
export interface ListQuery {
  dataset: string;
  run?: string | undefined;
  gold?: string | undefined;
  kind?: string | undefined;
  chapter?: string | undefined;
  outcome?: string | undefined;
  /** '1': only pairs whose gold evidence the run missed. */
  missed?: string | undefined;
  search?: string | undefined;
}

const KEYS = ['dataset', 'run', 'gold', 'kind', 'chapter', 'outcome', 'missed', 'search'] as const;

/** The filter part of a URL query (other keys, like the list's selection, are left out). */
export function listQuery(query: URLSearchParams): ListQuery {
  const result: ListQuery = { dataset: query.get('dataset') ?? '' };
  for (const key of KEYS) {
    const value = query.get(key);
    if (value) result[key] = value;
  }
  return result;
}

export function pairsRequest(q: ListQuery): CallRequest<'listPairs'> {
  return {
    dataset: q.dataset,
    ...(q.gold === 'true' || q.gold === 'false' ? { gold: q.gold === 'true' } : {}),
    ...(q.kind === 'CM' || q.kind === 'PCS' ? { kind: q.kind } : {}),
    ...(q.chapter ? { chapter: q.chapter } : {}),
    ...(q.search ? { search: q.search } : {}),
    ...(q.run ? { run: q.run } : {}),
    ...(q.run && q.outcome && OUTCOMES.includes(q.outcome) ? { outcome: q.outcome as Outcome } : {}),
    ...(q.run && q.missed === '1' ? { evidenceMissed: true } : {}),
  };
}

const OUTCOME_WORDS: Record<string, string> = {
  correct: 'correct answers',
  wrong: 'wrong answers',
  tp: 'true positives',
  fp: 'false positives',
  fn: 'false negatives',
  tn: 'true negatives',
  invalid: 'invalid answers',
  missing: 'pairs not predicted yet',
};

/** Words for the filter, for "Pair 3 of 17: false negatives of baseline". Empty for the whole dataset. */
export function describeFilter(q: ListQuery): string {
  const parts: string[] = [];
  if (q.run) parts.push(`${q.outcome ? (OUTCOME_WORDS[q.outcome] ?? q.outcome) : 'pairs'} of ${q.run}`);
  if (q.run && q.missed === '1') parts.push('gold evidence missed');
  if (q.gold) parts.push(`gold ${q.gold === 'true' ? 'True' : 'False'}`);
  if (q.kind) parts.push(q.kind);
  if (q.chapter) parts.push(q.chapter);
  if (q.search) parts.push(`matching “${q.search}”`);
  return parts.join(', ');
}
