/**
 * A faithful local stand-in for the OpenAI-compatible servers MedBench Local talks to (vLLM,
 * llama-server, Ollama, LM Studio), on 127.0.0.1 only. None of them can be installed here, so this
 * implements their documented request and response shapes and where they differ (docs/servers.md
 * lists the sources), plus the failures a real deployment shows: slow answers, 429 and 500, dropped
 * connections, broken bodies and answers that are not the JSON asked for.
 *
 * The "model" answers deterministically from the prompt: a concept is documented when a word of five
 * or more letters of its description appears in a sentence of the note; those sentences are the
 * evidence. So a run against it scores like a (weak) real model and is reproducible.
 *
 * Run standalone (the bench does, so the server's CPU is not counted as the client's):
 *   node --import tsx test/helpers/openai-standin.ts '{"flavor":"vllm","latencyMs":200}'
 * prints {"port": N} on stdout.
 */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export type StandinFlavor = 'vllm' | 'llama-server' | 'ollama' | 'lmstudio' | 'openai';
export type Fault = 'none' | '429' | '500' | 'drop' | 'bad-body' | 'wrong-json' | 'hang';

export interface StandinOptions {
  flavor: StandinFlavor;
  /** vLLM's version (GET /version): before 0.12.0 it takes guided_json, from 0.12.0 structured_outputs. */
  version?: string;
  models?: string[];
  /** Delay before each chat answer. */
  latencyMs?: number;
  /** llama-server's --parallel (GET /props total_slots). */
  slots?: number;
  /** When set, every request must carry `Authorization: Bearer <apiKey>` (vLLM --api-key, llama-server --api-key). */
  apiKey?: string;
  /** The fault for the n-th chat request (0-based), e.g. to answer 429 twice then succeed. */
  fault?: (index: number) => Fault;
  /** Answer every request with a 307 redirect to this URL. */
  redirectTo?: string;
  /** Request fields this server refuses with 400 (an older or differently built server than documented). */
  rejectFields?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  authorized: boolean;
}

export interface Standin {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Chat requests answered (any outcome). */
  chatCount(): number;
  /** Connections currently open to the stand-in. */
  openConnections(): number;
  close(): Promise<void>;
}

interface ParsedPrompt {
  sentences: { id: number; text: string }[];
  code: string;
  desc: string;
  /** Everything up to the concept line: the note-long prefix a prefix cache would hold. */
  prefix: string;
}

function parsePrompt(prompt: string): ParsedPrompt {
  const sentences = [...prompt.matchAll(/^\[S(\d+)\] (.*)$/gm)].map((m) => ({ id: Number(m[1]), text: m[2]! }));
  const concept = /^Concept: (\S+) (.*)$/m.exec(prompt);
  return { sentences, code: concept?.[1] ?? '', desc: concept?.[2] ?? '', prefix: concept ? prompt.slice(0, concept.index) : prompt };
}

