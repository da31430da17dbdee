import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressTracker } from '../../src/core/engine/progress';
import type { RunProgress } from '../../src/core/engine/runner';
import { describeLiveProgress, LiveProgressLine } from '../../src/cli/progress-line';

function fakeTerminal() {
  const writes: string[] = [];
  const stream = { isTTY: true, columns: 120, write: (chunk: string) => (writes.push(chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes, last: () => writes.filter((w) => w.trim() !== '').at(-1)?.trim() ?? '' };
}

function progress(done: number, total: number): RunProgress {
  return { done, total, invalid: 0, elapsed: 0, eta: Number.NaN, promptTokens: 0, generatedTokens: 0, promptTokensPerSecond: 0, generatedTokensPerSecond: 0 };
}

afterEach(() => vi.useRealTimers());

describe('the run progress line', () => {
  it('shows the latest count after a burst of pairs, without waiting for the next pair', () => {
    vi.useFakeTimers();
    const terminal = fakeTerminal();
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    const line = new LiveProgressLine(() => describeLiveProgress(tracker.snapshot()), terminal.stream, 250);
    tracker.onProgress(progress(0, 90));
    line.start();
    // 18 pairs saved within a few milliseconds (the old line drew the first and dropped the rest).
    for (let i = 1; i <= 18; i++) {
      now += 0.002;
      tracker.onProgress(progress(i, 90));
    }
    // Then a long generation: no pair finishes, but the timer redraws.
    now += 0.25;
    vi.advanceTimersByTime(250);
    expect(terminal.last()).toMatch(/^18\/90 pairs \(20\.0%\)/);
    line.stop();
  });

  it('moves the clock and the tokens during a long generation', () => {
    vi.useFakeTimers();
    const terminal = fakeTerminal();
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    const line = new LiveProgressLine(() => describeLiveProgress(tracker.snapshot()), terminal.stream, 250);
    tracker.onProgress(progress(3, 30));
    line.start();
    now = 5;
    tracker.onTokens(50);
    vi.advanceTimersByTime(250);
    expect(terminal.last()).toMatch(/3\/30 pairs .*5s elapsed, ETA --, prompt 0 tok\/s, generation 10\.0 tok\/s, 50 tokens into answers in progress/);
    line.stop();
  });

  it('draws nothing when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const stream = { isTTY: false, write: (chunk: string) => (writes.push(chunk), true) } as unknown as NodeJS.WriteStream;
    const line = new LiveProgressLine(() => 'x', stream, 250);
    line.start();
    vi.advanceTimersByTime(1000);
    line.stop();
    expect(writes).toEqual([]);
  });
});
