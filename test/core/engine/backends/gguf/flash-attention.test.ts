/**
 * Flash attention: the decision weighs a typical answer's prompt and generation under each setting's measured speed;
 * a user's setting is kept; the probe measures both settings on the tiny model, once per key (memory, then disk);
 * a damaged cache file is measured again; the backend creates its context with the choice and records it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlamaBackend } from '../../../../../src/core/engine/backends/gguf/backend';
import {
  chooseFlashAttention,
  clearFlashAttentionProbes,
  decideFromProbe,
  typicalAnswer,
  type ChooseFlashAttentionOptions,
  type FlashAttentionProbe,
} from '../../../../../src/core/engine/backends/gguf/flash-attention';
import { getLlamaForMachine } from '../../../../../src/core/models/gguf';
import { ensureTinyModel } from '../../../../helpers/tiny-gguf';

/** stories260K's figures at 1,024 tokens on the 2-core machine: flash attention doubles prompts, slows generation 2.6x. */
const generationBound: FlashAttentionProbe = {
  depth: 1024,
  on: { promptTokensPerSecond: 3722, generationMsPerToken: 6.2 },
  off: { promptTokensPerSecond: 1412, generationMsPerToken: 2.36 },
  promptSpeedup: 3722 / 1412,
  generationSlowdown: 6.2 / 2.36,
};

describe('decideFromProbe', () => {
  it('turns flash attention off where answers are generation-bound, keeps it where prompts dominate', () => {
    expect(decideFromProbe(generationBound, { rationale: true })).toBe(false);
    // Without a rationale there is little to generate.
    expect(decideFromProbe(generationBound, { rationale: false })).toBe(true);
  });

  it('keeps it on when it costs generation nothing (the Qwen3-shaped model) and on a tie', () => {
    const qwen = { depth: 1024, on: { promptTokensPerSecond: 11_789, generationMsPerToken: 5.01 }, off: { promptTokensPerSecond: 6854, generationMsPerToken: 4.97 } };
    expect(decideFromProbe(qwen, { rationale: true })).toBe(true);
    const same = { promptTokensPerSecond: 1000, generationMsPerToken: 2 };
    expect(decideFromProbe({ depth: 512, on: same, off: same }, { rationale: true })).toBe(true);
  });

  it("counts a share of the note's prompt plus the concept's tail, and fewer tokens without a rationale", () => {
    expect(typicalAnswer({ rationale: true }, 900)).toEqual({ promptTokens: 332, generatedTokens: 48 });
    expect(typicalAnswer({ rationale: false }, 900)).toEqual({ promptTokens: 332, generatedTokens: 16 });
  });
});

