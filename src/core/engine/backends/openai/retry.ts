import { UserError } from '../../../errors';
import { whenAborted } from './abort';
import { ProtocolError } from './protocol';
import { TransportError } from './transport';

/** The server kept failing one request: the run stops cleanly (finished pairs are committed) and can be resumed. */
export class ServerFailedError extends UserError {}

export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Runs `attempt` until it succeeds, retrying what a server may answer differently next time (429, 5xx,
 * a timeout, a dropped connection, a broken JSON body) with exponential backoff and jitter, or after the
 * server's Retry-After. Anything else, and the last failure, is thrown at once.
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal | undefined, what: string): Promise<T> {
  let last: unknown;
  for (let i = 0; i <= policy.retries; i++) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : abortError();
    try {
      return await attempt();
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const retryable = (error instanceof TransportError && error.retryable) || error instanceof ProtocolError;
      if (!retryable) throw error;
      last = error;
      if (i === policy.retries) break;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i) * (0.5 + Math.random() * 0.5);
      const retryAfter = error instanceof TransportError && error.retryAfter !== null ? Math.min(policy.maxDelayMs, error.retryAfter * 1000) : 0;
      await sleep(Math.max(backoff, retryAfter), signal);
    }
  }
  throw new ServerFailedError(`${what} failed ${policy.retries + 1} times in a row (last: ${(last as Error).message}); stopping. Every finished pair is saved: resume the run once the server is healthy.`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopWatching();
      resolve();
    }, ms);
    const stopWatching = signal
      ? whenAborted(signal, () => {
          clearTimeout(timer);
          reject(abortError());
        })
      : () => undefined;
  });
}

function abortError(): Error {
  const error = new Error('the request was cancelled');
  error.name = 'AbortError';
  return error;
}
