/**
 * Writes a tiny llama-architecture GGUF (v3) model with seeded random weights, so tests can drive the
 * real node-llama-cpp path (load, tokenize, evaluate, grammar-constrained generation) without
 * downloading real weights. The output is gibberish by design; grammars make it well-formed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TinyModelOptions {
  seed?: number;
  contextLength?: number;
  embedding?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
  withChatTemplate?: boolean;
}

export type ResolvedTinyModelOptions = Required<TinyModelOptions>;

/** Bump when the file layout or vocabulary changes, so cached fixtures are regenerated. */
const GENERATOR_VERSION = 2;

export const GGUF_ALIGNMENT = 32;

export const TINY_MODEL_DEFAULTS: ResolvedTinyModelOptions = {
  seed: 1,
  contextLength: 4096,
  embedding: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  feedForward: 64,
  withChatTemplate: true,
};

/** GGUF metadata value type ids (gguf spec). */
export const GgufValueType = {
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
} as const;

/** ggml tensor type id for F32. */
export const GGML_TYPE_F32 = 0;

/** llama.cpp token attribute ids stored in tokenizer.ggml.token_type. */
const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

const SPACE_MARKER = '\u2581';

export const TINY_TOKEN_IDS = { unknown: 0, bos: 1, eos: 2 } as const;

const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const SPACED_WORDS = [
  'the', 'of', 'and', 'to', 'a', 'in', 'is', 'was', 'with', 'for', 'on', 'no', 'not', 'at', 'by', 'be', 'as', 'or',
  'this', 'that', 'he', 'she', 'his', 'her', 'has', 'had', 'were', 'are', 'from', 'after', 'per', 'day', 'daily',
  'patient', 'history', 'admission', 'discharge', 'diagnosis', 'chronic', 'acute', 'pain', 'blood', 'pressure',
  'heart', 'failure', 'kidney', 'disease', 'diabetes', 'mellitus', 'hypertension', 'medications', 'mg', 'tablet',
  'exam', 'normal', 'left', 'right', 'chest', 'denies', 'fever', 'infection', 'procedure', 'surgery', 'hospital',
  'course', 'labs', 'stable', 'status', 'present', 'illness', 'code', 'note', 'evidence', 'label', 'rationale',
  'sentence', 'supports', 'True', 'False', 'yes', 'none', 'The', 'Patient', 'He', 'She', 'No', 'History',
];

const UNSPACED_PIECES = [
  'label', 'evidence', 'rationale', 'True', 'False', 'true', 'false', 'null',
  '":', '",', '"]', '["', '{"', '"}', ': ', ', ', 'ing', 'ed', 'tion', 'ly', 'er', 's.',
];

function sentenceIdPieces(): string[] {
  const pieces: string[] = [];
  for (let index = 1; index <= 99; index++) pieces.push(`S${index}`);
  return pieces;
}

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
}

/**
 * SentencePiece merging (as llama.cpp implements it) only joins two adjacent symbols when their
 * concatenation is itself a token, so every multi-char piece needs its prefixes in the vocabulary.
 */
function withPrefixes(pieces: string[]): string[] {
  const expanded: string[] = [];
  for (const piece of pieces) {
    const chars = Array.from(piece);
    for (let length = 2; length <= chars.length; length++) expanded.push(chars.slice(0, length).join(''));
  }
  return expanded;
}

