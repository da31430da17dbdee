/**
 * GGUF model files: checks that explain what is wrong with a file before llama.cpp tries to load it (llama.cpp's own
 * errors for a truncated or mistyped file are cryptic or a crash), metadata for the UI and the run manifest, and the
 * shared llama.cpp binding (one per compute backend per process).
 *
 * Users are often air-gapped: the binding is only ever taken from the prebuilt binaries installed with
 * node-llama-cpp. It is never built from source nor downloaded; a missing GPU backend is a clear error.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  getLlama,
  GgmlType,
  GgufFileType,
  GgufInsights,
  LlamaLogLevel,
  readGgufFileInfo,
  type GgufFileInfo,
  type GgufTensorInfo,
  type Llama,
} from 'node-llama-cpp';
import { UserError } from '../errors';
import { checkGgufHeaderFile, ggmlTensorBytes, GgufHeaderError, GgufTruncatedError, type GgufHeaderContents, type GgufHeaderSummary, type GgufValue } from './gguf-header';

type CollectedHeader = GgufHeaderSummary & { contents: GgufHeaderContents };

export type GpuSetting = 'auto' | 'cpu' | 'cuda' | 'vulkan' | 'metal';
export type ComputeBackend = 'cpu' | 'cuda' | 'vulkan' | 'metal';

/** Long enough for real discharge notes, short enough that the KV cache stays modest on laptops. */
export const DEFAULT_MAX_CONTEXT_SIZE = 8192;

export function defaultContextSize(trainedContextSize: number | undefined): number {
  return Math.min(trainedContextSize ?? DEFAULT_MAX_CONTEXT_SIZE, DEFAULT_MAX_CONTEXT_SIZE);
}

export class ModelFileError extends UserError {
  override name = 'ModelFileError';
  constructor(
    readonly filePath: string,
    message: string,
  ) {
    super(message);
  }
}

export class ComputeBackendError extends UserError {
  override name = 'ComputeBackendError';
}

// ---------------------------------------------------------------------------------------------------------------
// The llama.cpp binding

const llamaByGpu = new Map<GpuSetting, Promise<Llama>>();

/** One Llama per gpu setting per process: loading the binding is slow and each instance owns native resources. */
export function getLlamaForMachine({ gpu = 'auto' }: { gpu?: GpuSetting } = {}): Promise<Llama> {
  const cached = llamaByGpu.get(gpu);
  if (cached) return cached;
  const loading = loadLlama(gpu);
  llamaByGpu.set(gpu, loading);
  // A failure is not cached: the user may install the missing backend and retry in the same app session.
  loading.catch(() => llamaByGpu.delete(gpu));
  return loading;
}

async function loadLlama(gpu: GpuSetting): Promise<Llama> {
  let llama: Llama;
  try {
    llama = await getLlama({
      gpu: gpu === 'cpu' ? false : gpu,
      build: 'never',
      usePrebuiltBinaries: true,
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
    });
  } catch (error) {
    const cause = (error as Error).message || (error as Error).name;
    const what = gpu === 'auto' ? 'No usable llama.cpp binary' : `The ${gpu} compute backend is not available on this machine`;
    throw new ComputeBackendError(
      `${what}: no working prebuilt llama.cpp binary for it was found (MedBench never builds or downloads one). ` +
        `${gpu === 'cpu' || gpu === 'auto' ? 'Reinstall the app.' : 'Use --gpu auto or --gpu cpu, or install the GPU drivers.'} (${cause})`,
      { cause: error },
    );
  }
  // node-llama-cpp quietly falls back to the CPU for a GPU type the platform lacks (metal on Linux).
  if (gpu !== 'auto' && computeBackendOf(llama) !== gpu) {
    throw new ComputeBackendError(
      `The ${gpu} compute backend is not available on this machine (llama.cpp offers ${computeBackendOf(llama)}). ` +
        'Use --gpu auto or --gpu cpu.',
    );
  }
  return llama;
}

/** The internal of node-llama-cpp 3.x that picks what its memory simulation loads; checked before use. */
interface SimulatorSourceInternals {
  _resolveSimulatorSource(): Promise<unknown>;
}

