/**
 * A small ZIP writer and reader (PKWARE APPNOTE 6.3, no Zip64, no encryption), and atomic file
 * output shared by every export. Written here rather than taken from a package because the
 * submission needs one flat archive and nothing more; CRC-32 comes from zlib.crc32 (Node >= 20.15).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { UserError } from '../errors';

export interface ZipInput {
  /** Path inside the archive, '/'-separated. */
  name: string;
  data: Uint8Array | string;
  /** Stored as a DOS timestamp in local time (2-second resolution); default now. */
  modifiedAt?: Date;
}

export interface ZipEntry {
  name: string;
  method: 'store' | 'deflate';
  crc32: number;
  data: Buffer;
}

export class ZipFormatError extends Error {}

/** Cannot write an output file (missing folder, no permission, full disk): one clear line, exit 1. */
export class OutputFileError extends UserError {
  override name = 'OutputFileError';
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
/** General purpose flag bit 11: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const VERSION_NEEDED = 20;
/** Upper byte 3 = made on Unix, so the external attributes carry a file mode unzip can apply. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
const ZIP32_LIMIT = 0xffffffff;

export function crc32(data: Uint8Array): number {
  return zlib.crc32(data) >>> 0;
}

function dosDateTime(date: Date): { time: number; date: number } {
  // DOS dates start in 1980; earlier clocks are clamped rather than wrapped.
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/**
 * Builds a ZIP archive in memory. Each entry is deflated unless that would not make it smaller,
 * in which case it is stored (as `zip` itself does).
 */
export function createZip(inputs: readonly ZipInput[], options: { compression?: 'deflate' | 'store' } = {}): Buffer {
  if (inputs.length > 0xffff) throw new ZipFormatError(`a ZIP without Zip64 holds at most 65535 entries, got ${inputs.length}`);
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    if (input.name === '' || input.name.startsWith('/') || input.name.includes('\\') || input.name.split('/').includes('..')) {
      throw new ZipFormatError(`unsafe entry name "${input.name}"`);
    }
    if (seen.has(input.name)) throw new ZipFormatError(`duplicate entry name "${input.name}"`);
    seen.add(input.name);
    const raw = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    const deflated = options.compression === 'store' ? null : zlib.deflateRawSync(raw, { level: 9 });
    const useDeflate = deflated !== null && deflated.length < raw.length;
    const body = useDeflate ? deflated : raw;
    if (raw.length >= ZIP32_LIMIT || body.length >= ZIP32_LIMIT || offset >= ZIP32_LIMIT) throw new ZipFormatError('archive too large for a ZIP without Zip64');
    const name = Buffer.from(input.name, 'utf8');
    const stamp = dosDateTime(input.modifiedAt ?? new Date());
    const checksum = crc32(raw);
    const method = useDeflate ? METHOD_DEFLATE : METHOD_STORE;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(stamp.time, 10);
    local.writeUInt16LE(stamp.date, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(FLAG_UTF8, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(stamp.time, 12);
    header.writeUInt16LE(stamp.date, 14);
    header.writeUInt32LE(checksum, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number start, internal attributes: all 0
    header.writeUInt32LE(REGULAR_FILE_0644, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((total, chunk) => total + chunk.length, 0);
  if (offset + centralSize >= ZIP32_LIMIT) throw new ZipFormatError('archive too large for a ZIP without Zip64');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(inputs.length, 8);
  end.writeUInt16LE(inputs.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}

/**
 * Reads every entry of a ZIP through its central directory and checks each CRC-32, so an
 * export can be verified with the same rules any unzip applies. Stored and deflated entries only.
 */
export function readZip(archive: Buffer): ZipEntry[] {
  // The end record is the last 22 bytes plus an optional comment of up to 65535 bytes.
  let endAt = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
    if (archive.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      endAt = i;
      break;
    }
  }
  if (endAt < 0) throw new ZipFormatError('not a ZIP archive (no end of central directory record)');
  const count = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== CENTRAL_HEADER) throw new ZipFormatError(`bad central directory header at byte ${at}`);
    const methodCode = archive.readUInt16LE(at + 10);
    const checksum = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (archive.readUInt32LE(localAt) !== LOCAL_HEADER) throw new ZipFormatError(`bad local header for "${name}"`);
    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const body = archive.subarray(dataAt, dataAt + compressedSize);
    let data: Buffer;
    if (methodCode === METHOD_STORE) data = Buffer.from(body);
    else if (methodCode === METHOD_DEFLATE) data = zlib.inflateRawSync(body);
    else throw new ZipFormatError(`"${name}" uses compression method ${methodCode}, which this reader does not support`);
    if (data.length !== size) throw new ZipFormatError(`"${name}" is ${data.length} bytes, its header says ${size}`);
    if (crc32(data) !== checksum) throw new ZipFormatError(`"${name}" fails its CRC-32 check`);
    entries.push({ name, method: methodCode === METHOD_STORE ? 'store' : 'deflate', crc32: checksum, data });
  }
  return entries;
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
