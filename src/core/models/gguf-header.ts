/**
 * A bounded, pure-JS check of a GGUF header, run before node-llama-cpp or llama.cpp read a byte of the file.
 *
 * Model files come from hubs and are an attack surface: llama.cpp aborts the process on a key length of 2^31,
 * and node-llama-cpp's reader loops and allocates on counts near 2^63. Here every count and length is checked
 * against the bytes left in the file (and a fixed cap) before it is used, the file is read through one fixed
 * window, and nothing is allocated from an untrusted length. So the time is linear in the header's size (at most
 * MAX_HEADER_BYTES) and the memory is the window plus the tensor names. The first problem found is thrown as a
 * GgufHeaderError naming the field and the byte offset where it sits.
 *
 * Layout (GGUF v2/v3, little-endian): "GGUF", u32 version, u64 tensor_count, u64 kv_count, kv_count key-value
 * pairs (string key, u32 type, value), tensor_count tensor infos (string name, u32 n_dims, n_dims x u64, u32 ggml
 * type, u64 offset), padding to general.alignment, then the tensor data (offsets relative to its start).
 */
import fs from 'node:fs';

/** Limits; each is far above what real models use (figures in the README's reliability section). */
export const GGUF_LIMITS = {
  /** Key-value section plus tensor infos. A 256k-token vocabulary with its merges is about 15 MiB. */
  maxHeaderBytes: 256 * 1024 * 1024,
  /** The GGUF spec caps keys at 65535 bytes. */
  maxKeyBytes: 65_535,
  /** One string value (a chat template is tens of KiB). */
  maxStringBytes: 16 * 1024 * 1024,
  /** Tensor names are short ("blk.61.ffn_down_exps.weight"). */
  maxTensorNameBytes: 1024,
  /** The largest released models have a few thousand tensors. */
  maxTensors: 65_536,
  maxKeyValues: 65_536,
  /** ggml's GGML_MAX_DIMS. */
  maxDimensions: 4,
  maxAlignment: 1 << 30,
  /** Window through which the file is read. */
  chunkBytes: 1 << 20,
} as const;

export class GgufHeaderError extends Error {
  override name = 'GgufHeaderError';
  constructor(
    /** Which field is wrong, e.g. "tensor_count" or "key 3 (tokenizer.ggml.tokens) array length". */
    readonly field: string,
    /** Byte offset of that field in the file. */
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`${field} at byte ${offset}: ${problem}`);
  }
}

/** A sound header whose tensor data goes past the end of the file: an interrupted download or copy. */
export class GgufTruncatedError extends GgufHeaderError {
  override name = 'GgufTruncatedError';
  constructor(
    readonly declaredEnd: number,
    readonly fileBytes: number,
  ) {
    super('tensor data', fileBytes, `the header declares tensor data up to byte ${declaredEnd} but the file has only ${fileBytes} bytes (truncated: an interrupted download or copy?)`);
  }
}

/** Value type ids of GGUF metadata (gguf.h). */
const ValueType = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;
const FIXED_VALUE_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const VALUE_TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];

