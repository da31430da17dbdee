/**
 * Turns a note, its sentences and the evidence of one pair into blocks the pair view renders:
 * sentences (numbered, flagged gold/predicted) and the gaps between them, each split into pieces
 * that are gold evidence, predicted evidence, both, or plain text.
 *
 * Gold evidence is marked at the annotators' character spans; predicted evidence is whole
 * sentences (models answer with sentence ids). Offsets arrive as Python code point offsets and
 * are converted to JS string (UTF-16) indexes here.
 */

import { CodePointIndex } from '../../../shared/code-points';
import { neutraliseBidi } from '../../../shared/display-text';

export type Evidence = 'gold' | 'pred' | 'both';

export interface Piece {
  text: string;
  evidence: Evidence | null;
}

export type NoteBlock =
  | { kind: 'gap'; pieces: Piece[] }
  | { kind: 'sentence'; id: number; gold: boolean; pred: boolean; pieces: Piece[] };

export interface Span {
  start: number;
  end: number;
}

/** Maps code point offsets (as the core stores them) to UTF-16 offsets, clamped to the text. */
export function codePointToUtf16(text: string): (codePoint: number) => number {
  const index = new CodePointIndex(text);
  return (codePoint) => index.toUtf16(Math.max(0, Math.min(codePoint, index.length)));
}

/** Sorted, disjoint, non-empty ranges covering the same characters. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

export interface NoteEvidence {
  text: string;
  /** Code point offsets, sorted by start. */
  sentences: readonly { id: number; start: number; end: number }[];
  /** Code point offsets. */
  goldSpans: readonly Span[];
  goldSentences: readonly number[];
  predictedSentences: readonly number[];
}

export function buildNoteBlocks(evidence: NoteEvidence): NoteBlock[] {
  // Bidi overrides in a note cannot reorder what is shown; the replacement keeps every offset.
  const input = { ...evidence, text: neutraliseBidi(evidence.text) };
  const toUtf16 = codePointToUtf16(input.text);
  const gold = mergeSpans(input.goldSpans.map((s) => ({ start: toUtf16(s.start), end: toUtf16(s.end) })));
  const goldIds = new Set(input.goldSentences);
  const predIds = new Set(input.predictedSentences);
  const blocks: NoteBlock[] = [];
  let goldIndex = 0;

  // Pieces of [from, to), split where gold spans start and end; spans are visited once overall.
  const piecesOf = (from: number, to: number, pred: boolean): Piece[] => {
    const pieces: Piece[] = [];
    const push = (start: number, end: number, isGold: boolean) => {
      if (end <= start) return;
      const evidence: Evidence | null = isGold && pred ? 'both' : isGold ? 'gold' : pred ? 'pred' : null;
      const last = pieces[pieces.length - 1];
      if (last && last.evidence === evidence) last.text += input.text.slice(start, end);
      else pieces.push({ text: input.text.slice(start, end), evidence });
    };
    let position = from;
    while (goldIndex < gold.length && gold[goldIndex]!.start < to) {
      const span = gold[goldIndex]!;
      if (span.end <= position) {
        goldIndex++;
        continue;
      }
      push(position, Math.max(position, span.start), false);
      const goldEnd = Math.min(span.end, to);
      push(Math.max(position, span.start), goldEnd, true);
      position = goldEnd;
      if (span.end <= to) goldIndex++;
      else break;
    }
    push(position, to, false);
    return pieces;
  };

  let position = 0;
  for (const sentence of input.sentences) {
    const start = toUtf16(sentence.start);
    const end = toUtf16(sentence.end);
    if (start < position || end <= start) continue;
    if (start > position) blocks.push({ kind: 'gap', pieces: piecesOf(position, start, false) });
    const pred = predIds.has(sentence.id);
    blocks.push({ kind: 'sentence', id: sentence.id, gold: goldIds.has(sentence.id), pred, pieces: piecesOf(start, end, pred) });
    position = end;
  }
  if (position < input.text.length) blocks.push({ kind: 'gap', pieces: piecesOf(position, input.text.length, false) });
  return blocks;
}

/** The sentences worth jumping to, in note order, with how each is highlighted. */
export function highlightedSentences(blocks: readonly NoteBlock[]): { id: number; evidence: Evidence }[] {
  const result: { id: number; evidence: Evidence }[] = [];
  for (const block of blocks) {
    if (block.kind !== 'sentence' || (!block.gold && !block.pred)) continue;
    result.push({ id: block.id, evidence: block.gold && block.pred ? 'both' : block.gold ? 'gold' : 'pred' });
  }
  return result;
}
