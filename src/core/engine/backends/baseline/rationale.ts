/** The lexical baseline: Rationale. */
import { type ConceptModel } from './concept-analysis';
import { MAX_RATIONALE_LENGTH } from './types';
import { type SentenceEvaluation } from './scoring';

export function bounded(text: string): string {
  return text.length <= MAX_RATIONALE_LENGTH ? text : `${text.slice(0, MAX_RATIONALE_LENGTH - 1)}…`;
}

export const quote = (text: string): string => `"${text}"`;
export const sentenceList = (ids: readonly number[]): string => ids.map((id) => `S${id}`).join(', ');

const describe = (label: string, surface: string | null): string =>
  surface && surface !== label.toLowerCase() ? `${quote(label)} (${surface})` : quote(label);

export function describeMatches(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): string {
  const parts: string[] = [];
  model.terms.forEach((term, t) => {
    const source = evaluations.find((e) => e.credit[t] > 0);
    if (source) parts.push(describe(term.label, source.surfaces[t]));
  });
  model.qualifiers.forEach((qualifier, q) => {
    const source = evaluations.find((e) => e.qualifierMet[q]);
    if (source) parts.push(describe(qualifier.label, source.qualifierSurfaces[q]));
  });
  return parts.join(', ');
}

export function missingLabels(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): string[] {
  const missing: string[] = [];
  model.terms.forEach((term, t) => {
    if (!evaluations.some((e) => e.credit[t] >= 1)) missing.push(term.label);
  });
  model.qualifiers.forEach((qualifier, q) => {
    if (!evaluations.some((e) => e.qualifierMet[q])) missing.push(qualifier.label);
  });
  return missing;
}
