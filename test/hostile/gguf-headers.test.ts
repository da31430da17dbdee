import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGgufHeader, bufferSource, GgufHeaderError } from '../../src/core/models/gguf-header';
import { createCoreApi } from '../../src/core/api';
import { checkGgufStructure, ModelFileError } from '../../src/core/models/gguf';
import { openStore } from '../../src/core/store/database';
import { dispatchCall } from '../../src/shared/contract';
import { cliEnv, medbench } from '../crash/medbench-process';
import { tempDir } from '../helpers/mimic-files';
import { buildTinyLlamaGguf } from '../helpers/tiny-gguf';
import { ggufLayout, withField } from './gguf-fields';

/**
 * Crafted GGUF headers (issue 16 §1). A model file from a hub is untrusted input: every count and length is
 * checked against the bytes left before node-llama-cpp or llama.cpp reads the file; a bad file is refused with
 * one line naming the file and the field, never a crash, a hang or a runaway allocation.
 */
let dir: string;
const valid = buildTinyLlamaGguf({ layers: 1 });

beforeAll(() => {
  dir = tempDir('medbench-gguf-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A small GGUF header writer for the hand-made probes of the issue. */
function header(parts: { version?: number; tensors?: bigint; kvs?: bigint }, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(parts.version ?? 3, 4);
  head.writeBigUInt64LE(parts.tensors ?? 1n, 8);
  head.writeBigUInt64LE(parts.kvs ?? 1n, 16);
  return Buffer.concat([head, body]);
}
const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
};
const u64 = (value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return b;
};
const str = (text: string | Buffer) => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return Buffer.concat([u64(BigInt(bytes.length)), bytes]);
};
const kvString = (key: string | Buffer, value: string) => Buffer.concat([str(key), u32(8), str(value)]);
const kvU32 = (key: string, value: number) => Buffer.concat([str(key), u32(4), u32(value)]);
const tensor = (name: string, dims: number[], type: number, offset: bigint) =>
  Buffer.concat([str(name), u32(dims.length), ...dims.map((d) => u64(BigInt(d))), u32(type), u64(offset)]);
const padded = (file: Buffer, to = 32) => Buffer.concat([file, Buffer.alloc((to - (file.length % to)) % to)]);
const arch = kvString('general.architecture', 'llama');

/** The probes the issue reports, each with the field the refusal must name. */
const probes: [string, Buffer, RegExp][] = [
  ['key length 2^31+5 (52 bytes; llama.cpp aborted)', header({}, Buffer.concat([u64(2n ** 31n + 5n), Buffer.from('general.arch'), u64(0n)])), /key 1 length/],
  ['tensor count near 2^63 (69 bytes)', header({ tensors: 2n ** 63n - 1n }, Buffer.alloc(45)), /tensor_count/],
  ['key-value count near 2^63', header({ kvs: 2n ** 63n - 1n }, Buffer.alloc(45)), /kv_count/],
  ['array count near 2^63', header({}, Buffer.concat([str('tokenizer.ggml.tokens'), u32(9), u32(8), u64(2n ** 63n - 1n), Buffer.alloc(8)])), /array length/],
  ['array of 2^40 bytes', header({}, Buffer.concat([str('tokenizer.ggml.scores'), u32(9), u32(0), u64(2n ** 40n), Buffer.alloc(8)])), /array length/],
  ['version 999', header({ version: 999 }, Buffer.concat([arch, tensor('w', [32], 0, 0n)])), /version 999/],
  ['no general.architecture', padded(Buffer.concat([header({}), kvU32('general.alignment', 32), tensor('w', [8], 0, 0n)])), /general\.architecture/],
  ['alignment 0', header({ kvs: 2n }, Buffer.concat([arch, kvU32('general.alignment', 0), tensor('w', [8], 0, 0n)])), /general\.alignment.*alignment 0/],
  ['alignment 48 (not a power of two)', header({ kvs: 2n }, Buffer.concat([arch, kvU32('general.alignment', 48), tensor('w', [8], 0, 0n)])), /alignment 48/],
  ['unknown tensor type', padded(Buffer.concat([header({}), arch, tensor('w', [8], 9999, 0n)])), /tensor 1 \(w\) type.*9999/],
  ['non-UTF-8 key', header({}, Buffer.concat([kvString(Buffer.from([0x67, 0xff, 0xfe, 0x2e]), 'x'), tensor('w', [8], 0, 0n)])), /key 1.*UTF-8/],
  ['non-UTF-8 string value', header({ kvs: 2n }, Buffer.concat([arch, kvString('general.name', '\u00e9').subarray(0, -2), Buffer.from([0xc3, 0x28]), tensor('w', [8], 0, 0n)])), /general\.name.*UTF-8/],
  ['tensor data past the end of the file', padded(Buffer.concat([header({}), arch, tensor('w', [1024], 0, 0n)])), /is truncated: its header declares tensor data up to byte/],
  ['tensor offset 2^63', padded(Buffer.concat([header({}), arch, tensor('w', [8], 0, 2n ** 63n)])), /tensor 1 \(w\) offset/],
  ['tensor with 2^62 elements', padded(Buffer.concat([header({}), arch, tensor('w', [2 ** 31, 2 ** 31], 0, 0n)])), /tensor 1 \(w\)/],
  ['nested arrays', header({}, Buffer.concat([str('x'), u32(9), u32(9), u64(1n), Buffer.alloc(16)])), /arrays of arrays/],
  ['big-endian file', header({ version: 0x03000000 }), /big-endian/],
];

describe('the probes of the issue: refused with the field named, in bounded time', () => {
  it.each(probes)('%s', async (_name, bytes, field) => {
    const file = path.join(dir, `probe-${probes.findIndex((p) => p[1] === bytes)}.gguf`);
    fs.writeFileSync(file, bytes);
    const error = await checkGgufStructure(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelFileError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toMatch(field);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('the tiny model itself passes', () => {
    const summary = checkGgufHeader(bufferSource(valid));
    expect(summary).toMatchObject({ version: 3, architecture: 'llama', alignment: 32 });
    expect(summary.dataEnd).toBeLessThanOrEqual(valid.length);
  });
});

describe('the CLI and the server refuse a crafted model with one line, exit 1', () => {
  it('models add: key length 2^31+5 (the 52-byte file that aborted the process)', async () => {
    const env = cliEnv(path.join(dir, 'home'));
    const file = path.join(dir, 'cli-key-length.gguf');
    fs.writeFileSync(file, probes[0]![1]);
    const result = await medbench(['models', 'add', file, '--db', path.join(dir, 'cli.db')], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/key 1 length/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('the server and the app (one core API) answer an error result, and stay up', () => {
  it('registerModel with crafted headers', async () => {
    const dbPath = path.join(dir, 'api.db');
    const db = openStore(dbPath);
    try {
      const api = createCoreApi({ db, dbPath, userDataDir: path.join(dir, 'user-data') });
      for (const index of [0, 1, 2, 4]) {
        const file = path.join(dir, `api-${index}.gguf`);
        fs.writeFileSync(file, probes[index]![1]);
        const result = (await dispatchCall(api.handlers, 'registerModel', { path: file })) as { error?: { kind: string; message: string } };
        expect(result.error, JSON.stringify(result)).toMatchObject({ kind: 'failed', message: expect.stringContaining(file) });
        expect(result.error!.message).toMatch(probes[index]![2]);
      }
      // The same API still answers afterwards.
      expect(await dispatchCall(api.handlers, 'listModels', {})).not.toHaveProperty('error');
    } finally {
      db.close();
    }
  }, 30_000);
});

describe('a generated corpus: every count and length of a valid model pushed to extremes, every section cut', () => {
  const layout = ggufLayout(valid);

  it('finds the fields it mutates', () => {
    expect(layout.fields.length).toBeGreaterThan(50);
    expect(layout.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['tensor_count', 'kv_count', 'general.alignment value']));
  });

  it('each mutation is accepted as a sound header or refused with a GgufHeaderError, in bounded memory', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let refused = 0;
    let accepted = 0;
    let cases = 0;
    for (const field of layout.fields) {
      const bytesLeft = BigInt(valid.length - field.offset - field.bytes);
      const values = field.bytes === 8 ? [0n, 1n, bytesLeft, bytesLeft + 1n, 2n ** 63n, 2n ** 64n - 1n] : [0n, 1n, bytesLeft, 2n ** 31n + 5n, 2n ** 32n - 1n];
      for (const value of values) {
        const mutated = withField(valid, field, value);
        // Collecting the metadata (the loader's single read) must accept and refuse exactly the same files.
        for (const collect of [false, true]) {
          cases++;
          try {
            const summary = collect ? checkGgufHeader(bufferSource(mutated), { collect: true }) : checkGgufHeader(bufferSource(mutated));
            // Anything accepted must still describe tensor data inside the file.
            expect(summary.dataEnd, `${field.name} = ${value}`).toBeLessThanOrEqual(mutated.length);
            accepted++;
          } catch (error) {
            expect(error, `${field.name} = ${value}: ${(error as Error).message}`).toBeInstanceOf(GgufHeaderError);
            refused++;
          }
        }
      }
    }
    for (const cut of layout.boundaries) {
      for (const at of [cut - 1, cut, cut + 1]) {
        if (at < 0 || at >= valid.length) continue;
        cases++;
        expect(() => checkGgufHeader(bufferSource(valid.subarray(0, at))), `truncated at ${at}`).toThrow(GgufHeaderError);
        refused++;
      }
    }
    expect(cases).toBe(accepted + refused);
    expect(refused).toBeGreaterThan(accepted);
    // Nothing is allocated from an untrusted length: the corpus leaves the heap about where it found it.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('a mutation that passes is also read without error by node-llama-cpp', async () => {
    // Sample: shrinking a dimension or an offset to 0 or 1 can leave a sound file; the loader must agree.
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const candidates = layout.fields.filter((f) => /dimension|offset|length$/.test(f.name)).slice(0, 40);
    let checked = 0;
    for (const field of candidates) {
      const mutated = withField(valid, field, 1n);
      try {
        checkGgufHeader(bufferSource(mutated));
      } catch {
        continue;
      }
      const file = path.join(dir, `accepted-${checked}.gguf`);
      fs.writeFileSync(file, mutated);
      await expect(readGgufFileInfo(file, { readTensorInfo: true, logWarnings: false, sourceType: 'filesystem' })).resolves.toBeDefined();
      checked++;
    }
  });
});
