import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { rendererBuild } from '../../build/renderer-vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds the renderer the way electron-vite does (same root, plugin and relative base), into
 * `outDir`, so tests and benches never touch the developer's out/ folder.
 */
export async function buildRenderer(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: path.join(root, 'src/renderer'),
    base: './',
    plugins: [react()],
    logLevel: 'error',
    build: { ...rendererBuild, outDir, emptyOutDir: true, rollupOptions: { input: path.join(root, 'src/renderer/index.html') } },
  });
}

/** The synthetic demo set shipped with the app (never MIMIC text). */
export const demoFiles = {
  annotations: path.join(root, 'resources/demo/dataset_raw.csv'),
  notes: path.join(root, 'resources/demo/discharge.csv.gz'),
};
export const repoRoot = root;
