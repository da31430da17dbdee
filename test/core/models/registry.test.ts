import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelChangedError, registerModel, resolveModel, verifyModelFile } from '../../../src/core/models/registry';
import { openStore } from '../../../src/core/store/database';
import { ensureTinyModel } from '../../helpers/tiny-gguf';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
let source: string;

beforeAll(async () => {
  source = await ensureTinyModel();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function copyModel(name: string): string {
  const file = path.join(dir, name);
  fs.copyFileSync(source, file);
  return file;
}

/** Counts reads of the whole file: the progress callback fires while hashing, never otherwise. */
function hashCounter() {
  let hashes = 0;
  let lastTotal = 0;
  return {
    onHashProgress: ({ bytesHashed, totalBytes }: { bytesHashed: number; totalBytes: number }) => {
      if (bytesHashed === totalBytes) hashes++;
      lastTotal = totalBytes;
    },
    get hashes() {
      return hashes;
    },
    get total() {
      return lastTotal;
    },
  };
}

describe('model registry: the file is hashed once', () => {
  it('hashes at registration (with progress), then trusts path, size, mtime and inode', async () => {
    const db = openStore(path.join(dir, 'a.db'));
    const file = copyModel('a.gguf');
    const counter = hashCounter();
    const { model, created } = await registerModel(db, file, counter);
    expect(created).toBe(true);
    expect(counter.hashes).toBe(1);
    expect(counter.total).toBe(fs.statSync(file).size);

    // Again by path, by id, and a resume check: no read of the file.
    expect((await registerModel(db, file, counter)).model.id).toBe(model.id);
    expect((await resolveModel(db, String(model.id), counter)).sha256).toBe(model.sha256);
    expect(await verifyModelFile(db, model, counter)).toEqual({ hashed: false });
    expect(counter.hashes).toBe(1);

    // --verify reads it again.
    expect(await verifyModelFile(db, model, { ...counter, verify: true })).toEqual({ hashed: true });
    expect(counter.hashes).toBe(2);
    db.close();
  });

  it('hashes again when the file was touched, accepting the same bytes and refusing different ones', async () => {
    const db = openStore(path.join(dir, 'b.db'));
    const file = copyModel('b.gguf');
    const { model } = await registerModel(db, file);
    const counter = hashCounter();

    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(await verifyModelFile(db, model, counter)).toEqual({ hashed: true });
    // The new identity is recorded: trusted again.
    expect(await verifyModelFile(db, model, counter)).toEqual({ hashed: false });

    // Same size, different bytes (a replaced file).
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expect(verifyModelFile(db, model)).rejects.toThrow(ModelChangedError);
    await expect(resolveModel(db, String(model.id))).rejects.toThrow(/now has sha256/);
    db.close();
  });
});
