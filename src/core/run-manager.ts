import type { EventName, EventPayload } from '../shared/contract';
import type { RunProgress } from './engine/runner';
import { ProgressTracker, type LiveProgress } from './engine/progress';
import { neutralError } from './ui-errors';
import type { NewRunRequest, PreparedRun } from './engine/start-run';
import type { Db } from './store/database';

/** A second run while one is going: the UI shows it as "busy", not as a failure. */
export class RunBusyError extends Error {
  readonly kind = 'busy';
}

export interface RunManager {
  start(request: NewRunRequest): Promise<{ run: string }>;
  /** `env` adds session-only entries (a typed-in API key) to the process environment. */
  resume(name: string, env?: NodeJS.ProcessEnv): Promise<{ run: string }>;
  /** Asks the active run to stop after the pairs in flight; false when `name` is not the active run. */
  cancel(name: string): boolean;
  active(): { run: string; progress: EventPayload<'runProgress'> | null } | null;
  /** Stops the active run (if any) and waits until it has released the database. */
  dispose(): Promise<void>;
}

interface ActiveRun {
  name: string;
  controller: AbortController;
  done: Promise<void>;
  progress: EventPayload<'runProgress'> | null;
}

type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Progress events at most this often (plus the first and the last): enough for a smooth bar, cheap for SSE/IPC. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Runs one benchmark run at a time inside this process (the app or `medbench serve`), in the
 * background of the call that started it: the call answers as soon as the run exists, and
 * progress arrives as events.
 */
export function createRunManager(db: Db, emit: Emit): RunManager {
  let current: ActiveRun | null = null;

  const launch = async (prepare: () => Promise<PreparedRun>, name: string): Promise<{ run: string }> => {
    if (current) throw new RunBusyError(`run "${current.name}" is still going: wait for it to finish or cancel it before starting "${name}"`);
    // Reserve the slot before the first await, so two quick clicks cannot start two runs.
    const controller = new AbortController();
    const slot: ActiveRun = { name, controller, done: Promise.resolve(), progress: null };
    current = slot;
    let prepared: PreparedRun;
    try {
      prepared = await prepare();
    } catch (error) {
      current = null;
      throw error;
    }
    slot.done = execute(prepared, slot).finally(() => {
      if (current === slot) current = null;
    });
    return { run: prepared.run.name };
  };

  const execute = async ({ run, backend }: PreparedRun, slot: ActiveRun): Promise<void> => {
    const { executeRun } = await import('./engine/runner');
    const tracker = new ProgressTracker();
    let lastEmit = 0;
    let trailing: ReturnType<typeof setTimeout> | null = null;
    const publish = () => {
      if (trailing) clearTimeout(trailing);
      trailing = null;
      lastEmit = performance.now();
      if (slot.progress) emit('runProgress', slot.progress);
    };
    // Every change is published: at once when the last event is old enough, else by a trailing timer,
    // so a burst of pairs never leaves the UI showing an older count until the next pair.
    const changed = (force = false) => {
      slot.progress = toProgressEvent(run.name, tracker.snapshot());
      const wait = PROGRESS_INTERVAL_MS - (performance.now() - lastEmit);
      if (force || wait <= 0) publish();
      else trailing ??= setTimeout(publish, wait);
    };
    const onProgress = (progress: RunProgress) => {
      tracker.onProgress(progress);
      changed(progress.done === progress.total);
    };
    const onTokens = (generated: number) => {
      tracker.onTokens(generated);
      changed();
    };
    let finished: EventPayload<'runFinished'>;
    try {
      const result = await executeRun(db, run, backend, { signal: slot.controller.signal, onProgress, onTokens });
      finished = { run: run.name, status: result.status, predicted: result.predicted, remaining: result.remaining, seconds: result.seconds, error: null, resumable: result.status === 'stopped' && result.remaining > 0 };
    } catch (error) {
      finished = { run: run.name, status: 'failed', predicted: slot.progress?.done ?? 0, remaining: 0, seconds: slot.progress?.elapsed ?? 0, error: neutralError((error as Error).message).message, resumable: true };
    } finally {
      if (trailing) clearTimeout(trailing);
      await backend.dispose().catch(() => undefined);
    }
    if (slot.progress) emit('runProgress', slot.progress);
    // Free the slot before saying the run ended: a UI that reloads on runFinished must see no active run
    // (a "stopped" banner beside a "Running" panel was the result otherwise).
    if (current === slot) current = null;
    emit('runFinished', finished);
  };

  return {
    start: async (request) => {
      const { prepareNewRun } = await import('./engine/start-run');
      return launch(() => prepareNewRun(db, request), request.name);
    },
    resume: async (name, env) => {
      const { prepareResume } = await import('./engine/start-run');
      return launch(() => prepareResume(db, name, env ? { ...process.env, ...env } : process.env), name);
    },
    cancel: (name) => {
      if (!current || current.name !== name) return false;
      current.controller.abort();
      return true;
    },
    active: () => (current ? { run: current.name, progress: current.progress } : null),
    dispose: async () => {
      const running = current;
      if (!running) return;
      running.controller.abort();
      await running.done;
    },
  };
}

function toProgressEvent(run: string, progress: LiveProgress): EventPayload<'runProgress'> {
  return {
    run,
    done: progress.done,
    total: progress.total,
    invalid: progress.invalid,
    elapsed: progress.elapsed,
    eta: progress.eta !== null && Number.isFinite(progress.eta) ? progress.eta : null,
    promptTokensPerSecond: progress.promptTokensPerSecond,
    generatedTokensPerSecond: progress.generatedTokensPerSecond,
    inFlightTokens: progress.inFlightTokens,
    pairsPerSecond: progress.pairsPerSecond,
  };
}