/** ggml tensor types this app can size (ggml's type traits): id -> name, elements and bytes per block. */
export const GGML_TYPE_LAYOUT: Readonly<Record<number, { name: string; blockElements: number; blockBytes: number }>> = {
  0: { name: 'F32', blockElements: 1, blockBytes: 4 },
  1: { name: 'F16', blockElements: 1, blockBytes: 2 },
  2: { name: 'Q4_0', blockElements: 32, blockBytes: 18 },
  3: { name: 'Q4_1', blockElements: 32, blockBytes: 20 },
  6: { name: 'Q5_0', blockElements: 32, blockBytes: 22 },
  7: { name: 'Q5_1', blockElements: 32, blockBytes: 24 },
  8: { name: 'Q8_0', blockElements: 32, blockBytes: 34 },
  9: { name: 'Q8_1', blockElements: 32, blockBytes: 36 },
  10: { name: 'Q2_K', blockElements: 256, blockBytes: 84 },
  11: { name: 'Q3_K', blockElements: 256, blockBytes: 110 },
  12: { name: 'Q4_K', blockElements: 256, blockBytes: 144 },
  13: { name: 'Q5_K', blockElements: 256, blockBytes: 176 },
  14: { name: 'Q6_K', blockElements: 256, blockBytes: 210 },
  15: { name: 'Q8_K', blockElements: 256, blockBytes: 292 },
  16: { name: 'IQ2_XXS', blockElements: 256, blockBytes: 66 },
  17: { name: 'IQ2_XS', blockElements: 256, blockBytes: 74 },
  18: { name: 'IQ3_XXS', blockElements: 256, blockBytes: 98 },
  19: { name: 'IQ1_S', blockElements: 256, blockBytes: 50 },
  20: { name: 'IQ4_NL', blockElements: 32, blockBytes: 18 },
  21: { name: 'IQ3_S', blockElements: 256, blockBytes: 110 },
  22: { name: 'IQ2_S', blockElements: 256, blockBytes: 82 },
  23: { name: 'IQ4_XS', blockElements: 256, blockBytes: 136 },
  24: { name: 'I8', blockElements: 1, blockBytes: 1 },
  25: { name: 'I16', blockElements: 1, blockBytes: 2 },
  26: { name: 'I32', blockElements: 1, blockBytes: 4 },
  27: { name: 'I64', blockElements: 1, blockBytes: 8 },
  28: { name: 'F64', blockElements: 1, blockBytes: 8 },
  29: { name: 'IQ1_M', blockElements: 256, blockBytes: 56 },
  30: { name: 'BF16', blockElements: 1, blockBytes: 2 },
  34: { name: 'TQ1_0', blockElements: 256, blockBytes: 54 },
  35: { name: 'TQ2_0', blockElements: 256, blockBytes: 66 },
  39: { name: 'MXFP4', blockElements: 32, blockBytes: 17 },
};

/** Bytes of a tensor's data, or null for a type this table does not know. */
export function ggmlTensorBytes(ggmlType: number, dimensions: readonly (number | bigint)[]): number | null {
  const layout = GGML_TYPE_LAYOUT[ggmlType];
  if (!layout) return null;
  const elements = dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
  return Math.ceil(elements / layout.blockElements) * layout.blockBytes;
}

/** Where the bytes come from: a file (read through a window) or a buffer (tests, the generated corpus). */
export interface ByteSource {
  readonly size: number;
  /** Fills target from position; returns the bytes read. */
  read(target: Buffer, position: number): number;
}

export function bufferSource(buffer: Buffer): ByteSource {
  return { size: buffer.length, read: (target, position) => buffer.copy(target, 0, position, Math.min(buffer.length, position + target.length)) };
}

export interface GgufHeaderSummary {
  version: number;
  tensorCount: number;
  keyValueCount: number;
  architecture: string;
  alignment: number;
  /** Where the tensor data section starts. */
  dataOffset: number;
  /** The end of the last tensor's data; the file is at least this long. */
  dataEnd: number;
}

/** What the header holds, read as node-llama-cpp's parser reads it (checkGgufHeader's `collect`). */
export type GgufValue = string | number | bigint | boolean | GgufValue[];

export interface GgufHeaderTensor {
  name: string;
  /** As node-llama-cpp gives them: numbers, bigints only above Number.MAX_SAFE_INTEGER. */
  dimensions: (number | bigint)[];
  ggmlType: number;
  /** Relative to the tensor data section. */
  offset: number;
}

export interface GgufHeaderContents {
  /** Flat keys ("general.architecture"). Arrays longer than COLLECT_MAX_ARRAY (a vocabulary, its merges) are
   * sparse arrays of their length: their elements are checked, not kept. */
  metadata: Record<string, GgufValue>;
  tensors: GgufHeaderTensor[];
  /** Where the key-value section ends and the tensor infos start. */
  metadataEnd: number;
  /** Where the tensor infos end. */
  tensorInfoEnd: number;
}

/** Arrays up to this many elements are kept when collecting (per-layer values); longer ones only their length. */
export const COLLECT_MAX_ARRAY = 4096;
/** Long arrays kept whole all the same: the vocabulary's pieces, which the evidence mask reads (evidence-mask.ts). */
const KEPT_WHOLE = new Set(['tokenizer.ggml.tokens']);

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function numberIfSafe(value: bigint): number | bigint {
  return value > MAX_SAFE ? value : Number(value);
}

