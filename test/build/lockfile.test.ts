import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('package-lock.json', () => {
  it("lists every platform package of node-llama-cpp, so `npm ci` accepts it on any machine (see scripts/complete-lockfile.js)", () => {
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; optional?: boolean; optionalDependencies?: Record<string, string> }> };
    const optionalDependencies = lock.packages['node_modules/node-llama-cpp']!.optionalDependencies!;
    expect(Object.keys(optionalDependencies).length).toBeGreaterThan(10);
    const missing = Object.keys(optionalDependencies).filter((name) => !lock.packages[`node_modules/${name}`]);
    expect(missing, 'run: node scripts/complete-lockfile.js').toEqual([]);
    for (const [name, version] of Object.entries(optionalDependencies)) {
      expect(lock.packages[`node_modules/${name}`]).toMatchObject({ version, optional: true });
    }
  });
});
