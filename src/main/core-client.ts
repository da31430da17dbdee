import { callNames, failure, type CallHandlers, type CallName, type EventName, type EventPayload } from '../shared/contract';
import { isFromCore, type CoreInit, type FromCore, type ToCore } from './core-host/protocol';

/**
 * The core as main sees it: a child process (Electron's utilityProcess in the app). Main keeps
 * windows, menus, dialogs and security; every contract call is forwarded over the process's
 * message port and answered there.
 */

/** The process's handle: what `utilityProcess.fork` returns, or a Node ChildProcess adapted to it. */
export interface CoreProcess {
  postMessage(message: ToCore): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number | null) => void): void;
  kill(): boolean;
}

/** What the window is told when the core process died. */
export interface CoreCrash {
  exitCode: number | null;
  /** Whether a new core process was started (false after too many crashes in a row). */
  restarted: boolean;
  /** The run that was going in it, if any (it is resumable like after any crash). */
  run: string | null;
}

export interface CoreClientOptions {
  spawn: () => CoreProcess;
  init: CoreInit;
  /** The core could not start (its database would not open): nothing can work; tell the user. */
  onFatal: (message: string) => void;
  /** The core process died unexpectedly. */
  onCrash: (crash: CoreCrash) => void;
  /** Restarts allowed within `restartWindowMs` before giving up (a core that dies at once would loop). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long dispose waits for a clean shutdown before killing the process. */
  disposeTimeoutMs?: number;
}

export interface CoreClient {
  /** Every contract call, forwarded; `chooseFile` too (main overrides it with its dialog). */
  handlers: CallHandlers;
  subscribe(listener: (event: EventName, payload: EventPayload<EventName>) => void): () => void;
  /** The run going in the core, as last reported (kept current by the core's state messages). */
  activeRun(): string | null;
  /** Stops a run in progress, closes the database and ends the process. */
  dispose(): Promise<void>;
  /** The current process's handle (tests). */
  process(): CoreProcess | null;
}

export function createCoreClient(options: CoreClientOptions): CoreClient {
  const maxRestarts = options.maxRestarts ?? 3;
  const restartWindowMs = options.restartWindowMs ?? 60_000;
  const listeners = new Set<(event: EventName, payload: EventPayload<EventName>) => void>();
  const pending = new Map<number, (result: unknown) => void>();
  /** Calls sent to the current process and not answered yet: they die with it. */
  const inFlight = new Set<number>();
  let nextId = 1;
  let child: CoreProcess | null = null;
  let ready = false;
  /** Calls made while the core starts or restarts: sent once it is ready. */
  let queued: ToCore[] = [];
  let activeRun: string | null = null;
  let disposing: Promise<void> | null = null;
  let onDisposed: (() => void) | null = null;
  let crashes: number[] = [];
  let gaveUp = false;

  const post = (message: ToCore) => {
    if (message.type === 'call') inFlight.add(message.id);
    child?.postMessage(message);
  };
  const send = (message: ToCore) => {
    if (child && ready) post(message);
    else queued.push(message);
  };
  const answer = (id: number, result: unknown) => {
    const resolve = pending.get(id);
    pending.delete(id);
    inFlight.delete(id);
    resolve?.(result);
  };

  const start = () => {
    const current = options.spawn();
    child = current;
    ready = false;
    current.on('message', (raw) => {
      if (current !== child || !isFromCore(raw)) return;
      handle(raw);
    });
    current.on('exit', (code) => {
      if (current !== child) return;
      child = null;
      ready = false;
      if (disposing) {
        onDisposed?.();
        return;
      }
      crashed(code);
    });
    current.postMessage({ type: 'init', init: options.init });
  };

  const handle = (message: FromCore) => {
    switch (message.type) {
      case 'ready': {
        ready = true;
        const waiting = queued;
        queued = [];
        for (const item of waiting) post(item);
        return;
      }
      case 'fatal':
        gaveUp = true;
        options.onFatal(message.message);
        return;
      case 'result':
        answer(message.id, message.result);
        return;
      case 'event':
        for (const listener of listeners) listener(message.name, message.payload as EventPayload<EventName>);
        return;
      case 'state':
        activeRun = message.activeRun;
        return;
      case 'disposed':
        onDisposed?.();
        return;
    }
  };

  const crashed = (exitCode: number | null) => {
    const run = activeRun;
    activeRun = null;
    // Calls in flight died with the process: answer them rather than leave the window waiting.
    const message = `the MedBench core process stopped unexpectedly (exit code ${exitCode ?? 'none'})${run ? `; run "${run}" stopped and can be resumed` : ''}`;
    for (const id of [...inFlight]) answer(id, failure('unavailable', message));
    const giveUp = () => {
      gaveUp = true;
      // Calls queued for a core that will not come back.
      for (const item of queued) if (item.type === 'call') answer(item.id, failure('unavailable', message));
      queued = [];
    };
    if (gaveUp) {
      // It could not start at all (fatal): onFatal told the user already.
      giveUp();
      return;
    }
    const now = Date.now();
    crashes = [...crashes.filter((at) => now - at < restartWindowMs), now];
    const restart = crashes.length <= maxRestarts;
    if (restart) start();
    else giveUp();
    options.onCrash({ exitCode, restarted: restart, run });
  };

  const call = (name: CallName, payload: unknown): Promise<unknown> => {
    if (gaveUp || disposing) {
      return Promise.resolve(failure('unavailable', 'the MedBench core process is not running (it stopped repeatedly): restart the app'));
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      send({ type: 'call', id, name, payload });
    });
  };

  const handlers = Object.fromEntries(callNames.map((name) => [name, (request: unknown) => call(name, request)])) as unknown as CallHandlers;

  start();

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    activeRun: () => activeRun,
    process: () => child,
    dispose() {
      if (disposing) return disposing;
      const current = child;
      disposing = new Promise<void>((resolve) => {
        if (!current) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          current.kill();
          resolve();
        }, options.disposeTimeoutMs ?? 10_000);
        onDisposed = () => {
          clearTimeout(timer);
          resolve();
        };
        if (ready) current.postMessage({ type: 'dispose' });
        else current.kill();
      });
      return disposing;
    },
  };
}
