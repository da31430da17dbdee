/**
 * The `medbench run` status line: redrawn on a timer from the latest state, so a burst of pairs never
 * leaves an old count on screen (it showed 1/90 when 18 were saved) and the clock, ETA and tokens/s
 * move during a long generation. Only on a terminal: logs, pipes and `--json` stay clean.
 */
import type { LiveProgress } from '../core/engine/progress';
import { formatDuration } from './output';

export class LiveProgressLine {
  private timer: ReturnType<typeof setInterval> | null = null;
  private drawn = false;

  constructor(
    private readonly render: () => string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 250,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    // The line must never keep a finished command alive.
    this.timer.unref?.();
  }

  draw(): void {
    if (!this.enabled) return;
    const width = (this.stream.columns ?? 100) - 1;
    this.stream.write(`\r${this.render().slice(0, width).padEnd(width)}`);
    this.drawn = true;
  }

  /** Stops the timer and clears the line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.drawn) this.stream.write(`\r${' '.repeat((this.stream.columns ?? 100) - 1)}\r`);
    this.drawn = false;
  }
}

export function describeLiveProgress(p: LiveProgress): string {
  const pct = p.total > 0 ? ((p.done / p.total) * 100).toFixed(1) : '0.0';
  const eta = p.eta === null ? 'ETA --' : `ETA ${formatDuration(p.eta)}`;
  const tokens =
    p.generatedTokensPerSecond > 0 || p.promptTokensPerSecond > 0
      ? `, prompt ${p.promptTokensPerSecond.toFixed(0)} tok/s, generation ${p.generatedTokensPerSecond.toFixed(1)} tok/s${p.inFlightTokens > 0 ? `, ${p.inFlightTokens} tokens into answers in progress` : ''}`
      : '';
  return `${p.done}/${p.total} pairs (${pct}%)${p.invalid ? `, ${p.invalid} invalid` : ''}, ${formatDuration(p.elapsed)} elapsed, ${eta}${tokens}`;
}
