import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'medbench-local';

/**
 * The folder holding MedBench Local's package.json (the repository, an installed copy, or the
 * packaged app's app.asar). The CLI runs from src/cli through tsx and from the bundle in out/cli,
 * so files it ships with (resources/demo, out/renderer) are found from there, not from a fixed
 * number of `..` that only one of the two layouts would satisfy.
 */
export function appRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    try {
      if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
    } catch {
      // no package.json here (or out/cli's own one-line marker): keep going up
    }
    if (path.dirname(dir) === dir) throw new Error(`MedBench Local's package.json was not found above ${from}`);
  }
}
