/**
 * The wire shapes of the OpenAI chat-completions protocol as vLLM, llama-server, Ollama and LM Studio
 * implement it, and where they differ (docs/servers.md has the sources): how structured output is
 * asked for, where usage and cached tokens are reported, and the streaming formats. Pure functions.
 */
import type { AnswerSchema } from '../../answer-schema';
import { labelWords } from '../../answer-schema';
import type { LabelMode } from '../../backend';

/** How the answer's JSON schema is sent. */
export const STRUCTURED_MODES = ['response_format', 'structured_outputs', 'guided_json', 'json_schema', 'format', 'none'] as const;
export type StructuredMode = (typeof STRUCTURED_MODES)[number];

export const SERVER_FLAVORS = ['vllm', 'llama-server', 'ollama', 'lmstudio', 'openai'] as const;
export type ServerFlavor = (typeof SERVER_FLAVORS)[number];

export interface ChatRequest {
  model: string;
  prompt: string;
  schema: AnswerSchema;
  mode: StructuredMode;
  seed: number;
  temperature: number;
  maxTokens: number;
  logprobs: boolean;
  stream: boolean;
}

export interface WireRequest {
  path: string;
  /** Ollama's native API lives at the server root, not under /v1. */
  fromRoot: boolean;
  body: Record<string, unknown>;
}

export const TOP_LOGPROBS = 5;

export function buildChatRequest(request: ChatRequest): WireRequest {
  const messages = [{ role: 'user', content: request.prompt }];
  if (request.mode === 'format') {
    // Ollama's native /api/chat: `format` takes the JSON schema; sampling goes in `options`.
    return {
      path: '/api/chat',
      fromRoot: true,
      body: {
        model: request.model,
        messages,
        stream: request.stream,
        format: request.schema,
        options: { seed: request.seed, temperature: request.temperature, num_predict: request.maxTokens },
        ...(request.logprobs ? { logprobs: true, top_logprobs: TOP_LOGPROBS } : {}),
      },
    };
  }
  const body: Record<string, unknown> = {
    model: request.model,
    messages,
    seed: request.seed,
    temperature: request.temperature,
    max_tokens: request.maxTokens,
    stream: request.stream,
    ...(request.stream ? { stream_options: { include_usage: true } } : {}),
    ...(request.logprobs ? { logprobs: true, top_logprobs: TOP_LOGPROBS } : {}),
  };
  if (request.mode === 'response_format') body.response_format = { type: 'json_schema', json_schema: { name: 'medbench_answer', strict: true, schema: request.schema } };
  else if (request.mode === 'structured_outputs') body.structured_outputs = { json: request.schema };
  else if (request.mode === 'guided_json') body.guided_json = request.schema;
  else if (request.mode === 'json_schema') body.json_schema = request.schema;
  return { path: '/chat/completions', fromRoot: false, body };
}

/** A string as it stands inside a JSON string literal (escaped, without the quotes), to concatenate. */
export function jsonStringContent(text: string): string {
  const literal = JSON.stringify(text);
  return literal.slice(1, literal.length - 1);
}

/**
 * A prompt escaped for a JSON string (jsonStringContent) in two pieces: `shared`, the note's part, encoded
 * once per note and shared by its concepts' requests, and `own`, the rest.
 */
export interface EscapedPrompt {
  shared: Buffer;
  own: string;
}

/** What buildChatRequest needs besides the prompt, the seed and the temperature: the same for all of a note's requests. */
export type NoteRequestSettings = Omit<ChatRequest, 'prompt' | 'seed' | 'temperature'>;

export interface JsonRequest {
  path: string;
  fromRoot: boolean;
  /** UTF-8 of exactly JSON.stringify(buildChatRequest(...).body). */
  json: Buffer;
}

/**
 * buildChatRequest for the requests of one note, with the body as UTF-8 JSON. The note's escaped text and
 * the rest of the body (its schema lists every sentence) are serialized once per note, not per concept,
 * and a body in flight is a Buffer outside the JS heap, which young-generation collections never copy (64
 * requests are in flight for 200 ms and more). The model and messages come first in buildChatRequest's
 * body, so the bytes are those of JSON.stringify of that body.
 */
export function noteRequestSerializer(settings: NoteRequestSettings): (prompt: EscapedPrompt, seed: number, temperature: number) => JsonRequest {
  // One entry per vote (seed, temperature): usually one.
  const parts = new Map<string, { path: string; fromRoot: boolean; head: Buffer; tail: string }>();
  return (prompt, seed, temperature) => {
    const key = `${seed}/${temperature}`;
    let part = parts.get(key);
    if (!part) {
      const { path, fromRoot, body } = buildChatRequest({ ...settings, seed, temperature, prompt: '' });
      const { model, messages: _messages, ...rest } = body;
      const tail = JSON.stringify(rest);
      const head = Buffer.from(`{"model":${JSON.stringify(model)},"messages":[{"role":"user","content":"`);
      part = { path, fromRoot, head, tail: tail === '{}' ? '"}]}' : `"}],${tail.slice(1)}` };
      parts.set(key, part);
    }
    return { path: part.path, fromRoot: part.fromRoot, json: Buffer.concat([part.head, prompt.shared, Buffer.from(prompt.own + part.tail)]) };
  };
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

export interface ChatAnswer {
  content: string;
  /** Prompt tokens the server counted (cached ones included), null when it did not say. */
  promptTokens: number | null;
  /** Prompt tokens served from the server's prefix cache. */
  cachedTokens: number;
  completionTokens: number | null;
  logprobs: TokenLogprob[] | null;
  finishReason: string | null;
}

export class ProtocolError extends Error {}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function parseJson(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`${what} is not JSON: ${text.slice(0, 120)}`);
  }
  const record = obj(value);
  if (!record) throw new ProtocolError(`${what} is not a JSON object`);
  return record;
}

