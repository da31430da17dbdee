import type { DoctorCheck } from '../../../doctor';
import { answerSchema, parseAnswer } from '../../answer-schema';
import { builtInPromptTemplate, renderPrompt } from '../../prompt';
import { endpointOf, readApiKey } from './backend';
import { openaiOptionsSchema } from './options';
import { buildChatRequest, parseChatResponse, positiveProbability, type ChatAnswer, type StructuredMode } from './protocol';
import { probeServer, type ServerInfo } from './server';
import { createTransport, TransportError, type Transport } from './transport';

export interface ServerCheckRequest {
  baseUrl: string;
  model?: string;
  apiKeyEnv?: string | null;
  allowHost?: string[];
  allowInsecure?: boolean;
}

/** A synthetic note (never MIMIC text): what the conformance requests ask about. */
const PROBE_SENTENCES = [
  { id: 1, text: 'The patient was admitted with community acquired pneumonia.' },
  { id: 2, text: 'Chest x-ray showed a right lower lobe consolidation.' },
  { id: 3, text: 'She was discharged home on oral antibiotics.' },
];
const PROBE_CONCEPT = { code: 'J189', desc: 'Pneumonia, unspecified organism' };
const NO_RETRY = { retries: 1, baseDelayMs: 200, maxDelayMs: 1000 };

/** The models a server lists (GET /v1/models), with what kind of server it is. */
export async function listServerModels(request: ServerCheckRequest, env: NodeJS.ProcessEnv = process.env): Promise<{ baseUrl: string; flavor: string; version: string | null; slots: number | null; models: ServerInfo['models'] }> {
  const options = openaiOptionsSchema.parse({ model: request.model ?? '-', ...request });
  const endpoint = endpointOf(options);
  const transport = createTransport(endpoint, { apiKey: readApiKey(options, env), maxSockets: 2, timeoutMs: 30_000 });
  try {
    const info = await probeServer(transport, NO_RETRY);
    return { baseUrl: endpoint.baseUrl, flavor: info.flavor, version: info.version, slots: info.slots, models: info.models };
  } finally {
    transport.close();
  }
}

/**
 * `medbench doctor --backend openai --base-url URL`: what a run against this server will get. Each check
 * says what works and, when something does not, what the run falls back to. Only the synthetic probe
 * note above is sent.
 */
