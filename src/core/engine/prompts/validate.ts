/**
 * Placeholder checks for prompt templates that report every problem at once (the run form's editor
 * shows them all; `--prompt FILE` names them all in one error), and the resolution of `--prompt
 * NAME|FILE` to what a run stores in its settings.
 */
import fs from 'node:fs';
import { expandHome } from '../../path-check';
import { PromptTemplateError } from '../prompt';
import { findPreset, PRESET_PREFIX, promptPresets } from './presets';

export const PLACEHOLDERS = [
  { name: 'note', required: true, description: 'the note as numbered sentences, one per line: "[S1] text" (exactly once, before the concept)' },
  { name: 'code', required: true, description: "the concept's ICD-10 code (after {{note}})" },
  { name: 'desc', required: true, description: "the concept's description (after {{note}})" },
  { name: 'labels', required: false, description: 'the allowed label words with their meaning' },
] as const;

const KNOWN = new Set<string>(PLACEHOLDERS.map((p) => p.name));
const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export type PromptProblemKind = 'unknown-placeholder' | 'missing-placeholder' | 'duplicate-placeholder' | 'order' | 'empty';
export interface PromptProblem {
  kind: PromptProblemKind;
  placeholder: string | null;
  message: string;
}

export interface PromptCheck {
  ok: boolean;
  /** Placeholder names in order of appearance (unknown ones included). */
  placeholders: string[];
  problems: PromptProblem[];
}

export function checkPromptText(text: string): PromptCheck {
  const found = Array.from(text.matchAll(PATTERN), (m) => ({ name: m[1]!, at: m.index }));
  const problems: PromptProblem[] = [];
  if (text.trim() === '') problems.push({ kind: 'empty', placeholder: null, message: 'the prompt is empty' });
  for (const name of new Set(found.map((f) => f.name).filter((n) => !KNOWN.has(n)))) {
    problems.push({ kind: 'unknown-placeholder', placeholder: name, message: `unknown placeholder {{${name}}}: the placeholders are {{note}}, {{code}}, {{desc}} and {{labels}}` });
  }
  const notes = found.filter((f) => f.name === 'note');
  if (notes.length > 1) problems.push({ kind: 'duplicate-placeholder', placeholder: 'note', message: `{{note}} must appear exactly once (found ${notes.length})` });
  for (const { name, required } of PLACEHOLDERS) {
    if (required && !found.some((f) => f.name === name)) problems.push({ kind: 'missing-placeholder', placeholder: name, message: `{{${name}}} is missing` });
  }
  const firstNote = notes[0]?.at;
  if (firstNote !== undefined) {
    for (const name of ['code', 'desc']) {
      if (found.some((f) => f.name === name && f.at < firstNote)) {
        problems.push({ kind: 'order', placeholder: name, message: `{{${name}}} appears before {{note}}: the note must come first so its evaluation can be reused across concepts` });
      }
    }
  }
  return { ok: problems.length === 0, placeholders: found.map((f) => f.name), problems };
}

/** Throws one error naming every problem, prefixed with where the text came from. */
export function assertPromptText(text: string, source: string): void {
  const check = checkPromptText(text);
  if (!check.ok) throw new PromptTemplateError(`${source}: ${check.problems.map((p) => p.message).join('; ')}`);
}

/**
 * `--prompt NAME|FILE` as a run stores it: "preset:NAME" for a preset, an absolute path for a file
 * (checked now, so a bad template fails before the model loads). A bare word that is no preset and
 * no file gets an error listing the presets.
 */
export function resolvePromptReference(reference: string): string {
  const looksLikePath = /[\\/.~]/.test(reference);
  if (!looksLikePath && findPreset(reference)) return `${PRESET_PREFIX}${reference}`;
  if (reference.startsWith(PRESET_PREFIX) && findPreset(reference.slice(PRESET_PREFIX.length))) return reference;
  const file = expandHome(reference);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const names = promptPresets().map((p) => p.name).join(', ');
    if (code === 'ENOENT') throw new PromptTemplateError(`no prompt preset or file named "${reference}" (presets: ${names}; a file path must exist)`);
    if (code === 'EISDIR') throw new PromptTemplateError(`prompt template ${file} is a folder, not a file`);
    throw new PromptTemplateError(`cannot read prompt template ${file}: ${(error as Error).message}`);
  }
  assertPromptText(text, file);
  return file;
}

/** The preset name or file name a stored reference stands for (for listings and manifests). */
export function promptReferenceName(stored: string | null): string {
  if (stored === null) return 'default';
  if (stored.startsWith(PRESET_PREFIX)) return stored.slice(PRESET_PREFIX.length);
  return stored.split(/[\\/]/).pop() ?? stored;
}
