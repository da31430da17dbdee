/**
 * Live progress of a run for people watching it: an ETA from a moving window of recent pairs (the
 * first pair of a note carries its prompt evaluation, so one pair's time says little), tokens/s
 * that counts answers still being generated, and the tokens of the pairs in flight. The runner's
 * own counts stay the truth; this only turns them into rates.
 */
import type { RunProgress } from './runner';

export interface LiveProgress {
  done: number;
  total: number;
  invalid: number;
  /** Seconds since this session started. */
  elapsed: number;
  /** Seconds left; null until a pair has finished in this session. */
  eta: number | null;
  /** Pairs per second over the window; null until known. */
  pairsPerSecond: number | null;
  promptTokensPerSecond: number;
  /** Over the window, counting tokens streamed for answers not finished yet. */
  generatedTokensPerSecond: number;
  /** Tokens generated so far for the pairs in flight. */
  inFlightTokens: number;
}

interface Sample {
  /** Seconds since start. */
  t: number;
  /** Pairs done in this session. */
  done: number;
  generated: number;
  prompt: number;
}

export interface ProgressTrackerOptions {
  /** The window: the last this-many finished pairs... */
  windowPairs?: number;
  /** ...but never older than this many seconds (when pairs come fast). */
  windowSeconds?: number;
  /** Seconds since an arbitrary origin (tests pass a fake clock). */
  now?: () => number;
}

export class ProgressTracker {
  private readonly windowPairs: number;
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly started: number;
  private readonly samples: Sample[] = [];
  private last: RunProgress | null = null;
  /** Pairs done before this session (a resumed run): not part of this session's rate. */
  private baseDone: number | null = null;
  /** Tokens streamed by the backend in this session (finished and unfinished answers). */
  private streamed = 0;

  constructor(options: ProgressTrackerOptions = {}) {
    this.windowPairs = options.windowPairs ?? 20;
    this.windowSeconds = options.windowSeconds ?? 120;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.started = this.now();
    this.samples.push({ t: 0, done: 0, generated: 0, prompt: 0 });
  }

  /** A pair finished (the runner's cumulative counts). */
  onProgress(progress: RunProgress): void {
    if (this.baseDone === null) this.baseDone = progress.done - 0;
    const sessionDone = progress.done - this.baseDone;
    const previous = this.last;
    this.last = progress;
    // The first report is the state before any pair of this session.
    if (previous === null && sessionDone === 0) return;
    this.samples.push({ t: this.now() - this.started, done: sessionDone, generated: Math.max(progress.generatedTokens, this.streamed), prompt: progress.promptTokens });
    this.trim();
  }

  /** Tokens generated since the last call (from the backend, during generation). */
  onTokens(generated: number): void {
    if (generated > 0) this.streamed += generated;
  }

  private trim(): void {
    // Keep windowPairs + 1 samples with finished pairs, and drop those older than the window in seconds,
    // always keeping two so a rate exists.
    while (this.samples.length > this.windowPairs + 1) this.samples.shift();
    const t = this.now() - this.started;
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowSeconds) this.samples.shift();
  }

  snapshot(): LiveProgress {
    const t = this.now() - this.started;
    const p = this.last;
    const base = this.baseDone ?? 0;
    const done = p?.done ?? 0;
    const total = p?.total ?? 0;
    const sessionDone = done - base;
    const generatedNow = Math.max(p?.generatedTokens ?? 0, this.streamed);
    const inFlightTokens = Math.max(0, this.streamed - (p?.generatedTokens ?? 0));
    const first = this.samples[0]!;
    const span = t - first.t;
    const pairsInWindow = sessionDone - first.done;
    // Time since the newest finished pair counts too: a long generation in progress slows the estimate.
    const pairsPerSecond = pairsInWindow > 0 && span > 0 ? pairsInWindow / span : null;
    const remaining = Math.max(0, total - done);
    return {
      done,
      total,
      invalid: p?.invalid ?? 0,
      elapsed: t,
      eta: remaining === 0 ? 0 : pairsPerSecond ? remaining / pairsPerSecond : null,
      pairsPerSecond,
      promptTokensPerSecond: span > 0 ? Math.max(0, (p?.promptTokens ?? 0) - first.prompt) / span : 0,
      generatedTokensPerSecond: span > 0 ? Math.max(0, generatedNow - first.generated) / span : 0,
      inFlightTokens,
    };
  }
}
