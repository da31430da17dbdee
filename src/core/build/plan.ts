import { nearestByHops } from './icd-hierarchy';
import { descriptionKey, type CodeSystem, type CodeTables, type InputAdmission } from './inputs';
import { shuffled, subRng, weightedSample } from './rng';
import type { SimilarityIndex } from './similarity';

/**
 * What a build will store, decided from the inputs and the seed alone (no model): the sampled
 * admissions, their assigned codes as candidates, and their negatives.
 */
export interface PlannedPair {
  admissionId: string;
  code: string;
  system: CodeSystem;
  desc: string;
  kind: 'assigned' | 'prevalence' | 'similar';
  /** ICD-hierarchy hops to the nearest assigned code of the admission (0 for an assigned code). */
  hops: number;
  /** Prevalence negatives: the assigned code fewest hops away; similar negatives: the most similar assigned code. */
  nearestCode: string | null;
  /** Highest cosine similarity of the description to an assigned code's (null for assigned codes). */
  similarity: number | null;
  prevalence: number;
  seqNum: number | null;
}

export interface PlanOptions {
  admissions: number;
  seed: number;
  negativesPrevalence: number;
  negativesSimilar: number;
}

/** Admissions with at least one ICD-10 code and a discharge note, in a seeded random order, the first n. */
export function sampleAdmissions(tables: CodeTables, withNotes: ReadonlySet<string>, n: number, seed: number): { sampled: InputAdmission[]; eligible: number } {
  // Sorted first so the draw depends on the seed and the ids, not on the files' row order.
  const eligible = [...tables.admissions.values()].filter((a) => a.codes.length > 0 && withNotes.has(a.admissionId)).sort((a, b) => compareIds(a.admissionId, b.admissionId));
  return { sampled: shuffled(eligible, subRng(seed, 'admissions')).slice(0, n), eligible: eligible.length };
}

/** Admissions per code over every ICD-10 admission of the input (sampled or not). */
export function codePrevalence(tables: CodeTables): Map<string, number> {
  const prevalence = new Map<string, number>();
  for (const admission of tables.admissions.values()) {
    for (const code of admission.codes) {
      const k = descriptionKey(code.system, code.code);
      prevalence.set(k, (prevalence.get(k) ?? 0) + 1);
    }
  }
  return prevalence;
}

export function planPairs(sampled: readonly InputAdmission[], tables: CodeTables, index: SimilarityIndex, options: PlanOptions): PlannedPair[] {
  const prevalence = codePrevalence(tables);
  // The prevalence universe: every code assigned somewhere in the input, in a fixed order.
  const observed = [...prevalence.keys()].sort();
  const pairs: PlannedPair[] = [];
  for (const admission of sampled) {
    const assigned = [...admission.codes].sort((a, b) => a.seqNum - b.seqNum);
    const assignedKeys = new Set(assigned.map((c) => descriptionKey(c.system, c.code)));
    const assignedCodes = assigned.map((c) => c.code);
    const taken = new Set(assignedKeys);
    for (const code of assigned) {
      const k = descriptionKey(code.system, code.code);
      pairs.push({ admissionId: admission.admissionId, code: code.code, system: code.system, desc: tables.descriptions.get(k)!, kind: 'assigned', hops: 0, nearestCode: null, similarity: null, prevalence: prevalence.get(k) ?? 0, seqNum: code.seqNum });
    }
    const mostSimilar = (k: string) => {
      let best: { code: string; similarity: number } | null = null;
      for (const a of assigned) {
        const similarity = index.similarity(k, descriptionKey(a.system, a.code));
        if (best === null || similarity > best.similarity) best = { code: a.code, similarity };
      }
      return best;
    };
    const negative = (k: string, kind: 'prevalence' | 'similar', similarTo?: { code: string; similarity: number } | null): PlannedPair => {
      const [system, code] = k.split(':') as [CodeSystem, string];
      const nearest = nearestByHops(code, assignedCodes)!;
      const similar = similarTo ?? mostSimilar(k);
      return {
        admissionId: admission.admissionId,
        code,
        system,
        desc: tables.descriptions.get(k)!,
        kind,
        hops: nearest.hops,
        nearestCode: kind === 'similar' ? (similar?.code ?? nearest.code) : nearest.code,
        similarity: similar ? round(similar.similarity) : null,
        prevalence: prevalence.get(k) ?? 0,
        seqNum: null,
      };
    };

    // Prevalence-weighted: drawn without replacement with probability proportional to prevalence.
    const rng = subRng(options.seed, `prevalence:${admission.admissionId}`);
    const drawn = weightedSample(observed.filter((k) => !taken.has(k)), (k) => prevalence.get(k) ?? 0, options.negativesPrevalence, rng);
    for (const k of drawn) {
      taken.add(k);
      pairs.push(negative(k, 'prevalence'));
    }

    // Semantically similar: the unassigned codes closest to any assigned code's description.
    if (options.negativesSimilar > 0) {
      const best = new Map<string, { code: string; similarity: number }>();
      for (const a of assigned) {
        const from = descriptionKey(a.system, a.code);
        for (const hit of index.nearest(from, options.negativesSimilar + taken.size, (id) => taken.has(id) || !tables.descriptions.has(id))) {
          const previous = best.get(hit.id);
          if (!previous || hit.similarity > previous.similarity) best.set(hit.id, { code: a.code, similarity: hit.similarity });
        }
      }
      const chosen = [...best]
        .filter(([, hit]) => hit.similarity > 0)
        .sort(([ka, a], [kb, b]) => b.similarity - a.similarity || (ka < kb ? -1 : 1))
        .slice(0, options.negativesSimilar);
      for (const [k, hit] of chosen) {
        taken.add(k);
        pairs.push(negative(k, 'similar', hit));
      }
    }
  }
  return pairs;
}

/** Numeric ids in numeric order (MIMIC's), others as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
