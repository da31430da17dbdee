/**
 * The prompt frame and thought markers of a model, resolved once per model file and kept. Resolving them asks
 * node-llama-cpp which chat wrapper matches the model's Jinja template, which renders the template under dozens of
 * option sets (0.6-1 s for Qwen3's, most of the start-up left once the model is loaded). The answer depends only on
 * the file (template, tokenizer, architecture), its name, the thinking mode and node-llama-cpp's version, so it is
 * kept in memory for the process and, when a folder is given, on disk for the next run. Only a model with a known
 * sha256 (a registered model) is cached; anything unreadable in the cache is resolved again.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { LlamaText, type LlamaModel } from 'node-llama-cpp';
import { resolvePromptFrame, type PromptFrame } from './prompt-tokens';
import { readCacheFile, writeCacheFile } from './startup-cache';
import { resolveThinking, type ThinkingMode, type ThoughtMarkers } from './thinking';

export interface ResolvedFrame {
  frame: PromptFrame;
  markers: ThoughtMarkers | null;
}

export interface FrameCacheKey {
  modelSha256: string;
  fileName: string;
  thinking: ThinkingMode;
  nodeLlamaCppVersion: string;
}

/** Bumped when what is stored, or how it is resolved, changes. */
const FORMAT = 1;

interface StoredFrame {
  format: number;
  kind: PromptFrame['kind'];
  wrapperName: string | null;
  before: ReturnType<LlamaText['toJSON']>;
  after: ReturnType<LlamaText['toJSON']>;
  markers: ThoughtMarkers | null;
}

const inProcess = new Map<string, StoredFrame>();

export function frameCacheId(key: FrameCacheKey): string {
  return crypto.createHash('sha256').update(JSON.stringify([FORMAT, key.modelSha256, key.fileName, key.thinking, key.nodeLlamaCppVersion])).digest('hex').slice(0, 32);
}

function store(resolved: ResolvedFrame): StoredFrame {
  const { frame, markers } = resolved;
  return { format: FORMAT, kind: frame.kind, wrapperName: frame.wrapperName, before: frame.before.toJSON(), after: frame.after.toJSON(), markers };
}

function restore(stored: StoredFrame): ResolvedFrame {
  return {
    frame: { kind: stored.kind, wrapperName: stored.wrapperName, before: LlamaText.fromJSON(stored.before), after: LlamaText.fromJSON(stored.after) },
    markers: stored.markers,
  };
}

function isStoredFrame(value: unknown): value is StoredFrame {
  const candidate = value as Partial<StoredFrame> | null;
  const markersOk = candidate?.markers === null || (typeof candidate?.markers?.open === 'string' && typeof candidate.markers.close === 'string');
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.format === FORMAT &&
    (candidate.kind === 'chat-template' || candidate.kind === 'plain') &&
    (candidate.wrapperName === null || typeof candidate.wrapperName === 'string') &&
    candidate.before !== undefined &&
    candidate.after !== undefined &&
    markersOk
  );
}

function readStored(file: string): StoredFrame | null {
  const parsed = readCacheFile(file);
  if (!isStoredFrame(parsed)) return null;
  try {
    restore(parsed); // throws on a malformed text
    return parsed;
  } catch {
    return null;
  }
}

/** What resolveThinking + resolvePromptFrame give, without resolving again for a model seen before. */
export function resolveFrameCached(model: LlamaModel, thinking: ThinkingMode, key: FrameCacheKey | null, cacheDir: string | null): ResolvedFrame & { cached: boolean } {
  const id = key ? frameCacheId(key) : null;
  const file = id && cacheDir ? path.join(cacheDir, `frame-${id}.json`) : null;
  const known = (id ? inProcess.get(id) : undefined) ?? (file ? readStored(file) : null);
  if (known && id) {
    inProcess.set(id, known);
    return { ...restore(known), cached: true };
  }
  const resolvedThinking = resolveThinking(model, thinking);
  const resolved: ResolvedFrame = { frame: resolvePromptFrame(model, resolvedThinking.wrapper), markers: resolvedThinking.markers };
  if (id) {
    const stored = store(resolved);
    inProcess.set(id, stored);
    if (file) writeCacheFile(file, stored);
  }
  return { ...resolved, cached: false };
}

/** Forgets the in-process entries (tests). */
export function clearFrameCache(): void {
  inProcess.clear();
}
