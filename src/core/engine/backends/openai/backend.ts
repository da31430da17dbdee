import { setMaxListeners } from 'node:events';
import { UserError } from '../../../errors';
import { answerSchema, ANSWER_SCHEMA_VERSION, parseAnswer } from '../../answer-schema';
import type { BackendRunOptions, ConceptResult, EngineConcept, EngineNote, InferenceBackend, LabelMode, SampleResult } from '../../backend';
import { builtInPromptTemplate, loadPromptTemplate, renderPrompt, type PromptTemplate } from '../../prompt';
import { whenAborted } from './abort';
import { endpointFacts, resolveEndpoint, type Endpoint } from './endpoint';
import type { OpenAIOptions } from './options';
import { createStreamParser, jsonStringContent, noteRequestSerializer, parseChatResponse, positiveProbability, type ChatAnswer, type EscapedPrompt, type StructuredMode } from './protocol';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';
import { probeServer, type ServerInfo } from './server';
import { createTransport, type RequestOptions, type Transport } from './transport';

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MAX_TOKENS = 384;
export const DEFAULT_VOTE_TEMPERATURE = 0.7;

export interface OpenAIBackendInput {
  options: OpenAIOptions;
  env: NodeJS.ProcessEnv;
  promptFile: string | null;
  maxTokens: number | null;
  retry?: RetryPolicy;
}

/** The API key, read from the named environment variable only at the moment a backend or a check needs it. */
export function readApiKey(options: Pick<OpenAIOptions, 'apiKeyEnv'>, env: NodeJS.ProcessEnv): string | null {
  if (!options.apiKeyEnv) return null;
  const key = env[options.apiKeyEnv];
  if (!key) throw new UserError(`--api-key-env ${options.apiKeyEnv}: that environment variable is not set (the key is read from it and never stored)`);
  return key;
}

export function endpointOf(options: OpenAIOptions): Endpoint {
  return resolveEndpoint({ baseUrl: options.baseUrl, allowHosts: options.allowHost, allowInsecure: options.allowInsecure });
}

/**
 * The OpenAI-compatible server backend. Up to `concurrency` requests are in flight; the concepts of one
 * note go back to back (the first alone, so the server's prefix cache holds the note before the others
 * arrive). A request that keeps failing stops the run; each answer is committed by the runner as it arrives.
 */
export async function createOpenAIBackend(input: OpenAIBackendInput): Promise<InferenceBackend> {
  const { options } = input;
  const endpoint = endpointOf(options); // refuses a disallowed host before any connection
  const apiKey = readApiKey(options, input.env);
  const retry = { ...(input.retry ?? DEFAULT_RETRY), retries: options.retries };
  const initialSockets = options.concurrency ?? 64;
  const transport = createTransport(endpoint, { apiKey, maxSockets: initialSockets, timeoutMs: options.timeoutSeconds * 1000 });
  try {
    const server = await probeServer(transport, retry);
    if (!server.models.some((m) => m.id === options.model)) {
      throw new UserError(`the server at ${endpoint.baseUrl} does not serve a model named "${options.model}"; it serves: ${server.models.map((m) => m.id).join(', ') || '(none)'}`);
    }
    const mode = options.structuredOutput === 'auto' ? server.documentedMode : options.structuredOutput;
    const concurrency = options.concurrency ?? server.slots ?? DEFAULT_CONCURRENCY;
    const template = input.promptFile ? loadPromptTemplate(input.promptFile) : builtInPromptTemplate();
    return new OpenAIBackend(transport, endpoint, server, mode, concurrency, template, input, retry);
  } catch (error) {
    transport.close();
    throw error;
  }
}

class OpenAIBackend implements InferenceBackend {
  readonly kind = 'openai';
  readonly parallelism: number;
  private readonly slots: Semaphore;

  constructor(
    private readonly transport: Transport,
    private readonly endpoint: Endpoint,
    private readonly server: ServerInfo,
    private readonly mode: StructuredMode,
    private readonly concurrency: number,
    private readonly template: PromptTemplate,
    private readonly input: OpenAIBackendInput,
    private readonly retry: RetryPolicy,
  ) {
    // Twice as many notes as request slots: while one note waits for its first answer, others fill the slots.
    this.parallelism = concurrency * 2;
    this.slots = new Semaphore(concurrency);
  }

