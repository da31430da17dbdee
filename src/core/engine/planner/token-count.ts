/**
 * Exact prompt-token accounting of a plan, without running it: the prompts as the model tokenizes them (windows
 * included) replayed through the same reuse rule as prompt-eval.ts. A sequence keeps the tokens that equal the next
 * prompt's start; note-major keeps the note prefix across its concepts (and the frame head across notes), naive
 * clears the sequence before each concept; votes after the first re-evaluate nothing. With concepts in flight
 * (note-major, a note of several concepts), each window's shared prompt prefix is evaluated once on the lead sequence
 * (keeping what it holds) and copied to the siblings, and each concept evaluates its own tail after it
 * (backend.ts, runWindowConcurrently).
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

/** Tokens every prompt starts with, leaving each prompt's last token (as concept-parallel.ts's sharedPromptLength). */
function sharedPromptLength(prompts: readonly (readonly Token[])[]): number {
  if (prompts.length === 0) return 0;
  const first = prompts[0]!;
  let length = Math.min(...prompts.map((prompt) => prompt.length - 1));
  for (const prompt of prompts.slice(1)) length = Math.min(length, sharedPrefix(first, prompt));
  return Math.max(0, length);
}

export function countPlanTokens(
  notes: readonly EngineNote[],
  windowsFor: (note: EngineNote, labels: LabelMode) => PreparedWindow[],
  options: { strategy: 'note-major' | 'naive'; votes: number; labels: LabelMode; conceptsInFlight?: number },
): PlanTokens {
  const totals: PlanTokens = { notes: notes.length, pairs: 0, windows: 0, answers: 0, promptTokens: 0, reusedTokens: 0 };
  const conceptsInFlight = options.strategy === 'naive' ? 1 : Math.max(1, options.conceptsInFlight ?? 1);
  // One note in flight (notes in order): what the CPU default runs, and an upper bound of reuse loss with several.
  // `held` is what the note's lead sequence holds.
  let held: readonly Token[] = [];
  for (const note of notes) {
    totals.pairs += note.concepts.length;
    const windows = windowsFor(note, options.labels);
    totals.windows += windows.length;
    if (Math.min(conceptsInFlight, note.concepts.length) > 1) {
      for (const window of windows) {
        const shared = sharedPromptLength(window.prompts);
        const prefix = window.prompts[0]!.slice(0, shared);
        const kept = sharedPrefix(held, prefix);
        totals.promptTokens += shared - kept;
        totals.reusedTokens += kept - shared;
        for (const prompt of window.prompts) {
          totals.promptTokens += prompt.length - shared;
          totals.reusedTokens += shared + (options.votes - 1) * prompt.length;
          totals.answers += options.votes;
        }
        // Later notes match the lead within the frame head, which every prompt of the window shares.
        held = prefix;
      }
      continue;
    }
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