/**
 * Replaces one method of a node-llama-cpp internal for as long as any task given to the returned function runs, then
 * puts the original back (nested and overlapping tasks share one replacement).
 */
function scopedOverride<Target extends object, Key extends keyof Target>(target: Target, key: Key, replacement: (original: Target[Key]) => Target[Key]) {
  let depth = 0;
  let original: Target[Key] | null = null;
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (depth++ === 0) {
      original = target[key];
      target[key] = replacement(original);
    }
    try {
      return await task();
    } finally {
      if (--depth === 0 && original !== null) {
        target[key] = original;
        original = null;
      }
    }
  };
}

const simulationPrototype = GgufInsights.prototype as unknown as Partial<SimulatorSourceInternals>;
const withoutSimulationSource =
  typeof simulationPrototype._resolveSimulatorSource === 'function' ? scopedOverride(simulationPrototype as SimulatorSourceInternals, '_resolveSimulatorSource', () => () => Promise.resolve(null)) : null;

/**
 * Runs `task` (a model load, a context creation) without node-llama-cpp's memory simulation. Since 3.22 it loads the
 * model's metadata natively once more (vocabulary included) in loadModel and again in createContext to estimate memory
 * exactly: on the CPU, where nothing is offloaded and this app has already checked the fit (validateGgufFile), that
 * costs 0.5-0.9 s each for a 150k-token vocabulary and decides nothing. Without a source, node-llama-cpp falls back to its
 * closed-form estimate (the one validateGgufFile uses) for its own memory bookkeeping. Model loads are serialized
 * (lifecycle.ts), so the override is not seen by another load.
 */
export function withoutMemorySimulation<T>(task: () => Promise<T>): Promise<T> {
  return withoutSimulationSource ? withoutSimulationSource(task) : task();
}

/** What node-llama-cpp's GGUF parser (3.x) returns from `parse()`; loadModel reads every model's header with it. */
interface ParsedGgufHeader {
  tensorCount: number | bigint;
  metadata: unknown;
  tensorInfo: unknown;
  metadataSize: number;
  tensorInfoSize: number | undefined;
  infoEndOffset: number | undefined;
}

interface GgufParserInternals {
  _fileReader?: { filePath?: unknown };
  parse(this: GgufParserInternals): Promise<ParsedGgufHeader>;
}

/** Headers this process checked (checkGgufStructure), by path, with the file identity they were read from. */
const checkedHeaders = new Map<string, { identity: string; info: GgufFileInfo }>();
const CHECKED_HEADERS_KEPT = 4;

