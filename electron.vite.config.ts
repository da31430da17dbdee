import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';

// electron is an optional dependency (its binary cannot be downloaded on air-gapped machines), so
// tell electron-vite the targeted major version instead of letting it look for the package.
const electronVersion: string = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')).optionalDependencies.electron;
process.env.ELECTRON_MAJOR_VER ??= electronVersion.split('.')[0];

export default defineConfig({
  main: {
    // Native modules and node-llama-cpp stay external: they load their binaries from node_modules.
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } } },
  },
  preload: {
    // A sandboxed preload cannot require modules: bundle it into one file (zod included).
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
