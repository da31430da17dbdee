import { cmChapter, pcsSection } from '../scoring/icd';
import type { Db } from '../store/database';

/**
 * Where each pair of a built dataset came from, and what the triage said about it.
 *
 * Votes are the prediction samples of the build's triage and re-judge runs (3-way labels). A pair's
 * triage is decided as in the paper's two-stage triage:
 *   - the first model's answer is the majority of its valid votes (no majority: "split");
 *   - a pair goes to the second model when the first disagrees with the billing code (majority
 *     Unrelated), its votes disagree among themselves, or it gave no valid vote;
 *   - outcome: "putative-positive" when both models say Unrelated although the code was assigned
 *     (the paper's candidate false negatives); otherwise the deciding model's majority in lower case
 *     ("explicit", "implicit", "unrelated"), "split", "pending" (not triaged yet), or
 *     "unconfirmed-unrelated" when only the first model said Unrelated and no second model was given.
 */
export type TriageLabel = 'Explicit' | 'Implicit' | 'Unrelated' | 'invalid';

export type TriageOutcome = 'explicit' | 'implicit' | 'unrelated' | 'putative-positive' | 'unconfirmed-unrelated' | 'split' | 'pending';

export interface PairProvenance {
  kind: 'assigned' | 'prevalence' | 'similar';
  hops: number;
  nearestCode: string | null;
  similarity: number | null;
  prevalence: number;
  seqNum: number | null;
  /** The vote samples, in sample order; null where that stage did not see the pair (negatives, or no rejudge). */
  votes: { triage: TriageLabel[] | null; rejudge: TriageLabel[] | null };
  /** null for negatives, which the triage does not see. */
  triage: TriageOutcome | null;
}

function normaliseLabel(raw: string | null, status: string): TriageLabel {
  if (status !== 'ok' || raw === null) return 'invalid';
  const lower = raw.trim().toLowerCase();
  if (lower === 'explicit') return 'Explicit';
  if (lower === 'implicit') return 'Implicit';
  if (lower === 'unrelated') return 'Unrelated';
  return 'invalid';
}

/** pair id → the run's vote labels, in sample order. */
export function triageVotes(db: Db, runId: number): Map<number, TriageLabel[]> {
  const rows = db
    .prepare(
      `SELECT p.pair_id AS pairId, s.raw_label AS raw, s.status FROM predictions p JOIN prediction_samples s ON s.prediction_id = p.id
       WHERE p.run_id = ? ORDER BY p.pair_id, s.sample_index`,
    )
    .all(runId) as { pairId: number; raw: string | null; status: string }[];
  const votes = new Map<number, TriageLabel[]>();
  for (const row of rows) {
    const list = votes.get(row.pairId) ?? [];
    list.push(normaliseLabel(row.raw, row.status));
    votes.set(row.pairId, list);
  }
  return votes;
}

/** The label most valid votes gave, when it has a strict majority of them. */
export function majority(votes: readonly TriageLabel[]): Exclude<TriageLabel, 'invalid'> | 'split' | 'invalid' {
  const valid = votes.filter((v) => v !== 'invalid');
  if (valid.length === 0) return 'invalid';
  const counts = new Map<string, number>();
  for (const v of valid) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const [label, count] of counts) if (count * 2 > valid.length) return label as Exclude<TriageLabel, 'invalid'>;
  return 'split';
}

export function needsRejudge(votes: readonly TriageLabel[] | null): boolean {
  if (votes === null) return false;
  const first = majority(votes);
  return first !== 'Explicit' && first !== 'Implicit' ? true : votes.some((v) => v !== votes[0]);
}

export function triageOutcome(first: readonly TriageLabel[] | null, second: readonly TriageLabel[] | null, rejudgeGiven: boolean): TriageOutcome {
  if (first === null) return 'pending';
  const a = majority(first);
  if (!needsRejudge(first)) return a.toLowerCase() as TriageOutcome;
  if (second === null) {
    if (rejudgeGiven) return 'pending';
    if (a === 'Unrelated') return 'unconfirmed-unrelated';
    return a === 'invalid' ? 'split' : (a.toLowerCase() as TriageOutcome);
  }
  const b = majority(second);
  if (a === 'Unrelated' && b === 'Unrelated') return 'putative-positive';
  if (b === 'invalid' || b === 'split') return 'split';
  return b.toLowerCase() as TriageOutcome;
}

interface BuildRuns {
  buildId: number;
  triageRunId: number | null;
  rejudgeRunId: number | null;
  rejudgeGiven: boolean;
}

function buildOfDataset(db: Db, datasetId: number): BuildRuns | null {
  const row = db
    .prepare('SELECT id, triage_run_id AS triageRunId, rejudge_run_id AS rejudgeRunId, settings_json AS settings FROM builds WHERE dataset_id = ?')
    .get(datasetId) as { id: number; triageRunId: number | null; rejudgeRunId: number | null; settings: string } | undefined;
  if (!row) return null;
  return { buildId: row.id, triageRunId: row.triageRunId, rejudgeRunId: row.rejudgeRunId, rejudgeGiven: (JSON.parse(row.settings) as { rejudge: string | null }).rejudge !== null };
}

