import { createCoreApi } from '../../core/api';
import { openStore } from '../../core/store/database';
import type { FromCore, MessageEnd, ToCore } from './protocol';
import { serveCore } from './serve';

/**
 * The core process: everything that touches the database, the files and the models runs here,
 * off the Electron main thread (a 3 GB import or a 10,000-resample bootstrap never stalls the
 * window). Electron starts it with `utilityProcess.fork` and talks over `process.parentPort`; a Node
 * child process (`child_process.fork`, the tests) gets the same messages over its IPC channel.
 */
function parentEnd(): MessageEnd<FromCore, ToCore> {
  const parentPort = (process as NodeJS.Process & { parentPort?: Electron.ParentPort }).parentPort;
  if (parentPort) {
    return {
      postMessage: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data as ToCore)),
    };
  }
  if (process.send) {
    const send = process.send.bind(process);
    // Without its parent nobody can reach this core: end (a run stops as after a crash, resumable).
    process.on('disconnect', () => process.exit(0));
    return {
      postMessage: (message) => void send(message),
      onMessage: (listener) => process.on('message', (message) => listener(message as ToCore)),
    };
  }
  throw new Error('the MedBench core process must be started by the app (utilityProcess) or with an IPC channel');
}

serveCore(
  parentEnd(),
  ({ dbPath, userDataDir }) => {
    const db = openStore(dbPath);
    return {
      core: createCoreApi({ db, dbPath, userDataDir }),
      close: () => {
        if (db.open) db.close();
      },
    };
  },
  (code) => {
    // Let the last message leave before the process ends.
    setImmediate(() => process.exit(code));
  },
);