function buildVocabulary(withChatTemplate: boolean): Vocabulary {
  const tokens: string[] = [];
  const types: number[] = [];
  const seen = new Set<string>();
  const add = (token: string, type: number): void => {
    if (seen.has(token)) return;
    seen.add(token);
    tokens.push(token);
    types.push(type);
  };

  add('<unk>', TokenType.unknown);
  add('<s>', TokenType.control);
  add('</s>', TokenType.control);
  // Byte fallback guarantees that any UTF-8 text tokenizes, whatever the rest of the vocabulary holds.
  for (let byte = 0; byte < 256; byte++) {
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.byte);
  }
  if (withChatTemplate) {
    add('<|im_start|>', TokenType.control);
    add('<|im_end|>', TokenType.control);
  }
  add(SPACE_MARKER, TokenType.normal);
  for (let code = 0x21; code <= 0x7e; code++) add(String.fromCharCode(code), TokenType.normal);

  const spacedWords = SPACED_WORDS.map((word) => SPACE_MARKER + word);
  for (const piece of withPrefixes([...spacedWords, ...UNSPACED_PIECES, ...sentenceIdPieces()])) {
    add(piece, TokenType.normal);
  }

  // Earlier (shorter, more basic) pieces score higher, like a trained SentencePiece model.
  const scores = tokens.map((_, index) => (types[index] === TokenType.normal ? -index : 0));
  return { tokens, scores, types };
}

/**
 * Byte-fallback and <unk> tokens get all-zero output rows (logit exactly 0) while real pieces get
 * logits of a few units, so like a trained model the fixture almost never emits raw bytes. Random
 * byte runs can form invalid UTF-8, which llama.cpp's grammar counts as one character but JS decodes
 * into several U+FFFD, breaking string maxLength checks.
 */
function rarelyEmittedTokens(vocabulary: Vocabulary): ReadonlySet<number> {
  const ids = new Set<number>();
  vocabulary.types.forEach((type, id) => {
    if (type === TokenType.byte || type === TokenType.unknown) ids.add(id);
  });
  return ids;
}

/** mulberry32: tiny, fast and good enough for reproducible fixture weights. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Irwin–Hall approximation of a standard normal: avoids log/trig and is exactly reproducible. */
export function createNormalish(seed: number): () => number {
  const random = createRandom(seed);
  return () => {
    let sum = 0;
    for (let draw = 0; draw < 4; draw++) sum += random();
    return (sum - 2) * Math.sqrt(3);
  };
}

export interface TensorSpec {
  name: string;
  /** ggml order: innermost (contiguous) dimension first. */
  dims: number[];
  fill: 'ones' | { std: number; zeroRows?: ReadonlySet<number> };
}

function tensorSpecs(options: ResolvedTinyModelOptions, vocabulary: Vocabulary): TensorSpec[] {
  const vocabSize = vocabulary.tokens.length;
  const { embedding, layers, heads, kvHeads, feedForward } = options;
  const headDim = embedding / heads;
  const kvWidth = headDim * kvHeads;
  const linearStd = (inputs: number) => ({ std: 1 / Math.sqrt(inputs) });

  const specs: TensorSpec[] = [
    { name: 'token_embd.weight', dims: [embedding, vocabSize], fill: { std: 1 } },
  ];
  for (let block = 0; block < layers; block++) {
    const prefix = `blk.${block}`;
    specs.push(
      { name: `${prefix}.attn_norm.weight`, dims: [embedding], fill: 'ones' },
      { name: `${prefix}.attn_q.weight`, dims: [embedding, embedding], fill: linearStd(embedding) },
      { name: `${prefix}.attn_k.weight`, dims: [embedding, kvWidth], fill: linearStd(embedding) },
      { name: `${prefix}.attn_v.weight`, dims: [embedding, kvWidth], fill: linearStd(embedding) },
      { name: `${prefix}.attn_output.weight`, dims: [embedding, embedding], fill: linearStd(embedding) },
      { name: `${prefix}.ffn_norm.weight`, dims: [embedding], fill: 'ones' },
      { name: `${prefix}.ffn_gate.weight`, dims: [embedding, feedForward], fill: linearStd(embedding) },
      { name: `${prefix}.ffn_down.weight`, dims: [feedForward, embedding], fill: linearStd(feedForward) },
      { name: `${prefix}.ffn_up.weight`, dims: [embedding, feedForward], fill: linearStd(embedding) },
    );
  }
  specs.push(
    { name: 'output_norm.weight', dims: [embedding], fill: 'ones' },
    { name: 'output.weight', dims: [embedding, vocabSize], fill: { std: 2 / Math.sqrt(embedding), zeroRows: rarelyEmittedTokens(vocabulary) } },
  );
  return specs;
}