describe('chooseFlashAttention', () => {
  let model: LlamaModel;
  let dir: string;
  let modelPath: string;

  beforeAll(async () => {
    modelPath = await ensureTinyModel();
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    model = await llama.loadModel({ modelPath });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flash-attention-'));
  }, 120_000);

  afterAll(async () => {
    await model?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => clearFlashAttentionProbes());

  const options = (overrides: Partial<ChooseFlashAttentionOptions> = {}): ChooseFlashAttentionOptions => ({
    setting: 'auto',
    probe: true,
    depth: 128,
    threads: { prompt: 1, generation: 1 },
    shape: { rationale: true },
    cacheKey: { modelSha256: 'b'.repeat(64), nodeLlamaCppVersion: '3.22.1', threads: { prompt: 1, generation: 1 }, depth: 128 },
    cacheDir: dir,
    ...overrides,
  });

  it("keeps the user's setting and leaves large or GPU models to llama.cpp, measuring nothing", async () => {
    expect(await chooseFlashAttention(model, options({ setting: 'off' }))).toEqual({ setting: 'off', contextOption: false, chosenBy: 'user', probe: null });
    expect(await chooseFlashAttention(model, options({ setting: 'on' }))).toMatchObject({ contextOption: true, chosenBy: 'user' });
    expect(await chooseFlashAttention(model, options({ probe: false }))).toEqual({ setting: 'auto', contextOption: 'auto', chosenBy: 'llama.cpp', probe: null });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('measures both settings once, then reuses the measurement from memory and from disk, deciding per run', async () => {
    const first = await chooseFlashAttention(model, options());
    expect(first.chosenBy).toBe('measured');
    const probe = first.probe!;
    for (const figures of [probe.on, probe.off]) {
      expect(figures.promptTokensPerSecond).toBeGreaterThan(0);
      expect(figures.generationMsPerToken).toBeGreaterThan(0);
    }
    expect(first.contextOption).toBe(probe.answerSecondsOn <= probe.answerSecondsOff);
    expect(fs.readdirSync(dir)).toHaveLength(1);

    const again = await chooseFlashAttention(model, options());
    expect(again).toMatchObject({ chosenBy: 'measured-earlier', probe: { on: probe.on, off: probe.off } });

    clearFlashAttentionProbes();
    const short = await chooseFlashAttention(model, options({ shape: { rationale: false } }));
    expect(short.chosenBy).toBe('measured-earlier');
    expect(short.probe!.typicalAnswer.generatedTokens).toBe(16);
    expect(short.contextOption).toBe(short.probe!.answerSecondsOn <= short.probe!.answerSecondsOff);

    // Other thread counts are another measurement.
    const other = await chooseFlashAttention(model, options({ cacheKey: { ...options().cacheKey!, threads: { prompt: 2, generation: 1 } } }));
    expect(other.chosenBy).toBe('measured');
  }, 120_000);

  it("leaves the choice to llama.cpp when the probe cannot run, instead of failing the run", async () => {
    const failing = { flashAttentionSupported: true, createContext: () => Promise.reject(new Error('no memory for the probe')) } as unknown as LlamaModel;
    expect(await chooseFlashAttention(failing, options({ cacheKey: { ...options().cacheKey!, modelSha256: 'd'.repeat(64) } }))).toEqual({
      setting: 'auto',
      contextOption: 'auto',
      chosenBy: 'llama.cpp',
      probe: null,
    });
  });

  it('measures again when the kept file is damaged', async () => {
    const key = { ...options().cacheKey!, modelSha256: 'c'.repeat(64) };
    await chooseFlashAttention(model, options({ cacheKey: key }));
    clearFlashAttentionProbes();
    expect((await chooseFlashAttention(model, options({ cacheKey: key }))).chosenBy).toBe('measured-earlier');
    clearFlashAttentionProbes();
    for (const name of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, name), '{"format": 1, "probe": {"depth": 128, "on": {"promptTokensPerSecond": -1}}}');
    expect((await chooseFlashAttention(model, options({ cacheKey: key }))).chosenBy).toBe('measured');
  }, 120_000);
});

describe('the backend', () => {
  it('creates its context with the chosen setting and records the choice in the manifest', async () => {
    const modelPath = await ensureTinyModel();
    const off = await createLlamaBackend({ modelPath, flashAttention: 'off', contextSize: 512 });
    try {
      expect(off.manifest()).toMatchObject({ flashAttention: { setting: 'off', enabled: false, chosenBy: 'user', probe: null } });
      expect((off.manifest().startup as { flashAttentionMs: number }).flashAttentionMs).toBeGreaterThanOrEqual(0);
    } finally {
      await off.dispose();
    }
    clearFlashAttentionProbes();
    const auto = await createLlamaBackend({ modelPath, contextSize: 512, gpu: 'cpu' });
    try {
      const recorded = auto.manifest().flashAttention as { enabled: boolean; chosenBy: string; probe: { answerSecondsOn: number; answerSecondsOff: number; depth: number } };
      expect(recorded.chosenBy).toBe('measured');
      expect(recorded.enabled).toBe(recorded.probe.answerSecondsOn <= recorded.probe.answerSecondsOff);
      // The depth an answer is generated at: the context less the answer's room.
      expect(recorded.probe.depth).toBe(512 - 384);
    } finally {
      await auto.dispose();
    }
  }, 120_000);
});
