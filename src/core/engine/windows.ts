/**
 * Context windows for notes too long for the model's context.
 *
 * Splitting: consecutive runs of whole sentences whose token counts sum to at most the budget; consecutive windows
 * share `overlapSentences` sentences (fewer when the shared sentences and the next new sentence would not fit
 * together) so a finding stated across a sentence boundary is seen whole at least once. A single sentence longer
 * than the budget gets a window of its own; the backend truncates its text to fit.
 *
 * Combining one sample across windows (combineWindowSamples):
 * - label: True if any valid window says True (documentation anywhere in the note is enough), else False;
 * - rawLabel and rationale: from the first True window, else from the first window;
 * - evidence: the union over the windows that agree with the combined label (a False window's citations do not
 *   support a True answer);
 * - status: ok when every window is valid, or when a valid window says True (an unreadable window cannot undo it);
 *   otherwise invalid, with every window's error;
 * - tokens and milliseconds: summed; rawOutput: the windows' outputs, one per line.
 */
import type { SampleResult } from './backend';

export function splitIntoWindows(
  sentences: readonly unknown[],
  tokenCounts: readonly number[],
  budgetTokens: number,
  overlapSentences = 2,
): number[][] {
  if (tokenCounts.length !== sentences.length) {
    throw new RangeError(`splitIntoWindows: ${sentences.length} sentences but ${tokenCounts.length} token counts`);
  }
  if (!Number.isFinite(budgetTokens) || budgetTokens <= 0) {
    throw new RangeError(`splitIntoWindows: the token budget must be positive (got ${budgetTokens})`);
  }
  if (!Number.isInteger(overlapSentences) || overlapSentences < 0) {
    throw new RangeError(`splitIntoWindows: overlapSentences must be a non-negative integer (got ${overlapSentences})`);
  }
  if (tokenCounts.some((count) => !Number.isFinite(count) || count < 0)) {
    throw new RangeError('splitIntoWindows: token counts must be non-negative numbers');
  }
  const count = sentences.length;
  // An empty note is still one (empty) window: the model is asked and should answer False.
  if (count === 0) return [[]];

  const windows: number[][] = [];
  let start = 0;
  while (true) {
    let end = start;
    let used = 0;
    while (end < count && used + tokenCounts[end] <= budgetTokens) {
      used += tokenCounts[end];
      end++;
    }
    if (end === start) end = start + 1; // one oversized sentence: alone, truncated by the backend
    windows.push(range(start, end));
    if (end >= count) return windows;

    // Overlap as many trailing sentences as fit with the next new sentence, never restarting at `start` itself.
    let overlap = Math.min(overlapSentences, end - start - 1);
    while (overlap > 0 && sum(tokenCounts, end - overlap, end) + tokenCounts[end] > budgetTokens) overlap--;
    start = end - overlap;
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, offset) => start + offset);
}

function sum(values: readonly number[], start: number, end: number): number {
  let total = 0;
  for (let index = start; index < end; index++) total += values[index];
  return total;
}

/** One sample's results from every window of a note, in window order, combined by the rule at the top of the file. */
export function combineWindowSamples(perWindow: readonly SampleResult[]): SampleResult {
  if (perWindow.length === 0) throw new RangeError('combineWindowSamples: no windows');
  if (perWindow.length === 1) return perWindow[0];

  const valid = perWindow.filter((sample) => sample.status === 'ok');
  const firstPositive = valid.find((sample) => sample.label === true);
  const allValid = valid.length === perWindow.length;
  const totals = {
    promptTokens: total(perWindow, (sample) => sample.promptTokens),
    reusedTokens: total(perWindow, (sample) => sample.reusedTokens),
    generatedTokens: total(perWindow, (sample) => sample.generatedTokens),
    ms: total(perWindow, (sample) => sample.ms),
  };
  const probabilities = perWindow.map((sample) => sample.probability).filter((p): p is number => typeof p === 'number');
  const thoughts = perWindow.map((sample) => sample.thinking).filter((t): t is string => typeof t === 'string' && t !== '');
  const paths = [...new Set(perWindow.map((sample) => sample.answerPath).filter((p): p is string => typeof p === 'string'))];
  const shared = {
    sampleIndex: perWindow[0].sampleIndex,
    seed: perWindow[0].seed,
    rawOutput: perWindow.map((sample) => sample.rawOutput).join('\n'),
    windows: perWindow.length,
    ...totals,
    // True if any window says True: the pair's positive probability is the largest window's (null when none has one).
    probability: probabilities.length > 0 ? Math.max(...probabilities) : null,
    thinking: thoughts.length > 0 ? thoughts.join('\n') : null,
    thinkingTokens: total(perWindow, (sample) => sample.thinkingTokens ?? 0),
    // One path when every window took it, else each window's distinct path ("label-logits+grammar-retry").
    answerPath: paths.length > 0 ? paths.join('+') : null,
  };

  if (!firstPositive && !allValid) {
    const errors = perWindow
      .map((sample, index) => (sample.status === 'ok' ? null : `window ${index + 1}/${perWindow.length}: ${sample.error}`))
      .filter((error): error is string => error !== null);
    return { ...shared, status: 'invalid', rawLabel: null, label: null, evidence: [], rationale: '', error: errors.join('; ') };
  }

  const chosen = firstPositive ?? perWindow[0];
  const combinedLabel = firstPositive !== undefined;
  const evidence = new Set<number>();
  for (const sample of valid) {
    if (sample.label === combinedLabel) for (const id of sample.evidence) evidence.add(id);
  }
  return {
    ...shared,
    status: 'ok',
    rawLabel: chosen.rawLabel,
    label: combinedLabel,
    evidence: [...evidence].sort((a, b) => a - b),
    rationale: chosen.rationale,
    error: null,
  };
}

function total(samples: readonly SampleResult[], pick: (sample: SampleResult) => number): number {
  return samples.reduce((accumulated, sample) => accumulated + pick(sample), 0);
}
