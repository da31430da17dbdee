import { fork } from 'node:child_process';
import path from 'node:path';
import type { CoreProcess } from '../../src/main/core-client';

/**
 * The core host (src/main/core-host/index.ts) in a real Node child process, standing in for
 * Electron's utilityProcess (not installed here): the same entry, the same messages, and
 * structured-clone serialization like a MessagePort. Used by the tests and the core-host bench.
 */
export function forkCoreHost(env: NodeJS.ProcessEnv = process.env): CoreProcess & { pid: number | undefined } {
  const child = fork(path.resolve('src/main/core-host/index.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
  });
  const handle = {
    pid: child.pid,
    postMessage: (message: unknown) => {
      if (child.connected) child.send(message as never);
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'exit') child.on('exit', (code) => (listener as (code: number | null) => void)(code));
      else child.on('message', listener as (message: unknown) => void);
    },
    kill: () => child.kill('SIGKILL'),
  };
  return handle as CoreProcess & { pid: number | undefined };
}
