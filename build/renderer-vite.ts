import type { BuildOptions } from 'vite';

/**
 * The renderer's production build, shared by electron-vite (the app, `out/renderer` that
 * `medbench serve` serves) and by the tests and benches that build into a folder of their own, so
 * what is measured is what ships: minified, one chunk per view (React.lazy in App.tsx) and the
 * chart library only in the chunks of the views that draw charts.
 */
export const rendererBuild: BuildOptions = {
  minify: 'esbuild',
  cssMinify: true,
  sourcemap: false,
  // Chromium of Electron 39 and current Debian: no down-levelling needed.
  target: 'es2022',
  // The first view stays well under 600 kB; a chunk above this is a regression worth a warning.
  chunkSizeWarningLimit: 600,
  modulePreload: { polyfill: false },
};
