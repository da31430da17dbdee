import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../../../src/core/engine/backend';
import { combineWindowSamples, splitIntoWindows } from '../../../src/core/engine/windows';

function split(counts: number[], budget: number, overlap?: number): number[][] {
  return splitIntoWindows(counts.map((_, index) => index), counts, budget, overlap);
}

function tokensOf(window: number[], counts: number[]): number {
  return window.reduce((sum, index) => sum + counts[index], 0);
}

describe('splitIntoWindows', () => {
  it('keeps a note that fits in one window', () => {
    expect(split([5, 5, 5], 15)).toEqual([[0, 1, 2]]);
  });

  it('gives an empty note one empty window', () => {
    expect(split([], 10)).toEqual([[]]);
  });

  it('overlaps consecutive windows by two sentences by default', () => {
    expect(split([4, 4, 4, 4, 4, 4], 12)).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
    ]);
  });

  it('honours another overlap, including none', () => {
    expect(split([4, 4, 4, 4, 4, 4], 12, 0)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(split([4, 4, 4, 4, 4, 4], 12, 1)).toEqual([
      [0, 1, 2],
      [2, 3, 4],
      [4, 5],
    ]);
  });

  it('puts an oversized sentence alone (the backend truncates it) and moves on', () => {
    expect(split([3, 50, 3, 3], 10)).toEqual([[0], [1], [2, 3]]);
  });

  it('shrinks the overlap when the shared sentences and the next one would not fit', () => {
    // Window [0,1] uses 10; sentence 2 (8 tokens) fits only with no shared sentence before it.
    expect(split([5, 5, 8, 1], 10)).toEqual([[0, 1], [2, 3]]);
    // With room for one shared sentence, only one is shared.
    expect(split([5, 4, 6, 1], 10)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it('rejects inconsistent input', () => {
    expect(() => splitIntoWindows([1, 2], [1], 10)).toThrow(/2 sentences but 1 token counts/);
    expect(() => split([1], 0)).toThrow(/budget must be positive/);
    expect(() => split([1], 10, -1)).toThrow(/overlapSentences/);
    expect(() => split([1], 10, 1.5)).toThrow(/overlapSentences/);
    expect(() => split([-1], 10)).toThrow(/non-negative/);
  });

  it('always covers every sentence in order, within budget, with bounded overlap, and terminates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 4 }),
        (counts, budget, overlap) => {
          const windows = split(counts, budget, overlap);
          if (counts.length === 0) {
            expect(windows).toEqual([[]]);
            return;
          }
          const covered = new Set(windows.flat());
          expect(covered.size).toBe(counts.length);
          expect(windows[0][0]).toBe(0);
          expect(windows.at(-1)?.at(-1)).toBe(counts.length - 1);
          for (const [position, window] of windows.entries()) {
            expect(window.length).toBeGreaterThan(0);
            // Consecutive indexes.
            window.forEach((index, offset) => expect(index).toBe(window[0] + offset));
            if (window.length > 1) expect(tokensOf(window, counts)).toBeLessThanOrEqual(budget);
            if (position === 0) continue;
            const previous = windows[position - 1];
            const shared = previous.filter((index) => window.includes(index)).length;
            expect(shared).toBeLessThanOrEqual(overlap);
            // Progress: every window brings at least one new sentence, right after the previous window's end.
            expect(window.at(-1)).toBeGreaterThan(previous.at(-1) ?? -1);
            expect(window[0]).toBeGreaterThan(previous[0]);
            expect(window[0]).toBeLessThanOrEqual((previous.at(-1) ?? 0) + 1);
          }
        },
      ),
    );
  });

  it('uses the full overlap whenever it fits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 50 }), (counts) => {
        // Budget 20 always fits 2 shared sentences (<= 10) plus the next one (<= 5).
        const windows = split(counts, 20, 2);
        for (let position = 1; position < windows.length; position++) {
          const previous = windows[position - 1];
          const shared = previous.filter((index) => windows[position].includes(index)).length;
          expect(shared).toBe(Math.min(2, previous.length - 1));
        }
      }),
    );
  });
});

