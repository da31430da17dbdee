/**
 * Thread counts per phase. Prompt evaluation is batched matrix work that scales with cores; generating one token
 * of a small model is so little work that waking a second thread costs more than it saves (stories260K on 2
 * cores: 0.86 ms/token with 1 thread, 14 with 2). node-llama-cpp takes one count per context, so the count is
 * switched between phases (`PhaseThreads`).
 */
import type { LlamaContext, Token } from 'node-llama-cpp';

export type Phase = 'prompt' | 'generation';

export interface ThreadCounts {
  prompt: number;
  generation: number;
}

/**
 * Below this much weight data per generated token, one generation thread is fastest on a CPU (measured: the
 * 1 MB stories260K and the ~40 MB shape-real models both generate fastest with 1 thread on 2 cores; an 8B model's
 * gigabytes per token need every core).
 */
export const SINGLE_THREAD_GENERATION_MAX_BYTES = 256 * 1024 * 1024;

export function defaultThreadCounts(options: { mathCores: number; modelBytes: number; computeBackend: string }): ThreadCounts {
  const all = Math.max(1, options.mathCores);
  // On a GPU the CPU threads only feed the device: the count hardly matters, so keep node-llama-cpp's choice.
  if (options.computeBackend !== 'cpu') return { prompt: all, generation: all };
  return { prompt: all, generation: options.modelBytes <= SINGLE_THREAD_GENERATION_MAX_BYTES ? 1 : all };
}

/** The internals of LlamaContext that hold its thread count (node-llama-cpp 3.x); checked before use. */
interface ContextThreadInternals {
  _idealThreads: number;
  _minThreads: number;
  _freeReservedThreads(): void;
}

function internals(context: LlamaContext): ContextThreadInternals | null {
  const candidate = context as unknown as Partial<ContextThreadInternals>;
  return typeof candidate._idealThreads === 'number' && typeof candidate._minThreads === 'number' && typeof candidate._freeReservedThreads === 'function'
    ? (candidate as ContextThreadInternals)
    : null;
}

/**
 * Switches the context's thread count between phases. Only while this caller is the context's only user (one
 * sequence): with several notes in flight, batches mix the phases of different sequences, so the switcher stays off
 * and the context keeps the count it was created with (the prompt count; batched generation is matrix work too).
 */
export class PhaseThreads {
  private current: Phase | null = null;
  readonly switching: boolean;

  constructor(
    private readonly context: LlamaContext,
    readonly counts: ThreadCounts,
    sequences: number,
  ) {
    this.switching = sequences === 1 && counts.prompt !== counts.generation && internals(context) !== null;
  }

  use(phase: Phase): void {
    if (!this.switching || this.current === phase) return;
    const target = internals(this.context);
    if (target === null) return;
    const threads = phase === 'prompt' ? this.counts.prompt : this.counts.generation;
    target._idealThreads = threads;
    target._minThreads = threads;
    // The reserved allocation carries the old count; the next batch reserves again with the new one.
    target._freeReservedThreads();
    this.current = phase;
  }
}

/**
 * The faster prompt thread count among `candidates`, measured on this machine now: 256 tokens evaluated with each, twice
 * (a fraction of a second for the small models this is used for). On a busy machine a second thread can make prompt
 * evaluation several times slower (measured: 2,754 vs 8,382 tok/s on 2 cores shared with other jobs), so a fixed
 * choice is wrong somewhere; the sequence is cleared afterwards.
 */
export async function measurePromptThreads(
  context: LlamaContext,
  sequence: { clearHistory(): Promise<void>; evaluateWithoutGeneratingNewTokens(tokens: Token[]): Promise<void> },
  tokens: Token[],
  candidates: readonly number[],
): Promise<{ threads: number; tokensPerSecond: Record<number, number> } | null> {
  const target = internals(context);
  if (target === null || tokens.length === 0) return null;
  const tokensPerSecond: Record<number, number> = {};
  // Two rounds, the better of each kept: the first evaluation of a context also pays its warm-up.
  for (let round = 0; round < 2; round++) {
    for (const threads of candidates) {
      target._idealThreads = threads;
      target._minThreads = threads;
      target._freeReservedThreads();
      await sequence.clearHistory();
      const started = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens);
      tokensPerSecond[threads] = Math.max(tokensPerSecond[threads] ?? 0, tokens.length / ((performance.now() - started) / 1000));
    }
  }
  await sequence.clearHistory();
  const best = [...candidates].sort((a, b) => tokensPerSecond[b]! - tokensPerSecond[a]!)[0]!;
  target._idealThreads = best;
  target._minThreads = best;
  target._freeReservedThreads();
  return { threads: best, tokensPerSecond };
}
