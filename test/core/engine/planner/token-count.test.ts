import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import type { EngineNote } from '../../../../src/core/engine/backend';
import type { PreparedWindow } from '../../../../src/core/engine/backends/gguf/windowing';
import { countPlanTokens } from '../../../../src/core/engine/planner/token-count';
import { calibrationNote, predictInferenceMs, speedFromSteps, windowDecodingMs, type Speed } from '../../../../src/core/engine/planner/plan';

/** Prompts as [frame 1, 2] ++ note tokens ++ [concept token]: the shape tokenizePrompt gives. */
function windowsFor(note: EngineNote): PreparedWindow[] {
  const prefix = [1, 2, ...note.sentences.map((sentence) => 100 + note.noteKey * 10 + sentence.id)] as Token[];
  return [{ sentences: [...note.sentences], prefixLength: prefix.length, prompts: note.concepts.map((concept) => [...prefix, 1000 + concept.pairId] as Token[]) }];
}

function note(noteKey: number, sentences: number, concepts: number): EngineNote {
  return {
    noteKey,
    sentences: Array.from({ length: sentences }, (_, index) => ({ id: index + 1, text: 'x' })),
    concepts: Array.from({ length: concepts }, (_, index) => ({ pairId: noteKey * 100 + index, code: 'C', desc: 'd' })),
  };
}

describe('countPlanTokens', () => {
  const notes = [note(1, 4, 3), note(2, 2, 2)];

  it('note-major evaluates the note prefix once per note, and keeps the frame head across notes', () => {
    const plan = countPlanTokens(notes, windowsFor, { strategy: 'note-major', votes: 1, labels: 'binary' });
    // Note 1: 7 tokens, then 1 per further concept; note 2: the frame (2 tokens) is reused, 3 new, then 1.
    expect(plan).toEqual({ notes: 2, pairs: 5, windows: 2, answers: 5, promptTokens: 7 + 1 + 1 + 3 + 1, reusedTokens: 0 + 6 + 6 + 2 + 4 });
  });

  it('naive evaluates every prompt whole; votes after the first reuse the whole prompt', () => {
    const naive = countPlanTokens(notes, windowsFor, { strategy: 'naive', votes: 1, labels: 'binary' });
    expect(naive.promptTokens).toBe(3 * 7 + 2 * 5);
    expect(naive.reusedTokens).toBe(0);
    const votes = countPlanTokens(notes, windowsFor, { strategy: 'naive', votes: 3, labels: 'binary' });
    expect(votes.answers).toBe(15);
    expect(votes.promptTokens).toBe(naive.promptTokens);
    expect(votes.reusedTokens).toBe(2 * (3 * 7 + 2 * 5));
  });
});

describe('countPlanTokens with concepts in flight', () => {
  const notes = [note(1, 4, 3), note(2, 2, 2), note(3, 1, 1)];

  it('evaluates each window’s shared prefix once on the lead and every concept’s own tail after it', () => {
    const plan = countPlanTokens(notes, windowsFor, { strategy: 'note-major', votes: 1, labels: 'binary', conceptsInFlight: 4 });
    // Note 1: prefix 6 tokens + 3 tails of 1; note 2: the lead keeps the frame (2), evaluates 2 more + 2 tails;
    // note 3 (one concept) runs alone on the lead: frame kept, 1 sentence + its concept token.
    expect(plan.promptTokens).toBe(6 + 3 + (2 + 2) + 2);
    expect(plan.reusedTokens).toBe(3 * 6 - 6 + (2 * 4 - 2) + 2);
    expect(plan.answers).toBe(6);
  });

  it('matches the sequential count when every concept tail is one token, and ignores concepts in flight for naive', () => {
    const options = { strategy: 'note-major' as const, votes: 2, labels: 'binary' as const };
    const parallel = countPlanTokens(notes, windowsFor, { ...options, conceptsInFlight: 4 });
    const sequential = countPlanTokens(notes, windowsFor, options);
    expect(parallel).toEqual(sequential);
    const naive = { strategy: 'naive' as const, votes: 1, labels: 'binary' as const };
    expect(countPlanTokens(notes, windowsFor, { ...naive, conceptsInFlight: 4 })).toEqual(countPlanTokens(notes, windowsFor, naive));
  });
});

