/**
 * The lexical baseline's matcher (the `baseline` backend): deterministic, no model.
 *
 * It reads a concept (ICD-10 code + description) the way a coder skims a note: find the sentences that name the
 * concept's informative terms (directly, by synonym or abbreviation, or implicitly through a lab value or BMI), skip
 * negated and family-history mentions, and refuse matches whose distinguishing qualifiers (type 1 vs 2, acute vs
 * chronic, systolic vs diastolic, left vs right, stage) contradict the concept. The score is the weighted share of
 * the concept's terms that the best sentence (or pair of adjacent sentences) covers.
 */
import { type ConceptModel, type NumericRange, conceptModel, formatNumber, inRange } from './concept-analysis';
import { BASELINE_THRESHOLD, type BaselineConcept, type BaselinePrediction, type BaselineSentence, MAX_EVIDENCE_SENTENCES, NOTE_CONFLICT_FACTOR, PAIR_FACTOR } from './types';
import { bounded, describeMatches, missingLabels, quote, sentenceList } from './rationale';
import { type Conflict, type SentenceEvaluation, combinedWeight, evaluateSentence } from './scoring';
import { type AnalyzedSentence, analyzeSentence } from './sentence-analysis';

const round = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;

/**
 * Caches the analysis of one note's sentences so that many concepts can be checked against it cheaply.
 * The sentences are analyzed on the first `predict`.
 */
export class BaselineMatcher {
  private readonly originals: readonly BaselineSentence[];
  private readonly sentences: readonly BaselineSentence[];
  /** Texts as they were when the matcher was built: a caller may mutate a sentence object in place. */
  private readonly texts: readonly string[];
  private analyzed: AnalyzedSentence[] | null = null;

  constructor(sentences: readonly BaselineSentence[]) {
    this.sentences = sentences.map((sentence) => ({ id: sentence.id, text: sentence.text }));
    this.texts = this.sentences.map((sentence) => sentence.text);
    this.originals = [...sentences];
  }

  /** True when this matcher was built from exactly these sentence objects, unchanged. */
  isFor(sentences: readonly BaselineSentence[]): boolean {
    return (
      sentences.length === this.originals.length &&
      sentences.every((sentence, i) => sentence === this.originals[i] && sentence.text === this.texts[i] && sentence.id === this.sentences[i].id)
    );
  }

  predict(concept: BaselineConcept): BaselinePrediction {
    const analyzed = this.analysis();
    if (analyzed.length === 0) return { label: false, evidence: [], rationale: 'The note has no sentences.', score: 0 };
    const model = conceptModel(concept);
    if (model.bmiRange) return this.predictBmi(model.bmiRange, analyzed);
    if (model.terms.length === 0 || model.totalWeight === 0) {
      return { label: false, evidence: [], rationale: bounded(`No informative terms in "${concept.desc}".`), score: 0 };
    }

    const evaluations = analyzed.map((sentence) => evaluateSentence(model, sentence));
    let bestScore = 0;
    let bestWindow: number[] = [];
    const conflictedAxes = new Set<string>();
    let firstConflict: { index: number; conflict: Conflict } | null = null;
    let negatedAt: number[] = [];

    for (let i = 0; i < evaluations.length; i += 1) {
      const evaluation = evaluations[i];
      if (!evaluation) continue;
      if (evaluation.negatedMention && evaluation.matchedWeight === 0) negatedAt.push(i);
      if (evaluation.conflict) {
        conflictedAxes.add(evaluation.conflict.axis);
        firstConflict ??= { index: i, conflict: evaluation.conflict };
        continue;
      }
      const single = evaluation.matchedWeight / model.totalWeight;
      if (single > bestScore) {
        bestScore = single;
        bestWindow = [i];
      }
      const next = evaluations[i + 1];
      if (next && !next.conflict && next.matchedWeight > 0 && evaluation.matchedWeight > 0) {
        const pair = (combinedWeight(model, [evaluation, next]) / model.totalWeight) * PAIR_FACTOR;
        if (pair > bestScore + 1e-9) {
          bestScore = pair;
          bestWindow = [i, i + 1];
        }
      }
    }

    const windowEvaluations = bestWindow.map((i) => evaluations[i] as SentenceEvaluation);
    const unmetConflicted = model.qualifiers.some(
      (qualifier, q) => conflictedAxes.has(qualifier.axis) && !windowEvaluations.some((e) => e.qualifierMet[q]),
    );
    const excludedConflict = conflictedAxes.has('excluded');
    if (bestScore > 0 && (unmetConflicted || excludedConflict)) bestScore *= NOTE_CONFLICT_FACTOR;
    const score = round(bestScore);
    const label = score >= BASELINE_THRESHOLD;

    if (label) {
      const evidence = this.pickEvidence(model, evaluations, bestWindow);
      const ids = evidence.map((i) => analyzed[i].id);
      return { label, evidence: ids, rationale: bounded(`Matched ${describeMatches(model, windowEvaluations)} in ${sentenceList(ids)}.`), score };
    }

    let rationale: string;
    if (bestScore > 0) {
      const missing = missingLabels(model, windowEvaluations).map(quote).join(', ');
      const found = describeMatches(model, windowEvaluations);
      const where = sentenceList(bestWindow.map((i) => analyzed[i].id));
      const doubt = unmetConflicted || excludedConflict ? ' Note contradicts a qualifier elsewhere.' : '';
      rationale = `Partial match (${score.toFixed(2)}): ${found} in ${where}; missing ${missing || 'nothing'}.${doubt}`;
    } else if (firstConflict) {
      const { conflict, index } = firstConflict;
      rationale = `Conflicting qualifier: concept says ${quote(conflict.wanted)}, note says ${quote(conflict.found)} (S${analyzed[index].id}).`;
    } else if (negatedAt.length > 0) {
      negatedAt = negatedAt.slice(0, MAX_EVIDENCE_SENTENCES);
      rationale = `Only negated or family mentions of ${model.terms.map((t) => quote(t.label)).join(', ')} (${sentenceList(negatedAt.map((i) => analyzed[i].id))}).`;
    } else {
      rationale = `No sentence mentions ${model.terms.map((t) => quote(t.label)).join(', ')}.`;
    }
    return { label, evidence: [], rationale: bounded(rationale), score };
  }

