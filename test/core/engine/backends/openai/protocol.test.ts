import { describe, expect, it } from 'vitest';
import { answerSchema } from '../../../../../src/core/engine/answer-schema';
import {
  buildChatRequest,
  createStreamParser,
  defaultModeFor,
  flavorFromModels,
  jsonStringContent,
  noteRequestSerializer,
  parseChatResponse,
  STRUCTURED_MODES,
  parseModelList,
  positiveProbability,
  type ChatRequest,
} from '../../../../../src/core/engine/backends/openai/protocol';

const schema = answerSchema([1, 2], 'binary');
const request = (mode: ChatRequest['mode'], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', prompt: 'p', schema, mode, seed: 7, temperature: 0, maxTokens: 64, logprobs: true, stream: false, ...extra });

describe('requests: one answer schema, each server’s field', () => {
  it('puts the schema where each server documents it', () => {
    expect(buildChatRequest(request('response_format')).body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'medbench_answer', strict: true, schema } });
    expect(buildChatRequest(request('structured_outputs')).body.structured_outputs).toEqual({ json: schema });
    expect(buildChatRequest(request('guided_json')).body.guided_json).toEqual(schema);
    expect(buildChatRequest(request('json_schema')).body.json_schema).toEqual(schema);
    const none = buildChatRequest(request('none')).body;
    expect(Object.keys(none).filter((k) => /schema|format|structured|guided/.test(k))).toEqual([]);
  });

  it('speaks Ollama’s native /api/chat for format, with sampling in options', () => {
    const wire = buildChatRequest(request('format', { temperature: 0.7, stream: true }));
    expect(wire).toMatchObject({ path: '/api/chat', fromRoot: true });
    expect(wire.body).toMatchObject({ format: schema, stream: true, options: { seed: 7, temperature: 0.7, num_predict: 64 }, logprobs: true });
  });

  it('sends seed, temperature, max_tokens, logprobs and asks for usage when streaming', () => {
    const body = buildChatRequest(request('response_format', { stream: true })).body;
    expect(body).toMatchObject({ seed: 7, temperature: 0, max_tokens: 64, logprobs: true, top_logprobs: 5, stream: true, stream_options: { include_usage: true } });
    expect(buildChatRequest(request('response_format', { logprobs: false })).body.logprobs).toBeUndefined();
  });

  it('picks the documented field per server and vLLM version', () => {
    expect(defaultModeFor('vllm', '0.11.2')).toBe('guided_json');
    expect(defaultModeFor('vllm', '0.12.0')).toBe('structured_outputs');
    expect(defaultModeFor('vllm', null)).toBe('structured_outputs');
    expect(defaultModeFor('llama-server', null)).toBe('json_schema');
    expect(defaultModeFor('ollama', '0.13.0')).toBe('format');
    expect(defaultModeFor('lmstudio', null)).toBe('response_format');
  });
});

describe('request bodies serialized once per note', () => {
  const prompts = ['plain', 'quotes " and \\ backslashes', 'lines\nand\ttabs\r\n', 'control \u0001\u001f and \u2028', 'accents é ü 漢字 and 😀 emoji', ''];

  it('are byte for byte JSON.stringify of the body, whatever the mode, the prompt and where the note ends', () => {
    for (const mode of STRUCTURED_MODES) {
      for (const stream of [false, true]) {
        for (const logprobs of [false, true]) {
          const serialize = noteRequestSerializer({ model: 'org/model "q"', schema, mode, maxTokens: 64, logprobs, stream });
          for (const prompt of prompts) {
            for (const cut of [0, Math.floor(prompt.length / 2), prompt.length]) {
              // A cut inside a surrogate pair is never made (notePromptsAsJson escapes the whole prompt then).
              const at = /[\uDC00-\uDFFF]/.test(prompt.charAt(cut)) ? cut + 1 : cut;
              const escaped = { shared: Buffer.from(jsonStringContent(prompt.slice(0, at))), own: jsonStringContent(prompt.slice(at)) };
              // Two votes through the same serializer: each seed and temperature gets its own body.
              for (const [seed, temperature] of [[7, 0], [8, 0.7]] as const) {
                const wire = serialize(escaped, seed, temperature);
                const expected = buildChatRequest(request(mode, { prompt, stream, logprobs, seed, temperature, model: 'org/model "q"' }));
                expect(wire.json.toString('utf8'), `${mode} ${prompt}`).toBe(JSON.stringify(expected.body));
                expect({ path: wire.path, fromRoot: wire.fromRoot }).toEqual({ path: expected.path, fromRoot: expected.fromRoot });
              }
            }
          }
        }
      }
    }
  });
});