function fileIdentity(stats: fs.Stats): string {
  return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

function rememberCheckedHeader(filePath: string, stats: fs.Stats, info: GgufFileInfo): void {
  checkedHeaders.delete(filePath);
  checkedHeaders.set(filePath, { identity: fileIdentity(stats), info });
  for (const oldest of checkedHeaders.keys()) {
    if (checkedHeaders.size <= CHECKED_HEADERS_KEPT) break;
    checkedHeaders.delete(oldest);
  }
}

/** The checked header of `filePath` if the file is still the one that was read (same size, mtime and inode). */
function checkedHeaderOf(filePath: string): GgufFileInfo | null {
  const known = checkedHeaders.get(filePath);
  if (!known) return null;
  try {
    return fileIdentity(fs.statSync(filePath)) === known.identity ? known.info : null;
  } catch {
    return null;
  }
}

let checkedHeaderOverride: Promise<(<T>(task: () => Promise<T>) => Promise<T>) | null> | null = null;

/**
 * node-llama-cpp's GGUF parser class (not exported: loaded from its file, which is the same module instance its
 * readGgufFileInfo uses), with `parse` serving checked headers while a task runs; null when this node-llama-cpp lays
 * it out differently.
 */
function headerOverride(): Promise<(<T>(task: () => Promise<T>) => Promise<T>) | null> {
  checkedHeaderOverride ??= (async () => {
    try {
      const entry = createRequire(import.meta.url).resolve('node-llama-cpp');
      const file = path.join(path.dirname(entry), 'gguf', 'parser', 'GgufV2Parser.js');
      const loaded = (await import(pathToFileURL(file).href)) as { GgufV2Parser?: { prototype?: Partial<GgufParserInternals> } };
      const prototype = loaded.GgufV2Parser?.prototype;
      if (typeof prototype?.parse !== 'function') return null;
      return scopedOverride(prototype as GgufParserInternals, 'parse', (original) =>
        function parseOrReuse(this: GgufParserInternals) {
          const filePath = this._fileReader?.filePath;
          const info = typeof filePath === 'string' ? checkedHeaderOf(filePath) : null;
          if (info === null) return original.call(this);
          return Promise.resolve({
            tensorCount: info.tensorCount,
            metadata: info.metadata,
            tensorInfo: info.tensorInfo,
            metadataSize: info.metadataSize,
            tensorInfoSize: info.tensorInfoSize,
            infoEndOffset: info.infoEndOffset,
          });
        },
      );
    } catch {
      return null;
    }
  })();
  return checkedHeaderOverride;
}

/**
 * Runs `task` (a model load) with node-llama-cpp reading the header of a file this process already checked from that
 * check instead of parsing it again: loadModel decodes the whole vocabulary in JavaScript before llama.cpp starts
 * (0.35 s for Qwen3's 151k tokens, 0.6 s for Llama 3.1's 128k tokens and 280k merges on this machine). Only a file
 * whose size, mtime and inode still match is served; anything else, and split models, are parsed as before.
 */
export async function withCheckedHeaders<T>(task: () => Promise<T>): Promise<T> {
  const override = await headerOverride();
  return override ? override(task) : task();
}

export function computeBackendOf(llama: Llama): ComputeBackend {
  return llama.gpu === false ? 'cpu' : llama.gpu;
}

// ---------------------------------------------------------------------------------------------------------------
// File checks

/** Bytes of a tensor's data, or null for a type this app does not know (then only its offset is checked). */
export function tensorDataBytes(tensor: Pick<GgufTensorInfo, 'dimensions' | 'ggmlType'>): number | null {
  return ggmlTensorBytes(tensor.ggmlType, tensor.dimensions);
}

function describeMagic(head: Buffer): string {
  if (head.length === 0) return 'nothing';
  const text = head.toString('latin1');
  if (text.startsWith('version https://git-lfs')) return 'a Git LFS pointer (the real file was never downloaded)';
  const hex = Array.from(head.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const printable = text.slice(0, 4).replace(/[^\x20-\x7e]/g, '.');
  return `bytes ${hex} ("${printable}")`;
}

function readHead(filePath: string, bytes: number): Buffer {
  const handle = fs.openSync(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(handle, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(handle);
  }
}

interface CheckedGgufFile {
  path: string;
  sizeBytes: number;
  info: GgufFileInfo;
}

/** Structural checks only (no memory estimate): existence, type, magic, readable header, complete tensor data. */
export async function checkGgufStructure(filePath: string): Promise<CheckedGgufFile> {
  const resolved = path.resolve(filePath);
  let stats: fs.Stats;
  try {
    stats = fs.statSync(resolved);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelFileError(resolved, `Model file not found: ${resolved}`);
    throw new ModelFileError(resolved, `Cannot read model file ${resolved}: ${(error as Error).message}`);
  }
  if (stats.isDirectory()) throw new ModelFileError(resolved, `${resolved} is a folder, not a GGUF model file`);
  if (!stats.isFile()) throw new ModelFileError(resolved, `${resolved} is not a regular file`);
  if (stats.size === 0) throw new ModelFileError(resolved, `Model file ${resolved} is empty (0 bytes)`);

  let head: Buffer;
  try {
    head = readHead(resolved, 64);
  } catch (error) {
    throw new ModelFileError(resolved, `Cannot read model file ${resolved}: ${(error as Error).message}`);
  }
  if (head.length < 4 || head.subarray(0, 4).toString('latin1') !== 'GGUF') {
    throw new ModelFileError(resolved, `${resolved} is not a GGUF model file: it starts with ${describeMagic(head)} instead of "GGUF"`);
  }

  // Our own bounded check first: node-llama-cpp's reader and llama.cpp trust the header's counts and lengths. It
  // collects what node-llama-cpp's reader would give, so a single-file model is read once here (node-llama-cpp's
  // reader decodes the whole vocabulary: 0.3-0.5 s for 150k tokens, and loadModel reads it again anyway).
  let checked: CollectedHeader;
  try {
    checked = checkGgufHeaderFile(resolved, { collect: true });
  } catch (error) {
    if (error instanceof GgufTruncatedError) {
      throw new ModelFileError(
        resolved,
        `Model file ${resolved} is truncated: its header declares tensor data up to byte ${error.declaredEnd} ` +
          `but the file has only ${error.fileBytes} bytes (an interrupted download or copy?)`,
      );
    }
    if (error instanceof GgufHeaderError) throw new ModelFileError(resolved, `${resolved} is not a usable GGUF model: ${error.message}`);
    throw new ModelFileError(resolved, `Cannot read model file ${resolved}: ${(error as Error).message}`);
  }

  const split = isSplitModel(resolved, checked.contents.metadata);
  if (!split) {
    const info = fileInfoFromHeader(resolved, checked);
    rememberCheckedHeader(resolved, stats, info);
    return { path: resolved, sizeBytes: stats.size, info };
  }

  // A split model: node-llama-cpp's reader splices the tensor infos of every part.
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(resolved, { readTensorInfo: true, logWarnings: false, sourceType: 'filesystem' });
  } catch (error) {
    throw new ModelFileError(
      resolved,
      `The GGUF header of ${resolved} cannot be read (the file is truncated or corrupt): ${(error as Error).message}`,
    );
  }

  let declaredEnd = 0;
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    const end = Number(tensor.fileOffset) + (tensorDataBytes(tensor) ?? 0);
    if (end > declaredEnd) declaredEnd = end;
  }
  if (stats.size < declaredEnd) {
    throw new ModelFileError(
      resolved,
      `Model file ${resolved} is truncated: its header declares tensor data up to byte ${declaredEnd} ` +
        `but the file has only ${stats.size} bytes (an interrupted download or copy?)`,
    );
  }
  return { path: resolved, sizeBytes: stats.size, info };
}

/** A part of a model split over several files ("-00001-of-00003.gguf", or split.count above 1). */
function isSplitModel(filePath: string, metadata: Record<string, GgufValue>): boolean {
  const count = metadata['split.count'];
  return /-\d{5}-of-\d{5}\.gguf$/i.test(filePath) || (count !== undefined && Number(count) > 1);
}

/** Keys whose dots do not nest (node-llama-cpp's noDirectSubNestingGGufMetadataKeys). */
const UNNESTED_KEYS = new Set(['general.license', 'tokenizer.chat_template']);

type NestedMetadata = { [key: string]: GgufValue | NestedMetadata };

/** Flat "a.b.c" keys as nested objects, as node-llama-cpp's convertMetadataKeyValueRecordToNestedObject does. */
export function nestGgufMetadata(flat: Record<string, GgufValue>): NestedMetadata {
  const root: NestedMetadata = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let target = root;
    const previous: string[] = [];
    let last = '';
    while (parts.length > 0) {
      let part = parts.shift()!;
      while (UNNESTED_KEYS.has([...previous, part].join('.')) && parts.length > 0) part += `.${parts.shift()!}`;
      if (parts.length === 0) {
        last = part;
        break;
      }
      const existing = target[part];
      if (existing === undefined) {
        const next: NestedMetadata = {};
        target[part] = next;
        target = next;
      } else if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) {
        target = existing as NestedMetadata;
      } else {
        // Occupied by a value: the rest of the key stays joined under it.
        parts.unshift(`${part}.${parts.shift()!}`);
        continue;
      }
      previous.push(part);
    }
    const occupied = target[last];
    if (occupied !== undefined && typeof occupied === 'object' && !Array.isArray(occupied)) {
      // A value where an object of longer keys already is: its entries move next to it, one level up.
      delete target[last];
      for (const [subKey, subValue] of Object.entries(occupied)) target[`${last}.${subKey}`] = subValue;
    }
    target[last] = value;
  }
  return root;
}

