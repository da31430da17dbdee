import { datasetProvenance, type PairProvenance } from '../build/provenance';
import type { Db } from '../store/database';

export interface GoldEvidence {
  start: number;
  end: number;
  text: string;
}

/** The public shape of `medbench pairs --json`. */
export interface PairRecord {
  taskId: string;
  code: string;
  desc: string;
  gold: boolean;
  reasoningSummary: string;
  evidence: GoldEvidence[];
  goldSentences: number[];
  /** Where a built dataset's pair came from (kind, hops, similarity, triage votes); absent for imported datasets. */
  provenance?: PairProvenance;
}

/** Active pairs of a dataset in the annotation file's order (the stable order behind --limit). */
export function listPairs(db: Db, datasetId: number): PairRecord[] {
  const pairs = db
    .prepare(
      `SELECT id, task_id AS taskId, code, desc, gold, reasoning_summary AS reasoningSummary
       FROM pairs WHERE dataset_id = ? AND removed_at IS NULL ORDER BY source_row, id`,
    )
    .all(datasetId) as { id: number; taskId: string; code: string; desc: string; gold: number; reasoningSummary: string }[];
  const spans = groupBy(
    db
      .prepare(
        `SELECT s.pair_id AS pairId, s.span_start AS start, s.span_end AS end, s.text FROM gold_spans s
         JOIN pairs p ON p.id = s.pair_id WHERE p.dataset_id = ? ORDER BY s.pair_id, s.seq`,
      )
      .all(datasetId) as (GoldEvidence & { pairId: number })[],
  );
  const sentences = groupBy(
    db
      .prepare(
        `SELECT g.pair_id AS pairId, g.sentence_id AS id FROM gold_sentences g
         JOIN pairs p ON p.id = g.pair_id WHERE p.dataset_id = ? ORDER BY g.pair_id, g.sentence_id`,
      )
      .all(datasetId) as { pairId: number; id: number }[],
  );
  const provenance = datasetProvenance(db, datasetId);
  return pairs.map((pair) => ({
    taskId: pair.taskId,
    code: pair.code,
    desc: pair.desc,
    gold: pair.gold === 1,
    reasoningSummary: pair.reasoningSummary,
    evidence: (spans.get(pair.id) ?? []).map(({ start, end, text }) => ({ start, end, text })),
    goldSentences: (sentences.get(pair.id) ?? []).map((s) => s.id),
    ...(provenance.has(pair.id) ? { provenance: provenance.get(pair.id)! } : {}),
  }));
}

function groupBy<T extends { pairId: number }>(rows: T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.pairId);
    if (group) group.push(row);
    else groups.set(row.pairId, [row]);
  }
  return groups;
}
