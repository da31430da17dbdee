import type { RunSettings } from '../../runs';
import type { BackendDefinition } from '../registry';
import { createOpenAIBackend, endpointOf, readApiKey } from './backend';
import { openaiFields, openaiOptionsSchema, type OpenAIOptions } from './options';

/** The registry entry of the OpenAI-compatible server backend (vLLM, llama-server, Ollama, LM Studio). */
export const openaiBackend: BackendDefinition<OpenAIOptions> = {
  id: 'openai',
  label: 'OpenAI-compatible server',
  description: 'A model served inside your institution or on this machine by vLLM, llama-server, Ollama or LM Studio; note text goes only to loopback or hosts you allow.',
  capabilities: { grammar: true, probabilities: true, prefixReuse: true, parallelism: true, votes: true, needsModelFile: false, remote: true },
  model: 'server',
  fields: openaiFields,
  schema: openaiOptionsSchema,
  readOptions: (settings: RunSettings) => settings.backendOptions ?? {},
  toSettings: (options) => ({ backendOptions: { ...options } }),
  check(options, env) {
    // Both refuse before anything is written or any connection is made.
    endpointOf(options);
    readApiKey(options, env);
  },
  create({ options, settings, env }) {
    return createOpenAIBackend({ options, env, promptFile: settings.promptFile, maxTokens: settings.maxTokens });
  },
};
