import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { PRODUCT_NAME } from '../../src/core/paths';

/**
 * electron-builder cannot pack here (it would download the Electron binary), so these tests ask
 * its own code (the pinned app-builder-lib) what it would do with the configuration: the schema
 * check it runs first, and the file matchers that decide what is shipped and what is unpacked.
 */
const projectDir = path.resolve('.');
const require = createRequire(path.join(projectDir, 'package.json'));
// Imported by path: the config sits outside tsconfig.node.json's file list.
const configFile = path.join(projectDir, 'electron-builder.config.ts');
const config = ((await import(configFile)) as { default: Configuration }).default;

interface Matcher {
  createFilter(): (file: string, stat: { isDirectory(): boolean; moduleFullFilePath?: string }) => boolean;
}
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const fileMatcher = require('app-builder-lib/out/fileMatcher.js') as {
  getNodeModuleFileMatcher(appDir: string, destination: string, expand: (pattern: string) => string, platformOptions: object, packager: object): Matcher;
  getMainFileMatchers(appDir: string, destination: string, expand: (pattern: string) => string, platformOptions: object, platformPackager: object, outDir: string, electronCompile: boolean): Matcher[];
  getFileMatchers(config: object, name: string, destination: string, options: object): Matcher[] | null;
};

const debugLogger = { isEnabled: false, add() {} };
const expander = (os: string, arch: string) => (pattern: string) => pattern.replaceAll('${os}', os).replaceAll('${arch}', arch);
const asFile = { isDirectory: () => false };

/** Would electron-builder, packing for os/arch, ship this path (relative to the project)? */
function shipped(os: string, arch: string) {
  const expand = expander(os, arch);
  const nodeModules = fileMatcher.getNodeModuleFileMatcher(projectDir, '/app', expand, {}, { config, debugLogger }).createFilter();
  const [main] = fileMatcher.getMainFileMatchers(
    projectDir,
    '/app',
    expand,
    {},
    { info: { projectDir, buildResourcesDir: 'build', config, isPrepackedAppAsar: false, debugLogger } },
    path.join(projectDir, 'release'),
    false,
  );
  const app = main.createFilter();
  return (file: string) =>
    file.startsWith('node_modules/')
      ? nodeModules(path.join(projectDir, file), { ...asFile, moduleFullFilePath: file })
      : app(path.join(projectDir, file), asFile);
}

function unpacked(os: string, arch: string) {
  const matchers = fileMatcher.getFileMatchers(config, 'asarUnpack', '/app', {
    macroExpander: expander(os, arch),
    customBuildOptions: {},
    globalOutDir: path.join(projectDir, 'release'),
    defaultSrc: projectDir,
  });
  const filter = matchers![0].createFilter();
  return (file: string) => filter(path.join(projectDir, file), { ...asFile, moduleFullFilePath: file });
}

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, debugLogger)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, asarUnpak: [] }, debugLogger)).rejects.toThrow(/configuration/);
  });

  it('names the product as the CLI does, so both use the same user data folder', () => {
    expect(config.productName).toBe(PRODUCT_NAME);
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('targets AppImage and deb, NSIS and dmg', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
  });

  it('publishes nowhere and has no auto-updater', () => {
    expect(config.publish).toBeNull();
    for (const platform of [config.linux, config.win, config.mac, config.nsis]) expect(platform).not.toHaveProperty('publish');
    const packageJson = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
    expect(Object.keys({ ...packageJson.dependencies, ...packageJson.devDependencies })).not.toContain('electron-updater');
    for (const script of Object.values<string>(packageJson.scripts).filter((command) => command.includes('electron-builder'))) {
      expect(script).toContain('--publish never');
    }
  });

  it('sets the fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('packs into an asar and rebuilds native modules for Electron at pack time', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });

  it('ships the built app and the production modules, not the sources, build resources or the CLI runner', () => {
    const ships = shipped('linux', 'x64');
    for (const file of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) expect(ships(file), file).toBe(true);
    for (const file of [
      'node_modules/zod/index.js',
      'node_modules/node-llama-cpp/dist/index.js',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      expect(ships(file), file).toBe(true);
    }
    for (const file of [
      'src/main/app.ts',
      'test/main/app.test.ts',
      'build/icon.png',
      'electron-builder.config.ts',
      'resources/demo/dataset_raw.csv',
      'node_modules/tsx/dist/cli.mjs', 'node_modules/@esbuild/linux-x64/bin/esbuild',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
    ]) {
      expect(ships(file), file).toBe(false);
    }
  });

  it("ships only the current os/arch's llama.cpp binaries", () => {
    const linuxX64 = shipped('linux', 'x64');
    expect(linuxX64('node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node')).toBe(true);
    expect(linuxX64('node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan/llama-addon.node')).toBe(true);
    expect(linuxX64('node_modules/@node-llama-cpp/linux-arm64/bins/linux-arm64/llama-addon.node')).toBe(false);
    expect(linuxX64('node_modules/@node-llama-cpp/win-x64/bins/win-x64/llama-addon.node')).toBe(false);
    expect(linuxX64('node_modules/node-llama-cpp/bins/linux-x64/llama-addon.node')).toBe(true);
    expect(linuxX64('node_modules/node-llama-cpp/bins/mac-arm64-metal/llama-addon.node')).toBe(false);
    expect(linuxX64('node_modules/node-llama-cpp/llama/localBuilds/linux-x64/Release/llama-addon.node')).toBe(true);
    expect(linuxX64('node_modules/node-llama-cpp/llama/localBuilds/win-x64/Release/llama-addon.node')).toBe(false);

    const macArm = shipped('mac', 'arm64');
    expect(macArm('node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal/llama-addon.node')).toBe(true);
    expect(macArm('node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node')).toBe(false);
  });

  it('unpacks the native code from the asar: node-llama-cpp binaries and better-sqlite3', () => {
    const isUnpacked = unpacked('linux', 'x64');
    for (const file of [
      'node_modules/node-llama-cpp/bins/linux-x64/llama-addon.node',
      'node_modules/node-llama-cpp/llama/localBuilds/linux-x64/Release/llama-addon.node',
      'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml.so',
      'node_modules/@node-llama-cpp/linux-x64/package.json',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      expect(isUnpacked(file), file).toBe(true);
    }
    for (const file of ['out/main/index.js', 'node_modules/zod/index.js', 'node_modules/better-sqlite3/lib/database.js']) {
      expect(isUnpacked(file), file).toBe(false);
    }
  });

  it('finds its icon in the build resources folder', () => {
    const resources = path.join(projectDir, config.directories?.buildResources ?? 'build');
    expect(fs.existsSync(path.join(resources, 'icon.png'))).toBe(true);
  });

  it('ships the compiled CLI and the launchers that run it with the app binary', () => {
    const ships = shipped('linux', 'x64');
    expect(ships('out/cli/medbench.js')).toBe(true);
    expect(config.extraResources).toEqual([{ from: 'build/cli', to: 'cli', filter: ['medbench', 'medbench.cmd'] }]);
    for (const launcher of ['medbench', 'medbench.cmd']) expect(fs.existsSync(path.join(projectDir, 'build/cli', launcher)), launcher).toBe(true);
    expect(fs.statSync(path.join(projectDir, 'build/cli/medbench')).mode & 0o111).not.toBe(0);
  });
});
