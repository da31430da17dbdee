/** The lexical baseline: Scoring. */
import { type ConceptModel } from './concept-analysis';
import { PARTIAL_CREDIT, QUALIFIER_WINDOW } from './types';
import { FAMILY_HISTORY_KEY } from './phrase-index';
import { type AnalyzedSentence, type Hit } from './sentence-analysis';

export interface Conflict {
  axis: string;
  wanted: string;
  found: string;
}

export interface SentenceEvaluation {
  credit: number[];
  surfaces: (string | null)[];
  qualifierMet: boolean[];
  qualifierSurfaces: (string | null)[];
  conflict: Conflict | null;
  /** Some term was mentioned here only in a negated or relative's context. */
  negatedMention: boolean;
  matchedWeight: number;
}

function positiveHit(hits: readonly Hit[] | undefined, allowOtherPerson: boolean): Hit | null | 'negated' {
  if (!hits) return null;
  let sawNegated = false;
  for (const hit of hits) {
    if (hit.negated || (hit.otherPerson && !allowOtherPerson)) {
      sawNegated = true;
      continue;
    }
    return hit;
  }
  return sawNegated ? 'negated' : null;
}

const near = (position: number, anchors: readonly number[]): boolean => anchors.some((anchor) => Math.abs(anchor - position) <= QUALIFIER_WINDOW);

export function evaluateSentence(model: ConceptModel, sentence: AnalyzedSentence): SentenceEvaluation | null {
  const credit = new Array<number>(model.terms.length).fill(0);
  const surfaces = new Array<string | null>(model.terms.length).fill(null);
  const anchors: number[] = [];
  let negatedMention = false;
  let any = false;
  let relativeSurface: string | null = null;

  const firstPositive = (keys: readonly string[]): Hit | null => {
    for (const key of keys) {
      const found = positiveHit(sentence.hits.get(key), model.allowOtherPerson);
      if (found === 'negated') negatedMention = true;
      else if (found) return found;
    }
    return null;
  };
  model.terms.forEach((term, t) => {
    const full = firstPositive(term.keys);
    const found = full ?? firstPositive(term.partialKeys);
    if (!found) return;
    credit[t] = full ? 1 : PARTIAL_CREDIT;
    surfaces[t] = found.surface;
    if (found.otherPerson) relativeSurface ??= `relative: ${found.surface}`;
    if (found.first >= 0) anchors.push(found.first);
    any = true;
  });
  // "Father with CAD" documents a family history even without the words: a relative's mention satisfies that term.
  if (model.allowOtherPerson && relativeSurface !== null) {
    model.terms.forEach((term, t) => {
      if (credit[t] === 0 && term.keys.includes(FAMILY_HISTORY_KEY)) {
        credit[t] = 1;
        surfaces[t] = relativeSurface;
      }
    });
  }
  if (!any) return negatedMention ? { credit, surfaces, qualifierMet: [], qualifierSurfaces: [], conflict: null, negatedMention, matchedWeight: 0 } : null;

  let conflict: Conflict | null = null;
  const qualifierSurfaces = new Array<string | null>(model.qualifiers.length).fill(null);
  const qualifierMet = model.qualifiers.map((qualifier, q) => {
    const nearby = (sentence.axes.get(qualifier.axis) ?? []).filter((hit) => !hit.negated && near(hit.first, anchors));
    if (nearby.length === 0) return false;
    const accepted = nearby.find((hit) => qualifier.accepts(hit.value));
    if (accepted) {
      qualifierSurfaces[q] = accepted.surface;
      return true;
    }
    conflict ??= { axis: qualifier.axis, wanted: qualifier.label, found: nearby[0].surface };
    return false;
  });
  for (const term of model.excluded) {
    if (conflict) break;
    const hit = (sentence.hits.get(term.key) ?? []).find((h) => !h.negated && h.first >= 0 && near(h.first, anchors));
    if (hit) conflict = { axis: 'excluded', wanted: `without ${term.label}`, found: hit.surface };
  }

  let matchedWeight = 0;
  model.terms.forEach((term, t) => (matchedWeight += term.weight * credit[t]));
  model.qualifiers.forEach((qualifier, q) => (matchedWeight += qualifierMet[q] ? qualifier.weight : 0));
  return { credit, surfaces, qualifierMet, qualifierSurfaces, conflict, negatedMention, matchedWeight };
}

export function combinedWeight(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): number {
  let weight = 0;
  model.terms.forEach((term, t) => (weight += term.weight * Math.max(...evaluations.map((e) => e.credit[t]))));
  model.qualifiers.forEach((qualifier, q) => (weight += evaluations.some((e) => e.qualifierMet[q]) ? qualifier.weight : 0));
  return weight;
}
