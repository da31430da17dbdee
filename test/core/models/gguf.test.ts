import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgmlType, GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import {
  checkGgufStructure,
  nestGgufMetadata,
  withCheckedHeaders,
  withoutMemorySimulation,
  ComputeBackendError,
  defaultContextSize,
  getLlamaForMachine,
  inspectGguf,
  ModelFileError,
  sha256File,
  tensorDataBytes,
  validateGgufFile,
} from '../../../src/core/models/gguf';
import { ensureShapeRealModel } from '../../helpers/shape-real-gguf';
import { buildTinyLlamaGguf, ensureTinyModel } from '../../helpers/tiny-gguf';

const STORIES_MODEL = '/work/shared/models/stories260K.gguf';

let dir: string;
let tinyPath: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gguf-test-'));
  tinyPath = await ensureTinyModel();
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeFile(name: string, contents: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, contents);
  return file;
}

async function modelFileError(run: () => Promise<unknown>): Promise<ModelFileError> {
  const error = await run().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('inspectGguf', () => {
  it('reads the tiny model\'s metadata and a CPU fit estimate', async () => {
    const inspection = await inspectGguf(tinyPath, { gpu: 'cpu' });
    expect(inspection).toMatchObject({
      path: tinyPath,
      fileName: path.basename(tinyPath),
      sizeBytes: fs.statSync(tinyPath).size,
      architecture: 'llama',
      fileType: 'F32',
      quantization: 'F32',
      trainedContext: 4096,
      hasChatTemplate: true,
      name: 'medbench-tiny-random-s1',
      computeBackend: 'cpu',
    });
    // 818-token vocab x 32 embedding twice (input and output) plus two small blocks.
    expect(inspection.parameterCount).toBeGreaterThan(50_000);
    expect(inspection.parameterCount).toBeLessThan(100_000);
    const { fit } = inspection;
    expect(fit.contextSize).toBe(4096);
    expect(fit.gpuLayers).toBe(0);
    expect(fit.ramBytes).toBeGreaterThan(inspection.sizeBytes / 2);
    expect(fit.vramBytes).toBe(0);
    expect(fit.fitsRam).toBe(true);
    expect(fit.fitsVram).toBeNull();
    expect(fit.totalVramBytes).toBeNull();
    expect(fit.freeRamBytes).toBeGreaterThan(0);
  });

  it('honours the requested context size and sees a missing chat template', async () => {
    const noTemplate = writeFile('no-template.gguf', buildTinyLlamaGguf({ withChatTemplate: false, contextLength: 16384 }));
    const inspection = await inspectGguf(noTemplate, { gpu: 'cpu', contextSize: 1024 });
    expect(inspection.hasChatTemplate).toBe(false);
    expect(inspection.trainedContext).toBe(16384);
    expect(inspection.fit.contextSize).toBe(1024);
    expect((await inspectGguf(noTemplate, { gpu: 'cpu' })).fit.contextSize).toBe(8192);
  });

  it.skipIf(!fs.existsSync(STORIES_MODEL))('reads the real stories260K model', async () => {
    const inspection = await inspectGguf(STORIES_MODEL, { gpu: 'cpu' });
    expect(inspection).toMatchObject({ architecture: 'llama', trainedContext: 2048, hasChatTemplate: false, quantization: 'F32' });
    expect(inspection.parameterCount).toBeGreaterThan(200_000);
  });
});

/** Arrays longer than our reader keeps (a vocabulary) compared by their length. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 4096 ? { arrayLength: value.length } : value.map(comparable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, comparable(entry)]));
  return value;
}

describe('checkGgufStructure', () => {
  // The single read before loading: what node-llama-cpp's own reader gives, long arrays (merges) aside.
  it('gives the file info node-llama-cpp reads, from our bounded reader, and the same memory estimates', async () => {
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    for (const modelPath of [tinyPath, await ensureShapeRealModel('qwen3')]) {
      const ours = (await checkGgufStructure(modelPath)).info;
      const theirs = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false, sourceType: 'filesystem' });
      expect(comparable(ours)).toEqual(comparable(theirs));
      // The vocabulary's pieces are kept whole (the evidence mask reads them), exactly as node-llama-cpp decodes them.
      expect(ours.metadata.tokenizer.ggml.tokens).toEqual(theirs.metadata.tokenizer.ggml.tokens);
      const estimates = async (info: typeof ours) => {
        const insights = await GgufInsights.from(info, llama);
        return [
          insights.trainContextSize,
          insights.totalParameters,
          insights.estimateModelResourceRequirements({ gpuLayers: 0 }),
          insights.estimateContextResourceRequirements({ contextSize: 4096, modelGpuLayers: 0, batchSize: 2048, sequences: 4 }),
        ];
      };
      expect(await estimates(ours)).toEqual(await estimates(theirs));
    }
  }, 120_000);
});

describe('nestGgufMetadata', () => {
  it('nests dotted keys as node-llama-cpp does, chat templates and keys under a value kept whole', () => {
    expect(
      nestGgufMetadata({
        'general.architecture': 'llama',
        'tokenizer.chat_template': 'x',
        'tokenizer.chat_template.rerank': 'y',
        'a.b': 1,
        'a.b.c': 2,
        'd.e.f': 3,
        d: 4,
      }),
    ).toEqual({ general: { architecture: 'llama' }, tokenizer: { chat_template: 'x', 'chat_template.rerank': 'y' }, a: { b: 1, 'b.c': 2 }, 'd.e': { f: 3 }, d: 4 });
  });
});

describe('withoutMemorySimulation', () => {
  it('loads a model and a context on the CPU, and restores node-llama-cpp afterwards', async () => {
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    const prototype = GgufInsights.prototype as unknown as { _resolveSimulatorSource: unknown };
    const original = prototype._resolveSimulatorSource;
    const model = await withoutMemorySimulation(async () => {
      // Inside, node-llama-cpp finds nothing to simulate with and uses its closed-form estimate.
      await expect((prototype._resolveSimulatorSource as () => Promise<unknown>).call({})).resolves.toBeNull();
      return llama.loadModel({ modelPath: tinyPath });
    });
    try {
      const context = await withoutMemorySimulation(() => model.createContext({ contextSize: 512, sequences: 1 }));
      expect(context.contextSize).toBeGreaterThanOrEqual(512);
      await context.dispose();
    } finally {
      await model.dispose();
    }
    expect(prototype._resolveSimulatorSource).toBe(original);
  });
});

describe('withCheckedHeaders', () => {
  it("serves node-llama-cpp the header this process checked, until the file changes, and restores its parser", async () => {
    const copy = path.join(dir, 'checked-header.gguf');
    fs.copyFileSync(tinyPath, copy);
    const checked = await checkGgufStructure(copy);
    const parsedBefore = await readGgufFileInfo(copy, { sourceType: 'filesystem' });
    expect(parsedBefore.metadata).not.toBe(checked.info.metadata);

    const served = await withCheckedHeaders(() => readGgufFileInfo(copy, { sourceType: 'filesystem' }));
    // The very object of the check: node-llama-cpp did not parse the file again.
    expect(served.metadata).toBe(checked.info.metadata);
    expect(served.tensorInfo).toBe(checked.info.tensorInfo);
    expect(served.infoEndOffset).toBe(parsedBefore.infoEndOffset);
    expect(served.metadataSize).toBe(parsedBefore.metadataSize);

    // A model loads from it and works.
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    const model = await withCheckedHeaders(() => llama.loadModel({ modelPath: copy }));
    try {
      expect(model.tokenize('hello').length).toBeGreaterThan(0);
    } finally {
      await model.dispose();
    }

    // Replaced since the check (new mtime): parsed again.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(copy, later, later);
    const reparsed = await withCheckedHeaders(() => readGgufFileInfo(copy, { sourceType: 'filesystem' }));
    expect(reparsed.metadata).not.toBe(checked.info.metadata);
    expect(reparsed.metadata).toEqual(parsedBefore.metadata);

    // Outside the scope node-llama-cpp parses as before.
    await checkGgufStructure(copy);
    expect((await readGgufFileInfo(copy, { sourceType: 'filesystem' })).metadata).not.toBe(checked.info.metadata);
  });
});

describe('defaultContextSize', () => {
  it('is the trained context capped at 8192', () => {
    expect(defaultContextSize(2048)).toBe(2048);
    expect(defaultContextSize(131072)).toBe(8192);
    expect(defaultContextSize(undefined)).toBe(8192);
  });
});

describe('sha256File', () => {
  it('matches a one-shot hash of the file', async () => {
    const expected = crypto.createHash('sha256').update(fs.readFileSync(tinyPath)).digest('hex');
    expect(await sha256File(tinyPath)).toBe(expected);
  });

  it('streams files larger than one read chunk', async () => {
    const big = writeFile('big.bin', crypto.randomBytes(3 * 1024 * 1024 + 17));
    const expected = crypto.createHash('sha256').update(fs.readFileSync(big)).digest('hex');
    expect(await sha256File(big)).toBe(expected);
  });
});

describe('tensorDataBytes', () => {
  it('knows the sizes of plain and block-quantized tensors', () => {
    expect(tensorDataBytes({ dimensions: [32, 10], ggmlType: GgmlType.F32 })).toBe(1280);
    expect(tensorDataBytes({ dimensions: [32, 10], ggmlType: GgmlType.F16 })).toBe(640);
    expect(tensorDataBytes({ dimensions: [256, 4], ggmlType: GgmlType.Q4_K })).toBe(4 * 144);
    expect(tensorDataBytes({ dimensions: [64n, 2n], ggmlType: GgmlType.Q8_0 })).toBe(4 * 34);
    expect(tensorDataBytes({ dimensions: [32], ggmlType: GgmlType.Q4_0_4_4 })).toBeNull();
  });
});

describe('validateGgufFile', () => {
  it('accepts the tiny model and returns its inspection', async () => {
    const inspection = await validateGgufFile(tinyPath, { gpu: 'cpu' });
    expect(inspection.architecture).toBe('llama');
  });

  it('explains a missing file', async () => {
    const missing = path.join(dir, 'nope.gguf');
    const error = await modelFileError(() => validateGgufFile(missing, { gpu: 'cpu' }));
    expect(error.message).toBe(`Model file not found: ${missing}`);
    expect(error.filePath).toBe(missing);
  });

  it('explains a folder', async () => {
    const folder = path.join(dir, 'folder.gguf');
    fs.mkdirSync(folder);
    const error = await modelFileError(() => validateGgufFile(folder, { gpu: 'cpu' }));
    expect(error.message).toBe(`${folder} is a folder, not a GGUF model file`);
  });

  it('explains an empty file', async () => {
    const empty = writeFile('empty.gguf', Buffer.alloc(0));
    const error = await modelFileError(() => validateGgufFile(empty, { gpu: 'cpu' }));
    expect(error.message).toBe(`Model file ${empty} is empty (0 bytes)`);
  });

  it('says which magic it found instead of GGUF', async () => {
    const html = writeFile('page.gguf', '<html><body>Not found</body></html>');
    expect((await modelFileError(() => validateGgufFile(html, { gpu: 'cpu' }))).message).toBe(
      `${html} is not a GGUF model file: it starts with bytes 3c 68 74 6d ("<htm") instead of "GGUF"`,
    );
    const tiny = writeFile('tiny.gguf', Buffer.from([0x47, 0x47]));
    expect((await modelFileError(() => validateGgufFile(tiny, { gpu: 'cpu' }))).message).toMatch(/starts with bytes 47 47 \("GG"\)/);
    const lfs = writeFile('lfs.gguf', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n');
    expect((await modelFileError(() => validateGgufFile(lfs, { gpu: 'cpu' }))).message).toMatch(/a Git LFS pointer/);
  });

  it('finds tensor data cut short', async () => {
    const bytes = fs.readFileSync(tinyPath);
    const truncated = writeFile('truncated.gguf', bytes.subarray(0, bytes.length - 1000));
    const error = await modelFileError(() => validateGgufFile(truncated, { gpu: 'cpu' }));
    expect(error.message).toMatch(new RegExp(`^Model file ${truncated} is truncated: its header declares tensor data up to byte ${bytes.length} but the file has only ${bytes.length - 1000} bytes`));
  });

  it('finds a header cut short', async () => {
    const bytes = fs.readFileSync(tinyPath);
    const headerOnly = writeFile('header.gguf', bytes.subarray(0, 200));
    const error = await modelFileError(() => checkGgufStructure(headerOnly));
    expect(error.message).toContain(headerOnly);
    expect(error.message).toMatch(/truncated/);
  });

  it('refuses a model that cannot fit in free memory, saying both numbers', async () => {
    // A 100M-token context needs terabytes of KV cache: more than any test machine has free.
    const error = await modelFileError(() => validateGgufFile(tinyPath, { gpu: 'cpu', contextSize: 100_000_000 }));
    expect(error.message).toMatch(/is too large for this machine with a 100000000-token context: it needs about [\d.]+ GiB \(RAM [\d.]+ GiB \+ VRAM 0\.0 MiB\) but only [\d.]+ GiB is free \(RAM [\d.]+ GiB \+ VRAM/);
    expect(error.message).toContain(tinyPath);
  });
});

describe('getLlamaForMachine', () => {
  it('shares one CPU binding per process', async () => {
    const first = await getLlamaForMachine({ gpu: 'cpu' });
    expect(await getLlamaForMachine({ gpu: 'cpu' })).toBe(first);
    expect(first.gpu).toBe(false);
  });

  it('explains a GPU backend this machine lacks instead of building, downloading or silently using the CPU', async () => {
    const missing = process.platform === 'darwin' ? 'cuda' : 'metal';
    await expect(getLlamaForMachine({ gpu: missing })).rejects.toThrow(ComputeBackendError);
    await expect(getLlamaForMachine({ gpu: missing })).rejects.toThrow(new RegExp(`The ${missing} compute backend is not available on this machine`));
  });
});