  private analysis(): AnalyzedSentence[] {
    this.analyzed ??= this.sentences.map(analyzeSentence);
    return this.analyzed;
  }

  /** The winning window, then other non-conflicting sentences that match nearly as well, up to the cap. */
  private pickEvidence(model: ConceptModel, evaluations: readonly (SentenceEvaluation | null)[], window: readonly number[]): number[] {
    const chosen = new Set(window.filter((i) => (evaluations[i]?.matchedWeight ?? 0) > 0));
    const bestSingle = Math.max(...window.map((i) => evaluations[i]?.matchedWeight ?? 0));
    const others = evaluations
      .map((evaluation, index) => ({ evaluation, index }))
      .filter(({ evaluation, index }) => evaluation && !evaluation.conflict && !chosen.has(index) && evaluation.matchedWeight >= 0.6 * bestSingle)
      .filter(({ evaluation }) => (evaluation as SentenceEvaluation).matchedWeight / model.totalWeight >= 0.35)
      .sort((a, b) => (b.evaluation as SentenceEvaluation).matchedWeight - (a.evaluation as SentenceEvaluation).matchedWeight || a.index - b.index);
    for (const { index } of others) {
      if (chosen.size >= MAX_EVIDENCE_SENTENCES) break;
      chosen.add(index);
    }
    const analyzed = this.analysis();
    return [...chosen].sort((a, b) => analyzed[a].id - analyzed[b].id || a - b).filter((index, k, all) => k === 0 || analyzed[all[k - 1]].id !== analyzed[index].id);
  }

  private predictBmi(range: NumericRange, analyzed: readonly AnalyzedSentence[]): BaselinePrediction {
    const supporting: { id: number; value: number }[] = [];
    const outside: { id: number; value: number }[] = [];
    for (const sentence of analyzed) {
      for (const value of sentence.bmi) (inRange(value, range) ? supporting : outside).push({ id: sentence.id, value });
    }
    if (supporting.length > 0) {
      const ids = [...new Set(supporting.map((s) => s.id))].sort((a, b) => a - b).slice(0, MAX_EVIDENCE_SENTENCES);
      return {
        label: true,
        evidence: ids,
        rationale: bounded(`BMI ${formatNumber(supporting[0].value)} in ${sentenceList(ids)} is within ${range.label}.`),
        score: 1,
      };
    }
    if (outside.length > 0) {
      const first = outside[0];
      return { label: false, evidence: [], rationale: bounded(`BMI ${formatNumber(first.value)} (S${first.id}) is outside ${range.label}.`), score: 0 };
    }
    return { label: false, evidence: [], rationale: `No BMI value in the note for range ${range.label}.`, score: 0 };
  }
}

const matcherByNote = new WeakMap<readonly BaselineSentence[], BaselineMatcher>();

/**
 * Predicts one note-concept pair. Repeated calls with the same sentence array reuse its analysis; use
 * `BaselineMatcher` directly to make that explicit.
 */
export function predictBaseline(concept: BaselineConcept, sentences: readonly BaselineSentence[]): BaselinePrediction {
  let matcher = matcherByNote.get(sentences);
  if (!matcher || !matcher.isFor(sentences)) {
    matcher = new BaselineMatcher(sentences);
    matcherByNote.set(sentences, matcher);
  }
  return matcher.predict(concept);
}