function readLogprobs(list: unknown): TokenLogprob[] | null {
  if (!Array.isArray(list)) return null;
  // Plain loops: every answer carries a list per token, and flatMap's arrays per entry were a large share of the garbage per answer.
  const out: TokenLogprob[] = [];
  for (const entry of list) {
    const e = obj(entry);
    if (!e || typeof e.token !== 'string' || num(e.logprob) === null) continue;
    const top: TokenLogprob['top'] = [];
    if (Array.isArray(e.top_logprobs)) {
      for (const alt of e.top_logprobs) {
        const a = obj(alt);
        if (a && typeof a.token === 'string' && num(a.logprob) !== null) top.push({ token: a.token, logprob: a.logprob as number });
      }
    }
    out.push({ token: e.token, logprob: e.logprob as number, top });
  }
  return out;
}

/** usage (OpenAI, vLLM, LM Studio; cached tokens in prompt_tokens_details) or timings (llama-server: cache_n). */
function readUsage(record: Json): Pick<ChatAnswer, 'promptTokens' | 'cachedTokens' | 'completionTokens'> {
  const usage = obj(record.usage);
  const timings = obj(record.timings);
  const details = obj(usage?.prompt_tokens_details);
  return {
    promptTokens: num(usage?.prompt_tokens),
    cachedTokens: num(details?.cached_tokens) ?? num(timings?.cache_n) ?? 0,
    completionTokens: num(usage?.completion_tokens),
  };
}

export function parseChatResponse(mode: StructuredMode, text: string): ChatAnswer {
  const record = parseJson(text, 'the server’s response');
  if (mode === 'format') {
    const message = obj(record.message);
    if (!message || typeof message.content !== 'string') throw new ProtocolError('the response has no message.content');
    return {
      content: message.content,
      promptTokens: num(record.prompt_eval_count),
      cachedTokens: 0,
      completionTokens: num(record.eval_count),
      logprobs: readLogprobs(record.logprobs),
      finishReason: typeof record.done_reason === 'string' ? record.done_reason : null,
    };
  }
  const choice = Array.isArray(record.choices) ? obj(record.choices[0]) : null;
  const message = obj(choice?.message);
  if (!choice || !message || typeof message.content !== 'string') throw new ProtocolError('the response has no choices[0].message.content');
  return {
    content: message.content,
    ...readUsage(record),
    logprobs: readLogprobs(obj(choice.logprobs)?.content),
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
  };
}

/** Collects a streamed answer: Server-Sent Events `data: {...}` chunks ending with `data: [DONE]`, or Ollama's JSON lines. */
export function createStreamParser(mode: StructuredMode) {
  let buffer = '';
  const answer: ChatAnswer = { content: '', promptTokens: null, cachedTokens: 0, completionTokens: null, logprobs: null, finishReason: null };
  const addLogprobs = (list: TokenLogprob[] | null) => {
    if (list) answer.logprobs = [...(answer.logprobs ?? []), ...list];
  };
  const line = (raw: string) => {
    const text = raw.trim();
    if (!text) return;
    if (mode === 'format') {
      const record = parseJson(text, 'a streamed line');
      const message = obj(record.message);
      if (typeof message?.content === 'string') answer.content += message.content;
      addLogprobs(readLogprobs(record.logprobs));
      if (record.done === true) {
        answer.promptTokens = num(record.prompt_eval_count);
        answer.completionTokens = num(record.eval_count);
        answer.finishReason = typeof record.done_reason === 'string' ? record.done_reason : 'stop';
      }
      return;
    }
    if (!text.startsWith('data:')) return; // comments (": keep-alive"), event names
    const data = text.slice(5).trim();
    if (data === '[DONE]') return;
    const record = parseJson(data, 'a streamed chunk');
    const choice = Array.isArray(record.choices) ? obj(record.choices[0]) : null;
    const delta = obj(choice?.delta);
    if (typeof delta?.content === 'string') answer.content += delta.content;
    addLogprobs(readLogprobs(obj(choice?.logprobs)?.content));
    if (typeof choice?.finish_reason === 'string') answer.finishReason = choice.finish_reason;
    if (record.usage || record.timings) {
      const usage = readUsage(record);
      answer.promptTokens = usage.promptTokens ?? answer.promptTokens;
      answer.completionTokens = usage.completionTokens ?? answer.completionTokens;
      answer.cachedTokens = usage.cachedTokens || answer.cachedTokens;
    }
  };
  return {
    push(text: string) {
      buffer += text;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    },
    finish(): ChatAnswer {
      line(buffer);
      buffer = '';
      return answer;
    },
  };
}

