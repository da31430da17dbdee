/** Hands out the context's sequences, one note per sequence; waiters are served in order and honour abort. */
import type { LlamaContextSequence } from 'node-llama-cpp';

export class SequencePool {
  private readonly idle: LlamaContextSequence[];
  private readonly waiting: ((sequence: LlamaContextSequence) => void)[] = [];

  constructor(sequences: LlamaContextSequence[]) {
    this.idle = [...sequences];
  }

  acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    const sequence = this.idle.pop();
    if (sequence) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const position = this.waiting.indexOf(grant);
        if (position >= 0) this.waiting.splice(position, 1);
        reject(signal?.reason);
      };
      const grant = (granted: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every sequence not in use (the caller must not acquire meanwhile). */
  idleSequences(): readonly LlamaContextSequence[] {
    return [...this.idle];
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(sequence);
    else this.idle.push(sequence);
  }
}