/** Sequential little-endian reader over a fixed window; every read is checked against the end of the source. */
class BoundedReader {
  private readonly window: Buffer;
  private windowStart = 0;
  private windowLength = 0;
  position = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly limit: number,
  ) {
    this.window = Buffer.alloc(Math.min(GGUF_LIMITS.chunkBytes, Math.max(source.size, 1)));
  }

  get bytesLeft(): number {
    return this.limit - this.position;
  }

  /** Makes `bytes` (at most the window size) readable at the current position, or throws naming the field. */
  private ensure(bytes: number, field: string): number {
    if (bytes > this.bytesLeft) {
      throw new GgufHeaderError(field, this.position, `needs ${bytes} bytes but only ${this.bytesLeft} are left (the file is truncated or the header is corrupt)`);
    }
    const end = this.position + bytes;
    if (this.position < this.windowStart || end > this.windowStart + this.windowLength) {
      this.windowStart = this.position;
      this.windowLength = this.source.read(this.window, this.position);
      if (this.windowLength < bytes) throw new GgufHeaderError(field, this.position, 'the file ended while it was being read');
    }
    return this.position - this.windowStart;
  }

  u32(field: string): number {
    const at = this.ensure(4, field);
    this.position += 4;
    return this.window.readUInt32LE(at);
  }

  /** A u64 as a bigint: callers compare it with a bound before turning it into a number. */
  u64(field: string): bigint {
    const at = this.ensure(8, field);
    this.position += 8;
    return this.window.readBigUInt64LE(at);
  }

  /** A u64 count or length that must be at most `max` (a safe integer). */
  bounded(field: string, max: number, what: string): number {
    const start = this.position;
    const value = this.u64(field);
    if (value > BigInt(Math.max(max, 0))) {
      throw new GgufHeaderError(
        field,
        start,
        `${what} ${value} is more than the ${Math.max(max, 0)} that the bytes left in the file (or the header limits) allow: the file is truncated or the header is corrupt`,
      );
    }
    return Number(value);
  }

  /** One fixed-size value of `type` (all but strings and arrays), as node-llama-cpp's reader returns it. */
  fixed(type: number, field: string): number | bigint | boolean {
    const bytes = FIXED_VALUE_BYTES[type]!;
    const at = this.ensure(bytes, field);
    this.position += bytes;
    const window = this.window;
    switch (type) {
      case ValueType.u8:
        return window.readUInt8(at);
      case ValueType.i8:
        return window.readInt8(at);
      case ValueType.u16:
        return window.readUInt16LE(at);
      case ValueType.i16:
        return window.readInt16LE(at);
      case ValueType.u32:
        return window.readUInt32LE(at);
      case ValueType.i32:
        return window.readInt32LE(at);
      case ValueType.f32:
        return window.readFloatLE(at);
      case ValueType.bool:
        return window.readUInt8(at) !== 0;
      case ValueType.u64:
        return window.readBigUInt64LE(at);
      case ValueType.i64:
        return window.readBigInt64LE(at);
      default:
        return window.readDoubleLE(at);
    }
  }

  skip(bytes: number, field: string): void {
    if (bytes > this.bytesLeft) {
      throw new GgufHeaderError(field, this.position, `needs ${bytes} bytes but only ${this.bytesLeft} are left (the file is truncated or the header is corrupt)`);
    }
    this.position += bytes;
  }

  /** The next `count` bytes (at most the window), as a view valid until the next read. */
  view(count: number, field: string): Buffer {
    const at = this.ensure(count, field);
    this.position += count;
    return this.window.subarray(at, at + count);
  }

  /** The next `count` bytes (at most the window), copied into `target`. */
  bytes(count: number, field: string, target: Buffer): Buffer {
    this.view(count, field).copy(target);
    return target.subarray(0, count);
  }

  /**
   * A GGUF string: u64 length, then that many bytes of UTF-8. Decoded only when `keep` (short values); otherwise
   * streamed through the window to check its UTF-8 when `utf8` is set, or skipped.
   */
  string(field: string, maxBytes: number, options: { keep?: boolean; utf8?: boolean } = {}): string | null {
    const length = this.bounded(`${field} length`, Math.min(maxBytes, this.bytesLeft - 8), 'a length of');
    const start = this.position;
    if (!options.keep && !options.utf8) {
      this.skip(length, field);
      return null;
    }
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let text = '';
    let left = length;
    try {
      while (left > 0) {
        const take = Math.min(left, this.window.length);
        const at = this.ensure(take, field);
        const piece = decoder.decode(this.window.subarray(at, at + take), { stream: true });
        if (options.keep) text += piece;
        this.position += take;
        left -= take;
      }
      decoder.decode();
    } catch (error) {
      if (error instanceof GgufHeaderError) throw error;
      throw new GgufHeaderError(field, start, 'is not valid UTF-8 text');
    }
    return options.keep ? text : null;
  }
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/**
 * Checks the whole header and the tensor data's extent; throws GgufHeaderError on the first problem. With `collect`,
 * also returns the metadata and tensor infos (what node-llama-cpp's parser would read, without decoding the
 * vocabulary), so a checked file needs no second read.
 */
