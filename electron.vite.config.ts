import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { rendererBuild } from './build/renderer-vite';

export default defineConfig({
  main: {
    build: {
      // Every package.json dependency stays external, imported from node_modules at run time:
      // node-llama-cpp must keep its file layout to find its binaries (its Electron guide says so),
      // and better-sqlite3 loads its .node file; both are unpacked from the asar at pack time.
      externalizeDeps: true,
      // Two entries: the main process, and the core process it starts with utilityProcess.fork
      // (out/main/core-host.js, see src/main/core-host/index.ts).
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts'), 'core-host': resolve(__dirname, 'src/main/core-host/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything but 'electron': bundle everything (zod and
      // the contract included) into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: { ...rendererBuild, rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
