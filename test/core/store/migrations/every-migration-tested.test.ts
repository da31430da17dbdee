import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/core/store/migrations';

describe('migrations', () => {
  it('each has its test, migration_NNNN.test.ts (STYLE.md point 7), next to this one', () => {
    const here = path.resolve('test/core/store/migrations');
    const missing = migrations
      .map((migration) => `migration_${String(migration.version).padStart(4, '0')}.test.ts`)
      .filter((file) => !fs.existsSync(path.join(here, file)));
    expect(missing).toEqual([]);
  });

  it('each lives in a file named after its number and name', () => {
    const folder = path.resolve('src/core/store/migrations');
    for (const migration of migrations) {
      const file = `${String(migration.version).padStart(4, '0')}-${migration.name}.ts`;
      expect(fs.existsSync(path.join(folder, file)), file).toBe(true);
    }
  });
});
