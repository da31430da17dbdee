/**
 * Files of the start-up cache (`<user data>/cache/startup`): facts about a model file kept between runs. A file that
 * cannot be read or parsed counts as absent, and one that cannot be written only costs the next run the work again.
 * Writes go through a partial file renamed into place, so a reader never sees half a file.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The parsed JSON of `file`, or null when it is missing or not JSON. */
export function readCacheFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

export function writeCacheFile(file: string, value: unknown): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(value));
    fs.renameSync(partial, file);
  } catch {
    // Kept for speed only: the next run does the work again.
  }
}
