import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './store/database';
import { APP_VERSION } from './version';

/** What the audit log records: every command that reads the user's files or writes results. */
export const AUDIT_KINDS = ['import', 'run-start', 'run-finish', 'run-stop', 'run-fail', 'export', 'report', 'backup', 'predictions-import', 'run-rename', 'run-delete', 'build', 'annotation'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** A file an event read or wrote: never its content, only where it is, its hash and its size. */
export interface AuditFile {
  role: string;
  path: string;
  /** null when hashing would cost another pass over a multi-gigabyte file (the notes file). */
  sha256: string | null;
  bytes: number | null;
}

/** Counts and short facts (an outcome, a status, a backend name). Never note text. */
export type AuditFacts = Record<string, string | number | boolean | null>;

export interface AuditEventInput {
  kind: AuditKind;
  /** The dataset or run the event is about. */
  subject?: string | null;
  inputs?: readonly AuditFile[];
  outputs?: readonly AuditFile[];
  facts?: AuditFacts;
}

export interface AuditEvent {
  id: number;
  at: string;
  kind: AuditKind;
  subject: string | null;
  appVersion: string;
  pid: number;
  inputs: AuditFile[];
  outputs: AuditFile[];
  facts: AuditFacts;
}

/**
 * Facts are for counts and labels; a long string could only be free text (an error message quoting
 * a model's answer, say), so it is cut to keep the log free of anything resembling note text.
 */
export const MAX_FACT_LENGTH = 200;

/** Appends one event. Inside a caller's transaction it commits (or rolls back) with that work. */
export function recordAudit(db: Db, event: AuditEventInput): AuditEvent {
  if (!AUDIT_KINDS.includes(event.kind)) throw new Error(`unknown audit event kind: ${String(event.kind)}`);
  const facts: AuditFacts = {};
  for (const [key, value] of Object.entries(event.facts ?? {})) {
    facts[key] = typeof value === 'string' && value.length > MAX_FACT_LENGTH ? `${value.slice(0, MAX_FACT_LENGTH)}…` : value;
  }
  const inputs = (event.inputs ?? []).map(normaliseFile);
  const outputs = (event.outputs ?? []).map(normaliseFile);
  const at = new Date().toISOString();
  const row = db
    .prepare(
      `INSERT INTO audit_events (at, kind, subject, app_version, pid, inputs_json, outputs_json, facts_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(at, event.kind, event.subject ?? null, APP_VERSION, process.pid, JSON.stringify(inputs), JSON.stringify(outputs), JSON.stringify(facts)) as { id: number };
  return { id: row.id, at, kind: event.kind, subject: event.subject ?? null, appVersion: APP_VERSION, pid: process.pid, inputs, outputs, facts };
}

export interface ListAuditOptions {
  kind?: AuditKind;
  subject?: string;
  /** The newest N events (still printed oldest first). */
  limit?: number;
}

/** Events oldest first. */
export function listAudit(db: Db, options: ListAuditOptions = {}): AuditEvent[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.kind) {
    where.push('kind = ?');
    params.push(options.kind);
  }
  if (options.subject) {
    where.push('subject = ?');
    params.push(options.subject);
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const limit = options.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(options.limit))}` : '';
  const rows = db
    .prepare(
      `SELECT * FROM (SELECT id, at, kind, subject, app_version AS appVersion, pid, inputs_json AS inputs, outputs_json AS outputs, facts_json AS facts
       FROM audit_events ${filter} ORDER BY id DESC ${limit}) ORDER BY id`,
    )
    .all(...params) as { id: number; at: string; kind: AuditKind; subject: string | null; appVersion: string; pid: number; inputs: string; outputs: string; facts: string }[];
  return rows.map((row) => ({ ...row, inputs: JSON.parse(row.inputs), outputs: JSON.parse(row.outputs), facts: JSON.parse(row.facts) }));
}

/** Path, sha256 and size of a file, streamed so a large file never sits in memory. */
export async function describeFile(role: string, file: string): Promise<AuditFile> {
  const location = path.resolve(file);
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(location, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { role, path: location, sha256: hash.digest('hex'), bytes };
}

/** Path and size only, for a file already hashed elsewhere or too large to read twice. */
export function statFile(role: string, file: string, sha256: string | null = null): AuditFile {
  const location = path.resolve(file);
  let bytes: number | null = null;
  try {
    bytes = fs.statSync(location).size;
  } catch {
    // A file gone since it was read is still worth recording by path.
  }
  return { role, path: location, sha256, bytes };
}

function normaliseFile(file: AuditFile): AuditFile {
  return { role: file.role, path: file.path, sha256: file.sha256 ?? null, bytes: file.bytes ?? null };
}

/** The part of a run record the audit needs (kept structural so the audit does not depend on the engine). */
export interface AuditedRun {
  id: number;
  name: string;
  dataset: string;
  backend: string;
  planned: number;
  done: number;
  startedAt: string | null;
  settings: { modelId: number | null; promptFile: string | null; strategy: string; votes: number; labels: string; limit: number | null };
  manifest: Record<string, unknown>;
}

/** A run session begins: the model file and prompt file it reads, by hash. */
export function recordRunStart(db: Db, run: AuditedRun): AuditEvent {
  const inputs: AuditFile[] = [];
  if (run.settings.modelId !== null) {
    const model = db.prepare('SELECT path, sha256, size_bytes AS bytes FROM models WHERE id = ?').get(run.settings.modelId) as { path: string; sha256: string; bytes: number } | undefined;
    if (model) inputs.push({ role: 'model', path: model.path, sha256: model.sha256, bytes: model.bytes });
  }
  // A named preset ("preset:NAME") is built in: the manifest records its hash, there is no file to hash.
  if (run.settings.promptFile && !run.settings.promptFile.startsWith('preset:')) inputs.push(hashSmallFile('prompt', run.settings.promptFile));
  return recordAudit(db, {
    kind: 'run-start',
    subject: run.name,
    inputs,
    facts: {
      resumed: run.startedAt !== null,
      dataset: run.dataset,
      datasetFingerprint: typeof run.manifest.datasetFingerprint === 'string' ? run.manifest.datasetFingerprint : null,
      backend: run.backend,
      strategy: run.settings.strategy,
      votes: run.settings.votes,
      labels: run.settings.labels,
      planned: run.planned,
      alreadyDone: run.done,
      // Where note text goes for a server backend (never the key): the DUA record of every session.
      ...endpointFacts(run.manifest.endpoint),
    },
  });
}

/** A run session ends: finished, stopped (Ctrl-C) or failed, with what it predicted. */
export function recordRunEnd(
  db: Db,
  run: AuditedRun,
  outcome: { status: 'finished' | 'stopped' | 'failed'; predicted: number; remaining: number; seconds: number; error?: string },
): AuditEvent {
  const kind: AuditKind = outcome.status === 'finished' ? 'run-finish' : outcome.status === 'stopped' ? 'run-stop' : 'run-fail';
  return recordAudit(db, {
    kind,
    subject: run.name,
    facts: {
      predicted: outcome.predicted,
      remaining: outcome.remaining,
      seconds: Math.round(outcome.seconds * 1000) / 1000,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    },
  });
}

/** For small files (prompt templates): read whole; a file gone since is recorded by path alone. */
function hashSmallFile(role: string, file: string): AuditFile {
  const location = path.resolve(file);
  try {
    const content = fs.readFileSync(location);
    return { role, path: location, sha256: crypto.createHash('sha256').update(content).digest('hex'), bytes: content.length };
  } catch {
    return { role, path: location, sha256: null, bytes: null };
  }
}

/** A server backend's endpoint (manifest.endpoint) as flat audit facts; nothing for local backends. */
function endpointFacts(endpoint: unknown): AuditFacts {
  if (!endpoint || typeof endpoint !== 'object') return {};
  const e = endpoint as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    endpoint: text(e.baseUrl),
    endpointHost: text(e.host),
    endpointPort: typeof e.port === 'number' ? e.port : null,
    endpointLoopback: e.loopback === true,
    endpointAllowedBy: text(e.allowedBy),
  };
}
