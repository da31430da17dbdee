/**
 * Cancellation for many waiters on one signal (the run's stop signal, shared by every request in flight).
 * EventTarget compares each added or removed listener with those already there, so 64 requests each adding
 * and removing their own 'abort' listener cost time per request that grows with the concurrency. Here the
 * signal gets one listener, and each waiter is a Set entry.
 */
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts; the returned function stops watching. Like addEventListener,
 * nothing is called for a signal that has already aborted: callers check `signal.aborted` first.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = waiters.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    waiters.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        waiters.delete(signal);
        for (const waiter of set) waiter();
        set.clear();
      },
      { once: true },
    );
  }
  const entry = () => callback();
  callbacks.add(entry);
  const set = callbacks;
  return () => void set.delete(entry);
}

/** How many callbacks wait on `signal` (tests: a finished request must leave nothing behind). */
export function abortWaiterCount(signal: AbortSignal): number {
  return waiters.get(signal)?.size ?? 0;
}
