/**
 * The prompt frame cache: what it returns is what resolving gives (same text, same tokens, same thought markers),
 * from memory or from disk, per model and thinking mode; without a key nothing is kept; a damaged file is resolved
 * again. On the shape-real Qwen3 model, whose template is the slow one to resolve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearFrameCache, frameCacheId, resolveFrameCached, type FrameCacheKey } from '../../../../../src/core/engine/backends/gguf/frame-cache';
import { resolvePromptFrame } from '../../../../../src/core/engine/backends/gguf/prompt-tokens';
import { resolveThinking } from '../../../../../src/core/engine/backends/gguf/thinking';
import { getLlamaForMachine } from '../../../../../src/core/models/gguf';
import { ensureShapeRealModel } from '../../../../helpers/shape-real-gguf';

let model: LlamaModel;
let dir: string;
const key: FrameCacheKey = { modelSha256: 'a'.repeat(64), fileName: 'qwen3.gguf', thinking: 'off', nodeLlamaCppVersion: '3.22.1' };

beforeAll(async () => {
  const llama = await getLlamaForMachine({ gpu: 'cpu' });
  model = await llama.loadModel({ modelPath: await ensureShapeRealModel('qwen3'), vocabOnly: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frame-cache-'));
}, 180_000);

afterAll(async () => {
  await model?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => clearFrameCache());

function tokens(text: { tokenize(tokenizer: LlamaModel['tokenizer']): readonly number[] }): number[] {
  return [...text.tokenize(model.tokenizer)];
}

describe('resolveFrameCached', () => {
  it('resolves once, then gives the same frame from memory and from disk', () => {
    const expected = resolvePromptFrame(model, resolveThinking(model, 'off').wrapper);
    const first = resolveFrameCached(model, 'off', key, dir);
    expect(first.cached).toBe(false);
    expect(fs.existsSync(path.join(dir, `frame-${frameCacheId(key)}.json`))).toBe(true);
    const fromMemory = resolveFrameCached(model, 'off', key, dir);
    clearFrameCache();
    const fromDisk = resolveFrameCached(model, 'off', key, dir);
    for (const resolved of [first, fromMemory, fromDisk]) {
      expect(resolved.frame.kind).toBe('chat-template');
      expect(resolved.frame.wrapperName).toBe(expected.wrapperName);
      expect(tokens(resolved.frame.before)).toEqual(tokens(expected.before));
      expect(tokens(resolved.frame.after)).toEqual(tokens(expected.after));
      expect(resolved.markers).toBeNull();
    }
    expect([fromMemory.cached, fromDisk.cached]).toEqual([true, true]);
  }, 60_000);

  it('keeps each thinking mode apart, markers included', () => {
    resolveFrameCached(model, 'off', key, dir);
    const on = resolveFrameCached(model, 'on', { ...key, thinking: 'on' }, dir);
    expect(on.cached).toBe(false);
    expect(on.markers).toEqual({ open: '<think>\n', close: '\n</think>' });
    expect(on.frame.after.toString()).toMatch(/<\|im_start\|>assistant\n$/);
    clearFrameCache();
    expect(resolveFrameCached(model, 'on', { ...key, thinking: 'on' }, dir)).toMatchObject({ cached: true, markers: { open: '<think>\n', close: '\n</think>' } });
  }, 60_000);

  it('keeps nothing without a key (a model without a registered sha256)', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'frame-cache-none-'));
    try {
      expect(resolveFrameCached(model, 'off', null, empty).cached).toBe(false);
      expect(resolveFrameCached(model, 'off', null, empty).cached).toBe(false);
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);

  it('resolves again over a damaged cache file, and rewrites it', () => {
    const damaged = { ...key, modelSha256: 'b'.repeat(64) };
    const file = path.join(dir, `frame-${frameCacheId(damaged)}.json`);
    fs.writeFileSync(file, '{"format": 1, "kind": "chat-template"');
    expect(resolveFrameCached(model, 'off', damaged, dir).cached).toBe(false);
    clearFrameCache();
    expect(resolveFrameCached(model, 'off', damaged, dir).cached).toBe(true);
  }, 60_000);
});
