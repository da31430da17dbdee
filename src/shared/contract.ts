import { z } from 'zod';

/**
 * The one declaration of every call between the UI and the core. The Electron main process
 * registers an IPC handler per entry, the preload exposes a named function per entry, and
 * `medbench serve` will expose the same calls over HTTP; each side validates with these schemas.
 */

export const CHANNEL_PREFIX = 'medbench:';

const importProblem = z.object({
  kind: z.enum(['missing-note', 'span-out-of-range', 'duplicate-pair', 'bad-row']),
  row: z.number().int(),
  line: z.number().int().nullable(),
  taskId: z.string().nullable(),
  code: z.string().nullable(),
  detail: z.string(),
});

const datasetSummary = z.object({
  name: z.string(),
  pairs: z.number().int(),
  positives: z.number().int(),
  negatives: z.number().int(),
  notes: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastImport: z
    .object({ finishedAt: z.string(), format: z.string(), annotationsPath: z.string(), notesPath: z.string().nullable(), problems: z.number().int() })
    .nullable(),
});

const pairRecord = z.object({
  taskId: z.string(),
  code: z.string(),
  desc: z.string(),
  gold: z.boolean(),
  reasoningSummary: z.string(),
  evidence: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string() })),
  goldSentences: z.array(z.number().int()),
});

export const contract = {
  listDatasets: {
    request: z.object({}).strict(),
    response: z.object({ dbPath: z.string(), datasets: z.array(datasetSummary) }),
  },
  listPairs: {
    request: z.object({ dataset: z.string().min(1).max(200) }).strict(),
    response: z.object({ pairs: z.array(pairRecord), problems: z.array(importProblem) }),
  },
} as const;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallRequest<N extends CallName> = z.infer<Contract[N]['request']>;
export type CallResponse<N extends CallName> = z.infer<Contract[N]['response']>;

/** What the renderer sees, whatever carries the calls (IPC in the app, HTTP under `medbench serve`). */
export type MedbenchApi = { [N in CallName]: (request: CallRequest<N>) => Promise<CallResponse<N>> };

/** Errors cross the boundary as data, never as thrown objects with stacks. */
export const callError = z.object({ error: z.object({ kind: z.enum(['invalid-request', 'not-found', 'failed']), message: z.string() }) });
export type CallError = z.infer<typeof callError>;

export const callNames = Object.keys(contract) as CallName[];
export const channelOf = (name: CallName): string => `${CHANNEL_PREFIX}${name}`;
