/**
 * Evidence ids decoded under a mask computed here instead of a llama.cpp grammar. A grammar checks every token of
 * the vocabulary at every step (~20-60 ms per token with a 150k vocabulary on 2 cores); the evidence list can only
 * ever continue with a few hundred tokens made of `"S0-9, ]`, so those are found once per model and, at each step,
 * the ones that keep the text a valid prefix are passed to llama.cpp as a logits filter. The model then picks among
 * them exactly as a grammar would let it, at raw decoding speed. Unlike the grammar, the mask also forbids citing
 * the same sentence twice.
 *
 * The language (after the opening bracket): `]` or `"S<id>"` items separated by a comma and at most one space, then
 * `]`; ids are sentences of the window, each at most once, at most `maxItems` of them.
 */
import type { LlamaModel, Token } from 'node-llama-cpp';

const CANDIDATE_TEXT = /^[ \],"S0-9]+$/;
/** The same characters as GGUF vocabularies spell them: byte-level BPE writes a space as Ġ, SentencePiece as ▁. */
const CANDIDATE_PIECE = /^[ \u0120\u2581\],"S0-9]{1,16}$/;

/**
 * Tokens whose text could continue an evidence list. The vocabulary's own strings (in the GGUF metadata) are
 * filtered first, a few milliseconds for 150k tokens, and only the survivors are detokenized to check their text;
 * detokenizing the whole vocabulary would take about a second.
 */
export function evidenceCandidateTokens(model: LlamaModel): { token: Token; text: string }[] {
  const pieces = (model.fileInfo.metadata.tokenizer as { ggml?: { tokens?: unknown } } | undefined)?.ggml?.tokens;
  const ids: number[] = [];
  if (Array.isArray(pieces)) {
    pieces.forEach((piece, id) => {
      if (typeof piece === 'string' && CANDIDATE_PIECE.test(piece)) ids.push(id);
    });
  }
  const candidates: { token: Token; text: string }[] = [];
  for (const id of ids) {
    const token = id as Token;
    const text = model.detokenize([token], false);
    if (text.length > 0 && text.length <= 8 && CANDIDATE_TEXT.test(text)) candidates.push({ token, text });
  }
  return candidates;
}

export type EvidenceState = { kind: 'invalid' } | { kind: 'partial' } | { kind: 'complete'; ids: number[] };

export class EvidenceLanguage {
  private readonly ids: Set<string>;

  constructor(
    sentenceIds: readonly number[],
    private readonly maxItems: number,
  ) {
    this.ids = new Set(sentenceIds.map(String));
  }

  /** Some id not cited yet starts with these digits. */
  private viable(digits: string, cited: readonly number[]): boolean {
    for (const id of this.ids) if (id.startsWith(digits) && !cited.includes(Number(id))) return true;
    return false;
  }

  /** Where `text` (everything after `[`) stands. */
  check(text: string): EvidenceState {
    const cited: number[] = [];
    let index = 0;
    const at = (): string | undefined => text[index];
    const end = (): boolean => index >= text.length;
    // Item list: ] | item (", "? item)* ]
    if (end()) return { kind: 'partial' };
    if (at() === ']') return index + 1 === text.length ? { kind: 'complete', ids: cited } : { kind: 'invalid' };
    for (;;) {
      // "S<id>"
      if (at() !== '"') return { kind: 'invalid' };
      index++;
      if (end()) return { kind: 'partial' };
      if (at() !== 'S') return { kind: 'invalid' };
      index++;
      let digits = '';
      while (!end() && /[0-9]/.test(text[index]!)) digits += text[index++];
      if (end()) return this.viable(digits, cited) ? { kind: 'partial' } : { kind: 'invalid' };
      if (at() !== '"' || !this.ids.has(digits) || cited.includes(Number(digits))) return { kind: 'invalid' };
      cited.push(Number(digits));
      index++;
      if (end()) return { kind: 'partial' };
      if (at() === ']') return index + 1 === text.length ? { kind: 'complete', ids: cited } : { kind: 'invalid' };
      // A comma promises another item: only while the limit allows one.
      if (at() !== ',' || cited.length >= this.maxItems) return { kind: 'invalid' };
      index++;
      if (end()) return { kind: 'partial' };
      if (at() === ' ') index++;
      if (end()) return { kind: 'partial' };
    }
  }
}

/** The candidates that keep `text` a valid prefix of an evidence list. */
export function allowedNext(language: EvidenceLanguage, text: string, candidates: readonly { token: Token; text: string }[]): Token[] {
  const allowed: Token[] = [];
  for (const candidate of candidates) {
    if (language.check(text + candidate.text).kind !== 'invalid') allowed.push(candidate.token);
  }
  return allowed;
}
