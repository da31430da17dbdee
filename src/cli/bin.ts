// `./main.js` (resolved to main.ts): the lint fence forbids paths ending in `/main`, meant for the
// Electron layer src/main, and this is the CLI's own main module.
import { main } from './main.js';

// The `medbench` command's entry point: bin/medbench.js runs it (bundled in out/cli, or from the
// sources through tsx), and the packaged desktop app imports the bundle (src/main/cli-mode.ts).
// `medbench pairs ... | head`: a reader that stops early ends the output, it is not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});
process.exitCode = await main(process.argv.slice(2));
