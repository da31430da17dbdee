import type { SampleResult } from './backend';

/** The fields of a prediction row beyond its label that come from the samples (migration 0006). */
export interface PredictionExtras {
  probability: number | null;
  thinking: string | null;
  thinkingTokens: number;
  answerPath: string | null;
}

type Extras = Pick<SampleResult, 'probability' | 'thinking' | 'thinkingTokens' | 'answerPath'>;

/**
 * A probability as the store takes it: a finite number in [0, 1], else null. A backend that hands
 * over NaN or 1.0000001 from floating-point softmax must not fail the whole prediction's commit on
 * the column's CHECK, so values a hair outside are clamped and anything else dropped.
 */
export function storableProbability(value: number | null | undefined): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (value < -1e-9 || value > 1 + 1e-9) return null;
  return Math.min(1, Math.max(0, value));
}

/**
 * With votes, the prediction's probability is the mean of the samples' probabilities (those that
 * have one: a sample's label may be invalid while its label-token distribution was still read).
 * Null when no sample has one.
 */
export function meanProbability(samples: readonly Extras[]): number | null {
  const values = samples.map((s) => storableProbability(s.probability)).filter((p): p is number => p !== null);
  if (values.length === 0) return null;
  return storableProbability(values.reduce((a, b) => a + b, 0) / values.length);
}

/**
 * The prediction row's extras: what the aggregated prediction says when it says it, else derived
 * from the samples (probability: their mean; thinking tokens: their sum; thought and answer path:
 * the first sample's that has one).
 */
export function predictionExtras(prediction: Extras, samples: readonly Extras[]): PredictionExtras {
  return {
    probability: prediction.probability !== undefined ? storableProbability(prediction.probability) : meanProbability(samples),
    thinking: prediction.thinking !== undefined ? prediction.thinking : (samples.find((s) => typeof s.thinking === 'string')?.thinking ?? null),
    thinkingTokens: prediction.thinkingTokens ?? samples.reduce((total, s) => total + (s.thinkingTokens ?? 0), 0),
    answerPath: prediction.answerPath !== undefined ? prediction.answerPath : (samples.find((s) => typeof s.answerPath === 'string')?.answerPath ?? null),
  };
}
