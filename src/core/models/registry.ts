import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import type { Db } from '../store/database';

export interface ModelRecord {
  id: number;
  sha256: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  architecture: string | null;
  parameterCount: number | null;
  quantization: string | null;
  trainedContext: number | null;
  hasChatTemplate: boolean;
  copied: boolean;
  addedAt: string;
  /** The file is no longer where it was registered. */
  missing: boolean;
}

export class ModelNotFoundError extends UserError {}

type ModelRow = Omit<ModelRecord, 'hasChatTemplate' | 'copied' | 'missing'> & { hasChatTemplate: number; copied: number };

const MODEL_COLUMNS = `id, sha256, path, file_name AS fileName, size_bytes AS sizeBytes, architecture, parameter_count AS parameterCount,
  quantization, trained_context AS trainedContext, has_chat_template AS hasChatTemplate, copied, added_at AS addedAt`;

function toRecord(row: ModelRow): ModelRecord {
  return { ...row, hasChatTemplate: row.hasChatTemplate === 1, copied: row.copied === 1, missing: !fs.existsSync(row.path) };
}

/** What identifies a file's bytes without reading them: trusted while all four match (the hash is taken once). */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

export function fileIdentity(file: string): FileIdentity {
  const stat = fs.statSync(file);
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, dev: stat.dev };
}

