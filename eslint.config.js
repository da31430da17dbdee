// Lint, including the layer fences of the house architecture: a violation fails `npm test`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const networkModules = [...['http', 'https', 'net', 'tls', 'dgram', 'http2', 'dns'].flatMap((name) => [name, `node:${name}`]), 'undici'];

/** One restricted-imports rule per layer: `paths` are package names, `patterns` are folders of other layers. */
function fence({ packages = [], layers = [], message }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: packages.map((name) => ({ name, message })),
        patterns: [
          ...layers.map((layer) => ({ group: [`**/${layer}`, `**/${layer}/**`], message })),
          ...packages.map((name) => ({ group: [`${name}/*`], message })),
        ],
      },
    ],
  };
}

const noNetwork = {
  'no-restricted-globals': ['error', { name: 'fetch', message: 'No network from core or main: note text must never leave the machine.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'bench/results/**', 'bench/.work/**', 'test-results/**', 'resources/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['src/core/**', 'test/core/**'],
    rules: {
      ...fence({
        packages: ['electron', 'react', 'react-dom', ...networkModules],
        layers: ['main', 'renderer', 'preload', 'cli'],
        message: 'src/core is plain TypeScript: no Electron, React, network, or other layers (main and cli call core, not the reverse).',
      }),
      ...noNetwork,
    },
  },
  {
    // The one exception (issue 12): the OpenAI-compatible server backend's transport opens connections, to the
    // one endpoint its DUA check accepted; every other core file reaches the network only through it.
    files: ['src/core/engine/backends/openai/transport.ts'],
    rules: fence({
      packages: ['electron', 'react', 'react-dom', 'undici'],
      layers: ['main', 'renderer', 'preload', 'cli'],
      message: 'Only this transport may use the network modules (node:net/tls/dns, http, https, ...); no Electron, React or other layers.',
    }),
  },
  {
    files: ['src/shared/**', 'test/shared/**'],
    rules: fence({
      packages: ['electron', 'react', 'react-dom', 'better-sqlite3', 'node-llama-cpp', ...nodeBuiltins],
      layers: ['core', 'main', 'renderer', 'preload', 'cli'],
      message: 'src/shared is the contract both sides import: types and validation only, no runtime-specific code.',
    }),
  },
  {
    files: ['src/renderer/**', 'test/renderer/**'],
    rules: fence({
      packages: ['electron', 'better-sqlite3', 'node-llama-cpp', ...nodeBuiltins],
      layers: ['core', 'main', 'preload', 'cli'],
      message: 'The renderer reaches the core only through the contract in src/shared (it also runs in a plain browser).',
    }),
  },
  {
    files: ['src/preload/**', 'test/preload/**'],
    rules: fence({
      packages: ['better-sqlite3', 'node-llama-cpp', 'react', 'react-dom'],
      layers: ['core', 'main', 'renderer', 'cli'],
      message: 'The preload only bridges the contract in src/shared over IPC.',
    }),
  },
  {
    files: ['src/main/**', 'test/main/**'],
    rules: {
      ...fence({
        packages: ['react', 'react-dom', ...networkModules],
        layers: ['cli', 'renderer'],
        message: 'src/main is a thin Electron adapter over core: no CLI, renderer code or network.',
      }),
      ...noNetwork,
    },
  },
  {
    files: ['src/cli/**', 'test/cli/**'],
    rules: fence({
      packages: ['electron', 'react', 'react-dom'],
      layers: ['main', 'renderer', 'preload'],
      message: 'The CLI calls core directly; it never imports the Electron main process or the UI.',
    }),
  },
);