export function checkGgufHeader(source: ByteSource): GgufHeaderSummary;
export function checkGgufHeader(source: ByteSource, options: { collect: true }): GgufHeaderSummary & { contents: GgufHeaderContents };
export function checkGgufHeader(source: ByteSource, options: { collect?: boolean } = {}): GgufHeaderSummary & { contents?: GgufHeaderContents } {
  const collect = options.collect === true;
  const metadata: Record<string, GgufValue> = {};
  const collected: GgufHeaderTensor[] = [];
  const reader = new BoundedReader(source, source.size);
  const magicAt = reader.u32('magic');
  if (magicAt !== 0x46554747) throw new GgufHeaderError('magic', 0, 'the file does not start with "GGUF"');
  const version = reader.u32('version');
  if (version !== 2 && version !== 3) {
    const hint = version === 1 ? ' (GGUF v1 is obsolete; convert the model again)' : version > 0xffff ? ' (a big-endian file?)' : '';
    throw new GgufHeaderError('version', 4, `version ${version} is not supported (2 or 3)${hint}`);
  }
  // Smallest possible entries: a tensor info is a 1-byte name (8+1), n_dims (4), one dim (8), type (4), offset (8);
  // a key-value is a 1-byte key (8+1), a type (4) and a 1-byte value.
  const minTensorInfo = 33;
  const minKeyValue = 14;
  const tensorCount = reader.bounded('tensor_count', Math.min(GGUF_LIMITS.maxTensors, Math.floor(reader.bytesLeft / minTensorInfo)), 'a tensor count of');
  if (tensorCount === 0) throw new GgufHeaderError('tensor_count', 8, 'the file declares no tensors, so it holds no model weights');
  const keyValueCount = reader.bounded('kv_count', Math.min(GGUF_LIMITS.maxKeyValues, Math.floor(reader.bytesLeft / minKeyValue)), 'a key-value count of');

  const headerLimit = Math.min(source.size, reader.position + GGUF_LIMITS.maxHeaderBytes);
  const header = new BoundedReader(source, headerLimit);
  header.position = reader.position;

  let architecture: string | null = null;
  let alignment = 32;
  const seenKeys = new Set<string>();
  for (let index = 0; index < keyValueCount; index++) {
    const keyField = `key ${index + 1}`;
    const keyAt = header.position;
    const key = header.string(keyField, GGUF_LIMITS.maxKeyBytes, { keep: true })!;
    if (key.length === 0) throw new GgufHeaderError(keyField, keyAt, 'the key is empty');
    if (seenKeys.has(key)) throw new GgufHeaderError(`${keyField} (${key})`, keyAt, 'the key appears twice');
    seenKeys.add(key);
    const field = `${keyField} (${key.length > 80 ? `${key.slice(0, 80)}...` : key})`;
    const typeAt = header.position;
    const type = header.u32(`${field} type`);
    if (key === 'general.architecture') {
      if (type !== ValueType.string) throw new GgufHeaderError(`${field} type`, typeAt, 'general.architecture must be a string');
      architecture = header.string(field, 256, { keep: true })!;
      if (!/^[\w.-]+$/.test(architecture)) throw new GgufHeaderError(field, typeAt + 4, 'the architecture name is empty or has characters an architecture name never has');
      if (collect) metadata[key] = architecture;
      continue;
    }
    if (key === 'general.alignment') {
      if (type !== ValueType.u32) throw new GgufHeaderError(`${field} type`, typeAt, 'general.alignment must be a u32');
      const valueAt = header.position;
      alignment = header.u32(field);
      if (!isPowerOfTwo(alignment) || alignment > GGUF_LIMITS.maxAlignment) {
        throw new GgufHeaderError(field, valueAt, `alignment ${alignment} is not a power of two between 1 and ${GGUF_LIMITS.maxAlignment}`);
      }
      if (collect) metadata[key] = alignment;
      continue;
    }
    const value = readValue(header, type, field, typeAt, collect, collect && KEPT_WHOLE.has(key));
    if (collect) metadata[key] = value!;
  }
  const metadataEnd = header.position;
  if (architecture === null) throw new GgufHeaderError('general.architecture', header.position, 'the file has no general.architecture key, so it is not a model llama.cpp can load');

  const names = new Set<string>();
  const tensors: { offset: number; bytes: number; field: string; at: number }[] = [];
  for (let index = 0; index < tensorCount; index++) {
    const tensorField = `tensor ${index + 1}`;
    const nameAt = header.position;
    const name = header.string(`${tensorField} name`, GGUF_LIMITS.maxTensorNameBytes, { keep: true })!;
    const field = `${tensorField} (${name})`;
    if (name.length === 0) throw new GgufHeaderError(`${tensorField} name`, nameAt, 'the tensor name is empty');
    if (names.has(name)) throw new GgufHeaderError(field, nameAt, 'the tensor name appears twice');
    names.add(name);
    const dimsAt = header.position;
    const dimensions = header.u32(`${field} n_dims`);
    if (dimensions < 1 || dimensions > GGUF_LIMITS.maxDimensions) {
      throw new GgufHeaderError(`${field} n_dims`, dimsAt, `${dimensions} dimensions (ggml allows 1 to ${GGUF_LIMITS.maxDimensions})`);
    }
    let elements = 1n;
    let first = 0n;
    for (let dim = 0; dim < dimensions; dim++) {
      const dimAt = header.position;
      const size = header.u64(`${field} dimension ${dim + 1}`);
      if (size > MAX_SAFE) throw new GgufHeaderError(`${field} dimension ${dim + 1}`, dimAt, `size ${size} is out of range`);
      if (dim === 0) first = size;
      elements *= size;
      if (elements > MAX_SAFE) throw new GgufHeaderError(`${field} dimensions`, dimsAt, 'the element count overflows');
    }
    const typeAt = header.position;
    const ggmlType = header.u32(`${field} type`);
    const layout = GGML_TYPE_LAYOUT[ggmlType];
    if (!layout) throw new GgufHeaderError(`${field} type`, typeAt, `unknown ggml tensor type ${ggmlType}`);
    if (first % BigInt(layout.blockElements) !== 0n) {
      throw new GgufHeaderError(`${field} dimension 1`, dimsAt + 4, `${first} is not a multiple of ${layout.name}'s block of ${layout.blockElements}`);
    }
    const offsetAt = header.position;
    const offset = header.u64(`${field} offset`);
    if (offset > BigInt(source.size)) throw new GgufHeaderError(`${field} offset`, offsetAt, `offset ${offset} is beyond the end of the file (${source.size} bytes)`);
    if (Number(offset) % alignment !== 0) throw new GgufHeaderError(`${field} offset`, offsetAt, `offset ${offset} is not a multiple of the alignment ${alignment}`);
    const bytes = Number(elements / BigInt(layout.blockElements)) * layout.blockBytes;
    tensors.push({ offset: Number(offset), bytes, field: `${field} data`, at: offsetAt });
    if (collect) collected.push({ name, dimensions: dimensionValues(header, dimsAt + 4, dimensions), ggmlType, offset: Number(offset) });
  }
  const tensorInfoEnd = header.position;

  const dataOffset = Math.ceil(header.position / alignment) * alignment;
  let dataEnd = dataOffset;
  // llama.cpp's reader wants each tensor right after the previous one (padded to the alignment); anything else
  // means overlapping or hidden data.
  let expectedOffset = 0;
  for (const tensor of tensors) {
    if (tensor.offset !== expectedOffset) {
      throw new GgufHeaderError(tensor.field.replace(/ data$/, ' offset'), tensor.at, `offset ${tensor.offset}, expected ${expectedOffset} (tensors overlap or leave gaps)`);
    }
    expectedOffset += Math.ceil(tensor.bytes / alignment) * alignment;
    dataEnd = Math.max(dataEnd, dataOffset + tensor.offset + tensor.bytes);
  }
  if (dataEnd > source.size) throw new GgufTruncatedError(dataEnd, source.size);
  const summary = { version, tensorCount, keyValueCount, architecture, alignment, dataOffset, dataEnd };
  return collect ? { ...summary, contents: { metadata, tensors: collected, metadataEnd, tensorInfoEnd } } : summary;
}