const labelSidesByMode = new Map<LabelMode, { positive: readonly string[]; negative: readonly string[] }>();
/** The label words that affirm a concept and those that deny it, worked out once per label mode (this runs per answer). */
function labelSides(labels: LabelMode): { positive: readonly string[]; negative: readonly string[] } {
  let sides = labelSidesByMode.get(labels);
  if (!sides) {
    const words = labelWords(labels);
    sides = { positive: words.filter((w) => w !== 'False' && w !== 'Unrelated'), negative: words.filter((w) => w === 'False' || w === 'Unrelated') };
    labelSidesByMode.set(labels, sides);
  }
  return sides;
}

/**
 * P(positive label) from the token distribution where the label's value starts: the top alternatives
 * that begin a positive word (True, Explicit, Implicit) against those that begin a negative one. Null
 * when the server sent no log-probabilities or the label cannot be located.
 */
export function positiveProbability(content: string, logprobs: readonly TokenLogprob[] | null, labels: LabelMode): number | null {
  if (!logprobs || logprobs.length === 0) return null;
  // The tokens must spell the content exactly (compared piece by piece rather than joined: one string less per answer).
  let spelled = 0;
  for (const entry of logprobs) {
    if (!content.startsWith(entry.token, spelled)) return null;
    spelled += entry.token.length;
  }
  if (spelled !== content.length) return null;
  const key = /"label"\s*:\s*"/.exec(content);
  if (!key) return null;
  const valueStart = key.index + key[0].length;
  let offset = 0;
  for (const entry of logprobs) {
    const end = offset + entry.token.length;
    if (valueStart < end) {
      const cut = valueStart - offset;
      const lead = entry.token.slice(0, cut);
      const { positive, negative } = labelSides(labels);
      const alternatives = entry.top.some((alt) => alt.token === entry.token) ? entry.top : [...entry.top, { token: entry.token, logprob: entry.logprob }];
      let pos = 0;
      let neg = 0;
      for (const alt of alternatives) {
        if (!alt.token.startsWith(lead)) continue;
        const rest = alt.token.slice(cut).replace(/".*$/, '');
        if (!rest) continue;
        const isPos = positive.some((w) => w.startsWith(rest) || rest.startsWith(w));
        const isNeg = negative.some((w) => w.startsWith(rest) || rest.startsWith(w));
        if (isPos && !isNeg) pos += Math.exp(alt.logprob);
        else if (isNeg && !isPos) neg += Math.exp(alt.logprob);
      }
      return pos + neg > 0 ? pos / (pos + neg) : null;
    }
    offset = end;
  }
  return null;
}

/** The model list of GET /v1/models (all four) or Ollama's GET /api/tags. */
export function parseModelList(text: string): { id: string; ownedBy: string | null; maxModelLen: number | null }[] {
  const record = parseJson(text, 'the model list');
  if (Array.isArray(record.data)) {
    return record.data.flatMap((entry) => {
      const e = obj(entry);
      return e && typeof e.id === 'string' ? [{ id: e.id, ownedBy: typeof e.owned_by === 'string' ? e.owned_by : null, maxModelLen: num(e.max_model_len) }] : [];
    });
  }
  if (Array.isArray(record.models)) {
    return record.models.flatMap((entry) => {
      const e = obj(entry);
      const id = typeof e?.model === 'string' ? e.model : typeof e?.name === 'string' ? e.name : null;
      return id ? [{ id, ownedBy: 'ollama', maxModelLen: null }] : [];
    });
  }
  throw new ProtocolError('the model list has neither "data" (OpenAI) nor "models" (Ollama)');
}

/** Which server it is, from /v1/models' owned_by (vLLM: "vllm", llama-server: "llamacpp", Ollama: "library"/"ollama"). */
export function flavorFromModels(models: readonly { ownedBy: string | null; maxModelLen: number | null }[]): ServerFlavor {
  const owners = new Set(models.map((m) => (m.ownedBy ?? '').toLowerCase()));
  if (owners.has('vllm') || models.some((m) => m.maxModelLen !== null)) return 'vllm';
  if (owners.has('llamacpp')) return 'llama-server';
  if (owners.has('library') || owners.has('ollama')) return 'ollama';
  if (owners.has('organization_owner')) return 'lmstudio';
  return 'openai';
}

/** The structured-output field each server documents (vLLM before 0.12 used guided_json). */
export function defaultModeFor(flavor: ServerFlavor, version: string | null): StructuredMode {
  if (flavor === 'vllm') return version && compareVersions(version, '0.12.0') < 0 ? 'guided_json' : 'structured_outputs';
  if (flavor === 'llama-server') return 'json_schema';
  if (flavor === 'ollama') return 'format';
  return 'response_format';
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
