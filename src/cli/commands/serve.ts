import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { appRoot } from '../app-root';
import { createCoreApi } from '../../core/api';
import { resolveDbPath, userDataDir } from '../../core/paths';
import { openStore } from '../../core/store/database';
import { UsageError } from '../errors';
import { ServeError, startServer } from '../serve/server';

export const DEFAULT_PORT = 7357;

/** The renderer that `npx electron-vite build` (or `npm run build`) writes. */
export function defaultRendererDir(): string {
  return path.join(appRoot(), 'out/renderer');
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the user interface on http://127.0.0.1 (this machine only, with a token per start) until Ctrl-C')
    .option('--db <file>', 'database file')
    .option('--port <n>', `port on 127.0.0.1 (0 picks a free one)`, portNumber, DEFAULT_PORT)
    .option('--host <address>', 'only 127.0.0.1 (or localhost) is accepted: notes never leave this machine', '127.0.0.1')
    .option('--renderer-dir <dir>', 'the built user interface (default: out/renderer of this installation)')
    .action(async (options: { db?: string; port: number; host: string; rendererDir?: string }) => {
      if (options.host !== '127.0.0.1' && options.host !== 'localhost') {
        throw new UsageError(`--host ${options.host} refused: medbench serve listens on 127.0.0.1 only, so note text stays on this machine`);
      }
      const rendererDir = path.resolve(options.rendererDir ?? defaultRendererDir());
      // serve builds nothing itself: a build takes a while and needs the dev dependencies, so it says how instead.
      if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
        throw new ServeError(`the user interface is not built (no ${path.join(rendererDir, 'index.html')}): run \`npx electron-vite build\` (or \`npm run build\`) first`);
      }
      const dbPath = resolveDbPath(options.db);
      const db = openStore(dbPath);
      const api = createCoreApi({ db, dbPath, userDataDir: userDataDir() });
      let server;
      try {
        server = await startServer({ api, rendererDir, port: options.port });
      } catch (error) {
        db.close();
        throw error;
      }
      process.stdout.write(`MedBench Local is serving ${dbPath}\nOpen ${server.url}\n(this address works on this machine only; press Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stderr.write('medbench serve: stopping (a run in progress stops after its current pair and can be resumed)\n');
      await api.dispose();
      await server.close();
      db.close();
    });
}