/** The dimensions of a tensor info already checked, read again from where they start. */
function dimensionValues(reader: BoundedReader, at: number, count: number): (number | bigint)[] {
  const end = reader.position;
  reader.position = at;
  const values: (number | bigint)[] = [];
  for (let dim = 0; dim < count; dim++) values.push(numberIfSafe(reader.u64('dimension')));
  reader.position = end;
  return values;
}

/**
 * Reads past one metadata value, checking its type, its lengths and (for strings) its UTF-8; with `collect`,
 * returns it (a long array as a sparse array of its length).
 */
function readValue(reader: BoundedReader, type: number, field: string, typeAt: number, collect = false, keepWhole = false): GgufValue | undefined {
  if (type === ValueType.string) {
    return reader.string(field, GGUF_LIMITS.maxStringBytes, { utf8: true, keep: collect }) ?? undefined;
  }
  const fixed = FIXED_VALUE_BYTES[type];
  if (fixed !== undefined) {
    if (collect) return reader.fixed(type, field);
    reader.skip(fixed, field);
    return undefined;
  }
  if (type !== ValueType.array) throw new GgufHeaderError(`${field} type`, typeAt, `unknown value type ${type}`);
  const elementTypeAt = reader.position;
  const elementType = reader.u32(`${field} array element type`);
  const elementBytes = FIXED_VALUE_BYTES[elementType];
  if (elementType !== ValueType.string && elementBytes === undefined) {
    const what = elementType === ValueType.array ? 'arrays of arrays are not supported' : `unknown value type ${elementType}`;
    throw new GgufHeaderError(`${field} array element type`, elementTypeAt, what);
  }
  // Each string element takes at least its 8-byte length.
  const minElement = elementBytes ?? 8;
  const count = reader.bounded(`${field} array length`, Math.floor(reader.bytesLeft / minElement), `${VALUE_TYPE_NAMES[elementType]} array length`);
  const keep = collect && (keepWhole || count <= COLLECT_MAX_ARRAY);
  if (elementBytes !== undefined) {
    if (!keep) {
      reader.skip(count * elementBytes, field);
      return collect ? new Array<GgufValue>(count) : undefined;
    }
    const values: GgufValue[] = [];
    for (let index = 0; index < count; index++) values.push(reader.fixed(elementType, field));
    return values;
  }
  // Vocabulary strings are not required to be UTF-8: byte-level tokenizers store fragments of characters.
  if (!keep) {
    for (let index = 0; index < count; index++) reader.string(`${field} element ${index + 1}`, GGUF_LIMITS.maxStringBytes);
    return collect ? new Array<GgufValue>(count) : undefined;
  }
  const values: GgufValue[] = [];
  for (let index = 0; index < count; index++) values.push(readLooseString(reader, `${field} element ${index + 1}`));
  return values;
}

