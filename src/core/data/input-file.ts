import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { UserError } from '../errors';

/** A whole-file problem: it names the file and what is wrong, and nothing gets stored. */
export class InputFileError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface ReadProgress {
  /** Bytes of the file on disk consumed so far (compressed bytes for gzip). */
  fileBytesRead: number;
  fileBytes: number;
}

export interface StreamResult {
  gzip: boolean;
  fileBytes: number;
  /** Bytes after decompression. */
  contentBytes: number;
  sha256?: string;
}

const READ_CHUNK = 1 << 20;

/**
 * Streams a plain or gzip file (detected by its first bytes, not its name) chunk by chunk.
 * Only the current chunk is in memory, whatever the file's size.
 */
export async function streamInputFile(
  file: string,
  onChunk: (chunk: Buffer) => void,
  options: { hash?: boolean; onProgress?: (progress: ReadProgress) => void } = {},
): Promise<StreamResult> {
  const stat = statReadable(file);
  if (stat.size === 0) throw new InputFileError(file, 'the file is empty');
  const gzip = hasGzipMagic(file);
  if (!gzip && /\.gz$/i.test(file)) throw new InputFileError(file, 'the name ends in .gz but the content is not gzip');

  const hash = options.hash ? crypto.createHash('sha256') : null;
  const raw = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  let fileBytesRead = 0;
  raw.on('data', (chunk) => {
    fileBytesRead += chunk.length;
    hash?.update(chunk as Buffer);
  });
  const content = gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 256 * 1024 })) : raw;
  raw.on('error', (error) => content.destroy(error));
  let contentBytes = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      contentBytes += chunk.length;
      onChunk(chunk);
      options.onProgress?.({ fileBytesRead, fileBytes: stat.size });
    }
  } catch (error) {
    raw.destroy();
    if (error instanceof InputFileError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test((error as Error).message)) {
      throw new InputFileError(file, 'the gzip stream ends early: the file is truncated (download or copy it again)');
    }
    if (code?.startsWith('Z_')) throw new InputFileError(file, `the gzip data is corrupt (${(error as Error).message})`);
    throw error;
  }
  return { gzip, fileBytes: stat.size, contentBytes, sha256: hash?.digest('hex') };
}

function statReadable(file: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputFileError(file, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`);
  }
  if (stat.isDirectory()) throw new InputFileError(file, 'is a folder, not a file');
  // A device (/dev/zero), a FIFO or a socket reports size 0 but never ends, or blocks: it is not "empty".
  if (!stat.isFile()) throw new InputFileError(file, `not a regular file (${specialKind(stat)}); give the path of a CSV file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new InputFileError(file, 'permission denied: the file is not readable');
  }
  return stat;
}

function specialKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

function hasGzipMagic(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const read = fs.readSync(fd, head, 0, 2, 0);
    return read === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

export function sha256Hex(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
