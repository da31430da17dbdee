/**
 * Model and context lifetime: loads and disposals are serialized (two models loading at once can exhaust memory
 * that either alone would fit in), and the number of notes in flight is chosen from what fits.
 */

let lifecycleQueue: Promise<unknown> = Promise.resolve();

export function withLifecycleLock<T>(task: () => Promise<T>): Promise<T> {
  const run = lifecycleQueue.then(task, task);
  lifecycleQueue = run.catch(() => undefined);
  return run;
}

/** The most notes in flight that `autoSequences` chooses. */
export const MAX_AUTO_SEQUENCES = 4;

/**
 * Notes in flight when the user does not say: one on the CPU, whose cores every sequence would
 * share (more would add memory, not speed); on a GPU as many as fit in memory, up to
 * MAX_AUTO_SEQUENCES, each sequence holding its own KV cache.
 */
export async function autoSequences(computeBackend: string, fits: (sequences: number) => Promise<boolean>): Promise<number> {
  if (computeBackend === 'cpu') return 1;
  for (let count = MAX_AUTO_SEQUENCES; count > 1; count--) {
    if (await fits(count)) return count;
  }
  return 1;
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}