describe('speedFromSteps', () => {
  const step = (ms: number, promptTokens: number, concepts = 1) => ({ ms, promptTokens, concepts, windows: 1 });

  it('takes the prompt cost from the same answer evaluated from nothing and from its held prompt', () => {
    // 2 ms per prompt token, 300 ms per answer alone, a round of 4 in 800 ms, 500 ms of warm-up.
    const speed = speedFromSteps({ cold: step(2 * 1000 + 300 + 500, 1000), single: step(2 * 1000 + 300, 1000), held: step(300, 0), round: step(2 * 1030 + 800, 1030, 4) });
    expect(speed.msPerPromptToken).toBeCloseTo(2, 9);
    expect(speed.msPerAnswer).toBeCloseTo(300, 9);
    expect(speed.msPerRound).toBeCloseTo(800, 9);
    expect(speed.roundSize).toBe(4);
    expect(speed.warmupMs).toBeCloseTo(500, 9);
  });

  it('never goes negative, and without a round decodes one answer at a time', () => {
    const speed = speedFromSteps({ cold: step(100, 10), single: step(200, 10), held: step(400, 10), round: null });
    expect(speed).toEqual({ msPerPromptToken: 0, msPerAnswer: 400, msPerRound: 400, roundSize: 1, warmupMs: 0 });
  });
});

describe('windowDecodingMs and predictInferenceMs', () => {
  const speed: Speed = { msPerPromptToken: 2, msPerAnswer: 300, msPerRound: 900, roundSize: 4, warmupMs: 0 };

  it('costs full rounds, then the rest as one smaller round between a single answer and a full round', () => {
    expect(windowDecodingMs(4, 4, speed)).toBe(900);
    expect(windowDecodingMs(6, 4, speed)).toBe(900 + 500); // a round of 2: 300 + 600 x 1/3
    expect(windowDecodingMs(1, 4, speed)).toBe(300);
    expect(windowDecodingMs(3, 1, speed)).toBe(900); // one at a time
  });

  it('adds the prompt tokens and multiplies the decoding by the votes; naive decodes one at a time', () => {
    const notes = [{ concepts: 4, windows: 1 }, { concepts: 2, windows: 2 }];
    const decoding = 900 + 2 * 500;
    expect(predictInferenceMs(notes, { promptTokens: 1000 }, { strategy: 'note-major', votes: 3, conceptsInFlight: 4 }, speed)).toBe(2000 + 3 * decoding);
    expect(predictInferenceMs(notes, { promptTokens: 1000 }, { strategy: 'naive', votes: 1, conceptsInFlight: 4 }, speed)).toBe(2000 + 300 * (4 + 2 * 2));
  });
});

describe('calibrationNote', () => {
  it('is the first note with several concepts, else the first', () => {
    expect(calibrationNote([note(1, 2, 1), note(2, 2, 3), note(3, 2, 2)]).noteKey).toBe(2);
    expect(calibrationNote([note(1, 2, 1), note(2, 2, 1)]).noteKey).toBe(1);
  });

  it("with window depths, keeps a first note near the answers' median depth, else takes the note nearest it", () => {
    const depths: Record<number, number[]> = { 1: [300], 2: [200], 3: [1600, 1600, 900], 4: [1500], 5: [1550], 6: [1400] };
    const notes = [note(1, 2, 1), note(2, 2, 3), note(3, 2, 2), note(4, 2, 2), note(5, 2, 1)];
    // Answers: 300 x1, 200 x3, 1600 x2 x2, 900 x2, 1500 x2, 1550 x1: the median is 1500.
    expect(calibrationNote(notes, (candidate) => depths[candidate.noteKey]!).noteKey).toBe(4);
    // The first candidate (note 2, depth 200) is under half the median: replaced. At 800 it would stay.
    expect(calibrationNote(notes, (candidate) => (candidate.noteKey === 2 ? [800] : depths[candidate.noteKey]!)).noteKey).toBe(2);
    // Only one concept each: any note may be chosen (median 1400 of 300, 1400, 1550).
    const single = [note(1, 2, 1), note(6, 2, 1), note(5, 2, 1)];
    expect(calibrationNote(single, (candidate) => depths[candidate.noteKey]!).noteKey).toBe(6);
  });
});
