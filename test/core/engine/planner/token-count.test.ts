import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import type { EngineNote } from '../../../../src/core/engine/backend';
import type { PreparedWindow } from '../../../../src/core/engine/backends/gguf/windowing';
import { countPlanTokens } from '../../../../src/core/engine/planner/token-count';
import { fitSpeed } from '../../../../src/core/engine/planner/plan';

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

describe('fitSpeed', () => {
  it('recovers ms per prompt token and per answer from answers with different prompt lengths', () => {
    const fit = fitSpeed([
      { promptTokens: 1000, ms: 2 * 1000 + 300 },
      { promptTokens: 20, ms: 2 * 20 + 300 },
      { promptTokens: 30, ms: 2 * 30 + 300 },
    ]);
    expect(fit.msPerPromptToken).toBeCloseTo(2, 6);
    expect(fit.msPerAnswer).toBeCloseTo(300, 6);
  });

  it('with equal prompt lengths, puts all time on the answer; never negative', () => {
    expect(fitSpeed([{ promptTokens: 10, ms: 50 }, { promptTokens: 10, ms: 70 }])).toEqual({ msPerPromptToken: 0, msPerAnswer: 60 });
    expect(fitSpeed([{ promptTokens: 10, ms: 90 }, { promptTokens: 100, ms: 10 }]).msPerPromptToken).toBe(0);
  });
});
