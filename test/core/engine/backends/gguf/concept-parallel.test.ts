import type { LlamaContext, LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConceptResult, EngineNote, SampleResult } from '../../../../../src/core/engine/backend';
import { createLlamaBackend, type GgufBackend, type LlamaBackendOptions } from '../../../../../src/core/engine/backends/gguf/backend';
import { concurrentWindowTokens, copySequencePrefix, inTaskOrder, sharedPromptLength, shareNotePrefix } from '../../../../../src/core/engine/backends/gguf/concept-parallel';
import { getLlamaForMachine } from '../../../../../src/core/models/gguf';
import { ensureTinyModel } from '../../../../helpers/tiny-gguf';

function syntheticNote(sentenceCount: number, conceptCount: number, noteKey = 1): EngineNote {
  return {
    noteKey,
    sentences: Array.from({ length: sentenceCount }, (_, index) => ({
      id: index + 1,
      text: `The patient has a history of chronic kidney disease stage ${index % 5} and hypertension, blood pressure 14${index % 10}/90 on day ${index}.`,
    })),
    concepts: Array.from({ length: conceptCount }, (_, index) => ({ pairId: 100 + index, code: `N18.${index}`, desc: `Chronic kidney disease, stage ${index}` })),
  };
}

async function collect(backend: GgufBackend, note: EngineNote, options: Parameters<GgufBackend['predictNote']>[1]): Promise<ConceptResult[]> {
  const results: ConceptResult[] = [];
  for await (const result of backend.predictNote(note, options)) results.push(result);
  return results;
}

const sum = (samples: SampleResult[], pick: (sample: SampleResult) => number): number => samples.reduce((total, sample) => total + pick(sample), 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drain<T>(generator: AsyncGenerator<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of generator) values.push(value);
  return values;
}

