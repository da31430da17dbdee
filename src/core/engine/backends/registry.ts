import type { z } from 'zod';
import { UserError } from '../../errors';
import type { ModelRecord } from '../../models/registry';
import type { InferenceBackend } from '../backend';
import type { RunSettings } from '../runs';
import { baselineBackend } from './baseline/definition';
import { ggufBackend } from './gguf-registration';
import { openaiBackend } from './openai/definition';

/**
 * The one list of inference backends. A backend is a folder plus one line in `BACKENDS` below: the run
 * options it accepts (a zod schema and their descriptions), what it can do, and how to create it. The
 * CLI's run flags, the UI's run form (contract call `listBackends`), start/resume and the run manifest
 * all come from here; `runs.backend` stores the id as open text (migration 0004).
 */

/** What a backend can do; the UI and `medbench doctor` show it, and the run form hides what does not apply. */
export interface BackendCapabilities {
  /** Output constrained to the answer's JSON schema (grammar or the server's structured output). */
  grammar: boolean;
  /** A probability of the positive label per prediction (ROC/PR curves, calibration). */
  probabilities: boolean;
  /** The note's evaluated prefix is reused across its concepts (locally, or by the server's prefix cache). */
  prefixReuse: boolean;
  /** Several notes or requests in flight at once. */
  parallelism: boolean;
  /** Vote samples with different seeds make sense (a deterministic backend always answers alike). */
  votes: boolean;
  /** `--model` names a GGUF file or a registered model. */
  needsModelFile: boolean;
  /** It sends note text to a server (loopback, or a host the user allowed): the DUA boundary applies. */
  remote: boolean;
}

/** One option of a backend, described as plain JSON so the renderer can build a form and the CLI a flag. */
export interface OptionField {
  /** Key in the backend's options object. */
  name: string;
  /** The CLI flag, e.g. "--base-url". */
  flag: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'string-list';
  description: string;
  /** The value used when the option is not given (null: none / decided at run time). */
  default: string | number | boolean | null;
  required?: boolean;
  choices?: string[];
  min?: number;
  max?: number;
  /**
   * A host the user must confirm before note text may go there: the run form shows the host of the
   * URL field named here and asks for confirmation when it is not a loopback address.
   */
  confirmsHostOf?: string;
}

/** What `--model` means for a backend. */
export type ModelReference = 'none' | 'file' | 'server';

export interface BackendContext<O> {
  settings: RunSettings;
  options: O;
  model: ModelRecord | null;
  env: NodeJS.ProcessEnv;
}

export interface BackendDefinition<O = Record<string, unknown>> {
  id: string;
  label: string;
  description: string;
  capabilities: BackendCapabilities;
  model: ModelReference;
  fields: readonly OptionField[];
  schema: z.ZodType<O>;
  /** The options as a run's settings hold them (GGUF keeps its historical top-level fields). */
  readOptions(settings: RunSettings): unknown;
  /** The settings fields that record the options, so a resume re-creates the backend identically. */
  toSettings(options: O): Partial<RunSettings>;
  /** Refuses, before anything is written or any connection is made, what must not run (a UserError). */
  check?(options: O, env: NodeJS.ProcessEnv): void;
  create(context: BackendContext<O>): Promise<InferenceBackend>;
}

export class BackendOptionsError extends UserError {}

// The `as` widens each definition's own options type to the common one; `parseOptions` validates first.
const BACKENDS = [baselineBackend, ggufBackend, openaiBackend] as unknown as readonly BackendDefinition[];

export function backendIds(): string[] {
  return BACKENDS.map((backend) => backend.id);
}

export function findBackend(id: string): BackendDefinition | null {
  return BACKENDS.find((backend) => backend.id === id) ?? null;
}

export function getBackend(id: string): BackendDefinition {
  const backend = findBackend(id);
  if (!backend) throw new BackendOptionsError(`unknown backend "${id}"; the backends are ${backendIds().join(', ')}`);
  return backend;
}

/** Validates a backend's options; the message names the option as its flag. */
export function parseOptions<O>(backend: BackendDefinition<O>, raw: unknown): O {
  const parsed = backend.schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const field = backend.fields.find((f) => f.name === key);
    return `${field ? field.flag : key || 'options'}: ${issue.message}`;
  });
  throw new BackendOptionsError(`backend ${backend.id}: ${problems.join('; ')}`);
}

/** The backend of a run, its options re-read from the settings. Runs from before the registry read as they did. */
export function backendOfRun(settings: RunSettings): { backend: BackendDefinition; options: Record<string, unknown> } {
  const backend = getBackend(settings.backend);
  return { backend, options: parseOptions(backend, backend.readOptions(settings)) as Record<string, unknown> };
}

/** Plain JSON for the contract call `listBackends` (the run form is built from it). */
export function describeBackends() {
  return BACKENDS.map((backend) => ({
    id: backend.id,
    label: backend.label,
    description: backend.description,
    model: backend.model,
    capabilities: { ...backend.capabilities },
    fields: backend.fields.map((field) => ({ ...field, required: field.required ?? false })),
  }));
}
