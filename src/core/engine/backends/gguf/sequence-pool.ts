/**
 * Hands out the context's sequences, one note per slot (a slot is the group of sibling sequences one note's concepts
 * run on, see concept-parallel.ts); waiters are served in order and honour abort.
 */
export class SequencePool<Slot> {
  private readonly idle: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  constructor(slots: Slot[]) {
    this.idle = [...slots];
  }

  acquire(signal?: AbortSignal): Promise<Slot> {
    signal?.throwIfAborted();
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const position = this.waiting.indexOf(grant);
        if (position >= 0) this.waiting.splice(position, 1);
        reject(signal?.reason);
      };
      const grant = (granted: Slot): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every slot not in use (the caller must not acquire meanwhile). */
  idleSlots(): readonly Slot[] {
    return [...this.idle];
  }

  release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }
}