  manifest(): Record<string, unknown> {
    const o = this.input.options;
    return {
      backend: 'openai',
      endpoint: endpointFacts(this.endpoint),
      // The key itself is never recorded, only where it came from.
      apiKeyEnv: o.apiKeyEnv,
      server: { flavor: this.server.flavor, version: this.server.version, slots: this.server.slots },
      model: o.model,
      modelFile: o.model,
      structuredOutput: this.mode,
      logprobs: o.logprobs,
      stream: o.stream,
      concurrency: this.concurrency,
      prompt: { version: this.template.version, sha256: this.template.hash },
      answerSchemaVersion: ANSWER_SCHEMA_VERSION,
      sampler: {
        maxTokens: this.input.maxTokens ?? DEFAULT_MAX_TOKENS,
        seeds: 'seed + sampleIndex',
        temperature: 'votes = 1: 0 (greedy); votes > 1: --temperature (default 0.7)',
      },
      retries: this.retry.retries,
    };
  }

  predictNote(note: EngineNote, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
    // Not a generator itself: the note's text and sentences (~50 KB, with up to 2 x concurrency notes in flight)
    // become garbage once its requests are encoded, instead of living, and being copied by each young-generation
    // collection, until its last answer arrives.
    return this.predictPrepared(this.prepareNote(note, options), options);
  }

  private async *predictPrepared(note: PreparedNote, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
    const queue = new ResultQueue<ConceptResult>();
    const run = ({ concept, prompt }: PreparedNote['concepts'][number]) =>
      this.predictConcept(prompt, note.serialize, concept, note.sentenceIds, options).then(
        (result) => queue.push(result),
        (error: unknown) => queue.fail(error),
      );
    const [first, ...rest] = note.concepts;
    if (!first) return;
    // The first concept alone fills the server's prefix cache with the note; the others then reuse it.
    const all = run(first).then(() => (queue.failed ? undefined : Promise.all(rest.map(run))));
    let expected = note.concepts.length;
    try {
      while (expected > 0) {
        const result = await queue.next();
        expected--;
        yield result;
      }
    } finally {
      await all.catch(() => undefined);
    }
  }

  private prepareNote(note: EngineNote, options: BackendRunOptions): PreparedNote {
    // Every request in flight listens to the run's one stop signal.
    if (options.signal) setMaxListeners(0, options.signal);
    const sentenceIds = note.sentences.map((s) => s.id);
    const prompts = notePromptsAsJson(this.template.text, note, options.labels);
    const serialize = noteRequestSerializer({
      model: this.input.options.model,
      schema: answerSchema(sentenceIds, options.labels),
      mode: this.mode,
      maxTokens: this.input.maxTokens ?? DEFAULT_MAX_TOKENS,
      logprobs: this.input.options.logprobs,
      stream: this.input.options.stream,
    });
    return { sentenceIds, serialize, concepts: note.concepts.map((concept) => ({ concept, prompt: prompts(concept) })) };
  }

  private async predictConcept(
    prompt: EscapedPrompt,
    serialize: ReturnType<typeof noteRequestSerializer>,
    concept: EngineConcept,
    sentenceIds: number[],
    options: BackendRunOptions,
  ): Promise<ConceptResult> {
    const samples: SampleResult[] = [];
    for (let sampleIndex = 0; sampleIndex < options.votes; sampleIndex++) {
      const seed = options.seed + sampleIndex;
      const temperature = options.votes === 1 ? 0 : (options.temperature ?? DEFAULT_VOTE_TEMPERATURE);
      const wire = serialize(prompt, seed, temperature);
      await this.slots.acquire(options.signal);
      const started = performance.now();
      let answer: ChatAnswer | { error: string };
      const request: RequestOptions = { method: 'POST', path: wire.path, fromRoot: wire.fromRoot, json: wire.json, signal: options.signal };
      try {
        answer = await withRetries(
          async () => {
            const parser = this.input.options.stream ? createStreamParser(this.mode) : null;
            if (parser) request.onData = (text: string) => parser.push(text);
            const response = await this.transport.request(request);
            if (response.status === 401 || response.status === 403 || response.status === 404) {
              throw new UserError(`the server at ${this.endpoint.baseUrl} answered HTTP ${response.status} to ${wire.path}: ${this.transport.redact(response.body.slice(0, 200))}`);
            }
            // Any other 4xx is about this request (a note longer than the context, say): an invalid answer, not a stop.
            if (response.status >= 400) return { error: `the server answered HTTP ${response.status}: ${this.transport.redact(response.body.replace(/\s+/g, ' ').slice(0, 300))}` };
            return parser ? parser.finish() : parseChatResponse(this.mode, response.body);
          },
          this.retry,
          options.signal,
          `a request to ${this.endpoint.baseUrl} (pair ${concept.pairId})`,
        );
      } finally {
        this.slots.release();
      }
      samples.push(this.toSample(answer, sampleIndex, seed, sentenceIds, options, performance.now() - started));
    }
    return { pairId: concept.pairId, samples };
  }

