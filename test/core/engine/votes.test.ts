import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../../../src/core/engine/backend';
import { aggregateSamples } from '../../../src/core/engine/votes';

function sample(overrides: Partial<SampleResult>): SampleResult {
  return {
    sampleIndex: 0, seed: 1, status: 'ok', rawLabel: 'True', label: true, evidence: [], rationale: 'r', rawOutput: '{}', error: null,
    promptTokens: 10, reusedTokens: 5, generatedTokens: 3, ms: 2, windows: 1, ...overrides,
  };
}

describe('aggregateSamples', () => {
  it('passes a single sample through', () => {
    const result = aggregateSamples([sample({ evidence: [3, 5], rationale: 'because' })]);
    expect(result).toMatchObject({ status: 'ok', label: true, rawLabel: 'True', evidence: [3, 5], rationale: 'because', promptTokens: 10, reusedTokens: 5, generatedTokens: 3 });
  });

  it('takes the majority label and the evidence cited by at least half of the majority', () => {
    const result = aggregateSamples([
      sample({ sampleIndex: 0, label: true, evidence: [1, 2], rationale: 'first true' }),
      sample({ sampleIndex: 1, label: false, rawLabel: 'False', evidence: [9] }),
      sample({ sampleIndex: 2, label: true, evidence: [2, 4] }),
    ]);
    expect(result.label).toBe(true);
    expect(result.evidence).toEqual([1, 2, 4]);
    expect(result.rationale).toBe('first true');
    expect(result.promptTokens).toBe(30);
  });

  it('drops evidence cited by a minority of the majority samples', () => {
    const result = aggregateSamples([
      sample({ sampleIndex: 0, evidence: [1, 7] }),
      sample({ sampleIndex: 1, evidence: [1] }),
      sample({ sampleIndex: 2, evidence: [1, 8] }),
    ]);
    expect(result.evidence).toEqual([1]);
  });

  it('breaks a tie towards False and ignores invalid samples', () => {
    const tie = aggregateSamples([
      sample({ label: true }),
      sample({ label: false, rawLabel: 'False', evidence: [] }),
      sample({ status: 'invalid', label: null, rawLabel: null, error: 'bad json' }),
    ]);
    expect(tie).toMatchObject({ status: 'ok', label: false, rawLabel: 'False' });
  });

  it('is invalid when every sample is', () => {
    const result = aggregateSamples([sample({ status: 'invalid', label: null, error: 'cut at maxTokens', rawOutput: '{"label": "Tr' })]);
    expect(result).toMatchObject({ status: 'invalid', label: null, evidence: [], error: 'cut at maxTokens', rawOutput: '{"label": "Tr' });
  });

  it('keeps the raw 3-way label of the majority', () => {
    const result = aggregateSamples([
      sample({ rawLabel: 'Implicit' }),
      sample({ rawLabel: 'Implicit' }),
      sample({ rawLabel: 'Explicit' }),
    ]);
    expect(result.rawLabel).toBe('Implicit');
  });
});