/** A string element kept as node-llama-cpp decodes it (invalid UTF-8 replaced, not refused). */
function readLooseString(reader: BoundedReader, field: string): string {
  const length = reader.bounded(`${field} length`, Math.min(GGUF_LIMITS.maxStringBytes, reader.bytesLeft - 8), 'a length of');
  // A vocabulary piece is a few bytes: decoded straight from the window, without a copy.
  if (length <= GGUF_LIMITS.chunkBytes) return reader.view(length, field).toString('utf8');
  const bytes = Buffer.alloc(GGUF_LIMITS.chunkBytes);
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let left = length;
  while (left > 0) {
    const take = Math.min(left, bytes.length);
    text += decoder.decode(reader.bytes(take, field, bytes), { stream: true });
    left -= take;
  }
  return text + decoder.decode();
}

/** Checks a file's header through a window of GGUF_LIMITS.chunkBytes; the caller has checked it is a regular file. */
export function checkGgufHeaderFile(filePath: string): GgufHeaderSummary;
export function checkGgufHeaderFile(filePath: string, options: { collect: true }): GgufHeaderSummary & { contents: GgufHeaderContents };
export function checkGgufHeaderFile(filePath: string, options: { collect?: boolean } = {}): GgufHeaderSummary & { contents?: GgufHeaderContents } {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const source: ByteSource = { size, read: (target, position) => fs.readSync(fd, target, 0, target.length, position) };
    return options.collect ? checkGgufHeader(source, { collect: true }) : checkGgufHeader(source);
  } finally {
    fs.closeSync(fd);
  }
}