/** The schema's label words and sentence ids, wherever this server expects the schema. */
function schemaOf(body: Record<string, unknown>, flavor: StandinFlavor, path: string, version: string): { schema: Record<string, unknown> | null; error: string | null } {
  const rf = body.response_format as { type?: string; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  if (path === '/api/chat') return { schema: (body.format as Record<string, unknown>) ?? null, error: null };
  if (body.guided_json !== undefined) {
    // vLLM removed the guided_* fields in v0.12.0 (docs: features/structured_outputs): a request using them is rejected.
    if (flavor === 'vllm' && !olderThan(version, '0.12.0')) return { schema: null, error: 'guided_json was removed in v0.12.0; use structured_outputs' };
    if (flavor === 'vllm') return { schema: body.guided_json as Record<string, unknown>, error: null };
  }
  if (body.structured_outputs !== undefined) {
    if (flavor === 'vllm' && olderThan(version, '0.12.0')) return { schema: null, error: 'unknown field structured_outputs' };
    if (flavor === 'vllm') return { schema: (body.structured_outputs as { json?: Record<string, unknown> }).json ?? null, error: null };
  }
  // llama-server: a top-level json_schema (docs: tools/server/README.md, POST /completion options, also on the OAI route).
  if (body.json_schema !== undefined && flavor === 'llama-server') return { schema: body.json_schema as Record<string, unknown>, error: null };
  // OpenAI's response_format json_schema: accepted by all four (LM Studio documents only this one).
  if (rf?.type === 'json_schema') return { schema: rf.json_schema?.schema ?? null, error: null };
  return { schema: null, error: null };
}

function olderThan(version: string, than: string): boolean {
  const a = version.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

interface ModelAnswer {
  content: string;
  tokens: { token: string; logprob: number; top: { token: string; logprob: number }[] }[];
}

function answer(prompt: ParsedPrompt, schema: Record<string, unknown> | null, temperature: number, seed: number): ModelAnswer {
  const labelEnum = ((schema?.properties as Record<string, { enum?: string[] }> | undefined)?.label?.enum ?? ['True', 'False']) as string[];
  const positive = labelEnum[0]!;
  const negative = labelEnum[labelEnum.length - 1]!;
  const words = prompt.desc
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length >= 5);
  const hits = prompt.sentences.filter((s) => words.some((w) => s.text.toLowerCase().includes(w))).slice(0, 3);
  // Sampling at temperature > 0 flips a borderline answer for some seeds, like a real model's votes.
  const flip = temperature > 0 && (seed * 2654435761 + prompt.code.length) % 7 === 0;
  const documented = hits.length > 0 !== flip;
  const p = documented ? 0.6 + 0.35 * Math.min(1, hits.length / 2) : 0.1;
  const label = documented ? positive : negative;
  const evidence = documented ? hits.map((s) => `S${s.id}`) : [];
  const rationale = documented ? `The note mentions ${prompt.desc.slice(0, 60)}.` : 'The note does not mention it.';
  const head = '{"label": "';
  const tail = `", "evidence": ${JSON.stringify(evidence)}, "rationale": ${JSON.stringify(rationale)}}`;
  const chosen = documented ? Math.log(p) : Math.log(1 - p);
  const other = documented ? Math.log(1 - p) : Math.log(p);
  const tokens = [
    { token: head, logprob: -0.01, top: [{ token: head, logprob: -0.01 }] },
    { token: label, logprob: chosen, top: [{ token: label, logprob: chosen }, { token: label === positive ? negative : positive, logprob: other }] },
    ...chunk(tail, 6).map((t) => ({ token: t, logprob: -0.05, top: [{ token: t, logprob: -0.05 }] })),
  ];
  return { content: head + label + tail, tokens };
}

function chunk(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const approxTokens = (text: string) => Math.ceil(text.length / 4);

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const flavor = options.flavor;
  const version = options.version ?? '0.12.0';
  const models = options.models ?? ['standin-model'];
  const requests: RecordedRequest[] = [];
  const seenPrefixes = new Set<string>();
  const sockets = new Set<Socket>();
  let chats = 0;
  const ownedBy = { vllm: 'vllm', 'llama-server': 'llamacpp', ollama: 'library', lmstudio: 'organization_owner', openai: 'system' }[flavor];

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const authorized = options.apiKey ? req.headers.authorization === `Bearer ${options.apiKey}` : true;
      requests.push({ method: req.method ?? '', path, body, authorized });
      const json = (status: number, value: unknown) => {
        const text = JSON.stringify(value);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (options.redirectTo) {
        res.writeHead(307, { location: options.redirectTo });
        return res.end();
      }
      if (!authorized) return json(401, { error: { message: 'Unauthorized', type: 'invalid_request_error' } });
      if (req.method === 'GET' && path === '/v1/models') {
        // OpenAI: {"object":"list","data":[{"id","object":"model","created","owned_by"}]}; vLLM adds max_model_len, llama-server adds meta.
        return json(200, {
          object: 'list',
          data: models.map((id) => ({
            id,
            object: 'model',
            created: 1_700_000_000,
            owned_by: ownedBy,
            ...(flavor === 'vllm' ? { root: id, max_model_len: 32768 } : {}),
            ...(flavor === 'llama-server' ? { meta: { n_ctx_train: 32768 } } : {}),
          })),
        });
      }
      if (req.method === 'GET' && path === '/version' && flavor === 'vllm') return json(200, { version });
      if (req.method === 'GET' && path === '/props' && flavor === 'llama-server') return json(200, { total_slots: options.slots ?? 4, default_generation_settings: {} });
      if (req.method === 'GET' && path === '/api/version' && flavor === 'ollama') return json(200, { version: '0.13.0' });
      if (req.method === 'GET' && path === '/api/tags' && flavor === 'ollama') return json(200, { models: models.map((name) => ({ name, model: name })) });
      const chat = req.method === 'POST' && (path === '/v1/chat/completions' || (flavor === 'ollama' && path === '/api/chat'));
      if (!chat || !body) return json(404, { error: { message: `no route ${req.method} ${path}` } });
      const index = chats++;
      const fault = options.fault?.(index) ?? 'none';
      const respond = () => handleChat(res, body!, path, fault);
      if (options.latencyMs) setTimeout(respond, options.latencyMs);
      else respond();
    });
  });

  const handleChat = (res: http.ServerResponse, body: Record<string, unknown>, path: string, fault: Fault) => {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    if (fault === 'hang') return;
    // vLLM and llama-server answer 429/503 under load; OpenAI documents Retry-After on 429.
    if (fault === '429') return json(429, { error: { message: 'Too many requests', type: 'rate_limit_error' } }, { 'retry-after': '0' });
    if (fault === '500') return json(500, { error: { message: 'Internal server error', type: 'server_error' } });
    if (fault === 'drop') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"id": "chatcmpl-');
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if (fault === 'bad-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"choices": [ this is not json');
    }
    const refused = options.rejectFields?.find((field) => field in body);
    if (refused) return json(400, { error: { message: `unknown field "${refused}"`, type: 'invalid_request_error' } });
    const { schema, error } = schemaOf(body, flavor, path, version);
    if (error) return json(400, { object: 'error', message: error, type: 'BadRequestError', code: 400 });
    const messages = body.messages as { role: string; content: string }[];
    const prompt = parsePrompt(messages?.[messages.length - 1]?.content ?? '');
    const ollamaNative = path === '/api/chat';
    const opts = (body.options ?? {}) as Record<string, number>;
    const temperature = Number((ollamaNative ? opts.temperature : body.temperature) ?? 0);
    const seed = Number((ollamaNative ? opts.seed : body.seed) ?? 0);
    const model = answer(prompt, schema, temperature, seed);
    if (fault === 'wrong-json') {
      model.content = 'Sure! Based on the note, the answer is yes.';
      model.tokens = [{ token: model.content, logprob: -0.1, top: [] }];
    }
    const promptTokens = approxTokens(messages.map((m) => m.content).join(''));
    const cached = seenPrefixes.has(prompt.prefix) ? approxTokens(prompt.prefix) : 0;
    seenPrefixes.add(prompt.prefix);
    const completion = model.tokens.length;
    // LM Studio sends no logprobs; the others do when asked (Ollama's native API since v0.12.11).
    const wantLogprobs = body.logprobs === true && flavor !== 'lmstudio';
    const toWire = (t: ModelAnswer['tokens'][number]) => ({ token: t.token, logprob: t.logprob, bytes: [...Buffer.from(t.token)], top_logprobs: t.top.map((a) => ({ ...a, bytes: [...Buffer.from(a.token)] })) });
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
      // vLLM (--enable-prompt-tokens-details) and OpenAI report cached prompt tokens here.
      ...(flavor === 'vllm' || flavor === 'openai' ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    };
    // llama-server reports its prompt cache in `timings` (cache_n: tokens reused, prompt_n: tokens evaluated).
    const timings = flavor === 'llama-server' ? { timings: { cache_n: cached, prompt_n: promptTokens - cached, predicted_n: completion } } : {};

    if (ollamaNative) {
      // Ollama's /api/chat: message.content, prompt_eval_count (tokens evaluated), eval_count; JSON lines when streaming.
      const final = { model: body.model, created_at: new Date(0).toISOString(), done: true, done_reason: 'stop', prompt_eval_count: promptTokens - cached, eval_count: completion };
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        for (const t of model.tokens) res.write(`${JSON.stringify({ model: body.model, message: { role: 'assistant', content: t.token }, done: false, ...(wantLogprobs ? { logprobs: [toWire(t)] } : {}) })}\n`);
        return res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
      }
      return json(200, { ...final, message: { role: 'assistant', content: model.content }, ...(wantLogprobs ? { logprobs: model.tokens.map(toWire) } : {}) });
    }
    const id = `chatcmpl-${chats}`;
    if (body.stream === true) {
      // Server-Sent Events: one `data: {chunk}` per delta, usage in a last chunk with empty choices when
      // stream_options.include_usage is set, then `data: [DONE]`.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': keep-alive\n\n');
      for (const t of model.tokens) {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: { content: t.token }, finish_reason: null, ...(wantLogprobs ? { logprobs: { content: [toWire(t)] } } : {}) }] })}\n\n`);
      }
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [], usage, ...timings })}\n\n`);
      return res.end('data: [DONE]\n\n');
    }
    return json(200, {
      id,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: model.content }, finish_reason: 'stop', logprobs: wantLogprobs ? { content: model.tokens.map(toWire) } : null }],
      usage,
      ...timings,
    });
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    chatCount: () => chats,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Records every outgoing TCP connection this process starts until `restore()` (core tests may not import node:net). */
export function recordConnections(): { targets: string[]; restore(): void } {
  const targets: string[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    const [first] = args as [unknown];
    targets.push(typeof first === 'object' && first ? `${(first as { host?: string }).host}:${(first as { port?: number }).port}` : String(first));
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof original;
  return { targets, restore: () => void (net.Socket.prototype.connect = original) };
}

// Standalone: the options as JSON in argv[2]; prints {"port": N} and serves until killed.
if (process.argv[1] && /openai-standin\.ts$/.test(process.argv[1])) {
  const options = JSON.parse(process.argv[2] ?? '{"flavor":"vllm"}') as StandinOptions;
  void startStandin(options).then((standin) => process.stdout.write(`${JSON.stringify({ port: standin.port, url: standin.url })}\n`));
}