function sameIdentity(a: FileIdentity | null, b: FileIdentity): boolean {
  return a !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** The identity recorded when the model's hash was last taken (kept in metadata_json; null for older entries). */
function storedIdentity(db: Db, id: number): FileIdentity | null {
  const row = db.prepare('SELECT metadata_json AS json FROM models WHERE id = ?').get(id) as { json: string | null } | undefined;
  if (!row?.json) return null;
  try {
    const identity = (JSON.parse(row.json) as { fileIdentity?: FileIdentity }).fileIdentity;
    return identity && typeof identity.size === 'number' ? identity : null;
  } catch {
    return null;
  }
}

function recordIdentity(db: Db, id: number, identity: FileIdentity): void {
  const row = db.prepare('SELECT metadata_json AS json FROM models WHERE id = ?').get(id) as { json: string | null } | undefined;
  let metadata: Record<string, unknown> = {};
  try {
    metadata = row?.json ? (JSON.parse(row.json) as Record<string, unknown>) : {};
  } catch {
    metadata = {};
  }
  db.prepare('UPDATE models SET metadata_json = ? WHERE id = ?').run(JSON.stringify({ ...metadata, fileIdentity: identity }), id);
}

export interface HashOptions {
  /** Called as the file is read (a 5 GB model takes seconds, far more from a cold disk). */
  onHashProgress?: (progress: { bytesHashed: number; totalBytes: number }) => void;
  /** Hash again even when path, size, mtime and inode are unchanged. */
  verify?: boolean;
}

export class ModelChangedError extends UserError {}

/**
 * Makes sure the registered file is still the one that was hashed. Trusted without reading it while its path,
 * size, mtime, inode and device match what was recorded at the last hash; otherwise (or with `verify`) it is hashed
 * again: a different hash throws, the same hash records the new identity (a copy, a touch).
 */
export async function verifyModelFile(db: Db, model: ModelRecord, options: HashOptions = {}): Promise<{ hashed: boolean }> {
  const identity = fileIdentity(model.path);
  if (!options.verify && sameIdentity(storedIdentity(db, model.id), identity)) return { hashed: false };
  const { sha256File } = await import('./gguf');
  const current = await sha256File(model.path, options.onHashProgress);
  if (current !== model.sha256) {
    throw new ModelChangedError(`${model.fileName} was registered with sha256 ${model.sha256}, but the file at ${model.path} now has sha256 ${current}`);
  }
  recordIdentity(db, model.id, identity);
  return { hashed: true };
}

/**
 * Registers a GGUF file by path (or copies it into `modelsDir` with `copy`): validated before
 * anything loads, hashed once, and described from its own metadata. Registering the same file twice
 * returns the existing entry without reading it again (see verifyModelFile); a moved file updates its path.
 */
export async function registerModel(
  db: Db,
  file: string,
  options: { copy?: boolean; modelsDir?: string } & HashOptions = {},
): Promise<{ model: ModelRecord; created: boolean }> {
  const source = path.resolve(file);
  // node-llama-cpp loads only when a model is actually touched, keeping other commands quick.
  const { inspectGguf, sha256File, validateGgufFile } = await import('./gguf');
  const identity = fileIdentity(source);
  if (!options.copy && !options.verify) {
    const known = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE path = ?`).all(source) as ModelRow[];
    const trusted = known.find((row) => sameIdentity(storedIdentity(db, row.id), identity));
    if (trusted) return { model: toRecord(trusted), created: false };
  }
  await validateGgufFile(source);
  const sha256 = await sha256File(source, options.onHashProgress);
  const existing = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE sha256 = ?`).get(sha256) as ModelRow | undefined;
  if (existing && fs.existsSync(existing.path)) {
    if (existing.path === source) recordIdentity(db, existing.id, identity);
    return { model: toRecord(existing), created: false };
  }

  let stored = source;
  if (options.copy) {
    if (!options.modelsDir) throw new Error('copying a model needs a models folder');
    fs.mkdirSync(options.modelsDir, { recursive: true });
    stored = path.join(options.modelsDir, path.basename(source));
    if (stored !== source) {
      // Copy under a temporary name and rename, so a half-copied file never looks registered.
      const partial = `${stored}.partial`;
      fs.copyFileSync(source, partial);
      fs.renameSync(partial, stored);
    }
  }
  if (existing) {
    db.prepare('UPDATE models SET path = ?, copied = ? WHERE id = ?').run(stored, options.copy ? 1 : 0, existing.id);
    recordIdentity(db, existing.id, fileIdentity(stored));
    return { model: getModelById(db, existing.id), created: false };
  }
  const info = await inspectGguf(stored);
  const { id } = db
    .prepare(
      `INSERT INTO models (sha256, path, file_name, size_bytes, architecture, parameter_count, quantization, trained_context, has_chat_template, metadata_json, copied, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      sha256,
      stored,
      path.basename(stored),
      info.sizeBytes,
      info.architecture,
      info.parameterCount,
      info.quantization,
      info.trainedContext,
      info.hasChatTemplate ? 1 : 0,
      JSON.stringify({ ...info, fileIdentity: fileIdentity(stored) }),
      options.copy ? 1 : 0,
      new Date().toISOString(),
    ) as { id: number };
  return { model: getModelById(db, id), created: true };
}

export function listModels(db: Db): ModelRecord[] {
  return (db.prepare(`SELECT ${MODEL_COLUMNS} FROM models ORDER BY id`).all() as ModelRow[]).map(toRecord);
}

export function getModelById(db: Db, id: number): ModelRecord {
  const row = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
  if (!row) throw new ModelNotFoundError(`no model with id ${id} is registered`);
  return toRecord(row);
}

/** A registered model by id, by sha256 prefix (8+ characters) or by file name. */
export function findRegisteredModel(db: Db, ref: string): ModelRecord | null {
  if (/^\d+$/.test(ref)) {
    const row = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(Number(ref)) as ModelRow | undefined;
    if (row) return toRecord(row);
  }
  if (/^[0-9a-f]{8,64}$/i.test(ref)) {
    const rows = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE sha256 LIKE ?`).all(`${ref.toLowerCase()}%`) as ModelRow[];
    if (rows.length === 1) return toRecord(rows[0]!);
  }
  const byName = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE file_name = ?`).all(ref) as ModelRow[];
  return byName.length === 1 ? toRecord(byName[0]!) : null;
}

/** `--model PATH|ID`: an existing file is registered (if new) and used; otherwise a registered model. */
export async function resolveModel(db: Db, ref: string, options: HashOptions = {}): Promise<ModelRecord> {
  if (fs.existsSync(ref) && fs.statSync(ref).isFile()) return (await registerModel(db, ref, options)).model;
  const model = findRegisteredModel(db, ref);
  if (!model) throw new ModelNotFoundError(`"${ref}" is neither a GGUF file nor a registered model (see medbench models list)`);
  if (model.missing) throw new ModelNotFoundError(`model ${model.id} (${model.fileName}) was registered at ${model.path}, but that file is gone; register it again with medbench models add PATH`);
  // A stat when the file is unchanged; a hash only when it was touched (or with verify).
  await verifyModelFile(db, model, options);
  return model;
}
