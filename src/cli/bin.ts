import { main } from './main';

// The `medbench` command's entry point: bin/medbench.js runs it (bundled in out/cli, or from the
// sources through tsx), and the packaged desktop app calls `main` itself.
process.exitCode = await main(process.argv.slice(2));
