/**
 * Prompt templates for GGUF models. A template is plain text with placeholders:
 *   {{note}}    the note as numbered sentences, one per line: "[S1] text"
 *   {{code}}    the concept's ICD-10 code
 *   {{desc}}    the concept's description
 *   {{labels}}  the allowed label words with their meaning (optional)
 * The note must come before the concept so that everything up to the note is the same for every concept of a note:
 * the backend evaluates that shared prefix once and reuses it (see backends/gguf/prompt-tokens.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { EngineConcept, EngineSentence, LabelMode } from './backend';
import { MAX_EVIDENCE_ITEMS } from './answer-schema';
import { UserError } from '../errors';
import { PRESET_PREFIX, presetTemplate } from './prompts/presets';

export const PROMPT_VERSION = 'medbench-v1';

export const BUILT_IN_PROMPT_TEMPLATE = `You are a careful clinical coder. You read a hospital discharge note and decide whether it documents a given diagnosis or procedure concept (an ICD-10-CM or ICD-10-PCS code) for this admission.

Answer with one label: {{labels}}.
Cite the ids of the sentences that support your answer, like "S3" (at most ${MAX_EVIDENCE_ITEMS}; none if nothing supports it), and give a one-sentence rationale.
Reply with JSON only, exactly in this form: {"label": "...", "evidence": ["S1"], "rationale": "..."}

Discharge note, one numbered sentence per line:
{{note}}

Concept: {{code}} {{desc}}
Does the note document this concept? Reply with the JSON object only.`;

const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const KNOWN_PLACEHOLDERS = new Set(['note', 'code', 'desc', 'labels']);

export class PromptTemplateError extends UserError {
  override name = 'PromptTemplateError';
}

export interface PromptTemplate {
  /** PROMPT_VERSION for the built-in template, `custom:<file name>` for a user template. */
  version: string;
  text: string;
  hash: string;
}

export function promptHash(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

export function builtInPromptTemplate(): PromptTemplate {
  return { version: PROMPT_VERSION, text: BUILT_IN_PROMPT_TEMPLATE, hash: promptHash(BUILT_IN_PROMPT_TEMPLATE) };
}

interface Placeholder {
  name: string;
  start: number;
  end: number;
}

function findPlaceholders(text: string): Placeholder[] {
  return Array.from(text.matchAll(PLACEHOLDER_PATTERN), (match) => ({
    name: match[1],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** Throws PromptTemplateError unless the template has exactly one {{note}} followed by {{code}} and {{desc}}. */
export function checkPromptTemplate(text: string, source = 'prompt template'): void {
  const placeholders = findPlaceholders(text);
  const unknown = placeholders.filter((placeholder) => !KNOWN_PLACEHOLDERS.has(placeholder.name));
  if (unknown.length > 0) {
    throw new PromptTemplateError(
      `${source}: unknown placeholder ${unknown.map((placeholder) => `{{${placeholder.name}}}`).join(', ')}; ` +
        'the placeholders are {{note}}, {{code}}, {{desc}} and {{labels}}',
    );
  }
  const notes = placeholders.filter((placeholder) => placeholder.name === 'note');
  if (notes.length !== 1) {
    throw new PromptTemplateError(`${source}: {{note}} must appear exactly once (found ${notes.length})`);
  }
  for (const name of ['code', 'desc']) {
    const uses = placeholders.filter((placeholder) => placeholder.name === name);
    if (uses.length === 0) throw new PromptTemplateError(`${source}: {{${name}}} is missing`);
    if (uses.some((placeholder) => placeholder.start < notes[0].start)) {
      throw new PromptTemplateError(
        `${source}: {{${name}}} appears before {{note}}; the note must come first so its evaluation can be reused across concepts`,
      );
    }
  }
}

/** Reads a user template (`--prompt FILE`); its version names the file, its hash pins the exact text. */
export function loadPromptTemplate(file: string): PromptTemplate {
  // A named preset (prompts/presets.ts), stored in a run's settings as "preset:NAME".
  if (file.startsWith(PRESET_PREFIX)) return presetTemplate(file.slice(PRESET_PREFIX.length));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PromptTemplateError(`cannot read prompt template ${file}: ${(error as Error).message}`);
  }
  checkPromptTemplate(text, file);
  const fileName = file.split(/[\\/]/).pop() ?? file;
  return { version: `custom:${fileName}`, text, hash: promptHash(text) };
}

const LABEL_GUIDES: Record<LabelMode, string> = {
  binary: '"True" (the note documents the concept) or "False" (it does not)',
  '3way':
    '"Explicit" (the note states the concept directly), "Implicit" (the note implies it through findings, results or treatment without naming it) or "Unrelated" (the note does not document it)',
};

export function labelGuide(labels: LabelMode): string {
  return LABEL_GUIDES[labels];
}

/** One sentence per line; a sentence's own line breaks would blur where the next numbered sentence starts. */
export function renderNote(sentences: readonly EngineSentence[]): string {
  return sentences.map((sentence) => renderSentenceLine(sentence)).join('\n');
}

const LINE_BREAK = /[\r\n]/;

export function renderSentenceLine(sentence: EngineSentence): string {
  // Most sentences hold no line break: the replace is skipped for them (it runs for every sentence of every note).
  const text = (LINE_BREAK.test(sentence.text) ? sentence.text.replace(/\s*[\r\n]+\s*/g, ' ') : sentence.text).trim();
  return `[S${sentence.id}] ${text}`;
}

export interface RenderedPrompt {
  /** Everything up to and including the note (plus the whitespace after it): identical for every concept of a note. */
  prefix: string;
  /** The rest, from the first non-whitespace character after the note. */
  suffix: string;
}

/**
 * Fills the placeholders in one pass over the template, so text inside the note that looks like a placeholder is
 * never substituted. The whitespace right after the note belongs to the prefix: a suffix that started with
 * whitespace would get an extra leading-space token from SentencePiece tokenizers when tokenized on its own.
 */
export function renderPrompt(
  template: string,
  sentences: readonly EngineSentence[],
  concept: Pick<EngineConcept, 'code' | 'desc'>,
  labels: LabelMode,
): RenderedPrompt {
  const values: Record<string, string> = {
    note: renderNote(sentences),
    code: concept.code,
    desc: concept.desc,
    labels: labelGuide(labels),
  };
  let prefix = '';
  let suffix = '';
  let cursor = 0;
  let afterNote = false;
  for (const placeholder of findPlaceholders(template)) {
    const literal = template.slice(cursor, placeholder.start);
    const value = values[placeholder.name];
    if (value === undefined) throw new PromptTemplateError(`unknown placeholder {{${placeholder.name}}}`);
    if (afterNote) suffix += literal + value;
    else prefix += literal + value;
    if (placeholder.name === 'note') afterNote = true;
    cursor = placeholder.end;
  }
  if (!afterNote) throw new PromptTemplateError('the prompt template has no {{note}} placeholder');
  suffix += template.slice(cursor);
  const leadingWhitespace = /^\s*/.exec(suffix)?.[0] ?? '';
  return { prefix: prefix + leadingWhitespace, suffix: suffix.slice(leadingWhitespace.length) };
}
