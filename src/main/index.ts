import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { startDesktopApp } from './app';
import { cliArguments, runBundledCli } from './cli-mode';

// The bundle lives in out/main; the preload, the renderer and the CLI are built next to it.
const bundleDir = path.dirname(fileURLToPath(import.meta.url));
const cliArgs = cliArguments(process.argv);
if (cliArgs) {
  // `medbench ...` through the launcher installed with the app: the command line, no window.
  runBundledCli(bundleDir, cliArgs).then(
    (code) => app.exit(code),
    (error: unknown) => {
      process.stderr.write(`medbench: unexpected error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
      app.exit(70);
    },
  );
} else {
  startDesktopApp({ bundleDir });
}