describe('responses', () => {
  it('reads usage with cached tokens (OpenAI/vLLM) and llama-server timings', () => {
    const vllm = parseChatResponse('structured_outputs', JSON.stringify({ choices: [{ message: { content: '{}' }, finish_reason: 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 64 } } }));
    expect(vllm).toMatchObject({ content: '{}', promptTokens: 100, cachedTokens: 64, completionTokens: 9, finishReason: 'stop', logprobs: null });
    const llama = parseChatResponse('json_schema', JSON.stringify({ choices: [{ message: { content: 'x' } }], usage: { prompt_tokens: 50, completion_tokens: 3 }, timings: { cache_n: 40, prompt_n: 10 } }));
    expect(llama.cachedTokens).toBe(40);
    const ollama = parseChatResponse('format', JSON.stringify({ message: { content: 'y' }, prompt_eval_count: 20, eval_count: 4, done_reason: 'stop' }));
    expect(ollama).toMatchObject({ content: 'y', promptTokens: 20, completionTokens: 4, cachedTokens: 0 });
  });

  it('reads token log-probabilities and drops entries that are not well formed', () => {
    const logprobs = {
      content: [
        { token: 'True', logprob: -0.2, bytes: [84, 114, 117, 101], top_logprobs: [{ token: 'True', logprob: -0.2 }, { token: 'False' }, 'x', { token: 'F', logprob: -2 }] },
        { token: 'no logprob' },
        { logprob: -1 },
        null,
        { token: '"', logprob: -0.01, top_logprobs: 'not a list' },
      ],
    };
    const answer = parseChatResponse('response_format', JSON.stringify({ choices: [{ message: { content: 'True"' }, logprobs }] }));
    expect(answer.logprobs).toEqual([
      { token: 'True', logprob: -0.2, top: [{ token: 'True', logprob: -0.2 }, { token: 'F', logprob: -2 }] },
      { token: '"', logprob: -0.01, top: [] },
    ]);
  });

  it('rejects bodies that are not the documented shape', () => {
    expect(() => parseChatResponse('response_format', '{"choices": [')).toThrow(/not JSON/);
    expect(() => parseChatResponse('response_format', '{"choices": []}')).toThrow(/choices\[0\]/);
    expect(() => parseChatResponse('format', '{"done": true}')).toThrow(/message/);
  });

  it('collects Server-Sent Events split at any byte, usage from the last chunk', () => {
    const events =
      ': keep-alive\n\n' +
      'data: {"choices":[{"delta":{"content":"{\\"label\\": \\""},"logprobs":{"content":[{"token":"{\\"label\\": \\"","logprob":-0.1,"top_logprobs":[]}]}}]}\n\n' +
      'data: {"choices":[{"delta":{"content":"True"},"logprobs":{"content":[{"token":"True","logprob":-0.2,"top_logprobs":[{"token":"True","logprob":-0.2},{"token":"False","logprob":-1.7}]}]}}]}\n\n' +
      'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":20}}}\n\n' +
      'data: [DONE]\n\n';
    const parser = createStreamParser('response_format');
    for (let i = 0; i < events.length; i += 7) parser.push(events.slice(i, i + 7));
    const answer = parser.finish();
    expect(answer).toMatchObject({ content: '{"label": "True', promptTokens: 30, cachedTokens: 20, completionTokens: 2, finishReason: 'stop' });
    expect(answer.logprobs).toHaveLength(2);
  });

  it('collects Ollama’s JSON lines', () => {
    const parser = createStreamParser('format');
    parser.push('{"message":{"content":"ab"},"done":false}\n{"message":{"content":"c"},"done":fa');
    parser.push('lse}\n{"message":{"content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":3}\n');
    expect(parser.finish()).toMatchObject({ content: 'abc', promptTokens: 12, completionTokens: 3, finishReason: 'stop' });
  });

  it('turns the label position’s top log-probabilities into P(positive)', () => {
    const content = '{"label": "True", "evidence": []}';
    const logprobs = [
      { token: '{"label": "', logprob: -0.01, top: [] },
      { token: 'True', logprob: Math.log(0.8), top: [{ token: 'True', logprob: Math.log(0.8) }, { token: 'False', logprob: Math.log(0.15) }, { token: 'Tr', logprob: Math.log(0.05) }] },
      { token: '", "evidence": []}', logprob: -0.01, top: [] },
    ];
    expect(positiveProbability(content, logprobs, 'binary')).toBeCloseTo(0.85 / 1.0, 5);
    // The label value may share a token with the quote before it.
    const merged = [
      { token: '{"label": ', logprob: -0.01, top: [] },
      { token: '"False', logprob: Math.log(0.6), top: [{ token: '"False', logprob: Math.log(0.6) }, { token: '"True', logprob: Math.log(0.2) }] },
      { token: '", "evidence": []}', logprob: -0.01, top: [] },
    ];
    expect(positiveProbability('{"label": "False", "evidence": []}', merged, 'binary')).toBeCloseTo(0.25, 5);
    expect(positiveProbability(content, null, 'binary')).toBeNull();
    expect(positiveProbability('not json', [{ token: 'not json', logprob: 0, top: [] }], 'binary')).toBeNull();
    // Only tokens that spell the answer exactly are read: too few, too many or different ones give no probability.
    expect(positiveProbability(content, logprobs.slice(0, 2), 'binary')).toBeNull();
    expect(positiveProbability(content, [...logprobs, { token: ' ', logprob: 0, top: [] }], 'binary')).toBeNull();
    expect(positiveProbability(content.replace('True', 'Trve'), logprobs, 'binary')).toBeNull();
    // Three-way labels: Explicit and Implicit affirm, Unrelated denies.
    const threeWay = [
      { token: '{"label": "', logprob: -0.01, top: [] },
      { token: 'Implicit', logprob: Math.log(0.5), top: [{ token: 'Implicit', logprob: Math.log(0.5) }, { token: 'Explicit', logprob: Math.log(0.2) }, { token: 'Unrelated', logprob: Math.log(0.3) }] },
      { token: '", "evidence": []}', logprob: -0.01, top: [] },
    ];
    expect(positiveProbability('{"label": "Implicit", "evidence": []}', threeWay, '3way')).toBeCloseTo(0.7, 5);
  });

  it('reads model lists and tells the servers apart', () => {
    const vllm = parseModelList(JSON.stringify({ object: 'list', data: [{ id: 'Qwen/Qwen2.5-7B', owned_by: 'vllm', max_model_len: 32768 }] }));
    expect(vllm).toEqual([{ id: 'Qwen/Qwen2.5-7B', ownedBy: 'vllm', maxModelLen: 32768 }]);
    expect(flavorFromModels(vllm)).toBe('vllm');
    expect(flavorFromModels(parseModelList(JSON.stringify({ data: [{ id: 'a', owned_by: 'llamacpp' }] })))).toBe('llama-server');
    expect(flavorFromModels(parseModelList(JSON.stringify({ data: [{ id: 'a', owned_by: 'library' }] })))).toBe('ollama');
    expect(flavorFromModels(parseModelList(JSON.stringify({ data: [{ id: 'a', owned_by: 'organization_owner' }] })))).toBe('lmstudio');
    expect(parseModelList(JSON.stringify({ models: [{ name: 'llama3:8b', model: 'llama3:8b' }] }))[0]!.id).toBe('llama3:8b');
    expect(() => parseModelList('{"x": 1}')).toThrow(/neither/);
  });
});
