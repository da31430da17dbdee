import { z } from 'zod';
import type { OptionField } from '../registry';
import { STRUCTURED_MODES } from './protocol';

/** The server backend's options as a run records them (settings.backendOptions): never the API key, only its variable's name. */
export const openaiOptionsSchema = z
  .object({
    baseUrl: z.string().min(1).max(2048),
    model: z.string().min(1).max(512),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)')
      .nullable()
      .default(null),
    concurrency: z.number().int().min(1).max(1024).nullable().default(null),
    allowHost: z.array(z.string().min(1).max(255)).default([]),
    allowInsecure: z.boolean().default(false),
    structuredOutput: z.enum(['auto', ...STRUCTURED_MODES]).default('auto'),
    logprobs: z.boolean().default(true),
    stream: z.boolean().default(false),
    timeoutSeconds: z.number().int().min(1).max(3600).default(300),
    retries: z.number().int().min(0).max(20).default(5),
  })
  .strict();

export type OpenAIOptions = z.infer<typeof openaiOptionsSchema>;

export const openaiFields: readonly OptionField[] = [
  { name: 'baseUrl', flag: '--base-url', type: 'string', required: true, default: null, description: 'the server’s OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:8080/v1 (llama-server), http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:1234/v1 (LM Studio)' },
  { name: 'apiKeyEnv', flag: '--api-key-env', type: 'string', default: null, description: 'name of the environment variable holding the API key (the key is never stored)' },
  { name: 'concurrency', flag: '--concurrency', type: 'integer', min: 1, max: 1024, default: null, description: 'requests in flight (default: the server’s slots when it says, else 8)' },
  {
    name: 'allowHost',
    flag: '--allow-host',
    type: 'string-list',
    default: null,
    confirmsHostOf: 'baseUrl',
    description: 'a non-loopback host inside your institution that may receive note text (repeatable); recorded in the manifest and the audit log',
  },
  { name: 'allowInsecure', flag: '--allow-insecure', type: 'boolean', default: false, description: 'allow plain http to a non-loopback host (only over an otherwise protected link)' },
  { name: 'structuredOutput', flag: '--structured-output', type: 'enum', choices: ['auto', ...STRUCTURED_MODES], default: 'auto', description: 'how the answer schema is sent (auto: the field the detected server documents)' },
  { name: 'logprobs', flag: '--logprobs', type: 'boolean', default: true, description: 'ask for token log-probabilities (label probability for ROC/PR curves)' },
  { name: 'stream', flag: '--stream', type: 'boolean', default: false, description: 'stream answers (Server-Sent Events / JSON lines)' },
  { name: 'timeoutSeconds', flag: '--timeout', type: 'integer', min: 1, max: 3600, default: 300, description: 'seconds to wait for one answer before retrying' },
  { name: 'retries', flag: '--retries', type: 'integer', min: 0, max: 20, default: 5, description: 'retries of a request on 429, 5xx, timeouts and dropped connections before the run stops' },
];
