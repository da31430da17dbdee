import type { Configuration } from 'electron-builder';

/**
 * Installers for MedBench Local: AppImage and deb (Linux), NSIS (Windows), dmg (macOS), built
 * on each platform for its own architecture (node-llama-cpp ships prebuilt binaries per
 * os/arch, and only the build machine's are in node_modules). `npm run dist` runs it.
 *
 * Air-gapped users get files, never network calls: no `publish`, no auto-update.
 */
const config: Configuration = {
  appId: 'org.medbench.local',
  productName: 'MedBench Local',
  executableName: 'medbench-local',
  copyright: 'MedBench Local contributors',
  directories: { output: 'release', buildResources: 'build' },
  artifactName: 'medbench-local-${version}-${os}-${arch}.${ext}',
  publish: null,

  files: [
    'out/**/*',
    'package.json',
    // Only this os/arch's llama.cpp binaries (its CPU, CUDA and Vulkan builds), as node-llama-cpp's
    // Electron guide says: the others are hundreds of megabytes that could never load here.
    // Written as exclusions because electron-builder filters node_modules with the `!` patterns only.
    '!node_modules/node-llama-cpp/bins/!(${os}-${arch}*)/**/*',
    '!node_modules/node-llama-cpp/llama/localBuilds/!(${os}-${arch}*)/**/*',
    '!node_modules/@node-llama-cpp/!(${os}-${arch}*)/bins/**/*',
    // The CLI's TypeScript runner (and its esbuild binary) has no use inside the app, nor have
    // better-sqlite3's C sources once it is compiled (they are still there for the rebuild).
    '!node_modules/{tsx,esbuild,@esbuild}/**/*',
    '!node_modules/better-sqlite3/{deps,src}/**/*',
    '!node_modules/better-sqlite3/build/Release/test_extension.node',
  ],

  // `medbench` for an installed app: launchers that run the bundled CLI (out/cli) with the app's own
  // binary (runAsNode is fused off). Linux/macOS: link resources/cli/medbench onto the PATH.
  extraResources: [{ from: 'build/cli', to: 'cli', filter: ['medbench', 'medbench.cmd'] }],

  // Native code cannot be loaded from inside an asar archive: these are unpacked next to it
  // (node-llama-cpp finds its binaries in app.asar.unpacked by itself).
  asar: true,
  asarUnpack: [
    'node_modules/node-llama-cpp/bins/**/*',
    'node_modules/node-llama-cpp/llama/localBuilds/**/*',
    'node_modules/@node-llama-cpp/**/*',
    'node_modules/better-sqlite3/build/Release/*.node',
  ],

  // Native modules are rebuilt for Electron's ABI at pack time (electron-builder runs
  // @electron/rebuild over the production dependencies, as `electron-builder install-app-deps`
  // does): better-sqlite3 needs it; node-llama-cpp's N-API binaries load as they are.
  npmRebuild: true,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,

  // Flipped in the packaged Electron binary (@electron/fuses): it cannot be reused as a plain
  // Node.js, take NODE_OPTIONS or --inspect, or load code from anywhere but its checked app.asar.
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    enableCookieEncryption: true,
    // The renderer is served from app://, so file:// keeps no extra privileges.
    grantFileProtocolExtraPrivileges: false,
  },

  // One 1024 px PNG (committed): electron-builder makes the Windows ICO and macOS ICNS from it.
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Science',
    // The deb's Maintainer and Homepage come from package.json's `author` (with an email) and `homepage`.
    synopsis: 'Run the MIMIC-IV-Ext-MedicalBench benchmark with local models, offline',
  },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // The database holds the user's MIMIC-derived work: uninstalling never deletes it silently.
    deleteAppDataOnUninstall: false,
  },
  mac: {
    target: ['dmg'],
    icon: 'build/icon.png',
    category: 'public.app-category.medical',
  },
};

export default config;
