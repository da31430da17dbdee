/**
 * Exact prompt-token accounting of a plan, without running it: the prompts as the model tokenizes them (windows
 * included) replayed through the same reuse rule as prompt-eval.ts. A sequence keeps the tokens that equal the next
 * prompt's start; note-major keeps the note prefix across its concepts (and the frame head across notes), naive
 * clears the sequence before each concept; votes after the first re-evaluate nothing.
 */
import type { Token } from 'node-llama-cpp';
import type { EngineNote, LabelMode } from '../backend';
import type { PreparedWindow } from '../backends/gguf/windowing';

export interface PlanTokens {
  notes: number;
  pairs: number;
  /** Context windows over all notes (1 per note unless split). */
  windows: number;
  /** Answers to generate: pairs x windows x votes. */
  answers: number;
  /** Prompt tokens evaluated. */
  promptTokens: number;
  /** Prompt tokens reused from the sequence. */
  reusedTokens: number;
}

function sharedPrefix(held: readonly Token[], prompt: readonly Token[]): number {
  const limit = Math.min(held.length, prompt.length);
  let index = 0;
  while (index < limit && held[index] === prompt[index]) index++;
  return index;
}

export function countPlanTokens(
  notes: readonly EngineNote[],
  windowsFor: (note: EngineNote, labels: LabelMode) => PreparedWindow[],
  options: { strategy: 'note-major' | 'naive'; votes: number; labels: LabelMode },
): PlanTokens {
  const totals: PlanTokens = { notes: notes.length, pairs: 0, windows: 0, answers: 0, promptTokens: 0, reusedTokens: 0 };
  // One sequence (notes in order): what the CPU default runs, and an upper bound of reuse loss with several.
  let held: readonly Token[] = [];
  for (const note of notes) {
    totals.pairs += note.concepts.length;
    const windows = windowsFor(note, options.labels);
    totals.windows += windows.length;
    for (const window of windows) {
      for (const prompt of window.prompts) {
        if (options.strategy === 'naive') held = [];
        for (let vote = 0; vote < options.votes; vote++) {
          const matched = sharedPrefix(held, prompt);
          totals.promptTokens += prompt.length - matched;
          totals.reusedTokens += matched;
          totals.answers++;
          held = prompt;
        }
      }
    }
  }
  return totals;
}
