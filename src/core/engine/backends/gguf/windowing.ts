/**
 * A note's prompts, split into windows of sentences when the whole note does not fit the context (with room left
 * for the answer). Counts are real token counts of the model's tokenizer; a sentence longer than a whole window is
 * truncated to what fits.
 */
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { EngineConcept, EngineNote, EngineSentence, LabelMode } from '../../backend';
import { renderPrompt, renderSentenceLine, type PromptTemplate } from '../../prompt';
import { splitIntoWindows } from '../../windows';
import { tokenizePrompt, type PromptFrame, type PromptTokens } from './prompt-tokens';

export const WINDOW_OVERLAP_SENTENCES = 2;
/** Separately tokenized sentences can differ by a token or so from the note tokenized whole. */
const WINDOW_SAFETY_TOKENS = 16;

/** A note's window: its sentences (an oversized one truncated) and the tokenized prompt per concept. */
export interface PreparedWindow {
  sentences: EngineSentence[];
  prompts: Token[][];
  /** Prompt tokens shared by every concept of the window (frame head + prefix through the note). */
  prefixLength: number;
}

export class NoteWindows {
  constructor(
    private readonly model: LlamaModel,
    private readonly frame: PromptFrame,
    private readonly template: PromptTemplate,
    private readonly contextSize: number,
    /** Tokens kept free for the answer (and the thought segment). */
    private readonly answerTokens: number,
  ) {}

  render(sentences: readonly EngineSentence[], concept: Pick<EngineConcept, 'code' | 'desc'>, labels: LabelMode): PromptTokens {
    return tokenizePrompt(this.model, this.frame, renderPrompt(this.template.text, sentences, concept, labels));
  }

  /** Room for the prompt: generation must fit in the context too, or llama.cpp would shift out the note. */
  get promptBudget(): number {
    return this.contextSize - this.answerTokens;
  }

  prepare(note: EngineNote, labels: LabelMode): PreparedWindow[] {
    const rendered = note.concepts.map((concept) => this.render(note.sentences, concept, labels));
    const whole = rendered.map((prompt) => prompt.tokens);
    if (whole.every((tokens) => tokens.length <= this.promptBudget)) {
      return [{ sentences: [...note.sentences], prompts: whole, prefixLength: Math.min(...rendered.map((prompt) => prompt.prefixLength)) }];
    }

    // Everything but the note: the longest concept's prompt around an empty note.
    const frameTokens = Math.max(...note.concepts.map((concept) => this.render([], concept, labels).tokens.length));
    let budget = this.promptBudget - frameTokens - WINDOW_SAFETY_TOKENS;
    for (let attempt = 0; attempt < 4 && budget > 0; attempt++) {
      const sentences = note.sentences.map((sentence) => this.truncateSentence(sentence, budget));
      const counts = sentences.map((sentence) => this.lineTokens(sentence));
      const windows = splitIntoWindows(sentences, counts, budget, WINDOW_OVERLAP_SENTENCES).map((indexes) => {
        const windowSentences = indexes.map((index) => sentences[index]!);
        const prompts = note.concepts.map((concept) => this.render(windowSentences, concept, labels));
        return { sentences: windowSentences, prompts: prompts.map((prompt) => prompt.tokens), prefixLength: Math.min(...prompts.map((prompt) => prompt.prefixLength)) };
      });
      const longest = Math.max(...windows.flatMap((window) => window.prompts.map((tokens) => tokens.length)));
      if (longest <= this.promptBudget) return windows;
      budget -= longest - this.promptBudget; // tokenization drift at the joins: shrink and split again
    }
    throw new Error(
      `The context (${this.contextSize} tokens) is too small for this prompt template, the concept text and ` +
        `${this.answerTokens} answer tokens; use a larger --context-size or a smaller --max-tokens`,
    );
  }

  private lineTokens(sentence: EngineSentence): number {
    return this.model.tokenize(`${renderSentenceLine(sentence)}\n`, false, 'trimLeadingSpace').length;
  }

  /** A sentence longer than a whole window keeps only as many of its tokens as fit. */
  private truncateSentence(sentence: EngineSentence, budget: number): EngineSentence {
    if (this.lineTokens(sentence) <= budget) return sentence;
    const overhead = this.lineTokens({ id: sentence.id, text: '' }) + 2;
    const textTokens = this.model.tokenize(sentence.text, false, 'trimLeadingSpace');
    let keep = Math.max(0, budget - overhead);
    let truncated: EngineSentence;
    do {
      truncated = { id: sentence.id, text: `${this.model.detokenize(textTokens.slice(0, keep))}…` };
      keep--;
    } while (keep > 0 && this.lineTokens(truncated) > budget);
    return truncated;
  }
}