/** The GgufFileInfo node-llama-cpp's readGgufFileInfo gives for a single-file model, from our own checked read. */
function fileInfoFromHeader(filePath: string, header: CollectedHeader): GgufFileInfo {
  const { contents, dataOffset } = header;
  const metadata = nestGgufMetadata(contents.metadata);
  const tensorInfo: GgufTensorInfo[] = contents.tensors.map((tensor) => ({
    name: tensor.name,
    dimensions: tensor.dimensions,
    ggmlType: tensor.ggmlType as GgmlType,
    offset: tensor.offset,
    fileOffset: dataOffset + tensor.offset,
    filePart: 1,
  }));
  const tensorInfoSize = contents.tensorInfoEnd - contents.metadataEnd;
  const architecture = (metadata.general as NestedMetadata | undefined)?.architecture;
  return {
    version: header.version,
    tensorCount: header.tensorCount,
    metadata: metadata as unknown as GgufFileInfo['metadata'],
    metadataSize: contents.metadataEnd,
    infoEndOffset: dataOffset,
    architectureMetadata: ((typeof architecture === 'string' ? metadata[architecture] : undefined) ?? {}) as GgufFileInfo['architectureMetadata'],
    tensorInfo,
    tensorInfoSize,
    splicedParts: 1,
    totalTensorCount: header.tensorCount,
    totalMetadataSize: contents.metadataEnd,
    fullTensorInfo: tensorInfo,
    totalTensorInfoSize: tensorInfoSize,
    sourceData: [{ type: 'path', path: filePath, length: dataOffset }],
    source: { type: 'path', path: filePath },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection

export interface InspectGgufOptions {
  contextSize?: number;
  gpu?: GpuSetting;
  gpuLayers?: number | 'auto';
  /** For the context memory estimate; default min(2048, contextSize). */
  batchSize?: number;
  /** Parallel sequences, for the context memory estimate; default 1. */
  sequences?: number;
}

export interface GgufFit {
  contextSize: number;
  gpuLayers: number;
  ramBytes: number;
  vramBytes: number;
  fitsRam: boolean;
  /** null when computing on the CPU. */
  fitsVram: boolean | null;
  freeRamBytes: number;
  totalVramBytes: number | null;
  freeVramBytes: number | null;
}

export interface GgufInspection {
  path: string;
  fileName: string;
  sizeBytes: number;
  architecture: string;
  parameterCount: number;
  /** Quantization name from general.file_type ('F32', 'Q4_K_M', ...), else the dominant tensor type. */
  fileType: string;
  quantization: string;
  trainedContext: number | null;
  hasChatTemplate: boolean;
  name: string | null;
  fit: GgufFit;
  computeBackend: ComputeBackend;
}

export function quantizationName(info: GgufFileInfo, insights?: GgufInsights): string {
  const fileType = info.metadata.general.file_type;
  if (fileType !== undefined && GgufFileType[fileType] !== undefined) {
    return GgufFileType[fileType].replace(/^(ALL|MOSTLY)_/, '');
  }
  const dominant = insights?.dominantTensorType;
  if (dominant !== undefined && GgmlType[dominant] !== undefined) return GgmlType[dominant];
  return 'unknown';
}

function metadataNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

export async function inspectGguf(filePath: string, options: InspectGgufOptions = {}): Promise<GgufInspection> {
  // The binding loads (a child process tests the binary first) while this process reads the header.
  void getLlamaForMachine({ gpu: options.gpu ?? 'auto' }).catch(() => undefined);
  const checked = await checkGgufStructure(filePath);
  return describeCheckedFile(checked, options);
}

async function describeCheckedFile(checked: CheckedGgufFile, options: InspectGgufOptions): Promise<GgufInspection> {
  const llama = await getLlamaForMachine({ gpu: options.gpu ?? 'auto' });
  const { info } = checked;
  const insights = await GgufInsights.from(info, llama);
  const general = info.metadata.general as unknown as Record<string, unknown>;
  const trainedContext = insights.trainContextSize ?? null;
  const contextSize = options.contextSize ?? defaultContextSize(trainedContext ?? undefined);
  const requestedLayers = options.gpuLayers ?? 'auto';

  const computeBackend = computeBackendOf(llama);
  const gpuLayers = await resolveGpuLayers(insights, llama, requestedLayers, contextSize);
  // Closed-form estimates: instant at any size (the simulation behind resolveAndScoreConfig allocates as it goes).
  const modelNeeds = insights.estimateModelResourceRequirements({
    gpuLayers,
    useMmap: llama.supportsMmap,
    gpuSupportsMmap: llama.gpuSupportsMmap,
  });
  const contextNeeds = insights.estimateContextResourceRequirements({
    contextSize,
    modelGpuLayers: gpuLayers,
    batchSize: Math.min(options.batchSize ?? 2048, contextSize),
    sequences: options.sequences ?? 1,
  });
  const ramBytes = Math.round(modelNeeds.cpuRam + contextNeeds.cpuRam);
  const vramBytes = Math.round(modelNeeds.gpuVram + contextNeeds.gpuVram);
  const ram = await llama.getRamState();
  const vram = computeBackend === 'cpu' ? null : await llama.getVramState();
  const quantization = quantizationName(info, insights);

  return {
    path: checked.path,
    fileName: path.basename(checked.path),
    sizeBytes: checked.sizeBytes,
    architecture: String(info.metadata.general.architecture),
    parameterCount: metadataNumber(general.parameter_count) ?? insights.totalParameters,
    fileType: quantization,
    quantization,
    trainedContext,
    hasChatTemplate: typeof info.metadata.tokenizer?.chat_template === 'string',
    name: typeof general.name === 'string' ? general.name : null,
    fit: {
      contextSize,
      gpuLayers,
      ramBytes,
      vramBytes,
      fitsRam: ramBytes <= ram.free,
      fitsVram: vram === null ? null : vramBytes <= vram.free,
      freeRamBytes: ram.free,
      totalVramBytes: vram === null ? null : vram.total,
      freeVramBytes: vram === null ? null : vram.free,
    },
    computeBackend,
  };
}

/** The CPU offloads nothing; 'auto' on a GPU asks node-llama-cpp what fits next to the context. */
async function resolveGpuLayers(insights: GgufInsights, llama: Llama, requested: number | 'auto', contextSize: number): Promise<number> {
  if (!llama.supportsGpuOffloading) return 0;
  if (requested !== 'auto') return Math.min(requested, insights.totalLayers);
  const { resolvedValues } = await insights.configurationResolver.resolveAndScoreConfig({ targetContextSize: contextSize });
  return resolvedValues.gpuLayers;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * Every check, memory included, before a model is loaded; throws ModelFileError with the path and the reason.
 * Returns the inspection so callers need not read the header twice.
 */
export async function validateGgufFile(filePath: string, options: InspectGgufOptions = {}): Promise<GgufInspection> {
  void getLlamaForMachine({ gpu: options.gpu ?? 'auto' }).catch(() => undefined);
  const inspection = await describeCheckedFile(await checkGgufStructure(filePath), options);
  const { fit } = inspection;
  const needed = fit.ramBytes + fit.vramBytes;
  const free = fit.freeRamBytes + (fit.freeVramBytes ?? 0);
  if (needed > free) {
    throw new ModelFileError(
      inspection.path,
      `Model ${inspection.path} is too large for this machine with a ${fit.contextSize}-token context: it needs about ` +
        `${formatBytes(needed)} (RAM ${formatBytes(fit.ramBytes)} + VRAM ${formatBytes(fit.vramBytes)}) but only ` +
        `${formatBytes(free)} is free (RAM ${formatBytes(fit.freeRamBytes)} + VRAM ${formatBytes(fit.freeVramBytes ?? 0)}). ` +
        'Try a smaller quantization or a smaller --context-size.',
    );
  }
  return inspection;
}

// ---------------------------------------------------------------------------------------------------------------

export interface HashProgress {
  bytesHashed: number;
  totalBytes: number;
}

/** Streams the file: models are gigabytes. onProgress is called after each MiB so a 40 GB hash shows its progress. */
export async function sha256File(filePath: string, onProgress?: (progress: HashProgress) => void): Promise<string> {
  const hash = crypto.createHash('sha256');
  const totalBytes = onProgress ? fs.statSync(filePath).size : 0;
  let bytesHashed = 0;
  for await (const chunk of fs.createReadStream(filePath, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytesHashed += (chunk as Buffer).length;
    onProgress?.({ bytesHashed, totalBytes });
  }
  return hash.digest('hex');
}
