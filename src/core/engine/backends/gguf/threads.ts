/**
 * Thread counts per phase. Prompt evaluation is batched matrix work that scales with cores; generating one token
 * of a small model is so little work that waking a second thread costs more than it saves (stories260K on 2
 * cores: 0.86 ms/token with 1 thread, 14 with 2). node-llama-cpp takes one count per context, so the count is
 * switched between phases (`PhaseThreads`).
 */
import type { LlamaContext } from 'node-llama-cpp';

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
