import type { CallName, EventName } from '../../shared/contract';

/**
 * The messages between the Electron main process and the core process (an Electron
 * utilityProcess; in tests a Node child process speaks the same protocol). Every value is
 * structured-clone safe: plain JSON shapes, no functions, no class instances.
 */

/** Where the core finds its data: the same paths main would have opened itself. */
export interface CoreInit {
  dbPath: string;
  userDataDir: string;
}

export type ToCore =
  | { type: 'init'; init: CoreInit }
  | { type: 'call'; id: number; name: CallName; payload: unknown }
  | { type: 'dispose' };

export type FromCore =
  /** The database is open and calls may come. */
  | { type: 'ready' }
  /** The core could not start (the database would not open); the message is for the user. */
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; name: EventName; payload: unknown }
  /** Sent whenever it may have changed, so main can answer "is a run going?" without a round trip (quitting). */
  | { type: 'state'; activeRun: string | null }
  /** dispose finished: the run is stopped and the database closed; the process exits next. */
  | { type: 'disposed' };

/** One end of the channel, whatever carries it. */
export interface MessageEnd<Out, In> {
  postMessage(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}

export function isFromCore(value: unknown): value is FromCore {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