/** pair id → provenance for every pair of a built dataset; empty for an imported dataset. */
export function datasetProvenance(db: Db, datasetId: number): Map<number, PairProvenance> {
  const build = buildOfDataset(db, datasetId);
  const out = new Map<number, PairProvenance>();
  if (!build) return out;
  const first = build.triageRunId !== null ? triageVotes(db, build.triageRunId) : new Map<number, TriageLabel[]>();
  const second = build.rejudgeRunId !== null ? triageVotes(db, build.rejudgeRunId) : new Map<number, TriageLabel[]>();
  const rows = db
    .prepare(
      `SELECT pair_id AS pairId, kind, hops, nearest_code AS nearestCode, similarity, prevalence, seq_num AS seqNum FROM pair_provenance WHERE build_id = ?`,
    )
    .all(build.buildId) as (Omit<PairProvenance, 'votes' | 'triage'> & { pairId: number })[];
  for (const { pairId, ...row } of rows) {
    const a = first.get(pairId) ?? null;
    const b = second.get(pairId) ?? null;
    out.set(pairId, {
      ...row,
      votes: { triage: a, rejudge: b },
      triage: row.kind === 'assigned' ? triageOutcome(a, b, build.rejudgeGiven) : null,
    });
  }
  return out;
}

export interface BuildSummary {
  name: string;
  stage: string;
  admissions: number;
  pairs: number;
  candidates: number;
  negatives: { prevalence: number; similar: number };
  triage: Record<TriageOutcome, number>;
  /** Share of triaged candidates whose votes were unanimous; null before the triage. */
  triageUnanimous: number | null;
  rejudged: number;
  /** Among re-judged pairs, the share where the second model's majority equals the first's. */
  rejudgeAgreement: number | null;
  /** Pairs by CM chapter / PCS section ("CM IX", "PCS 0"). */
  chapters: Record<string, number>;
  /** Mean hops and mean prevalence of negatives; mean similarity of similar negatives. */
  hops: { prevalence: number | null; similar: number | null };
  meanSimilarity: number | null;
  prevalence: { candidates: number | null; negatives: number | null };
  triageRun: string | null;
  rejudgeRun: string | null;
  manifest: Record<string, unknown>;
}

export function buildSummary(db: Db, name: string): BuildSummary {
  const row = db
    .prepare(
      `SELECT b.id, b.dataset_id AS datasetId, b.stage, b.manifest_json AS manifest,
         (SELECT name FROM runs WHERE id = b.triage_run_id) AS triageRun, (SELECT name FROM runs WHERE id = b.rejudge_run_id) AS rejudgeRun
       FROM builds b WHERE b.name = ?`,
    )
    .get(name) as { id: number; datasetId: number; stage: string; manifest: string; triageRun: string | null; rejudgeRun: string | null };
  const provenance = datasetProvenance(db, row.datasetId);
  const pairs = db.prepare('SELECT id, code, task_id AS taskId FROM pairs WHERE dataset_id = ? AND removed_at IS NULL').all(row.datasetId) as { id: number; code: string; taskId: string }[];
  const triage: Record<TriageOutcome, number> = { explicit: 0, implicit: 0, unrelated: 0, 'putative-positive': 0, 'unconfirmed-unrelated': 0, split: 0, pending: 0 };
  const chapters: Record<string, number> = {};
  let unanimous = 0;
  let triaged = 0;
  let rejudged = 0;
  let agreeing = 0;
  const mean = (values: number[]) => (values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000);
  const hops = { prevalence: [] as number[], similar: [] as number[] };
  const similarity: number[] = [];
  const prevalence = { candidates: [] as number[], negatives: [] as number[] };
  for (const pair of pairs) {
    const p = provenance.get(pair.id);
    if (!p) continue;
    const group = cmChapter(pair.code) ? `CM ${cmChapter(pair.code)!.id}` : pcsSection(pair.code) ? `PCS ${pcsSection(pair.code)!.section}` : 'unknown';
    chapters[group] = (chapters[group] ?? 0) + 1;
    if (p.kind === 'assigned') {
      triage[p.triage!]++;
      prevalence.candidates.push(p.prevalence);
      const a = p.votes.triage;
      if (a) {
        triaged++;
        if (a.every((v) => v === a[0])) unanimous++;
      }
      if (a && p.votes.rejudge) {
        rejudged++;
        if (majority(a) === majority(p.votes.rejudge)) agreeing++;
      }
    } else {
      hops[p.kind].push(p.hops);
      prevalence.negatives.push(p.prevalence);
      if (p.kind === 'similar' && p.similarity !== null) similarity.push(p.similarity);
    }
  }
  const counts = { assigned: 0, prevalence: 0, similar: 0 };
  for (const p of provenance.values()) counts[p.kind]++;
  return {
    name,
    stage: row.stage,
    admissions: new Set(pairs.map((p) => p.taskId)).size,
    pairs: pairs.length,
    candidates: counts.assigned,
    negatives: { prevalence: counts.prevalence, similar: counts.similar },
    triage,
    triageUnanimous: triaged === 0 ? null : Math.round((unanimous / triaged) * 1000) / 1000,
    rejudged,
    rejudgeAgreement: rejudged === 0 ? null : Math.round((agreeing / rejudged) * 1000) / 1000,
    chapters: Object.fromEntries(Object.entries(chapters).sort(([a], [b]) => (a < b ? -1 : 1))),
    hops: { prevalence: mean(hops.prevalence), similar: mean(hops.similar) },
    meanSimilarity: mean(similarity),
    prevalence: { candidates: mean(prevalence.candidates), negatives: mean(prevalence.negatives) },
    triageRun: row.triageRun,
    rejudgeRun: row.rejudgeRun,
    manifest: JSON.parse(row.manifest) as Record<string, unknown>,
  };
}