export async function checkServer(request: ServerCheckRequest, env: NodeJS.ProcessEnv = process.env): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (id: string, title: string, status: DoctorCheck['status'], detail: string, fix: string | null = null) => checks.push({ id: `openai-${id}`, title, status, detail, fix });
  const parsedOptions = openaiOptionsSchema.safeParse({ model: request.model ?? '-', ...request });
  if (!parsedOptions.success) {
    add('options', 'Server options', 'fail', parsedOptions.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 'see medbench run --help');
    return checks;
  }
  const options = parsedOptions.data;
  let transport: Transport;
  try {
    const endpoint = endpointOf(options);
    add('endpoint', 'DUA boundary', 'ok', endpoint.loopback ? `${endpoint.baseUrl} is a loopback address` : `${endpoint.baseUrl} is allowed by --allow-host ${endpoint.allowedBy}${endpoint.insecure ? ' (plain http, allowed by --allow-insecure)' : ''}`);
    transport = createTransport(endpoint, { apiKey: readApiKey(options, env), maxSockets: 2, timeoutMs: 120_000 });
  } catch (error) {
    add('endpoint', 'DUA boundary', 'fail', (error as Error).message, 'name the host with --allow-host HOST only if it is inside your institution');
    return checks;
  }
  try {
    let info: ServerInfo;
    try {
      info = await probeServer(transport, NO_RETRY);
    } catch (error) {
      add('models', 'Models listed', 'fail', (error as Error).message, 'start the server, or check --base-url (it usually ends in /v1)');
      return checks;
    }
    add('models', 'Models listed', 'ok', `${info.flavor}${info.version ? ` ${info.version}` : ''} serves ${info.models.map((m) => m.id).join(', ') || 'no model'}`);
    const model = request.model ?? info.models[0]?.id;
    if (!model || !info.models.some((m) => m.id === model)) {
      add('model', 'Model', 'fail', `no model named "${request.model}" on this server`, `use one of: ${info.models.map((m) => m.id).join(', ')}`);
      return checks;
    }
    add('concurrency', 'Requests in flight', 'ok', info.slots ? `${info.slots} (the server's slots)` : '8 by default (the server does not say how many it serves at once); set --concurrency to its batch size');

    const schema = answerSchema(PROBE_SENTENCES.map((s) => s.id), 'binary');
    const rendered = renderPrompt(builtInPromptTemplate().text, PROBE_SENTENCES, PROBE_CONCEPT, 'binary');
    const ask = async (mode: StructuredMode, seed: number, temperature: number): Promise<ChatAnswer | { status: number; body: string }> => {
      const wire = buildChatRequest({ model, prompt: rendered.prefix + rendered.suffix, schema, mode, seed, temperature, maxTokens: 256, logprobs: true, stream: false });
      const response = await transport.request({ method: 'POST', path: wire.path, fromRoot: wire.fromRoot, body: wire.body });
      if (response.status !== 200) return { status: response.status, body: response.body.slice(0, 200) };
      return parseChatResponse(mode, response.body);
    };
    const valid = (answer: ChatAnswer) => parseAnswer(answer.content.trim(), PROBE_SENTENCES.map((s) => s.id), 'binary').ok;

    // Structured output: the documented field, then the fallbacks a run can be told to use.
    const chain = [...new Set<StructuredMode>([info.documentedMode, 'response_format', 'none'])];
    let working: { mode: StructuredMode; answer: ChatAnswer } | null = null;
    const tried: string[] = [];
    for (const mode of chain) {
      try {
        const answer = await ask(mode, 42, 0);
        if ('status' in answer) tried.push(`${mode}: HTTP ${answer.status} ${answer.body}`);
        else if (!valid(answer)) tried.push(`${mode}: answer not in the schema (${answer.content.slice(0, 80)})`);
        else {
          working = { mode, answer };
          break;
        }
      } catch (error) {
        tried.push(`${mode}: ${(error as Error).message}`);
      }
    }
    if (!working) {
      add('structured-output', 'Structured output', 'fail', `no request form gave a valid answer: ${tried.join('; ')}`, 'check the model is an instruction model and the server version');
      return checks;
    }
    if (working.mode === info.documentedMode) add('structured-output', 'Structured output', 'ok', `honoured with ${working.mode} (the field ${info.flavor} documents)`);
    else add('structured-output', 'Structured output', 'warn', `${info.documentedMode} failed (${tried.join('; ')}); ${working.mode} works`, `the run uses ${info.documentedMode} by default: pass --structured-output ${working.mode}`);

    const probability = positiveProbability(working.answer.content, working.answer.logprobs, 'binary');
    if (probability !== null) add('logprobs', 'Label probabilities', 'ok', `logprobs present: P(True) = ${probability.toFixed(3)} for the probe`);
    else add('logprobs', 'Label probabilities', 'warn', working.answer.logprobs ? 'logprobs present, but the label token was not among them' : 'the server sent no logprobs', 'without them the run has no probability per prediction (no ROC/PR curves); add --no-logprobs to stop asking');

    const usage = working.answer.promptTokens !== null && working.answer.completionTokens !== null;
    const second = await ask(working.mode, 42, 0);
    const cached = 'status' in second ? 0 : second.cachedTokens;
    add(
      'usage',
      'Token usage',
      usage ? (cached > 0 ? 'ok' : 'warn') : 'warn',
      usage ? `reported; the repeated prompt reused ${cached} cached prompt tokens` : 'the server reported no token usage',
      cached > 0 ? null : 'enable the prefix cache so each note is evaluated once (vLLM: prefix caching and --enable-prompt-tokens-details; llama-server: cache_prompt, the default)',
    );

    const [a, b] = [await ask(working.mode, 1234, 0.9), await ask(working.mode, 1234, 0.9)];
    const same = !('status' in a) && !('status' in b) && a.content === b.content;
    add('seed', 'Seed reproducible', same ? 'ok' : 'warn', same ? 'the same seed at temperature 0.9 gave the same answer twice' : 'the same seed gave different answers', same ? null : 'votes (--votes > 1) will not be reproducible; with one vote the run is greedy (temperature 0)');
    return checks;
  } catch (error) {
    add('server', 'Server', 'fail', error instanceof TransportError ? error.message : String((error as Error).message), null);
    return checks;
  } finally {
    transport.close();
  }
}
