import type { CoreApi } from '../../core/api';
import { dispatchCall, failure } from '../../shared/contract';
import type { CoreInit, FromCore, MessageEnd, ToCore } from './protocol';

export interface ServedCore {
  core: CoreApi;
  /** Closes what `open` opened (the database), after the core is disposed. */
  close(): void;
}

/**
 * The core process's side: waits for `init`, opens the core, then answers each call with
 * `dispatchCall` (the same validation and error mapping as IPC and `medbench serve`) and pushes
 * the core's events. Calls run concurrently, as they would in one process.
 */
export function serveCore(port: MessageEnd<FromCore, ToCore>, open: (init: CoreInit) => ServedCore, exit: (code: number) => void): void {
  let served: ServedCore | null = null;
  const postState = () => {
    if (served) port.postMessage({ type: 'state', activeRun: served.core.activeRun() });
  };

  port.onMessage((message) => {
    if (message.type === 'init') {
      if (served) return;
      try {
        served = open(message.init);
      } catch (error) {
        port.postMessage({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
        exit(1);
        return;
      }
      served.core.subscribe((name, payload) => {
        port.postMessage({ type: 'event', name, payload });
        postState();
      });
      port.postMessage({ type: 'ready' });
      return;
    }
    if (message.type === 'call') {
      const { id, name, payload } = message;
      if (!served) {
        port.postMessage({ type: 'result', id, result: failure('unavailable', 'the core is still starting') });
        return;
      }
      const core = served.core;
      void dispatchCall(core.handlers, name, payload).then((result) => {
        port.postMessage({ type: 'result', id, result });
        postState();
      });
      // A run starts inside the call: tell main as soon as it is known, not only when the call returns.
      postState();
      return;
    }
    if (message.type === 'dispose') {
      const current = served;
      served = null;
      void (async () => {
        try {
          if (current) {
            await current.core.dispose();
            current.close();
          }
        } finally {
          port.postMessage({ type: 'disposed' });
          exit(0);
        }
      })();
    }
  });
}