function sample(overrides: Partial<SampleResult>): SampleResult {
  return {
    sampleIndex: 0,
    seed: 7,
    status: 'ok',
    rawLabel: 'False',
    label: false,
    evidence: [],
    rationale: 'nothing',
    rawOutput: '{}',
    error: null,
    promptTokens: 100,
    reusedTokens: 10,
    generatedTokens: 20,
    ms: 5,
    windows: 1,
    ...overrides,
  };
}

describe('combineWindowSamples', () => {
  it('returns a single window unchanged', () => {
    const only = sample({ label: true, rawLabel: 'True' });
    expect(combineWindowSamples([only])).toBe(only);
  });

  it('says True when any window does, with that window\'s rationale and the True windows\' evidence', () => {
    const combined = combineWindowSamples([
      sample({ evidence: [1], rawOutput: 'a' }),
      sample({ label: true, rawLabel: 'True', evidence: [5, 4], rationale: 'second', rawOutput: 'b' }),
      sample({ label: true, rawLabel: 'True', evidence: [4, 9], rationale: 'third', rawOutput: 'c' }),
    ]);
    expect(combined).toMatchObject({
      status: 'ok',
      label: true,
      rawLabel: 'True',
      evidence: [4, 5, 9],
      rationale: 'second',
      windows: 3,
      promptTokens: 300,
      reusedTokens: 30,
      generatedTokens: 60,
      ms: 15,
      rawOutput: 'a\nb\nc',
      seed: 7,
      error: null,
    });
  });

  it('keeps what each window recorded: the largest positive probability, every thought, and the paths taken', () => {
    const combined = combineWindowSamples([
      sample({ probability: 0.2, thinking: 'first thought', thinkingTokens: 5, answerPath: 'label-logits' }),
      sample({ label: true, rawLabel: 'True', probability: 0.9, thinkingTokens: 3, answerPath: 'label-logits' }),
      sample({ probability: null, thinking: 'third thought', thinkingTokens: 2, answerPath: 'grammar-retry' }),
    ]);
    expect(combined).toMatchObject({ probability: 0.9, thinking: 'first thought\nthird thought', thinkingTokens: 10, answerPath: 'label-logits+grammar-retry' });
    const without = combineWindowSamples([sample({}), sample({})]);
    expect(without).toMatchObject({ probability: null, thinking: null, thinkingTokens: 0, answerPath: null });
  });

  it('says False with the first window\'s rationale and the union of evidence when every window does', () => {
    const combined = combineWindowSamples([
      sample({ evidence: [2], rationale: 'first', rawLabel: 'Unrelated' }),
      sample({ evidence: [1], rationale: 'second', rawLabel: 'Unrelated' }),
    ]);
    expect(combined).toMatchObject({ status: 'ok', label: false, rawLabel: 'Unrelated', evidence: [1, 2], rationale: 'first' });
  });

  it('keeps a True verdict even when another window is invalid', () => {
    const combined = combineWindowSamples([
      sample({ status: 'invalid', label: null, rawLabel: null, error: 'cut off' }),
      sample({ label: true, rawLabel: 'Implicit', evidence: [3] }),
    ]);
    expect(combined).toMatchObject({ status: 'ok', label: true, rawLabel: 'Implicit', evidence: [3] });
  });

  it('is invalid when no window says True and one is invalid, listing the errors', () => {
    const combined = combineWindowSamples([
      sample({}),
      sample({ status: 'invalid', label: null, rawLabel: null, error: 'not valid JSON' }),
    ]);
    expect(combined).toMatchObject({ status: 'invalid', label: null, rawLabel: null, evidence: [], error: 'window 2/2: not valid JSON' });
  });

  it('rejects an empty list', () => {
    expect(() => combineWindowSamples([])).toThrow(/no windows/);
  });
});