/** Little-endian binary writer that grows as needed. */
export class ByteWriter {
  private buffer = Buffer.alloc(1 << 16);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  get position(): number {
    return this.length;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  i32(value: number): void {
    this.reserve(4);
    this.buffer.writeInt32LE(value, this.length);
    this.length += 4;
  }

  u64(value: number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
  }

  f32(value: number): void {
    this.reserve(4);
    this.buffer.writeFloatLE(value, this.length);
    this.length += 4;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** GGUF strings: u64 byte length, then UTF-8 bytes without a terminator. */
  string(value: string): void {
    const encoded = Buffer.from(value, 'utf8');
    this.u64(encoded.length);
    this.bytes(encoded);
  }

  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.bytes(new Uint8Array(padding));
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

export type MetadataValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: number[] }
  | { type: 'i32[]'; value: number[] };

export function writeMetadataEntry(writer: ByteWriter, key: string, entry: MetadataValue): void {
  writer.string(key);
  switch (entry.type) {
    case 'u32':
      writer.u32(GgufValueType.uint32);
      writer.u32(entry.value);
      return;
    case 'f32':
      writer.u32(GgufValueType.float32);
      writer.f32(entry.value);
      return;
    case 'bool':
      writer.u32(GgufValueType.bool);
      writer.u8(entry.value ? 1 : 0);
      return;
    case 'string':
      writer.u32(GgufValueType.string);
      writer.string(entry.value);
      return;
    case 'string[]':
      writer.u32(GgufValueType.array);
      writer.u32(GgufValueType.string);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.string(item);
      return;
    case 'f32[]':
      writer.u32(GgufValueType.array);
      writer.u32(GgufValueType.float32);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.f32(item);
      return;
    case 'i32[]':
      writer.u32(GgufValueType.array);
      writer.u32(GgufValueType.int32);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.i32(item);
      return;
  }
}

export function resolveTinyModelOptions(options: TinyModelOptions = {}): ResolvedTinyModelOptions {
  const resolved: ResolvedTinyModelOptions = { ...TINY_MODEL_DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof TinyModelOptions, unknown][]) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  const { embedding, heads, kvHeads, layers, feedForward, contextLength } = resolved;
  for (const [name, value] of Object.entries({ embedding, heads, kvHeads, layers, feedForward, contextLength })) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`tiny model option ${name} must be a positive integer`);
  }
  if (embedding % heads !== 0) throw new Error('tiny model embedding must be divisible by heads');
  if (heads % kvHeads !== 0) throw new Error('tiny model heads must be divisible by kvHeads');
  // RoPE rotates dimension pairs.
  if ((embedding / heads) % 2 !== 0) throw new Error('tiny model head dimension (embedding / heads) must be even');
  return resolved;
}