describe('inTaskOrder', () => {
  it('yields results in task order while tasks finish out of order, each task i < workers starting on worker i', async () => {
    const started: [number, number][] = [];
    const finished: number[] = [];
    const values = await drain(
      inTaskOrder(6, 3, async (task, worker) => {
        started.push([task, worker]);
        await sleep([30, 5, 15, 1, 20, 2][task]!);
        finished.push(task);
        return task * 10;
      }),
    );
    expect(values).toEqual([0, 10, 20, 30, 40, 50]);
    expect(started.slice(0, 3)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(finished).not.toEqual([0, 1, 2, 3, 4, 5]);
    // At most `workers` tasks ran at once: every worker id is below 3.
    expect(Math.max(...started.map(([, worker]) => worker))).toBe(2);
  });

  it('on a task error aborts the others, waits for them all, and throws that error', async () => {
    const running = new Set<number>();
    const aborted: number[] = [];
    const failure = new Error('concept 1 failed');
    const run = drain(
      inTaskOrder(5, 3, async (task, _worker, signal) => {
        running.add(task);
        try {
          if (task === 1) {
            await sleep(5);
            throw failure;
          }
          for (let step = 0; step < 200; step++) {
            if (signal.aborted) {
              aborted.push(task);
              signal.throwIfAborted();
            }
            await sleep(2);
          }
          return task;
        } finally {
          running.delete(task);
        }
      }),
    );
    await expect(run).rejects.toBe(failure);
    // Nothing is still running when the generator has thrown: the caller may release the sequences.
    expect(running.size).toBe(0);
    expect(aborted.sort()).toEqual([0, 2]);
  });

  it('aborts and settles every task when the consumer stops early or the outer signal aborts', async () => {
    let running = 0;
    const task = async (index: number, _worker: number, signal: AbortSignal) => {
      running++;
      try {
        for (let step = 0; step < 500 && !signal.aborted; step++) await sleep(index === 0 ? 0 : 2);
        signal.throwIfAborted();
        return index;
      } finally {
        running--;
      }
    };
    for await (const value of inTaskOrder(4, 4, task)) {
      expect(value).toBe(0);
      break;
    }
    expect(running).toBe(0);

    const outer = new AbortController();
    setTimeout(() => outer.abort(), 10);
    await expect(drain(inTaskOrder(4, 2, async (index, worker, signal) => (index === 0 ? task(1, worker, signal) : task(index, worker, signal)), outer.signal))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(running).toBe(0);
  });
});

describe('sharedPromptLength', () => {
  it('is the common start of every prompt, leaving each prompt its last token', () => {
    expect(sharedPromptLength([[1, 2, 3, 4, 5], [1, 2, 3, 9], [1, 2, 7]] as never)).toBe(2);
    expect(sharedPromptLength([[1, 2, 3], [1, 2, 3]] as never)).toBe(2);
    expect(sharedPromptLength([[5, 6]] as never)).toBe(1);
    expect(sharedPromptLength([])).toBe(0);
  });
});

let modelPath: string;
const opened: GgufBackend[] = [];

// One thread: several test files share two cores.
async function open(options: Partial<LlamaBackendOptions> = {}): Promise<GgufBackend> {
  const backend = await createLlamaBackend({ modelPath, gpu: 'cpu', threads: 1, contextSize: 2048, batchSize: 512, ...options });
  opened.push(backend);
  return backend;
}

beforeAll(async () => {
  modelPath = await ensureTinyModel();
});

afterAll(async () => {
  for (const backend of opened) await backend.dispose();
});

describe('parallel concepts on the tiny model', () => {
  it('4 in flight: every concept answers, in concept order, and the note prefix is evaluated once', async () => {
    const note = syntheticNote(12, 6);
    const parallel = await open({ conceptsInFlight: 4 });
    const sequential = await open({ conceptsInFlight: 1 });
    expect(parallel.manifest()).toMatchObject({ sequences: 1, conceptsInFlight: 4, contextSequences: 4 });
    expect(sequential.manifest()).toMatchObject({ conceptsInFlight: 1, contextSequences: 1 });

    const together = await collect(parallel, note, { votes: 1, seed: 9, labels: 'binary' });
    const oneByOne = await collect(sequential, note, { votes: 1, seed: 9, labels: 'binary' });
    for (const results of [together, oneByOne]) {
      expect(results.map((result) => result.pairId)).toEqual(note.concepts.map((concept) => concept.pairId));
      for (const { samples } of results) {
        expect(samples).toHaveLength(1);
        expect(samples[0]!.status, samples[0]!.error ?? '').toBe('ok');
        expect(JSON.parse(samples[0]!.rawOutput)).toMatchObject({ label: samples[0]!.rawLabel });
      }
    }

    const prompts = parallel.windowsFor(note, 'binary')[0]!.prompts;
    const shared = sharedPromptLength(prompts);
    expect(shared).toBeGreaterThan(100);
    const samples = together.map((result) => result.samples[0]!);
    // Concept 0 pays for the whole prefix (the backend held nothing); every other concept evaluates only its tail
    // and counts the copied prefix as reused.
    expect(samples[0]).toMatchObject({ promptTokens: prompts[0]!.length, reusedTokens: 0 });
    samples.slice(1).forEach((sample, index) => {
      expect(sample.reusedTokens).toBe(shared);
      expect(sample.promptTokens).toBe(prompts[index + 1]!.length - shared);
    });
    // Same prompts, so the totals of evaluated + reused agree; the parallel run evaluates the prefix once too.
    const sequentialSamples = oneByOne.map((result) => result.samples[0]!);
    expect(sum(samples, (sample) => sample.promptTokens + sample.reusedTokens)).toBe(sum(sequentialSamples, (sample) => sample.promptTokens + sample.reusedTokens));
    expect(sum(samples, (sample) => sample.promptTokens)).toBe(prompts[0]!.length + prompts.slice(1).reduce((total, prompt) => total + prompt.length - shared, 0));
    expect(samples[0]!.promptTokens).toBe(sequentialSamples[0]!.promptTokens);
    // The planner's count for this path is the backend's.
    expect(concurrentWindowTokens([], prompts, 1)).toMatchObject({ promptTokens: sum(samples, (sample) => sample.promptTokens), reusedTokens: sum(samples, (sample) => sample.reusedTokens) });
  }, 60_000);

  it('works with votes, a second note on the same sequences, and a note of fewer concepts than sequences', async () => {
    const backend = await open({ conceptsInFlight: 3 });
    const firstNote = syntheticNote(6, 4, 1);
    const secondNote = syntheticNote(7, 2, 2);
    const first = await collect(backend, firstNote, { votes: 2, seed: 3, labels: '3way', temperature: 0.8 });
    expect(first.map((result) => result.pairId)).toEqual([100, 101, 102, 103]);
    for (const { samples } of first) {
      expect(samples.map((sample) => sample.sampleIndex)).toEqual([0, 1]);
      // The second vote regenerates from the evaluated prompt.
      expect(samples[1]!.promptTokens).toBe(0);
    }
    // A different note: the lead keeps only the template's head, the siblings get the new prefix.
    const second = await collect(backend, secondNote, { votes: 1, seed: 3, labels: 'binary' });
    expect(second.map((result) => result.pairId)).toEqual([100, 101]);
    expect(second[0]!.samples[0]!.reusedTokens).toBeGreaterThan(0);
    expect(second[1]!.samples[0]!.reusedTokens).toBeGreaterThan(second[1]!.samples[0]!.promptTokens);
    // Token for token what the planner's replay of this path counts, the lead's reuse across notes included.
    const firstCount = concurrentWindowTokens([], backend.windowsFor(firstNote, '3way')[0]!.prompts, 2);
    const secondCount = concurrentWindowTokens(firstCount.held, backend.windowsFor(secondNote, 'binary')[0]!.prompts, 1);
    const samplesOf = (results: ConceptResult[]) => results.flatMap((result) => result.samples);
    expect(firstCount).toMatchObject({ promptTokens: sum(samplesOf(first), (sample) => sample.promptTokens), reusedTokens: sum(samplesOf(first), (sample) => sample.reusedTokens) });
    expect(secondCount).toMatchObject({ promptTokens: sum(samplesOf(second), (sample) => sample.promptTokens), reusedTokens: sum(samplesOf(second), (sample) => sample.reusedTokens) });
  }, 60_000);

  it('splits a long note into windows and runs each window’s concepts together', async () => {
    const backend = await open({ conceptsInFlight: 2, contextSize: 1024, maxTokens: 300 });
    const note = syntheticNote(70, 3);
    expect(backend.windowsFor(note, 'binary').length).toBeGreaterThan(1);
    const results = await collect(backend, note, { votes: 1, seed: 1, labels: 'binary' });
    expect(results.map((result) => result.pairId)).toEqual([100, 101, 102]);
    for (const { samples } of results) {
      expect(samples[0]!.windows).toBeGreaterThan(1);
      expect(samples[0]!.status).toBe('ok');
    }
    expect(results[1]!.samples[0]!.reusedTokens).toBeGreaterThan(results[1]!.samples[0]!.promptTokens);
  }, 60_000);

  it('stays off for naive, which must clear the sequence before every concept', async () => {
    const backend = await open({ strategy: 'naive', conceptsInFlight: 4 });
    expect(backend.manifest()).toMatchObject({ conceptsInFlight: 1, contextSequences: 1 });
    const results = await collect(backend, syntheticNote(5, 3), { votes: 1, seed: 1, labels: 'binary' });
    for (const { samples } of results) expect(samples[0]!.reusedTokens).toBe(0);
  }, 60_000);

  it('aborting mid-note rejects, stops every concept in flight and leaves the sequences usable', async () => {
    const backend = await open({ conceptsInFlight: 4 });
    const note = syntheticNote(10, 12);
    const controller = new AbortController();
    const seen: number[] = [];
    const started = performance.now();
    const run = (async () => {
      for await (const result of backend.predictNote(note, { votes: 1, seed: 1, labels: 'binary', signal: controller.signal })) {
        seen.push(result.pairId);
        if (seen.length === 1) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(note.concepts.length);
    expect(performance.now() - started).toBeLessThan(20_000);

    // One note in flight: the next note gets the same four sequences back, and answers.
    const after = await collect(backend, syntheticNote(4, 4, 2), { votes: 1, seed: 1, labels: 'binary' });
    expect(after.map((result) => result.samples[0]!.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  }, 60_000);
});

describe('copying the note prefix into sibling sequences', () => {
  let model: LlamaModel;
  let context: LlamaContext;

  beforeAll(async () => {
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    model = await llama.loadModel({ modelPath });
    context = await model.createContext({ contextSize: 512, batchSize: 512, threads: 1, sequences: 3 });
  });

  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
  });

  it('copies the KV state (the sibling predicts what the lead does), and evaluates it when the copy is unavailable', async () => {
    const [lead, copied, evaluated] = [context.getSequence(), context.getSequence(), context.getSequence()];
    const prefix = model.tokenize('The patient has chronic kidney disease stage 3 and hypertension. '.repeat(4));
    // The copy method is missing on this sequence, as it would be in a node-llama-cpp version without it.
    Object.defineProperty(evaluated, '_copyStateFromOtherSequence', { value: undefined, configurable: true });
    const charged = await shareNotePrefix([lead, copied, evaluated], prefix, 512);
    expect(charged).toEqual([prefix.length, 0, prefix.length]);
    for (const sequence of [lead, copied, evaluated]) expect(sequence.contextTokens).toEqual(prefix);

    const next = async (sequence: typeof lead): Promise<number[]> => {
      const [item] = await sequence.controlledEvaluate([[prefix[0]!, { generateNext: { probabilities: true } }]]);
      await sequence.eraseContextTokenRanges([{ start: prefix.length, end: sequence.nextTokenIndex }]);
      return [...(item?.next.probabilities?.entries() ?? [])].slice(0, 5).map(([token]) => token);
    };
    const expected = await next(lead);
    expect(expected.length).toBeGreaterThan(0);
    expect(await next(copied)).toEqual(expected);
    expect(await next(evaluated)).toEqual(expected);

    // A sibling that already holds the prefix keeps it; a copy that fails leaves the target empty, ready to evaluate.
    expect(await shareNotePrefix([lead, copied], prefix, 512)).toEqual([0, 0]);
    Object.defineProperty(evaluated, '_copyStateFromOtherSequence', { value: async () => false });
    expect(await copySequencePrefix(evaluated, lead, prefix.length)).toBe(false);
    expect(evaluated.nextTokenIndex).toBe(0);
  }, 60_000);
});
