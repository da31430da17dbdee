import { z } from 'zod';
import type { BackendDefinition } from '../registry';
import { createBaselineBackend } from './backend';

/** The registry entry of the lexical baseline: no options, no model, always available. */
export const baselineBackend: BackendDefinition<Record<string, never>> = {
  id: 'baseline',
  label: 'Lexical baseline',
  description: 'A deterministic lexical matcher with no model: the floor every model must beat.',
  capabilities: { grammar: false, probabilities: true, prefixReuse: false, parallelism: false, votes: false, needsModelFile: false, remote: false },
  model: 'none',
  fields: [],
  schema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  readOptions: () => ({}),
  toSettings: () => ({}),
  create: async () => createBaselineBackend(),
};