/** The GGUF file contents; same options always give identical bytes. */
export function buildTinyLlamaGguf(options: TinyModelOptions = {}): Buffer {
  const resolved = resolveTinyModelOptions(options);
  const vocabulary = buildVocabulary(resolved.withChatTemplate);
  const specs = tensorSpecs(resolved, vocabulary);

  const metadata: [string, MetadataValue][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: `medbench-tiny-random-s${resolved.seed}` }],
    ['general.alignment', { type: 'u32', value: GGUF_ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['llama.context_length', { type: 'u32', value: resolved.contextLength }],
    ['llama.embedding_length', { type: 'u32', value: resolved.embedding }],
    ['llama.block_count', { type: 'u32', value: resolved.layers }],
    ['llama.feed_forward_length', { type: 'u32', value: resolved.feedForward }],
    ['llama.attention.head_count', { type: 'u32', value: resolved.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: resolved.kvHeads }],
    ['llama.rope.dimension_count', { type: 'u32', value: resolved.embedding / resolved.heads }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.vocab_size', { type: 'u32', value: vocabulary.tokens.length }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocabulary.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: vocabulary.scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocabulary.types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: TINY_TOKEN_IDS.unknown }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: TINY_TOKEN_IDS.bos }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: TINY_TOKEN_IDS.eos }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  if (resolved.withChatTemplate) metadata.push(['tokenizer.chat_template', { type: 'string', value: CHAT_TEMPLATE }]);

  return encodeGguf(metadata, specs, resolved.seed);
}

/**
 * A GGUF v3 file from its metadata and F32 tensors filled with seeded random values (one writer for every
 * generated test model, so they all share the layout llama.cpp checks).
 */
export function encodeGguf(metadata: readonly (readonly [string, MetadataValue])[], specs: readonly TensorSpec[], seed: number): Buffer {
  const writer = new ByteWriter();
  writer.bytes(Buffer.from('GGUF', 'ascii'));
  writer.u32(3);
  writer.u64(specs.length);
  writer.u64(metadata.length);
  for (const [key, entry] of metadata) writeMetadataEntry(writer, key, entry);

  // Tensor offsets are relative to the (aligned) start of the data section, each aligned too.
  const alignedSize = (bytes: number) => Math.ceil(bytes / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  let dataOffset = 0;
  for (const spec of specs) {
    writer.string(spec.name);
    writer.u32(spec.dims.length);
    for (const dim of spec.dims) writer.u64(dim);
    writer.u32(GGML_TYPE_F32);
    writer.u64(dataOffset);
    dataOffset += alignedSize(elementCount(spec) * 4);
  }
  writer.padTo(GGUF_ALIGNMENT);

  const normal = createNormalish(seed);
  for (const spec of specs) {
    const values = new Float32Array(elementCount(spec));
    if (spec.fill === 'ones') values.fill(1);
    else {
      for (let index = 0; index < values.length; index++) values[index] = normal() * spec.fill.std;
      const rowLength = spec.dims[0]!;
      for (const row of spec.fill.zeroRows ?? []) values.fill(0, row * rowLength, (row + 1) * rowLength);
    }
    // Float32Array is host-endian and GGUF little-endian; one buffer per tensor keeps 150k-token vocabularies fast.
    const bytes = Buffer.alloc(values.length * 4);
    for (let index = 0; index < values.length; index++) bytes.writeFloatLE(values[index]!, index * 4);
    writer.bytes(bytes);
    writer.padTo(GGUF_ALIGNMENT);
  }
  return writer.toBuffer();
}

function elementCount(spec: TensorSpec): number {
  return spec.dims.reduce((product, dim) => product * dim, 1);
}

export function writeTinyLlamaGguf(filePath: string, options: TinyModelOptions = {}): void {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, buildTinyLlamaGguf(options));
}

export function tinyModelCacheKey(options: TinyModelOptions = {}): string {
  const resolved = resolveTinyModelOptions(options);
  const canonical = JSON.stringify({ version: GENERATOR_VERSION, ...sortedEntries(resolved) });
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function sortedEntries(options: ResolvedTinyModelOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)));
}

const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/medbench-test', import.meta.url));

/**
 * Returns the path of a cached tiny model, generating it when missing. The temp-file + rename keeps
 * parallel test workers from ever reading a half-written file.
 */
export async function ensureTinyModel(dir: string = DEFAULT_CACHE_DIR, options: TinyModelOptions = {}): Promise<string> {
  const target = path.join(dir, `tiny-${tinyModelCacheKey(options)}.gguf`);
  if (fs.existsSync(target)) return target;
  await fs.promises.mkdir(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(temporary, buildTinyLlamaGguf(options));
    await fs.promises.rename(temporary, target);
  } finally {
    await fs.promises.rm(temporary, { force: true });
  }
  return target;
}
