// `./main.js` (resolved to main.ts): the lint fence forbids paths ending in `/main`, meant for the
// Electron layer src/main, and this is the CLI's own main module.
import { main } from './main.js';

// The `medbench` command's entry point: bin/medbench.js runs it (bundled in out/cli, or from the
// sources through tsx), and the packaged desktop app imports the bundle (src/main/cli-mode.ts).
process.exitCode = await main(process.argv.slice(2));
