import { UserError } from '../../../errors';
import { defaultModeFor, flavorFromModels, parseModelList, type ServerFlavor, type StructuredMode } from './protocol';
import { withRetries, type RetryPolicy } from './retry';
import { TransportError, type Transport } from './transport';

export interface ServerModel {
  id: string;
  ownedBy: string | null;
  maxModelLen: number | null;
}

export interface ServerInfo {
  flavor: ServerFlavor;
  version: string | null;
  models: ServerModel[];
  /** Requests the server serves at once, when it says (llama-server's slots). */
  slots: number | null;
  /** The structured-output field the server documents. */
  documentedMode: StructuredMode;
}

/** What the server is and serves: GET /v1/models, then the flavour's own version or slot endpoint (no note text). */
export async function probeServer(transport: Transport, retry: RetryPolicy, signal?: AbortSignal): Promise<ServerInfo> {
  const response = await withRetries(() => transport.request({ method: 'GET', path: '/models', signal }), retry, signal, 'listing the server’s models (GET /models)');
  if (response.status === 401 || response.status === 403) throw new UserError(`the server refused the API key (HTTP ${response.status}); set it in the environment variable named by --api-key-env`);
  if (response.status !== 200) throw new UserError(`GET /models answered HTTP ${response.status}; is --base-url the OpenAI-compatible root (it usually ends in /v1)?`);
  const models = parseModelList(response.body);
  const flavor = flavorFromModels(models);
  const optional = async (path: string): Promise<Record<string, unknown> | null> => {
    try {
      const r = await transport.request({ method: 'GET', path, fromRoot: true, signal });
      return r.status === 200 ? (JSON.parse(r.body) as Record<string, unknown>) : null;
    } catch (error) {
      if (error instanceof TransportError || error instanceof SyntaxError) return null;
      throw error;
    }
  };
  let version: string | null = null;
  let slots: number | null = null;
  // vLLM: GET /version {"version": "0.11.0"}; llama-server: GET /props {"total_slots": 4}; Ollama: GET /api/version.
  if (flavor === 'vllm' || flavor === 'ollama') {
    const info = await optional(flavor === 'vllm' ? '/version' : '/api/version');
    version = typeof info?.version === 'string' ? info.version : null;
  }
  if (flavor === 'llama-server') {
    const props = await optional('/props');
    slots = typeof props?.total_slots === 'number' && props.total_slots > 0 ? props.total_slots : null;
  }
  return { flavor, version, models, slots, documentedMode: defaultModeFor(flavor, version) };
}