  private toSample(answer: ChatAnswer | { error: string }, sampleIndex: number, seed: number, sentenceIds: number[], options: BackendRunOptions, ms: number): SampleResult {
    const base = { sampleIndex, seed, ms, windows: 1 };
    if ('error' in answer) {
      return { ...base, status: 'invalid', rawLabel: null, label: null, evidence: [], rationale: '', rawOutput: '', error: answer.error, promptTokens: 0, reusedTokens: 0, generatedTokens: 0, probability: null };
    }
    const tokens = {
      promptTokens: Math.max(0, (answer.promptTokens ?? 0) - answer.cachedTokens),
      reusedTokens: answer.cachedTokens,
      generatedTokens: answer.completionTokens ?? 0,
    };
    const probability = positiveProbability(answer.content, answer.logprobs, options.labels);
    // A model cannot know the key, but a proxy that echoes headers into the body must not put it in the store.
    const content = this.transport.redact(answer.content);
    const parsed = parseAnswer(content.trim(), sentenceIds, options.labels);
    if (!parsed.ok) {
      const cut = answer.finishReason === 'length' ? ' (the answer hit --max-tokens)' : '';
      return { ...base, ...tokens, status: 'invalid', rawLabel: null, label: null, evidence: [], rationale: '', rawOutput: content, error: parsed.error + cut, probability };
    }
    return {
      ...base,
      ...tokens,
      status: 'ok',
      rawLabel: parsed.answer.rawLabel,
      label: parsed.answer.label,
      evidence: parsed.answer.evidence,
      rationale: parsed.answer.rationale,
      rawOutput: content,
      error: null,
      probability,
      answerPath: `server:${this.mode}`,
    };
  }

  async dispose(): Promise<void> {
    this.transport.close();
  }
}

/** What a note's requests need: each concept's prompt, encoded; the sentence ids the answers may cite. */
interface PreparedNote {
  sentenceIds: number[];
  serialize: ReturnType<typeof noteRequestSerializer>;
  concepts: { concept: EngineConcept; prompt: EscapedPrompt }[];
}

/**
 * The prompt of each concept of a note, escaped for a JSON string. The note is rendered, escaped and
 * encoded once: when the template puts the concept after the note (the prefix does not depend on it),
 * each prompt is that shared prefix plus the concept's own escaped suffix.
 */
export function notePromptsAsJson(template: string, note: EngineNote, labels: LabelMode): (concept: EngineConcept) => EscapedPrompt {
  let shared: { emptyPrefix: string; escapedPrefix: Buffer } | null = null;
  return (concept) => {
    const bare = renderPrompt(template, [], concept, labels);
    if (shared && bare.prefix === shared.emptyPrefix) return { shared: shared.escapedPrefix, own: jsonStringContent(bare.suffix) };
    const full = renderPrompt(template, note.sentences, concept, labels);
    // Escaped halves equal the escaped whole unless the cut splits a surrogate pair (JSON.stringify escapes a lone half).
    const last = full.prefix.charCodeAt(full.prefix.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) return { shared: Buffer.alloc(0), own: jsonStringContent(full.prefix + full.suffix) };
    const escapedPrefix = Buffer.from(jsonStringContent(full.prefix));
    shared ??= { emptyPrefix: bare.prefix, escapedPrefix };
    return { shared: escapedPrefix, own: jsonStringContent(full.suffix) };
  };
}

/** A FIFO counting semaphore: requests start in the order they asked, so one note's concepts stay together. */
class Semaphore {
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  constructor(private free: number) {}
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        resolve: () => {
          stopWatching();
          resolve();
        },
        reject,
      };
      const stopWatching = signal
        ? whenAborted(signal, () => {
            const index = this.waiting.indexOf(entry);
            if (index >= 0) this.waiting.splice(index, 1);
            reject(abortError());
          })
        : () => undefined;
      this.waiting.push(entry);
    });
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.free++;
  }
}

/** Results in the order they complete; the first failure is thrown to the reader. */
class ResultQueue<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (value: T) => void; reject: (error: unknown) => void } | null = null;
  private error: unknown = null;
  failed = false;
  push(item: T): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(item);
    } else this.items.push(item);
  }
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(error);
    }
  }
  next(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    if (this.failed) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}

function abortError(): Error {
  const error = new Error('the request was cancelled');
  error.name = 'AbortError';
  return error;
}

