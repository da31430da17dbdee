import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../../src/core/engine/progress';
import type { RunProgress } from '../../../src/core/engine/runner';

function progress(done: number, total: number, generatedTokens = 0, promptTokens = 0): RunProgress {
  return { done, total, invalid: 0, elapsed: 0, eta: Number.NaN, promptTokens, generatedTokens, promptTokensPerSecond: 0, generatedTokensPerSecond: 0 };
}

describe('ProgressTracker', () => {
  it('estimates the ETA from a window of recent pairs, not from one pair', () => {
    let now = 0;
    const tracker = new ProgressTracker({ windowPairs: 5, now: () => now });
    tracker.onProgress(progress(0, 100));
    expect(tracker.snapshot().eta).toBeNull();
    // The first pair of a note carries the prompt: 30 s. The next ones take 1 s each.
    now = 30;
    tracker.onProgress(progress(1, 100));
    for (let i = 2; i <= 11; i++) {
      now += 1;
      tracker.onProgress(progress(i, 100));
    }
    const snapshot = tracker.snapshot();
    // Window of the last 5 pairs: 1 pair/s, 89 left. One-pair arithmetic would say 89 s after a fast
    // pair and 89 * 30 s after a slow one; the whole-run average would say 89 * 40 / 11 = 324 s.
    expect(snapshot.pairsPerSecond).toBeCloseTo(1, 9);
    expect(snapshot.eta).toBeCloseTo(89, 9);
    expect(snapshot.done).toBe(11);
  });

  it('counts tokens of answers still being generated in tokens/s and in flight', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    tracker.onProgress(progress(0, 10));
    now = 2;
    tracker.onTokens(20);
    now = 4;
    tracker.onTokens(20);
    let snapshot = tracker.snapshot();
    expect(snapshot.done).toBe(0);
    expect(snapshot.inFlightTokens).toBe(40);
    expect(snapshot.generatedTokensPerSecond).toBeCloseTo(10, 9);
    // The pair finishes with the 40 tokens it streamed: nothing left in flight, the rate stays.
    tracker.onProgress(progress(1, 10, 40));
    snapshot = tracker.snapshot();
    expect(snapshot.inFlightTokens).toBe(0);
    expect(snapshot.generatedTokensPerSecond).toBeCloseTo(10, 9);
  });

  it('measures a resumed run by this session only', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    tracker.onProgress(progress(50, 100));
    now = 10;
    tracker.onProgress(progress(55, 100));
    const snapshot = tracker.snapshot();
    expect(snapshot.pairsPerSecond).toBeCloseTo(0.5, 9);
    expect(snapshot.eta).toBeCloseTo(90, 9);
  });
});
