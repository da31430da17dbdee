/**
 * Atomic file output shared by every export and report: readers only ever see the old file or
 * the complete new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';

/** Cannot write an output file (missing folder, no permission, full disk): one clear line, exit 1. */
export class OutputFileError extends UserError {
  override name = 'OutputFileError';
}

/**
 * Writes a file so that readers only ever see the old file or the complete new one: a temporary
 * file in the same folder (so the rename stays on one file system), flushed, then renamed over.
 */
export function writeFileAtomic(filePath: string, data: Uint8Array | string): void {
  const target = path.resolve(filePath);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(temporary, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : ((error as Error).message ?? String(error));
    throw new OutputFileError(`cannot write ${target}: ${reason}`);
  }
}
