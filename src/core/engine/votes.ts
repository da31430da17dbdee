import type { SampleResult } from './backend';

/** One pair's prediction: a sample's fields without its index and seed. */
export type AggregatedPrediction = Omit<SampleResult, 'sampleIndex' | 'seed'>;

/**
 * Combines the vote samples of one pair. The label is the majority of the valid samples (a tie is
 * False: a concept must be affirmed by most samples to count as documented). Evidence is the
 * sentences cited by at least half of the samples that voted with the majority; rationale and raw
 * output come from the first of those. Invalid samples do not vote; if all are invalid, so is the
 * prediction. Token counts and time are summed over all samples.
 */
export function aggregateSamples(samples: readonly SampleResult[]): AggregatedPrediction {
  if (samples.length === 0) throw new Error('a prediction needs at least one sample');
  const totals = {
    promptTokens: sum(samples, (s) => s.promptTokens),
    reusedTokens: sum(samples, (s) => s.reusedTokens),
    generatedTokens: sum(samples, (s) => s.generatedTokens),
    ms: sum(samples, (s) => s.ms),
    windows: Math.max(...samples.map((s) => s.windows)),
  };
  const valid = samples.filter((s) => s.status === 'ok' && s.label !== null);
  if (valid.length === 0) {
    const first = samples[0]!;
    return { status: 'invalid', label: null, rawLabel: first.rawLabel, evidence: [], rationale: '', rawOutput: first.rawOutput, error: first.error ?? 'no valid sample', ...totals };
  }
  const trueVotes = valid.filter((s) => s.label === true).length;
  const label = trueVotes * 2 > valid.length;
  const majority = valid.filter((s) => s.label === label);
  const citations = new Map<number, number>();
  for (const sample of majority) for (const id of new Set(sample.evidence)) citations.set(id, (citations.get(id) ?? 0) + 1);
  const evidence = [...citations].filter(([, count]) => count * 2 >= majority.length).map(([id]) => id).sort((a, b) => a - b);
  const representative = majority[0]!;
  return {
    status: 'ok',
    label,
    rawLabel: mostFrequent(majority.map((s) => s.rawLabel ?? '')) || null,
    evidence,
    rationale: representative.rationale,
    rawOutput: representative.rawOutput,
    error: null,
    ...totals,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? '';
  for (const [value, count] of counts) if (count > (counts.get(best) ?? 0)) best = value;
  return best;
}
